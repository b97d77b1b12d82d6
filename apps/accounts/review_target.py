"""The ``user`` review target: reported users, and profiles or usernames held by screening.

Accounts registers it itself (``AccountsConfig.ready()``) in core's review-target registry, so
moderation needs no knowledge of profiles: it calls these functions when a case is decided.

Profile texts held by screening wait in ``pending_*`` fields (only their author sees them):
approval publishes them, rejection drops them. Hiding a user with no held texts resets the texts
they wrote on their profile (display name and bio); the old texts stay in the case excerpt and
the audit trail. The account itself stays usable, and reports alone never hide a user
(moderation's ``THRESHOLD_EXEMPT_TARGETS``).
"""

from apps.accounts.models import Profile, User
from apps.accounts.services import profile_review_settle, profile_update
from apps.core.review_targets import ModerationTarget, Visibility, register_target


def user_set_visibility(user: User, visibility: str) -> None:
    """Apply a moderation decision to a user's profile texts."""
    if visibility == Visibility.VISIBLE:
        profile_review_settle(user_id=user.pk, approved=True)
    elif visibility == Visibility.HIDDEN and not profile_review_settle(
        user_id=user.pk, approved=False
    ):
        profile_update(user=user, display_name=f"user_{user.pk}", bio="")


def user_excerpt(user: User) -> str:
    """What a reviewer reads: the username and every profile text, held ones included."""
    texts = ("pending_display_name", "pending_bio", "display_name", "bio")
    profile = Profile.objects.filter(user=user).values(*texts).first() or {}
    parts = [f"@{user.username}", *(profile.get(name, "") for name in texts)]
    return " · ".join(part for part in parts if part)


def register() -> None:
    """Register the ``user`` target (called from ``AccountsConfig.ready()``)."""
    register_target(
        ModerationTarget(
            key="user",
            model=User,
            author_id_of=lambda user: user.pk,
            set_visibility=user_set_visibility,
            excerpt_of=user_excerpt,
            # Profiles are public while the account is active (blocks do not hide them), and
            # someone who blocked the reporter can still be reported for harassment.
            visible_to=lambda user, viewer: user.is_active,
        )
    )
