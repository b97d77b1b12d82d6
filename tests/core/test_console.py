"""The operator console: pending work with counts whose links list exactly those items, apps
grouped by section, owners by name, readable rollup rows, and the decide page's links."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts import organisations as organisation_services
from apps.accounts.organisation_models import Organisation
from apps.analytics.days import local_yesterday
from apps.analytics.models import RollupRun
from apps.core.console import SECTIONS
from apps.ledger import services as ledger_services
from apps.ledger.models import Account, OwnerType, ReconciliationReport
from apps.moderation import services as moderation_services
from apps.moderation.models import Case
from tests.factories import UserFactory
from tests.ledger.factories import funded_user, payout_operator, requested_payout
from tests.moderation.factories import make_operator, published_note, strike_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _reported_case(age: timedelta) -> Case:
    note = published_note()
    moderation_services.report_create(
        reporter=UserFactory(), target_key="note", object_id=note.pk, reason="spam"
    )
    case = Case.objects.get(target_key="note", object_id=note.pk)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - age)
    return case


def _lines(response) -> dict[str, object]:
    return {
        line.label: line
        for panel in response.context["pending_sections"]
        for work in panel["works"]
        for line in work["lines"]
    }


def _listed(client: Client, url: str) -> int:
    """How many objects the admin list at ``url`` shows (its filters applied)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


def test_home_counts_pending_work_and_each_link_lists_exactly_it(superuser_client) -> None:
    _reported_case(timedelta(minutes=20))
    _reported_case(timedelta(minutes=40))
    _reported_case(timedelta(hours=5))
    _reported_case(timedelta(days=3))
    struck = UserFactory()
    strike = strike_user(user=struck)
    moderation_services.appeal_create(user=struck, strike_id=strike.pk, reason="Not me")
    requested_payout(funded_user(50_000))
    approved = requested_payout(funded_user(50_000))
    ledger_services.payout_approve(payout_id=approved.pk, operator=payout_operator())
    requested_payout(funded_user(50_000))
    yesterday = local_yesterday()
    now = timezone.now()
    for offset in (0, 1, 2, 4, 6):  # days 3 and 5 of the last week have no run
        RollupRun.objects.create(
            day=yesterday - timedelta(days=offset),
            started_at=now,
            finished_at=now,
            seconds=1.0,
            events=0,
        )
    ReconciliationReport.objects.create(difference_count=3, finished_at=now)

    response = superuser_client.get("/admin/")
    assert response.status_code == 200
    lines = _lines(response)
    expected = {
        "Open under 1 hour": 2,
        "Open 1 to 24 hours": 1,
        "Open over 24 hours": 1,
        "Appeals to decide": 1,
        "Requested, to approve": 2,
        "Approved, being paid": 1,
    }
    for label, count in expected.items():
        assert lines[label].count == count, label
        assert _listed(superuser_client, lines[label].url) == count, label
    reports = next(line for label, line in lines.items() if label.startswith("Reports on"))
    assert reports.count == 4 and "4 open case(s)" in reports.label  # the strike's case is closed
    rollups = next(line for label, line in lines.items() if "without a rollup" in label)
    assert rollups.count == 2 and rollups.alarm
    assert (yesterday - timedelta(days=3)).isoformat() in rollups.label
    differences = next(line for label, line in lines.items() if label.startswith("Differences"))
    assert differences.count == 3 and differences.alarm
    html = response.content.decode()
    assert 'class="cp-alarm"' in html and lines["Appeals to decide"].url in html


def test_organisations_awaiting_verification_are_counted_and_listed(superuser_client) -> None:
    for name in ("Lotus Tea", "Maple MCN", "North Shoes"):
        organisation_services.organisation_create(
            user=UserFactory(),
            kind="brand",
            name=name,
            business_licence_number="91310000MA1K3XYZ0P",
            contact_name="Chen Yu",
            contact_phone="13800000000",
        )
    decided = Organisation.objects.get(name="North Shoes")
    organisation_services.organisation_verify(
        organisation_id=decided.pk, operator=UserFactory(is_staff=True, is_superuser=True)
    )

    line = _lines(superuser_client.get("/admin/"))["Awaiting verification"]

    assert line.count == 2
    assert _listed(superuser_client, line.url) == 2


