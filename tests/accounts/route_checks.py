"""Object-permission checks for the accounts routes (collected by tests/core)."""

from collections.abc import Callable

from apps.accounts.models import Block, PhoneVerification, Profile, SandboxSmsMessage
from apps.accounts.phone_services import phone_verification_start
from tests.factories import TEST_PASSWORD, UserFactory

PRIVATE_PROFILE_FIELDS = {"email", "phone", "birth_year", "hide_fans_list", "hide_following_list"}


def _make_private(victim) -> None:
    """Private settings, private lists and a block list for the victim."""
    victim.phone = "13700000001"
    victim.save(update_fields=["phone"])
    Profile.objects.filter(user=victim).update(
        birth_year=1991, hide_fans_list=True, hide_following_list=True
    )
    Block.objects.create(blocker=victim, blocked=UserFactory())


def _public(client, victim) -> None:
    """Taxonomy and auth routes hold no user's private object."""


def _me(client, victim) -> None:
    _make_private(victim)
    body = client.get("/api/v1/me").json()
    assert body["id"] == client.attacker.pk
    client.patch("/api/v1/me", {"bio": "pwned", "hide_fans_list": False})
    victim_profile = Profile.objects.get(user=victim)
    assert victim_profile.bio != "pwned"
    assert victim_profile.hide_fans_list is True


def _me_blocks(client, victim) -> None:
    _make_private(victim)
    rows = client.get("/api/v1/me/blocks").json()["results"]
    assert rows == []  # the attacker sees only their own (empty) block list


def _me_avatar(client, victim) -> None:
    _make_private(victim)
    client.put("/api/v1/me/avatar", {}, format="multipart")
    assert not Profile.objects.get(user=victim).avatar


def _user_detail(client, victim) -> None:
    _make_private(victim)
    body = client.get(f"/api/v1/users/{victim.pk}").json()
    assert body["id"] == victim.pk
    assert not PRIVATE_PROFILE_FIELDS & set(body)
    assert body["is_blocked"] is False  # the victim's own block list is not revealed


def _user_fans(client, victim) -> None:
    _make_private(victim)
    assert client.get(f"/api/v1/users/{victim.pk}/fans").status_code == 403


def _user_following(client, victim) -> None:
    _make_private(victim)
    assert client.get(f"/api/v1/users/{victim.pk}/following").status_code == 403


def _user_block(client, victim) -> None:
    _make_private(victim)
    blocked = Block.objects.get(blocker=victim).blocked
    # The attacker can only ever change their own block edges.
    client.delete(f"/api/v1/users/{blocked.pk}/block")
    assert Block.objects.filter(blocker=victim, blocked=blocked).exists()


def _user_follow(client, victim) -> None:
    _make_private(victim)
    client.post(f"/api/v1/users/{victim.pk}/follow")
    assert not victim.following_set.exists()  # edges belong to the requester only


def _me_password(client, victim) -> None:
    _make_private(victim)
    client.post(
        "/api/v1/me/password",
        {"current_password": TEST_PASSWORD, "new_password": "Taken-over-2027"},
    )
    victim.refresh_from_db()
    assert victim.check_password(TEST_PASSWORD)  # only the requester's own password changes


def _me_phone(client, victim) -> None:
    _make_private(victim)
    client.post("/api/v1/me/phone", {"phone": "13700000001"})  # the victim's number
    client.delete("/api/v1/me/phone")
    victim.refresh_from_db()
    assert victim.phone == "13700000001"
    assert not PhoneVerification.objects.filter(user=victim).exists()


def _me_phone_verify(client, victim) -> None:
    _make_private(victim)
    # The victim has a code pending; the attacker cannot confirm it for them or take the number.
    phone_verification_start(user=victim, phone="13700000009")
    code = SandboxSmsMessage.objects.latest("pk").text.split("code is ")[1][:6]
    response = client.post("/api/v1/me/phone/verify", {"code": code})
    assert response.status_code == 400
    victim.refresh_from_db()
    assert victim.phone == "13700000001"
    assert PhoneVerification.objects.get(user=victim).consumed_at is None


ROUTE_CHECKS: dict[str, Callable] = {
    "auth-register": _public,
    "auth-login": _public,
    "auth-refresh": _public,
    "auth-logout": _public,
    "category-list": _public,
    "region-list": _public,
    "me": _me,
    "me-avatar": _me_avatar,
    "me-blocks": _me_blocks,
    "me-password": _me_password,
    "me-phone": _me_phone,
    "me-phone-verify": _me_phone_verify,
    "user-detail": _user_detail,
    "user-follow": _user_follow,
    "user-block": _user_block,
    "user-fans": _user_fans,
    "user-following": _user_following,
}
