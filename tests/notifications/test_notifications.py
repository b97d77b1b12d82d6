"""In-app notifications: written on commit only, my inbox, unread filter, marking read."""

import pytest
from django.db import transaction

from apps.notifications.models import Notification, NotificationKind
from apps.notifications.services import notification_send
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


def test_send_writes_only_when_the_transaction_commits(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient_id=user.pk, kind=NotificationKind.STRIKE, payload={"a": 1})
    assert Notification.objects.get(recipient=user).payload == {"a": 1}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notification_send(recipient_id=user.pk, kind="x", payload={})
                raise RuntimeError("the decision failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Notification.objects.filter(recipient=user).count() == 1


def test_inbox_is_newest_first_with_unread_filter(api, user) -> None:
    old, read, new = NotificationFactory.create_batch(3, recipient=user)
    NotificationFactory(recipient=UserFactory())
    api.post(f"{URL}/{read.pk}/read")

    rows = api.get(URL).json()["results"]
    assert [row["id"] for row in rows] == [new.pk, read.pk, old.pk]
    assert [row["is_read"] for row in rows] == [False, True, False]
    assert rows[0]["kind"] == NotificationKind.STRIKE and rows[0]["payload"]["message"]
    unread = api.get(URL, {"unread": "true"}).json()["results"]
    assert [row["id"] for row in unread] == [new.pk, old.pk]
    only_read = api.get(URL, {"unread": "false"}).json()["results"]
    assert [row["id"] for row in only_read] == [read.pk]
    assert api.get(URL, {"unread": "maybe"}).status_code == 400
    # The schema says boolean: "null" is not one (DRF would read it as absent).
    assert api.get(URL, {"unread": "null"}).status_code == 400
    assert api.get(f"{URL}/unread-count").json() == {"unread": 2}


def test_cursor_pagination_visits_every_notification_once(api, user) -> None:
    made = NotificationFactory.create_batch(23, recipient=user)
    seen, url = [], f"{URL}?page_size=5"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == [n.pk for n in reversed(made)]


def test_mark_one_is_idempotent_and_mark_all_counts(api, user) -> None:
    first, _second = NotificationFactory.create_batch(2, recipient=user)
    marked = api.post(f"{URL}/{first.pk}/read")
    assert marked.status_code == 200 and marked.json()["is_read"] is True
    read_at = Notification.objects.get(pk=first.pk).read_at
    api.post(f"{URL}/{first.pk}/read")
    assert Notification.objects.get(pk=first.pk).read_at == read_at
    assert api.post(f"{URL}/read-all").json() == {"marked": 1}
    assert api.post(f"{URL}/read-all").json() == {"marked": 0}
    assert api.post(f"{URL}/99999999/read").status_code == 404
    assert api.post(f"{URL}/{2**63}/read").status_code == 404


def test_anonymous_gets_401(anon_client) -> None:
    assert anon_client.get(URL).status_code == 401
    assert anon_client.post(f"{URL}/read-all").status_code == 401


@pytest.mark.parametrize("query", ["", "?unread=true"])
def test_inbox_queries_do_not_grow_with_rows(
    api, user, count_queries, django_assert_max_num_queries, query: str
) -> None:
    NotificationFactory(recipient=user)
    one = count_queries(lambda: api.get(URL + query))
    NotificationFactory.create_batch(49, recipient=user)
    with django_assert_max_num_queries(one):
        body = api.get(f"{URL}?page_size=100&{query.lstrip('?')}").json()
    assert len(body["results"]) == 50


def test_admin_lists_and_filters_notifications(client) -> None:
    NotificationFactory.create_batch(3)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/notifications/notification/", {"read": "no"})
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 3
