"""The ``user`` moderation target: reported users, and profiles or usernames held by screening.

Hiding a user resets the texts they wrote on their profile (display name and bio) through the
accounts service; the old texts stay in the case excerpt and the audit trail. The account itself
stays usable, and reports alone never hide a user (see ``THRESHOLD_EXEMPT_TARGETS``).
"""

from apps.accounts.models import Profile, User
from apps.moderation.targets import ModerationTarget, Visibility, register_target


def user_set_visibility(user: User, visibility: str) -> None:
    if visibility != Visibility.HIDDEN:
        return  # profile texts are shown as stored; a reset cannot be undone
    from apps.accounts.services import profile_update

    profile_update(user=user, display_name=f"user_{user.pk}", bio="")


def user_excerpt(user: User) -> str:
    profile = Profile.objects.filter(user=user).values("display_name", "bio").first() or {}
    parts = [f"@{user.username}", profile.get("display_name", ""), profile.get("bio", "")]
    return " · ".join(part for part in parts if part)


def register() -> None:
    register_target(
        ModerationTarget(
            key="user",
            model=User,
            author_id_of=lambda user: user.pk,
            set_visibility=user_set_visibility,
            excerpt_of=user_excerpt,
        )
    )
