"""The ``user`` moderation target: reported users, and profiles or usernames held by screening.

accounts is below moderation and never imports it: it declares a screening slot
(``apps.accounts.hooks``) that ``register()`` fills, and the target below is built here from
accounts' public services.

Profile texts held by screening wait in ``pending_*`` fields (only their author sees them):
approval publishes them, rejection drops them. Hiding a user with no held texts resets the texts
they wrote on their profile (display name and bio) through the accounts service; the old texts
stay in the case excerpt and the audit trail. The account itself stays usable, and reports alone
never hide a user (see ``THRESHOLD_EXEMPT_TARGETS``).
"""

from apps.accounts.hooks import ProfileScreener, ScreenedText, register_profile_screener
from apps.accounts.models import Profile, User
from apps.accounts.services import profile_review_settle, profile_update
from apps.moderation.screening import screen_text, submit_for_review
from apps.moderation.targets import ModerationTarget, Visibility, register_target


def user_set_visibility(user: User, visibility: str) -> None:
    if visibility == Visibility.VISIBLE:
        profile_review_settle(user_id=user.pk, approved=True)
    elif visibility == Visibility.HIDDEN and not profile_review_settle(
        user_id=user.pk, approved=False
    ):
        profile_update(user=user, display_name=f"user_{user.pk}", bio="")


def user_excerpt(user: User) -> str:
    texts = ("pending_display_name", "pending_bio", "display_name", "bio")
    profile = Profile.objects.filter(user=user).values(*texts).first() or {}
    parts = [f"@{user.username}", *(profile.get(name, "") for name in texts)]
    return " · ".join(part for part in parts if part)


def _hold_profile_text(user_id: int, result: ScreenedText) -> None:
    submit_for_review(target="user", object_id=user_id, result=result)


def register() -> None:
    """Fill accounts' screening slot and register the ``user`` target (``ready()``)."""
    register_profile_screener(
        ProfileScreener(
            screen=lambda surface, text: screen_text(surface=surface, text=text),
            hold_for_review=_hold_profile_text,
        )
    )
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
