"""Account reads: public profiles, fans and following lists, block lists."""

from django.db.models import Exists, OuterRef, QuerySet

from apps.accounts.models import Block, Follow, Profile, User
from apps.core.errors import Forbidden, NotFound

# The columns a user card reads (``UserCardSerializer``), for lists that load their rows'
# authors with ``only()``: prefix each with the relation, as ``user_card_columns("author")``.
USER_CARD_COLUMNS = (
    "id",
    "username",
    "profile__user_id",
    "profile__display_name",
    "profile__avatar",
    "profile__fans_count",
)


def user_card_columns(relation: str) -> tuple[str, ...]:
    """``USER_CARD_COLUMNS`` behind a relation (``author__id``, ``author__profile__...``)."""
    return tuple(f"{relation}__{column}" for column in USER_CARD_COLUMNS)


def profile_public_get(*, user_id: int, viewer: User) -> Profile:
    """A user's public profile with the viewer's relation to them, in one query plus interests."""
    queryset = (
        Profile.objects.select_related("user")
        .prefetch_related("interests")
        .filter(user_id=user_id, user__is_active=True)
        .annotate(
            viewer_follows=Exists(
                Follow.objects.filter(follower=viewer.pk, followee=OuterRef("pk"))
            ),
            follows_viewer=Exists(
                Follow.objects.filter(follower=OuterRef("pk"), followee=viewer.pk)
            ),
            viewer_blocked=Exists(Block.objects.filter(blocker=viewer.pk, blocked=OuterRef("pk"))),
        )
    )
    profile = queryset.first()
    if profile is None:
        raise NotFound("User not found.", code="user.not_found")
    return profile


def _visible_profile(*, user_id: int, viewer: User, hidden_flag: str, what: str) -> Profile:
    profile = Profile.objects.filter(user_id=user_id, user__is_active=True).first()
    if profile is None:
        raise NotFound("User not found.", code="user.not_found")
    if getattr(profile, hidden_flag) and profile.user_id != viewer.pk:
        raise Forbidden(
            f"This user keeps their {what} list private.", code=f"profile.{what}_hidden"
        )
    return profile


def fans_list(*, user_id: int, viewer: User) -> QuerySet[Follow]:
    """Follow edges pointing at the user, with each fan's profile joined."""
    _visible_profile(user_id=user_id, viewer=viewer, hidden_flag="hide_fans_list", what="fans")
    return Follow.objects.filter(followee_id=user_id).select_related("follower__profile")


def following_list(*, user_id: int, viewer: User) -> QuerySet[Follow]:
    """Follow edges leaving the user, with each followee's profile joined."""
    _visible_profile(
        user_id=user_id, viewer=viewer, hidden_flag="hide_following_list", what="following"
    )
    return Follow.objects.filter(follower_id=user_id).select_related("followee__profile")


def block_list(*, user: User) -> QuerySet[Block]:
    """The users this user has blocked; private to them."""
    return Block.objects.filter(blocker=user).select_related("blocked__profile")


def follow_edge(*, follower_id: int, followee_id: int) -> QuerySet[Follow]:
    """The follow edge between two users, as a queryset other apps can use as a subquery
    (live's followers-only chat asks how long a viewer has followed the host)."""
    return Follow.objects.filter(follower_id=follower_id, followee_id=followee_id)
