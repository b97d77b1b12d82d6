"""Account writes: registration, profile edits, avatar, follow graph and blocks."""

from collections.abc import Iterable
from io import BytesIO

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from apps.accounts.hooks import (
    FollowChange,
    FollowEvent,
    follow_changed,
    hold_for_review,
    screen_text,
)
from apps.accounts.hooks import ProfileSurface as Surface
from apps.accounts.models import Block, Category, Follow, FollowSource, Profile, User
from apps.core.errors import Conflict, InvalidInput, NotFound

AVATAR_FORMATS = {"JPEG", "PNG", "WEBP"}
PROFILE_TEXTS = ("display_name", "bio")
AVATAR_MAX_PIXELS = 4096


def user_register(
    *,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
) -> User:
    """Create a user and their profile; password checked by Django's validators.

    No phone number here: binding one goes through a code (``phone_services``), so sign-up
    cannot be used to learn which numbers are registered.
    """
    candidate = User(username=username, email=email)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise InvalidInput("The password is too weak.", fields={"password": exc.messages}) from exc
    screened = [screen_text(surface=Surface.USERNAME, text=username)]
    if display_name:
        screened.append(screen_text(surface=Surface.PROFILE, text=display_name))
        display_name = screened[-1].text
    for result in screened:
        result.raise_if_blocked()
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(
            "This username is taken.",
            code="auth.username_taken",
            fields={"username": ["This username is taken."]},
        )
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email)
            if display_name:
                held = len(screened) > 1 and screened[-1].needs_review
                field = "pending_display_name" if held else "display_name"
                Profile.objects.filter(user=user).update(**{field: display_name})
            for result in screened:
                if result.needs_review:
                    hold_for_review(user_id=user.pk, result=result)
    except IntegrityError as exc:  # a concurrent registration took the name
        raise InvalidInput(
            "This username is taken.",
            code="auth.username_taken",
            fields={"username": ["This username is taken."]},
        ) from exc
    return user


@transaction.atomic
def profile_update(
    *,
    user: User,
    interests: Iterable[Category] | None = None,
    email: str | None = None,
    **fields: object,
) -> Profile:
    """Update profile fields (and the user's email); interests are replaced whole.

    The phone number is not changed here: it is bound by code through ``phone_services``.

    A display name or bio that screening holds for review is kept aside (``pending_*``): the
    author sees it, everyone else keeps seeing the previous text until an operator decides.
    """
    held = []
    for name in PROFILE_TEXTS:
        if name not in fields:
            continue
        fields[f"pending_{name}"] = ""  # a newer text supersedes one waiting for review
        if isinstance(fields[name], str) and fields[name]:
            result = screen_text(surface=Surface.PROFILE, text=fields[name])
            result.raise_if_blocked()
            if result.needs_review:
                held.append(result)
                fields[f"pending_{name}"] = result.text
                del fields[name]
            else:
                fields[name] = result.text
    profile = Profile.objects.select_for_update().get(user=user)
    user_changed = []
    if email is not None:
        user.email = email
        user_changed.append("email")
    if user_changed:
        user.save(update_fields=user_changed)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    if interests is not None:
        profile.interests.set(list(interests))
    for result in held:
        hold_for_review(user_id=user.pk, result=result)
    return profile


def profile_review_settle(*, user_id: int, approved: bool) -> bool:
    """An operator decided on held profile texts: publish them or drop them.

    Returns whether any text was waiting.
    """
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user_id=user_id).first()
        if profile is None:
            raise NotFound("User not found.", code="user.not_found")
        waiting = [name for name in PROFILE_TEXTS if getattr(profile, f"pending_{name}")]
        for name in waiting:
            if approved:
                setattr(profile, name, getattr(profile, f"pending_{name}"))
            setattr(profile, f"pending_{name}", "")
        if waiting:
            profile.save()
    return bool(waiting)


def _validated_image(upload: UploadedFile) -> str:
    """Return the image format after Pillow has parsed the whole file."""
    if upload.size > settings.AVATAR_MAX_BYTES:
        limit_mb = settings.AVATAR_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(
            f"The avatar is larger than {limit_mb} MB.",
            code="avatar.too_large",
            fields={"avatar": [f"At most {limit_mb} MB."]},
        )
    data = upload.read()
    upload.seek(0)
    try:
        with Image.open(BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()  # verify() does not decode pixels; a truncated file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(
            "The avatar is not a valid image.",
            code="avatar.invalid_image",
            fields={"avatar": ["Upload a valid JPEG, PNG or WebP image."]},
        ) from None
    if image_format not in AVATAR_FORMATS:
        raise InvalidInput(
            "The avatar must be JPEG, PNG or WebP.",
            code="avatar.unsupported_format",
            fields={"avatar": [f"{image_format} is not accepted; use JPEG, PNG or WebP."]},
        )
    if width > AVATAR_MAX_PIXELS or height > AVATAR_MAX_PIXELS:
        raise InvalidInput(
            "The avatar is too large in pixels.",
            code="avatar.too_many_pixels",
            fields={"avatar": [f"At most {AVATAR_MAX_PIXELS}x{AVATAR_MAX_PIXELS} pixels."]},
        )
    return image_format