def test_home_groups_apps_by_what_operators_do(superuser_client) -> None:
    response = superuser_client.get("/admin/")
    groups = response.context["app_list"]
    titles = [group["name"] for group in groups]
    assert titles == [section.title for section in SECTIONS if section.title in titles]
    assert titles[:3] == ["Content safety", "Money", "Analytics"]
    by_title = {group["name"]: {m["object_name"] for m in group["models"]} for group in groups}
    assert {"ReviewQueueCase", "Appeal", "Strike"} <= by_title["Content safety"]
    assert {"Account", "Payout", "ReconciliationReport"} <= by_title["Money"]
    assert "RollupRun" in by_title["Analytics"]
    assert {"Note", "Profile"} <= by_title["Creators and brands"]
    assert "Creator Platform · operator console" in response.content.decode()


def test_operators_see_only_the_work_they_may_view() -> None:
    client = Client()
    client.force_login(make_operator())
    response = client.get("/admin/")
    sections = [panel["section"].title for panel in response.context["pending_sections"]]
    assert sections == ["Content safety"]


def test_ledger_accounts_show_their_owner_by_name_with_a_link(superuser_client) -> None:
    owner = funded_user(1_000, username="lin_hai")
    account = Account.objects.get(owner_type=OwnerType.USER, owner_id=owner.pk, kind="wallet")
    html = superuser_client.get("/admin/ledger/account/").content.decode()
    assert f'href="/admin/accounts/user/{owner.pk}/change/">lin_hai</a>' in html
    assert "User / " not in html
    detail = superuser_client.get(f"/admin/ledger/account/{account.pk}/change/").content.decode()
    assert "lin_hai" in detail


def test_rollup_runs_show_rows_as_a_table_and_past_days_without_a_failure_icon(
    superuser_client,
) -> None:
    now = timezone.now()
    RollupRun.objects.create(
        day=local_yesterday() - timedelta(days=9),
        started_at=now,
        finished_at=now,
        seconds=2.5,
        events=10,
        rows={"note_daily": 41, "creator_daily": 7},
        audience_snapshot=False,
    )
    html = superuser_client.get("/admin/analytics/rolluprun/").content.decode()
    assert '<table class="cp-json">' in html
    assert "<th>note_daily</th><td>41</td>" in html
    assert "kept (past day)" in html
    assert "icon-no" not in html


def test_decide_page_links_object_author_strikes_and_earlier_decisions(superuser_client) -> None:
    author = UserFactory(username="wen_jing")
    earlier = strike_user(user=author)
    note = published_note(author=author)
    moderation_services.report_create(
        reporter=UserFactory(), target_key="note", object_id=note.pk, reason="spam"
    )
    case = Case.objects.get(target_key="note", object_id=note.pk)

    response = superuser_client.get(f"/admin/moderation/reviewqueuecase/{case.pk}/decide/")
    html = response.content.decode()
    assert f'href="/admin/notes/note/{note.pk}/change/">note #{note.pk}</a>' in html
    assert f'href="/admin/accounts/user/{author.pk}/change/">wen_jing</a>' in html
    assert f"/admin/moderation/strike/?user__id__exact={author.pk}" in html
    assert f"/admin/moderation/case/{earlier.case_id}/decide/" in html
    assert [row["case"].pk for row in response.context["earlier"]] == [earlier.case_id]


def test_review_queue_puts_the_decide_action_first(superuser_client) -> None:
    _reported_case(timedelta(minutes=5))
    response = superuser_client.get("/admin/moderation/reviewqueuecase/")
    headers = [header["text"] for header in response.context["result_headers"]]
    assert headers[1] == "Action"  # after the selection checkbox
