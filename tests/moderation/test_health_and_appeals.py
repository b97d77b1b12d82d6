"""Account health policy (strikes in a window restrict posting) and the appeal API's rules."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.moderation.health import (
    PostingRestricted,
    ensure_can_post,
    restriction_end,
    strike_policy,
)
from apps.moderation.models import Appeal, AuditAction, AuditRecord, Strike, StrikeStatus
from apps.moderation.screening import ensure_can_post as contract_ensure_can_post
from tests.factories import UserFactory
from tests.moderation.factories import make_operator, strike_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _days_ago(*days: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days]


@pytest.mark.parametrize(
    ("ages", "restricted_for_days"),
    [
        ((), None),
        ((1, 2), None),  # two strikes: a warning only
        ((1, 2, 3), 6),  # three in the window: seven days from the third, one gone
        ((0, 50, 89), 7),
        ((0, 50, 91), None),  # the first of the three is outside 90 days
        ((8, 9, 10), None),  # restriction over: it ended a day ago
        ((0, 100, 101, 102), None),  # three within 90 days, but long ago; one recent
        ((0, 30, 60, 100), 7),
        ((95, 96, 97), None),
    ],
)
def test_restriction_policy(ages, restricted_for_days) -> None:
    end = restriction_end(_days_ago(*ages), policy=strike_policy(), now=NOW)
    if restricted_for_days is None:
        assert end is None
    else:
        assert end == NOW + timedelta(days=restricted_for_days)


def test_policy_comes_from_settings(settings) -> None:
    settings.MODERATION_STRIKE_THRESHOLD = 2
    settings.MODERATION_RESTRICTION_DAYS = 3
    assert restriction_end(_days_ago(1, 2), policy=strike_policy(), now=NOW) == NOW + timedelta(
        days=2
    )


def _age(strike: Strike, days: float) -> None:
    Strike.objects.filter(pk=strike.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_three_strikes_in_ninety_days_stop_posting_for_seven_days() -> None:
    user = UserFactory()
    operator = make_operator()
    strikes = [strike_user(user=user, operator=operator) for _ in range(3)]
    with pytest.raises(PostingRestricted) as raised:
        contract_ensure_can_post(user)
    assert raised.value.code == "account.posting_restricted"
    assert raised.value.status == 403
    # Six days later still restricted; eight days later free again.
    for strike, age in zip(strikes, (40, 20, 6), strict=True):
        _age(strike, age)
    with pytest.raises(PostingRestricted):
        ensure_can_post(user)
    _age(strikes[2], 8)
    ensure_can_post(user)


def test_revoked_strikes_do_not_count() -> None:
    user = UserFactory()
    operator = make_operator()
    strikes = [strike_user(user=user, operator=operator) for _ in range(3)]
    Strike.objects.filter(pk=strikes[0].pk).update(status=StrikeStatus.REVOKED)
    ensure_can_post(user)


def test_health_endpoint_for_a_clean_account(api) -> None:
    body = api.get("/api/v1/creator/health").json()
    assert body == {
        "status": "good",
        "can_post": True,
        "restricted_until": None,
        "active_strikes": 0,
        "policy": {"window_days": 90, "threshold": 3, "restriction_days": 7, "appeal_days": 30},
        "strikes": [],
    }


def test_health_lists_strikes_in_the_window_with_their_appeal(api, user) -> None:
    operator = make_operator()
    old, recent = strike_user(user=user, operator=operator), strike_user(user=user)
    _age(old, 120)
    api.post(f"/api/v1/moderation/strikes/{recent.pk}/appeal", {"reason": "Please look again"})
    body = api.get("/api/v1/creator/health").json()
    assert body["status"] == "warning"
    assert [s["id"] for s in body["strikes"]] == [recent.pk]
    strike = body["strikes"][0]
    assert strike["appeal"]["status"] == "pending"
    assert strike["can_appeal"] is False
    assert strike["case"]["target"] == "user"
    assert strike["category"] == "abuse"


def test_health_endpoint_queries_do_not_grow_with_strikes(
    api, user, count_queries, django_assert_max_num_queries
) -> None:
    operator = make_operator()
    strike_user(user=user, operator=operator)
    one = count_queries(lambda: api.get("/api/v1/creator/health"))
    for _ in range(19):
        strike = strike_user(user=user, operator=operator)
        Appeal.objects.create(strike=strike, user=user, reason="x")
    with django_assert_max_num_queries(one):
        body = api.get("/api/v1/creator/health").json()
    assert len(body["strikes"]) == 20


def test_appeal_rules(api, user, make_client) -> None:
    strike = strike_user(user=user)
    url = f"/api/v1/moderation/strikes/{strike.pk}/appeal"
    assert api.post(url, {"reason": ""}).status_code == 400
    assert api.post(url, {"reason": "x" * 1001}).status_code == 400
    assert api.post(url, {}).status_code == 400
    assert api.post("/api/v1/moderation/strikes/999999/appeal", {"reason": "x"}).status_code == 404
    other = make_client(UserFactory()).post(url, {"reason": "not theirs"})
    assert other.status_code == 404
    assert not Appeal.objects.exists()

    created = api.post(url, {"reason": "The bio quoted a film."})
    assert created.status_code == 201
    assert created.json()["strike_id"] == strike.pk
    assert AuditRecord.objects.get(action=AuditAction.APPEAL_FILED).actor == user


def test_appeals_close_after_the_window_and_on_revoked_strikes(api, user) -> None:
    late = strike_user(user=user)
    _age(late, 31)
    response = api.post(f"/api/v1/moderation/strikes/{late.pk}/appeal", {"reason": "late"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "appeal.window_closed"
    revoked = strike_user(user=user)
    Strike.objects.filter(pk=revoked.pk).update(status=StrikeStatus.REVOKED)
    response = api.post(f"/api/v1/moderation/strikes/{revoked.pk}/appeal", {"reason": "x"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "appeal.strike_not_active"