def avatar_set(*, user: User, upload: UploadedFile) -> Profile:
    """Replace the avatar; no file is left behind whichever way the write ends."""
    image_format = _validated_image(upload)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    profile = Profile.objects.get(user=user)
    storage = profile.avatar.storage
    old_name = profile.avatar.name or ""
    new_name = storage.save(f"avatars/{user.pk}.{extension}", upload)
    try:
        with transaction.atomic():
            Profile.objects.filter(user=user).update(avatar=new_name, updated_at=timezone.now())
            if old_name:
                transaction.on_commit(lambda: storage.delete(old_name))
    except Exception:
        storage.delete(new_name)
        raise
    profile.avatar.name = new_name
    return profile


def _lock_profiles(*user_ids: int) -> dict[int, Profile]:
    """Lock the profiles of the given users in primary-key order (no deadlocks between pairs).

    Caller must be inside a transaction.
    """
    profiles = Profile.objects.select_for_update().filter(user_id__in=user_ids).order_by("user_id")
    locked = {p.user_id: p for p in profiles}
    if len(locked) != len(set(user_ids)):
        raise NotFound("User not found.", code="user.not_found")
    return locked


def is_blocked_either_way(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(blocker_id=a_id, blocked_id=b_id).exists() or (
        Block.objects.filter(blocker_id=b_id, blocked_id=a_id).exists()
    )


def _remove_follow(*, follower_id: int, followee_id: int) -> bool:
    """Delete one follow edge, its counts, and record the lost fan. Caller holds both locks."""
    edge = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id)
    follow_source = edge.values_list("source", "source_id").first()
    if follow_source is None:
        return False
    edge.delete()
    Profile.objects.filter(user_id=follower_id).update(following_count=F("following_count") - 1)
    Profile.objects.filter(user_id=followee_id).update(fans_count=F("fans_count") - 1)
    # The unfollow carries the source of the follow it ends, for fan-source analytics.
    follow_changed(FollowEvent(FollowChange.UNFOLLOW, follower_id, followee_id, *follow_source))
    return True


def follow_create(
    *,
    follower: User,
    followee_id: int,
    source: str = FollowSource.PROFILE,
    source_id: int | None = None,
) -> tuple[Follow, bool]:
    """Follow a user; repeating it changes nothing. Returns the edge and whether it is new."""
    if follower.pk == followee_id:
        raise Conflict("You cannot follow yourself.", code="follow.self")
    with transaction.atomic():
        _lock_profiles(follower.pk, followee_id)
        if is_blocked_either_way(follower.pk, followee_id):
            raise Conflict("You cannot follow this user.", code="follow.blocked")
        existing = Follow.objects.filter(follower=follower, followee_id=followee_id).first()
        if existing is not None:
            return existing, False
        follow = Follow.objects.create(
            follower=follower, followee_id=followee_id, source=source, source_id=source_id
        )
        Profile.objects.filter(user_id=follower.pk).update(following_count=F("following_count") + 1)
        Profile.objects.filter(user_id=followee_id).update(fans_count=F("fans_count") + 1)
        follow_changed(
            FollowEvent(FollowChange.FOLLOW, follower.pk, followee_id, source, source_id)
        )
    return follow, True


def follow_delete(*, follower: User, followee_id: int) -> bool:
    """Unfollow; repeating it changes nothing. Returns whether an edge was removed."""
    if follower.pk == followee_id:
        return False
    with transaction.atomic():
        _lock_profiles(follower.pk, followee_id)
        return _remove_follow(follower_id=follower.pk, followee_id=followee_id)


def block_create(*, blocker: User, blocked_id: int) -> tuple[Block, bool]:
    """Block a user: follows in both directions end, and neither can follow the other."""
    if blocker.pk == blocked_id:
        raise Conflict("You cannot block yourself.", code="block.self")
    with transaction.atomic():
        _lock_profiles(blocker.pk, blocked_id)
        block, created = Block.objects.get_or_create(blocker=blocker, blocked_id=blocked_id)
        if created:
            _remove_follow(follower_id=blocker.pk, followee_id=blocked_id)
            _remove_follow(follower_id=blocked_id, followee_id=blocker.pk)
    return block, created


def block_delete(*, blocker: User, blocked_id: int) -> bool:
    """Unblock; follows removed by the block are not restored."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()
    return bool(deleted)


def profile_counters_change(
    *, user_id: int, notes: int = 0, likes: int = 0, collects: int = 0
) -> None:
    """Move a profile's content counters by deltas, in one ``UPDATE ... SET x = x + d``.

    The one writer of these counters for the apps that own the content (notes): relative, so
    concurrent changes to one profile add up without a lock on the profile row.
    """
    deltas = {
        "notes_count": notes,
        "likes_received_count": likes,
        "collects_received_count": collects,
    }
    updates = {name: F(name) + delta for name, delta in deltas.items() if delta}
    if updates:
        Profile.objects.filter(user_id=user_id).update(**updates)
