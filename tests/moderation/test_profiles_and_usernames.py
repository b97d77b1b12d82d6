"""The USERNAME and PROFILE surfaces end to end through the accounts API."""

import pytest

from apps.accounts.models import Profile, User
from apps.moderation.models import Case, CaseOrigin, CaseStatus
from apps.notifications.models import Notification, NotificationKind
from tests.moderation.factories import make_operator

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass-2026"


def _register(anon_client, **fields):
    body = {"username": "new_creator", "password": PASSWORD, **fields}
    return anon_client.post("/api/v1/auth/register", body)


def test_blocked_username_is_refused_naming_the_category(anon_client, make_rule) -> None:
    make_rule("bet365", category="gambling", action="block", surfaces=["username"])
    response = _register(anon_client, username="Bet365_vip")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "moderation.blocked"
    assert "gambling" in error["message"]
    assert not User.objects.filter(username__iexact="bet365_vip").exists()


def test_masked_username_is_refused_rather_than_stored_with_asterisks(anon_client, make_rule):
    make_rule("weixin", category="contact", action="mask", surfaces=["username"])
    response = _register(anon_client, username="weixin_lily")
    assert response.status_code == 400
    assert "contact" in response.json()["error"]["message"]
    assert not User.objects.filter(username="weixin_lily").exists()


def test_username_held_for_review_is_registered_and_queued(anon_client, make_rule) -> None:
    make_rule("daigou", category="ads", action="review", surfaces=["username"])
    response = _register(anon_client, username="daigou_amy")
    assert response.status_code == 201
    user = User.objects.get(username="daigou_amy")
    case = Case.objects.get(target_key="user", object_id=user.pk)
    assert (case.origin, case.status, case.held) == (CaseOrigin.SCREENING, CaseStatus.OPEN, True)
    assert case.screening_hits[0]["term"] == "daigou"


def test_display_name_at_registration_is_screened(anon_client, make_rule) -> None:
    make_rule("微信", category="contact", action="mask", surfaces=["profile"])
    make_rule("赌博", category="gambling", action="block", surfaces=["profile"])
    blocked = _register(anon_client, display_name="赌 博达人")
    assert blocked.status_code == 400
    assert not User.objects.filter(username="new_creator").exists()
    response = _register(anon_client, display_name="加微信的小美")
    assert response.status_code == 201
    assert response.json()["user"]["display_name"] == "加**的小美"


def test_profile_edits_block_mask_and_review(api, user, make_rule) -> None:
    make_rule("赌博", category="gambling", action="block", surfaces=["profile"])
    make_rule("微信", category="contact", action="mask", surfaces=["profile"])
    make_rule("代购", category="ads", action="review", surfaces=["profile"])

    blocked = api.patch("/api/v1/me", {"bio": "爱赌.博", "display_name": "新名字"})
    assert blocked.status_code == 400
    assert blocked.json()["error"]["code"] == "moderation.blocked"
    profile = Profile.objects.get(user=user)
    assert (profile.bio, profile.display_name) != ("爱赌.博", "新名字")  # nothing stored

    masked = api.patch("/api/v1/me", {"bio": "有事加微 信"})
    assert masked.status_code == 200
    assert masked.json()["bio"] == "有事加* *"

    held = api.patch("/api/v1/me", {"display_name": "日本代购小王"})
    assert held.status_code == 200
    assert held.json()["display_name_under_review"] == "日本代购小王"
    assert Profile.objects.get(user=user).display_name != "日本代购小王"  # others: the old name
    case = Case.objects.get(target_key="user", object_id=user.pk, status=CaseStatus.OPEN)
    assert case.origin == CaseOrigin.SCREENING
    assert "日本代购小王" in case.excerpt


def test_profile_held_for_review_approved_and_rejected(
    api, user, make_rule, django_capture_on_commit_callbacks
) -> None:
    from apps.moderation import services

    make_rule("代购", category="ads", action="review", surfaces=["profile"])
    api.patch("/api/v1/me", {"bio": "日本代购"})
    case = Case.objects.get(target_key="user", object_id=user.pk)
    operator = make_operator()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_approve(case_id=case.pk, operator=operator, reason="Personal shopping")
    assert Notification.objects.get(recipient=user).kind == NotificationKind.CONTENT_APPROVED

    api.patch("/api/v1/me", {"bio": "专业代购，假一赔十"})
    second = Case.objects.get(target_key="user", object_id=user.pk, status=CaseStatus.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reject(case_id=second.pk, operator=operator, reason="Ads", category="ads")
    profile = Profile.objects.get(user=user)
    assert profile.bio == "日本代购"  # the approved text stays; the rejected one is dropped
    assert profile.pending_bio == ""
    assert user.moderation_strikes.count() == 1
