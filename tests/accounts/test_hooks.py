"""accounts' extension points, each with a fake registrant defined here.

The real registrants (moderation's screener, analytics' follow listener) are tested through
their own features; these tests pin the contract accounts offers to any registrant.
"""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from apps.accounts import hooks, services
from apps.accounts.models import Profile


@dataclass(frozen=True)
class HeldText:
    text: str
    needs_review: bool = True

    def raise_if_blocked(self) -> None:
        return None


@pytest.fixture
def fake_screener():
    """A screener that holds every text for review, upper-cased; the real one is put back."""
    real = hooks.registered_profile_screener()
    screened: list[tuple[str, str]] = []
    held: list[tuple[int, str]] = []
    hooks.register_profile_screener(
        hooks.ProfileScreener(
            screen=lambda surface, text: screened.append((surface, text)) or HeldText(text.upper()),
            hold_for_review=lambda user_id, result: held.append((user_id, result.text)),
        )
    )
    yield screened, held
    hooks.register_profile_screener(real)


@pytest.mark.django_db
def test_profile_texts_go_through_the_registered_screener(user, fake_screener) -> None:
    screened, held = fake_screener
    services.profile_update(user=user, bio="hello there")
    profile = Profile.objects.get(user=user)
    assert screened == [(hooks.ProfileSurface.PROFILE, "hello there")]
    assert held == [(user.pk, "HELLO THERE")]
    assert (profile.bio, profile.pending_bio) == ("", "HELLO THERE")


@pytest.mark.django_db
def test_username_is_screened_at_registration(fake_screener) -> None:
    screened, held = fake_screener
    user = services.user_register(username="newcomer", password="a-Long-pass-123")
    assert screened == [(hooks.ProfileSurface.USERNAME, "newcomer")]
    assert held == [(user.pk, "NEWCOMER")]


@pytest.mark.django_db
def test_without_a_screener_texts_are_refused_not_stored_unscreened(user) -> None:
    real = hooks.registered_profile_screener()
    hooks.register_profile_screener(None)  # type: ignore[arg-type]
    try:
        with pytest.raises(ImproperlyConfigured):
            services.profile_update(user=user, bio="unscreened")
    finally:
        hooks.register_profile_screener(real)
    assert Profile.objects.get(user=user).bio == ""


def test_moderation_fills_the_screening_slot() -> None:
    assert hooks.registered_profile_screener() is not None


@pytest.mark.django_db(transaction=True)
def test_follow_listeners_hear_follows_and_unfollows_inside_the_transaction(
    user, other_user
) -> None:
    heard: list[tuple[hooks.FollowEvent, bool]] = []
    hooks.register_follow_listener(
        "test", lambda event: heard.append((event, transaction.get_connection().in_atomic_block))
    )
    try:
        services.follow_create(follower=user, followee_id=other_user.pk, source="note", source_id=7)
        services.follow_create(follower=user, followee_id=other_user.pk)  # a repeat: no event
        services.follow_delete(follower=user, followee_id=other_user.pk)
    finally:
        hooks.unregister_follow_listener("test")
    follow = hooks.FollowEvent(hooks.FollowChange.FOLLOW, user.pk, other_user.pk, "note", 7)
    unfollow = hooks.FollowEvent(hooks.FollowChange.UNFOLLOW, user.pk, other_user.pk, "note", 7)
    assert heard == [(follow, True), (unfollow, True)]
