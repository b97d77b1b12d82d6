"""POST /api/v1/events: batches stored in one insert, bad events named, retries stored once."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Category, Profile
from apps.analytics.models import Event
from tests.analytics.factories import client_event, make_note
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"


def _post(client, events: list, **extra):
    return client.post(URL, {"events": events}, format="json", **extra)


@pytest.fixture
def creator(db):
    return UserFactory(profile={"gender": "female", "birth_year": 1995, "region": "zhejiang"})


@pytest.fixture
def note(creator):
    return make_note(creator)


def test_a_batch_is_stored_with_author_and_viewer_snapshot(user, api, creator, note) -> None:
    this_year = timezone.now().year
    Profile.objects.filter(user=user).update(
        gender="male", birth_year=this_year - 20, region="shanghai"
    )
    beauty = Category.objects.create(slug="beauty-t", name="Beauty", name_zh="美妆", position=90)
    travel = Category.objects.create(slug="travel-t", name="Travel", name_zh="旅行", position=91)
    Profile.objects.get(user=user).interests.set([travel, beauty])
    occurred = timezone.now() - timedelta(hours=2)
    events = [
        client_event("impression", note_id=note.pk, occurred_at=occurred.isoformat()),
        client_event("view", note_id=note.pk, dwell_ms=8_000, source="search", source_id=77),
        client_event("video_watch", note_id=note.pk, watch_ms=9_000, completion=1),
        client_event("profile_visit", target_user_id=creator.pk, note_id=note.pk),
        client_event("live_enter", target_user_id=creator.pk),
    ]
    response = _post(api, events)
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": 5, "duplicates": 0, "rejected": 0, "errors": []}

    rows = {row.kind: row for row in Event.objects.all()}
    assert set(rows) == {"impression", "view", "video_watch", "profile_visit", "live_enter"}
    for row in rows.values():
        assert row.actor_id == user.pk
        assert row.author_id == creator.pk
        assert (row.gender, row.age_band, row.region) == ("male", "18-24", "shanghai")
        assert row.interests == sorted([beauty.pk, travel.pk])
        assert row.received_at >= row.occurred_at
    assert abs(rows["impression"].occurred_at - occurred) < timedelta(milliseconds=1)
    assert rows["view"].dwell_ms == 8_000
    assert (rows["view"].source, rows["view"].source_id) == ("search", 77)
    assert (rows["video_watch"].watch_ms, rows["video_watch"].completion) == (9_000, 1.0)
    assert rows["profile_visit"].target_user_id == creator.pk
    assert rows["live_enter"].properties == {"room_id": 3}


def test_a_profile_visit_counts_for_the_visited_user(api, note) -> None:
    commenter = UserFactory()
    event = client_event("profile_visit", target_user_id=commenter.pk, note_id=note.pk)
    assert _post(api, [event]).json()["stored"] == 1
    row = Event.objects.get()
    assert (row.author_id, row.note_id) == (commenter.pk, note.pk)


def test_bad_events_are_reported_and_good_ones_stored(api, creator, note) -> None:
    view_without_dwell = client_event("view", note_id=note.pk)
    del view_without_dwell["dwell_ms"]
    events = [
        client_event("impression", note_id=note.pk),
        view_without_dwell,
        client_event("impression", note_id=note.pk + 10_000),  # no such note
        client_event("profile_visit", target_user_id=10**12),  # no such user
        42,
        client_event("share", note_id=note.pk),
    ]
    body = _post(api, events).json()
    assert (body["stored"], body["duplicates"], body["rejected"]) == (2, 0, 4)
    assert [(e["index"], e["code"]) for e in body["errors"]] == [
        (1, "event.invalid"),
        (2, "note.not_found"),
        (3, "user.not_found"),
        (4, "event.invalid"),
    ]
    assert body["errors"][0]["fields"] == {"dwell_ms": ["Required for view events."]}
    assert body["errors"][2]["client_event_id"] == events[3]["client_event_id"]
    assert Event.objects.count() == 2


def test_retries_and_repeats_are_stored_once(api, note) -> None:
    first = client_event("impression", note_id=note.pk)
    second = client_event("impression", note_id=note.pk)
    body = _post(api, [first, first, second]).json()
    assert (body["stored"], body["duplicates"]) == (2, 1)
    body = _post(api, [second, first, client_event("impression", note_id=note.pk)]).json()
    assert (body["stored"], body["duplicates"]) == (1, 2)
    assert Event.objects.count() == 3


def test_the_same_client_id_from_two_users_is_two_events(make_client, note) -> None:
    event = client_event("impression", note_id=note.pk)
    for _ in range(2):
        assert _post(make_client(UserFactory()), [event]).json()["stored"] == 1
    assert Event.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"events": []}, 400, "events.invalid_batch"),
        ({"events": "x"}, 400, "events.invalid_batch"),
        ({"event": [1]}, 400, "events.invalid_batch"),
        (["x"], 400, "events.invalid_batch"),
    ],
)
def test_bad_envelopes_are_400(api, body: object, status: int, code: str) -> None:
    response = api.post(URL, body, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_too_many_events_is_400(api) -> None:
    response = _post(api, [client_event("profile_visit")] * 501)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "events.batch_too_large"
    assert not Event.objects.exists()


def test_malformed_json_and_forms_are_refused(api) -> None:
    response = api.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    response = api.post(URL, {"events": "x"}, format="multipart")
    assert response.status_code == 415


def test_hostile_json_is_a_client_error(api) -> None:
    response = api.post(URL, "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    # 1e999 parses as infinity, which jsonb cannot store: refused per event, not a crash.
    event = '{"client_event_id": "a", "kind": "share", "source": "feed", "note_id": 1, '
    body = '{"events": [' + event + '"properties": {"x": 1e999}}]}'
    response = api.post(URL, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["errors"][0]["fields"] == {"properties": ["Numbers must be finite."]}
    assert not Event.objects.exists()


def test_anonymous_clients_are_refused(anon_client) -> None:
    response = _post(anon_client, [client_event("profile_visit")])
    assert response.status_code == 401
    assert not Event.objects.exists()


def test_batch_query_count_does_not_grow_with_the_batch(
    user, api, creator, note, count_queries
) -> None:
    other_note = make_note(creator)

    def batch(size: int) -> list:
        kinds = ["impression", "view", "video_watch", "profile_visit"]
        return [
            client_event(
                kinds[i % 4],
                **(
                    {"target_user_id": creator.pk}
                    if kinds[i % 4] == "profile_visit"
                    else {"note_id": (note.pk, other_note.pk)[i % 2]}
                ),
            )
            for i in range(size)
        ]

    def post(events: list):
        def action():
            response = _post(api, events)
            assert response.json()["stored"] == len(events)

        return action

    small = count_queries(post(batch(4)))
    large = count_queries(post(batch(500)))
    assert small == large
    assert large <= 4  # notes, users, snapshot, one insert
    assert Event.objects.count() == 504


def test_events_have_their_own_throttle(api, settings) -> None:
    settings.ANALYTICS_EVENTS_THROTTLE_RATE = "2/min"
    codes = [_post(api, [client_event("profile_visit")]).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    # The general write budget is untouched by event batches.
    assert api.patch("/api/v1/me", {"bio": "still writable"}, format="json").status_code == 200


def test_response_is_plain_json(api) -> None:
    response = _post(api, [client_event("profile_visit", target_user_id=10**9)])
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["rejected"] == 1
