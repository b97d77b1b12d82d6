"""Note writes: create, edit, publish, delete, media; likes, collects, boards, shares, comments.

Lock order, everywhere: the note row, then comment rows (parent before reply, which is pk
order), then the author's profile row (counters changed with ``F()``). Follow and block
services lock only profiles, so no cycle can form. Every counter a request changes is changed
while the note (or, for comment likes, the comment) is locked, so repeats and concurrent
requests keep them exact. A request touching several notes (a creator's batch of comments)
locks all its notes in pk order, then all its comments in pk order.
"""

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from apps.accounts.models import Block, Category, Follow, Profile, User
from apps.accounts.services import block_create, is_blocked_either_way
from apps.analytics.kinds import EventKind
from apps.analytics.recording import record_server_event
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.moderation.screening import (
    ScreeningResult,
    Surface,
    ensure_can_post,
    screen_text,
    submit_for_review,
)
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes import media as note_media
from apps.notes.models import (
    COUNTED_COMMENT,
    CREATOR_TRANSITIONS,
    PUBLICLY_VISIBLE,
    Board,
    Collect,
    Comment,
    CommentLike,
    CommentPermission,
    CommentStatus,
    CreatorState,
    MediaKind,
    Note,
    NoteKind,
    NoteLike,
    NoteMedia,
    NoteMention,
    NoteStatus,
    NoteTopic,
    NoteVisibility,
    Share,
    Topic,
)
from apps.notes.ranking import note_rank
from apps.notes.text import (
    parse_mentions,
    parse_topics,
    search_document,
    topic_key,
)

if TYPE_CHECKING:
    from apps.creators.comments_filters import CommentVerdict

TITLE_MAX = 20
BODY_MAX = 1000
COMMENT_MAX = 500
MAX_IMAGES = 18
MAX_BOARDS = 200
MAX_COMMENT_BATCH = 100
MAX_ID = 2**63 - 1  # the largest primary key (bigint)


def note_not_found() -> NotFound:
    return NotFound("Note not found.", code="note.not_found")


def comment_not_found() -> NotFound:
    return NotFound("Comment not found.", code="comment.not_found")


# --- visibility ---------------------------------------------------------------------------


def note_visible_to(note: Note, viewer_id: int) -> bool:
    """Whether the viewer may see the note: the author sees their own, others public ones."""
    if note.status == NoteStatus.DELETED:
        return False
    if note.author_id == viewer_id:
        return True
    return note.counts_publicly and not is_blocked_either_way(viewer_id, note.author_id)


def _comment_shown(comment: Comment, viewer_id: int) -> bool:
    """Not deleted, and approved by moderation and by the note's author unless the viewer wrote
    it (blocks aside)."""
    if comment.status != CommentStatus.VISIBLE:
        return False
    return comment.author_id == viewer_id or (
        comment.moderation == ModerationVisibility.VISIBLE
        and comment.creator_state == CreatorState.VISIBLE
    )


def comment_visible_to(comment: Comment, viewer_id: int) -> bool:
    """A comment's own visibility (its note is checked separately)."""
    if not _comment_shown(comment, viewer_id):
        return False
    if comment.author_id == viewer_id:
        return True
    return not is_blocked_either_way(viewer_id, comment.author_id)


# --- counters -----------------------------------------------------------------------------


def _change_engagement(
    note: Note, *, likes: int = 0, collects: int = 0, comments: int = 0, shares: int = 0
) -> None:
    """Apply counter deltas to a note, its rank and its author's profile.

    Caller holds the note's row lock, so the in-memory counts are the stored ones.
    """
    deltas = {"likes": likes, "collects": collects, "comments": comments, "shares": shares}
    for name, delta in deltas.items():
        setattr(note, f"{name}_count", getattr(note, f"{name}_count") + delta)
    note.rank = note_rank(
        published_at=note.published_at,
        likes=note.likes_count,
        collects=note.collects_count,
        comments=note.comments_count,
        shares=note.shares_count,
    )
    updates = {f"{n}_count": F(f"{n}_count") + d for n, d in deltas.items() if d}
    Note.objects.filter(pk=note.pk).update(**updates, rank=note.rank)
    if note.counts_publicly and (likes or collects):
        profile_updates = {}
        if likes:
            profile_updates["likes_received_count"] = F("likes_received_count") + likes
        if collects:
            profile_updates["collects_received_count"] = F("collects_received_count") + collects
        Profile.objects.filter(user_id=note.author_id).update(**profile_updates)


def _apply_public_change(note: Note, *, was_counted: bool) -> None:
    """Move the note's weight on the author's profile when it starts or stops counting.

    A note counts while others can see it: published, public, moderation visible. Caller holds
    the note's row lock.
    """
    now_counted = note.counts_publicly
    if was_counted == now_counted:
        return
    sign = 1 if now_counted else -1
    Profile.objects.filter(user_id=note.author_id).update(
        notes_count=F("notes_count") + sign,
        likes_received_count=F("likes_received_count") + sign * note.likes_count,
        collects_received_count=F("collects_received_count") + sign * note.collects_count,
    )


# --- note text, media, topics and mentions --------------------------------------------------


def _check_text(*, title: str, body: str) -> None:
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            f"The title is longer than {TITLE_MAX} characters.",
            code="note.title_too_long",
            fields={"title": [f"At most {TITLE_MAX} characters."]},
        )
    if len(body) > BODY_MAX:
        raise InvalidInput(
            f"The body is longer than {BODY_MAX} characters.",
            code="note.body_too_long",
            fields={"body": [f"At most {BODY_MAX} characters."]},
        )


def _check_publishable(note: Note) -> None:
    if not note.title.strip():
        raise InvalidInput(
            "A published note needs a title.",
            code="note.title_required",
            fields={"title": ["Required to publish."]},
        )
    if note.category_id is None:
        raise InvalidInput(
            "A published note needs a category.",
            code="note.category_required",
            fields={"category": ["Required to publish."]},
        )


def _screen_note(note: Note) -> list[ScreeningResult]:
    """Screen title and body; masked text is kept, a review hit holds the note for review.

    Returns the results that asked for review, to be queued once the note is saved.
    """
    held = []
    for field in ("title", "body"):
        text = getattr(note, field)
        if not text:
            continue
        result = screen_text(surface=Surface.NOTE, text=text)
        result.raise_if_blocked()
        setattr(note, field, result.text)
        if result.needs_review:
            held.append(result)
    if held and note.moderation == ModerationVisibility.VISIBLE:
        note.moderation = ModerationVisibility.REVIEW
    return held


def _queue_for_review(*, target: str, object_id: int, held: list[ScreeningResult]) -> None:
    """Put a stored item that screening held into the operators' queue (same transaction)."""
    for result in held:
        submit_for_review(target=target, object_id=object_id, result=result)


@dataclass
class _InspectedMedia:
    kind: str
    images: list[note_media.ImageUpload]
    video: note_media.VideoUpload | None
    cover: note_media.ImageUpload | None


def _inspect_media(
    *,
    images: Sequence[UploadedFile],
    video: UploadedFile | None,
    cover: UploadedFile | None,
) -> _InspectedMedia:
    """Check every file before anything is stored."""
    if video is not None and images:
        raise InvalidInput(
            "A note has images or one video, not both.",
            code="note.mixed_media",
            fields={"images": ["Send either images or a video."]},
        )
    if video is None:
        if not images:
            raise InvalidInput(
                "A note needs 1 to 18 images or a video.",
                code="note.media_required",
                fields={"images": [f"Add 1 to {MAX_IMAGES} images, or a video."]},
            )
        if len(images) > MAX_IMAGES:
            raise InvalidInput(
                f"A note holds at most {MAX_IMAGES} images.",
                code="note.too_many_images",
                fields={"images": [f"At most {MAX_IMAGES} images."]},
            )
        if cover is not None:
            raise InvalidInput(
                "A cover goes with a video.",
                code="note.cover_without_video",
                fields={"cover": ["Only video notes take a cover."]},
            )
        checked = [
            note_media.inspect_image(upload, field="images", label=f"Image {index + 1}")
            for index, upload in enumerate(images)
        ]
        return _InspectedMedia(kind=NoteKind.IMAGE, images=checked, video=None, cover=None)
    checked_video = note_media.inspect_video(video, field="video")
    checked_cover = (
        note_media.inspect_image(cover, field="cover", label="The cover") if cover else None
    )
    return _InspectedMedia(kind=NoteKind.VIDEO, images=[], video=checked_video, cover=checked_cover)


def _store_media(note: Note, inspected: _InspectedMedia, stored: note_media.StoredFiles) -> None:
    """Save the files and create the media rows; sets the note's kind and cover fields."""
    rows: list[NoteMedia] = []
    for position, image in enumerate(inspected.images):
        extension = note_media.IMAGE_FORMATS[image.format]
        name, base = stored.save_upload(image.upload, extension)
        thumbnail = stored.save_bytes(f"{base}_thumb.jpg", image.thumbnail)
        rows.append(
            NoteMedia(
                note=note,
                kind=MediaKind.IMAGE,
                position=position,
                file=name,
                thumbnail=thumbnail,
                format=image.format,
                width=image.width,
                height=image.height,
                size_bytes=image.upload.size,
            )
        )
    if inspected.video is not None:
        video = inspected.video
        name, base = stored.save_upload(video.upload, video.format.lower())
        cover = inspected.cover
        cover_bytes = cover.thumbnail if cover else video.cover
        thumbnail = stored.save_bytes(f"{base}_cover.jpg", cover_bytes)
        rows.append(
            NoteMedia(
                note=note,
                kind=MediaKind.VIDEO,
                position=0,
                file=name,
                thumbnail=thumbnail,
                format=video.format,
                width=video.width,
                height=video.height,
                size_bytes=video.upload.size,
                duration_seconds=video.duration_seconds,
            )
        )
    NoteMedia.objects.bulk_create(rows)
    note.kind = inspected.kind
    note.cover = rows[0].thumbnail.name
    if inspected.cover is not None:
        note.cover_width = inspected.cover.thumbnail_width
        note.cover_height = inspected.cover.thumbnail_height
    elif inspected.video is not None:
        note.cover_width = inspected.video.cover_width
        note.cover_height = inspected.video.cover_height
    else:
        note.cover_width = inspected.images[0].thumbnail_width
        note.cover_height = inspected.images[0].thumbnail_height


def _topics_for(names: list[str]) -> list[Topic]:
    if not names:
        return []
    keys = {topic_key(name): name for name in names}
    Topic.objects.bulk_create(
        [Topic(name=name, key=key) for key, name in keys.items()], ignore_conflicts=True
    )
    by_key = {topic.key: topic for topic in Topic.objects.filter(key__in=list(keys))}
    return [by_key[key] for key in keys if key in by_key]


def _mentioned_users(*, author_id: int, usernames: list[str]) -> list[int]:
    if not usernames:
        return []
    candidates = (
        User.objects.annotate(folded=Lower("username"))
        .filter(folded__in=usernames, is_active=True)
        .exclude(pk=author_id)
        .exclude(pk__in=Block.objects.filter(blocker_id=author_id).values("blocked_id"))
        .exclude(pk__in=Block.objects.filter(blocked_id=author_id).values("blocker_id"))
        .values_list("pk", flat=True)
    )
    return list(candidates)


def _sync_text_links(note: Note) -> None:
    """Topics, mentions and the search document follow the note's current text."""
    topic_names = parse_topics(note.body)
    topics = _topics_for(topic_names)
    NoteTopic.objects.filter(note=note).exclude(topic__in=topics).delete()
    NoteTopic.objects.bulk_create(
        [NoteTopic(note=note, topic=topic) for topic in topics], ignore_conflicts=True
    )
    mentioned = _mentioned_users(author_id=note.author_id, usernames=parse_mentions(note.body))
    NoteMention.objects.filter(note=note).exclude(user_id__in=mentioned).delete()
    NoteMention.objects.bulk_create(
        [NoteMention(note=note, user_id=user_id) for user_id in mentioned], ignore_conflicts=True
    )
    note.search_text = search_document(
        title=note.title, body=note.body, topics=[t.name for t in topics]
    )


def _refresh_rank(note: Note) -> None:
    note.rank = note_rank(
        published_at=note.published_at,
        likes=note.likes_count,
        collects=note.collects_count,
        comments=note.comments_count,
        shares=note.shares_count,
    )


# --- note lifecycle -----------------------------------------------------------------------


def note_create(
    *,
    author: User,
    title: str = "",
    body: str = "",
    category: Category | None = None,
    location_name: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    visibility: str = NoteVisibility.PUBLIC,
    publish: bool = True,
    images: Sequence[UploadedFile] = (),
    video: UploadedFile | None = None,
    cover: UploadedFile | None = None,
) -> Note:
    """Create a draft or publish at once; rejected whole, with no stored file left behind."""
    ensure_can_post(author)
    _check_text(title=title, body=body)
    note = Note(
        author=author,
        title=title,
        body=body,
        category=category,
        location_name=location_name,
        latitude=latitude,
        longitude=longitude,
        visibility=visibility,
        status=NoteStatus.DRAFT,
    )
    held: list[ScreeningResult] = []
    if publish:
        _check_publishable(note)
        held = _screen_note(note)
    inspected = _inspect_media(images=images, video=video, cover=cover)

    stored = note_media.StoredFiles()
    try:
        with transaction.atomic():
            if publish:
                note.status = NoteStatus.PUBLISHED
                note.published_at = timezone.now()
                _refresh_rank(note)
            note.kind = inspected.kind
            note.save()
            _store_media(note, inspected, stored)
            if publish:  # drafts are screened, and so linked, when they are published
                _sync_text_links(note)
            note.save(update_fields=["kind", "cover", "cover_width", "cover_height", "search_text"])
            _apply_public_change(note, was_counted=False)
            _queue_for_review(target="note", object_id=note.pk, held=held)
    except BaseException:
        stored.discard()
        raise
    return note


def _own_note_locked(*, note_id: int, actor: User) -> Note:
    """Lock a note its author is about to change; others get 404 (or 403 if they can see it)."""
    note = Note.objects.select_for_update().filter(pk=note_id).first()
    if note is None or note.status == NoteStatus.DELETED:
        raise note_not_found()
    if note.author_id != actor.pk:
        if note_visible_to(note, actor.pk):
            raise Forbidden("Only the author can change this note.", code="note.not_author")
        raise note_not_found()
    return note


def note_update(*, note_id: int, actor: User, **changes: object) -> Note:
    """Edit text, category, location or visibility; a published note is screened again."""
    allowed = {"title", "body", "category", "location_name", "latitude", "longitude", "visibility"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.")
    ensure_can_post(actor)
    with transaction.atomic():
        note = _own_note_locked(note_id=note_id, actor=actor)
        was_counted = note.counts_publicly
        for name, value in changes.items():
            setattr(note, name, value)
        _check_text(title=note.title, body=note.body)
        held: list[ScreeningResult] = []
        if note.status == NoteStatus.PUBLISHED:
            _check_publishable(note)
            if {"title", "body"} & set(changes):
                held = _screen_note(note)
                _sync_text_links(note)
        note.save()
        _apply_public_change(note, was_counted=was_counted)
        _queue_for_review(target="note", object_id=note.pk, held=held)
    return note


def note_publish(*, note_id: int, actor: User) -> Note:
    """Publish a draft (screened now); publishing a published note changes nothing."""
    ensure_can_post(actor)
    with transaction.atomic():
        note = _own_note_locked(note_id=note_id, actor=actor)
        if note.status == NoteStatus.PUBLISHED:
            return note
        _check_publishable(note)
        held = _screen_note(note)
        note.status = NoteStatus.PUBLISHED
        note.published_at = timezone.now()
        _refresh_rank(note)
        _sync_text_links(note)
        note.save()
        _apply_public_change(note, was_counted=False)
        _queue_for_review(target="note", object_id=note.pk, held=held)
    return note


def note_delete(*, note_id: int, actor: User) -> None:
    """Soft-delete a note: it leaves every list and count; its rows and files are kept."""
    with transaction.atomic():
        note = _own_note_locked(note_id=note_id, actor=actor)
        was_counted = note.counts_publicly
        note.status = NoteStatus.DELETED
        note.deleted_at = timezone.now()
        note.save(update_fields=["status", "deleted_at", "updated_at"])
        _apply_public_change(note, was_counted=was_counted)


def note_media_replace(
    *,
    note_id: int,
    actor: User,
    images: Sequence[UploadedFile] = (),
    video: UploadedFile | None = None,
    cover: UploadedFile | None = None,
) -> Note:
    """Replace a note's media whole; old files are deleted once the change commits."""
    with transaction.atomic():
        _own_note_locked(note_id=note_id, actor=actor)  # refuse strangers before any work
    inspected = _inspect_media(images=images, video=video, cover=cover)
    stored = note_media.StoredFiles()
    try:
        with transaction.atomic():
            note = _own_note_locked(note_id=note_id, actor=actor)
            old_files = [
                name
                for pair in NoteMedia.objects.filter(note=note).values_list("file", "thumbnail")
                for name in pair
            ]
            NoteMedia.objects.filter(note=note).delete()
            _store_media(note, inspected, stored)
            note.save(update_fields=["kind", "cover", "cover_width", "cover_height", "updated_at"])
            transaction.on_commit(lambda: note_media.delete_files(old_files, stored.storage))
    except BaseException:
        stored.discard()
        raise
    return note


def note_moderation_set(*, note: Note, visibility: str) -> Note:
    """Apply a moderation decision (visible, review, hidden) and move the profile counts."""
    if visibility not in ModerationVisibility.values:
        raise InvalidInput(f"Unknown visibility {visibility!r}.", code="moderation.visibility")
    with transaction.atomic():
        locked = Note.objects.select_for_update().get(pk=note.pk)
        was_counted = locked.counts_publicly
        locked.moderation = visibility
        locked.save(update_fields=["moderation", "updated_at"])
        _apply_public_change(locked, was_counted=was_counted)
    note.moderation = visibility
    return locked


# --- likes, collects, shares ----------------------------------------------------------------


def _lock_note_for_engagement(*, note_id: int, user: User) -> Note:
    """Lock a published note the user can see (404 otherwise, 409 for the author's draft)."""
    note = Note.objects.select_for_update().filter(pk=note_id).first()
    if note is None or not note_visible_to(note, user.pk):
        raise note_not_found()
    if note.status != NoteStatus.PUBLISHED:
        raise Conflict("The note is not published.", code="note.not_published")
    return note


def note_like(*, user: User, note_id: int, source: str = "") -> tuple[Note, bool]:
    """Like a note; repeating it changes nothing. Returns the note and whether it is new."""
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=user)
        if NoteLike.objects.filter(note=note, user=user).exists():
            return note, False
        NoteLike.objects.create(note=note, user=user)
        _change_engagement(note, likes=1)
        record_server_event(
            kind=EventKind.LIKE,
            actor_id=user.pk,
            note_id=note.pk,
            target_user_id=note.author_id,
            source=source,
        )
    return note, True


def _engagement_remove(
    *, user: User, note_id: int, model: type[models.Model], counter: str, kind: str, source: str
) -> tuple[Note, bool]:
    """Delete the user's like or collect of a note, with its counter and event, or nothing."""
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=user)
        deleted, _ = model.objects.filter(note=note, user=user).delete()
        if not deleted:
            return note, False
        _change_engagement(note, **{counter: -1})
        record_server_event(
            kind=kind,
            actor_id=user.pk,
            note_id=note.pk,
            target_user_id=note.author_id,
            source=source,
        )
    return note, True


def note_unlike(*, user: User, note_id: int, source: str = "") -> tuple[Note, bool]:
    """Remove a like; repeating it changes nothing. Returns the note and whether one was removed."""
    return _engagement_remove(
        user=user,
        note_id=note_id,
        model=NoteLike,
        counter="likes",
        kind=EventKind.UNLIKE,
        source=source,
    )


def _own_board(*, owner: User, board_id: int) -> Board:
    board = Board.objects.filter(pk=board_id, owner=owner).first()
    if board is None:
        raise NotFound("Board not found.", code="board.not_found")
    return board


def note_collect(
    *, user: User, note_id: int, board_id: int | None = None, source: str = ""
) -> tuple[Collect, bool]:
    """Collect a note, filed in one of the user's boards if given; a repeat may move it."""
    board = _own_board(owner=user, board_id=board_id) if board_id is not None else None
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=user)
        existing = Collect.objects.filter(note=note, user=user).first()
        if existing is not None:
            if board is not None and existing.board_id != board.pk:
                existing.board = board
                existing.save(update_fields=["board"])
            existing.note = note
            return existing, False
        collect = Collect.objects.create(note=note, user=user, board=board)
        _change_engagement(note, collects=1)
        record_server_event(
            kind=EventKind.COLLECT,
            actor_id=user.pk,
            note_id=note.pk,
            target_user_id=note.author_id,
            source=source,
            properties={"board_id": board.pk} if board else {},
        )
    return collect, True


def note_uncollect(*, user: User, note_id: int, source: str = "") -> tuple[Note, bool]:
    """Remove a collect (from whichever board holds it); repeating it changes nothing."""
    return _engagement_remove(
        user=user,
        note_id=note_id,
        model=Collect,
        counter="collects",
        kind=EventKind.UNCOLLECT,
        source=source,
    )


def note_share(*, user: User, note_id: int, channel: str) -> tuple[Note, bool]:
    """Count a share once per user and note; a repeat records the latest channel only."""
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=user)
        if note.visibility != NoteVisibility.PUBLIC:
            raise Conflict("A private note cannot be shared.", code="note.private")
        updated = Share.objects.filter(note=note, user=user).update(
            channel=channel, updated_at=timezone.now()
        )
        if updated:
            return note, False
        Share.objects.create(note=note, user=user, channel=channel)
        _change_engagement(note, shares=1)
    return note, True


# --- boards -------------------------------------------------------------------------------


def board_create(*, owner: User, name: str) -> Board:
    """Create a named board; names are unique per owner."""
    name = name.strip()
    if not name:
        raise InvalidInput("A board needs a name.", fields={"name": ["Required."]})
    if Board.objects.filter(owner=owner).count() >= MAX_BOARDS:
        raise Conflict(f"At most {MAX_BOARDS} boards.", code="board.limit")
    try:
        with transaction.atomic():
            return Board.objects.create(owner=owner, name=name)
    except IntegrityError:
        raise _board_name_taken() from None


def _board_name_taken() -> Conflict:
    return Conflict(
        "You already have a board with this name.",
        code="board.name_taken",
        fields={"name": ["Already used by another of your boards."]},
    )


def board_rename(*, owner: User, board_id: int, name: str) -> Board:
    """Rename one of the owner's boards."""
    board = _own_board(owner=owner, board_id=board_id)
    name = name.strip()
    if not name:
        raise InvalidInput("A board needs a name.", fields={"name": ["Required."]})
    board.name = name
    try:
        with transaction.atomic():
            board.save(update_fields=["name"])
    except IntegrityError:
        raise _board_name_taken() from None
    return board


def board_delete(*, owner: User, board_id: int) -> None:
    """Delete a board; its notes stay collected, outside any board."""
    _own_board(owner=owner, board_id=board_id).delete()


# --- comments -----------------------------------------------------------------------------


def _counts_on_note(comment: Comment, parent: Comment | None) -> bool:
    """A comment adds to its note's count while visible and, for a reply, its parent is too."""
    return comment.counts_publicly and (parent is None or parent.counts_publicly)


def comment_create(
    *, author: User, note_id: int, body: str, reply_to_id: int | None = None
) -> Comment:
    """Comment on a note, or reply to a comment (one level deep, naming whom it answers)."""
    ensure_can_post(author)
    body = body.strip()
    if not body or len(body) > COMMENT_MAX:
        raise InvalidInput(
            f"A comment has 1 to {COMMENT_MAX} characters.",
            code="comment.invalid_length",
            fields={"body": [f"1 to {COMMENT_MAX} characters."]},
        )
    screening = screen_text(surface=Surface.COMMENT, text=body)
    screening.raise_if_blocked()
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=author)
        by_note_author = author.pk == note.author_id
        if not by_note_author:
            _ensure_may_comment(note=note, author=author)
        parent = reply_to = None
        if reply_to_id is not None:
            reply_to, parent = _reply_target(note=note, author=author, reply_to_id=reply_to_id)
        # The note author's words see what was written, before moderation masked any of it.
        verdict = None if by_note_author else _creator_verdict(note, author, body)
        comment = Comment.objects.create(
            note=note,
            note_author_id=note.author_id,
            author=author,
            body=screening.text,
            parent=parent,
            reply_to=reply_to,
            reply_to_user_id=reply_to.author_id if reply_to else None,
            moderation=(
                ModerationVisibility.REVIEW
                if screening.needs_review
                else ModerationVisibility.VISIBLE
            ),
            creator_state=verdict.state if verdict else CreatorState.VISIBLE,
        )
        if parent is not None and comment.counts_publicly:
            Comment.objects.filter(pk=parent.pk).update(replies_count=F("replies_count") + 1)
        if by_note_author and parent is not None:
            # The author answered: the comment answered and its thread leave "not yet replied".
            Comment.objects.filter(
                pk__in={parent.pk, reply_to.pk}, creator_replied_at__isnull=True
            ).update(creator_replied_at=comment.created_at)
        if _counts_on_note(comment, parent):
            _change_engagement(note, comments=1)
        if screening.needs_review:
            _queue_for_review(target="comment", object_id=comment.pk, held=[screening])
        if verdict is not None and verdict.block_author:
            block_create(blocker=note.author, blocked_id=author.pk)
        record_server_event(
            kind=EventKind.COMMENT,
            actor_id=author.pk,
            note_id=note.pk,
            target_user_id=note.author_id,
            properties={"comment_id": comment.pk, "reply": parent is not None},
        )
    return comment


def _ensure_may_comment(*, note: Note, author: User) -> None:
    """The note's "who may comment" setting (its author always may)."""
    if note.who_can_comment == CommentPermission.NOBODY:
        raise Forbidden("Comments are turned off on this note.", code="comment.closed")
    if (
        note.who_can_comment == CommentPermission.FANS
        and not Follow.objects.filter(follower_id=author.pk, followee_id=note.author_id).exists()
    ):
        raise Forbidden(
            "Only the author's fans can comment on this note.", code="comment.fans_only"
        )


def _creator_verdict(note: Note, author: User, text: str) -> "CommentVerdict":
    """The note author's own filters (blocked words, trusted commenters) on a new comment.

    They are creator-center settings; creators builds on notes, so the import waits until here.
    """
    from apps.creators.comments_filters import comment_verdict

    return comment_verdict(creator_id=note.author_id, commenter_id=author.pk, text=text)


def _reply_target(*, note: Note, author: User, reply_to_id: int) -> tuple[Comment, Comment]:
    """The comment answered and the top-level comment the reply hangs under (locked).

    Caller holds the note's lock; the parent is locked next (note, then comments).
    """
    invalid = InvalidInput(
        "You can only reply to a visible comment on this note.",
        code="comment.invalid_reply_target",
        fields={"reply_to": ["No such comment on this note."]},
    )
    target = Comment.objects.filter(pk=reply_to_id, note=note).first()
    if target is None:
        raise invalid
    parent = Comment.objects.select_for_update().get(pk=target.parent_id or target.pk)
    if target.pk == parent.pk:
        target = parent
    if not _comment_shown(parent, author.pk) or not _comment_shown(target, author.pk):
        raise invalid
    for other_id in {parent.author_id, target.author_id} - {author.pk}:
        if is_blocked_either_way(author.pk, other_id):
            raise Forbidden("You cannot reply to this user.", code="comment.blocked")
    return target, parent


def _lock_comments(comment_ids: Collection[int]) -> tuple[dict[int, Note], dict[int, Comment]]:
    """Lock comments with their notes and parents, in the house order.

    All the notes first (pk order), then the comments and their parents together (pk order, so
    a parent before its replies). Returns both by id; an id that does not exist is absent.
    """
    found = list(Comment.objects.filter(pk__in=comment_ids).values_list("note_id", "parent_id"))
    rows = set(comment_ids) | {parent_id for _, parent_id in found if parent_id is not None}
    notes = Note.objects.select_for_update().filter(pk__in={n for n, _ in found}).order_by("pk")
    comments = Comment.objects.select_for_update().filter(pk__in=rows).order_by("pk")
    return {n.pk: n for n in notes}, {c.pk: c for c in comments}


def _change_comments(
    *,
    notes: dict[int, Note],
    comments: dict[int, Comment],
    changed: Collection[int],
    **fields: object,
) -> None:
    """Write ``fields`` on the changed comments and move every counter the change touches.

    ``notes`` and ``comments`` (the changed comments and their parents) come locked from
    ``_lock_comments``. A comment counts on its note while it and, for a reply, its parent count
    publicly; a top-level comment carries its counted replies in and out of the count, and
    deleting it deletes them. Set-based: the same few statements for one comment or a hundred.
    """
    if not changed:
        return
    before = {pk: comment.counts_publicly for pk, comment in comments.items()}
    for pk in changed:
        for name, value in fields.items():
            setattr(comments[pk], name, value)
    after = {pk: comment.counts_publicly for pk, comment in comments.items()}
    deleting = fields.get("status") == CommentStatus.DELETED

    def counted(own: dict[int, bool], comment: Comment) -> bool:
        return own[comment.pk] and (comment.parent_id is None or own[comment.parent_id])

    note_deltas: Counter[int] = Counter()
    reply_deltas: Counter[int] = Counter()
    flipped_tops = []
    for pk in changed:
        comment = comments[pk]
        note_deltas[comment.note_id] += counted(after, comment) - counted(before, comment)
        if comment.parent_id is None:
            if after[pk] != before[pk]:
                flipped_tops.append(pk)
        elif after[pk] != before[pk] and not (deleting and comment.parent_id in changed):
            reply_deltas[comment.parent_id] += after[pk] - before[pk]
    if flipped_tops:  # their counted replies outside this change follow them
        carried = (
            Comment.objects.filter(parent_id__in=flipped_tops, **COUNTED_COMMENT)
            .exclude(pk__in=changed)
            .order_by()
            .values_list("parent_id")
            .annotate(n=Count("pk"))
        )
        for parent_id, n in carried:
            top = comments[parent_id]
            note_deltas[top.note_id] += n * (after[parent_id] - before[parent_id])

    Comment.objects.filter(pk__in=changed).update(**fields)
    if deleting:
        tops = [pk for pk in changed if comments[pk].parent_id is None]
        if tops:
            Comment.objects.filter(parent_id__in=tops, status=CommentStatus.VISIBLE).update(
                status=CommentStatus.DELETED, deleted_at=fields.get("deleted_at")
            )
            Comment.objects.filter(pk__in=tops).update(replies_count=0)
            for pk in tops:
                comments[pk].replies_count = 0
    reply_deltas = Counter({pk: d for pk, d in reply_deltas.items() if d})
    if reply_deltas:
        Comment.objects.filter(pk__in=reply_deltas).update(
            replies_count=F("replies_count")
            + Case(
                *(When(pk=pk, then=Value(d)) for pk, d in reply_deltas.items()),
                default=Value(0),
                output_field=BigIntegerField(),
            )
        )
        for pk, delta in reply_deltas.items():
            comments[pk].replies_count += delta
    moved = []
    for note_id, delta in note_deltas.items():
        note = notes[note_id]
        if delta and note.status == NoteStatus.PUBLISHED:
            note.comments_count += delta
            _refresh_rank(note)
            moved.append(note)
    # Absolute values are safe: every note here is locked and was read under its lock.
    Note.objects.bulk_update(moved, ["comments_count", "rank"])


def comment_delete(*, comment_id: int, actor: User) -> None:
    """Soft-delete a comment (by its author or the note's author); a top-level comment's
    replies go with it."""
    with transaction.atomic():
        notes, comments = _lock_comments([comment_id])
        comment = comments.get(comment_id)
        if comment is None:
            raise comment_not_found()
        note = notes[comment.note_id]
        if comment.status == CommentStatus.DELETED or not note_visible_to(note, actor.pk):
            raise comment_not_found()
        if actor.pk not in (comment.author_id, note.author_id):
            if comment_visible_to(comment, actor.pk):
                raise Forbidden(
                    "Only the comment's author or the note's author can delete it.",
                    code="comment.not_author",
                )
            raise comment_not_found()
        _change_comments(
            notes=notes,
            comments=comments,
            changed=[comment_id],
            status=CommentStatus.DELETED,
            deleted_at=timezone.now(),
            pinned_at=None,
        )


def comment_moderation_set(*, comment: Comment, visibility: str) -> Comment:
    """Apply a moderation decision to a comment and move the note's comment count."""
    if visibility not in ModerationVisibility.values:
        raise InvalidInput(f"Unknown visibility {visibility!r}.", code="moderation.visibility")
    with transaction.atomic():
        notes, comments = _lock_comments([comment.pk])
        locked = comments[comment.pk]
        if locked.moderation != visibility:
            _change_comments(
                notes=notes, comments=comments, changed=[comment.pk], moderation=visibility
            )
    comment.moderation = visibility
    return locked


# --- comment management by the note's author ------------------------------------------------


COMMENT_ACTIONS = (*CREATOR_TRANSITIONS, "delete")


def _managed_comments(
    *, note_author: User, comment_ids: Collection[int]
) -> tuple[dict[int, Note], dict[int, Comment]]:
    """Lock comments on the author's own notes, or refuse the whole request with 404.

    A comment counts as the author's to manage while it is on one of their notes (not deleted),
    not deleted itself and not held or hidden by moderation; any other id, however it fails,
    gives the same 404, so ids of other creators' comments reveal nothing.
    """
    ids = set(comment_ids)
    possible = {pk for pk in ids if 0 < pk <= MAX_ID}  # a path can carry any number of digits
    owned = set(
        Comment.objects.filter(pk__in=possible, note_author_id=note_author.pk).values_list(
            "pk", flat=True
        )
    )
    notes: dict[int, Note] = {}
    comments: dict[int, Comment] = {}
    missing = sorted(ids - owned)
    if not missing:  # lock only what is the author's, then look again under the locks
        notes, comments = _lock_comments(ids)
        missing = sorted(
            pk
            for pk in ids
            if comments[pk].status != CommentStatus.VISIBLE
            or comments[pk].moderation != ModerationVisibility.VISIBLE
            or notes[comments[pk].note_id].status == NoteStatus.DELETED
        )
    if missing:
        raise NotFound(
            "Comment not found.",
            code="comment.not_found",
            fields={"ids": [f"Not a comment on your notes: {', '.join(map(str, missing))}."]},
        )
    return notes, comments


def comments_manage(*, note_author: User, comment_ids: Sequence[int], action: str) -> list[Comment]:
    """Hide, unhide, approve, reject or delete comments on the author's notes: all or none.

    Up to ``MAX_COMMENT_BATCH`` ids; one foreign, missing or deleted id refuses the whole
    request (404), one comment in a state the action cannot leave refuses it too (409). A
    repeat (hiding a hidden comment) changes nothing. Never touches moderation or strikes.
    """
    if action not in COMMENT_ACTIONS:
        raise InvalidInput(f"Unknown action {action!r}.", code="comment.unknown_action")
    ids = list(dict.fromkeys(comment_ids))
    if not 1 <= len(ids) <= MAX_COMMENT_BATCH:
        raise InvalidInput(
            f"Send 1 to {MAX_COMMENT_BATCH} comment ids.",
            code="comment.batch_size",
            fields={"ids": [f"1 to {MAX_COMMENT_BATCH} ids."]},
        )
    with transaction.atomic():
        notes, comments = _managed_comments(note_author=note_author, comment_ids=ids)
        if action == "delete":
            _change_comments(
                notes=notes,
                comments=comments,
                changed=ids,
                status=CommentStatus.DELETED,
                deleted_at=timezone.now(),
                pinned_at=None,
            )
            return [comments[pk] for pk in ids]
        sources, target = CREATOR_TRANSITIONS[action]
        stuck = sorted(pk for pk in ids if comments[pk].creator_state not in {*sources, target})
        if stuck:
            states = ", ".join(f"{pk} is {comments[pk].creator_state}" for pk in stuck)
            raise Conflict(
                f"Cannot {action} these comments ({states}).",
                code="comment.invalid_state",
                fields={"ids": [states]},
            )
        changed = [pk for pk in ids if comments[pk].creator_state != target]
        extra = {} if target == CreatorState.VISIBLE else {"pinned_at": None}
        _change_comments(
            notes=notes, comments=comments, changed=changed, creator_state=target, **extra
        )
    return [comments[pk] for pk in ids]


def comments_hide_by_author(*, note_author: User, author_id: int) -> int:
    """Hide every visible comment a user wrote on the note author's notes (when blocking them).

    Returns how many were hidden. Unbounded, unlike ``comments_manage``: every note involved is
    locked first, in pk order, then the comments, as everywhere.
    """
    with transaction.atomic():
        ids = list(
            Comment.objects.filter(
                note_author_id=note_author.pk, author_id=author_id, **COUNTED_COMMENT
            )
            .exclude(author=F("note_author"))  # the condition of the inbox's author index
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        notes, comments = _lock_comments(ids)
        changed = [pk for pk in ids if comments[pk].counts_publicly]  # looked at under the lock
        _change_comments(
            notes=notes,
            comments=comments,
            changed=changed,
            creator_state=CreatorState.HIDDEN,
            pinned_at=None,
        )
    return len(changed)


def comment_pin(*, note_author: User, comment_id: int) -> Comment:
    """Pin a visible top-level comment on the author's note; it replaces any earlier pin."""
    with transaction.atomic():
        _, comments = _managed_comments(note_author=note_author, comment_ids=[comment_id])
        comment = comments[comment_id]
        if comment.parent_id is not None:
            raise Conflict("Only a top-level comment can be pinned.", code="comment.pin_reply")
        if comment.creator_state != CreatorState.VISIBLE:
            raise Conflict(
                f"A {comment.creator_state} comment cannot be pinned.",
                code="comment.invalid_state",
            )
        if comment.pinned_at is None:
            Comment.objects.filter(note_id=comment.note_id, pinned_at__isnull=False).update(
                pinned_at=None
            )
            comment.pinned_at = timezone.now()
            comment.save(update_fields=["pinned_at"])
    return comment


def comment_unpin(*, note_author: User, comment_id: int) -> Comment:
    """Unpin a comment on the author's note; unpinning an unpinned comment changes nothing."""
    with transaction.atomic():
        _, comments = _managed_comments(note_author=note_author, comment_ids=[comment_id])
        comment = comments[comment_id]
        if comment.pinned_at is not None:
            comment.pinned_at = None
            comment.save(update_fields=["pinned_at"])
    return comment


def note_comment_permission_set(*, note_id: int, actor: User, who_can_comment: str) -> Note:
    """Set who may comment on one of the actor's notes (everyone, fans, nobody)."""
    if who_can_comment not in CommentPermission.values:
        raise InvalidInput(
            f"Unknown setting {who_can_comment!r}.",
            code="note.who_can_comment",
            fields={"who_can_comment": [f"One of {', '.join(CommentPermission.values)}."]},
        )
    with transaction.atomic():
        note = _own_note_locked(note_id=note_id, actor=actor)
        if note.who_can_comment != who_can_comment:
            note.who_can_comment = who_can_comment
            note.save(update_fields=["who_can_comment", "updated_at"])
    return note


def _lock_comment_for_engagement(*, comment_id: int, user: User) -> Comment:
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("note")
        .filter(pk=comment_id)
        .first()
    )
    if (
        comment is None
        or not comment_visible_to(comment, user.pk)
        or not note_visible_to(comment.note, user.pk)
    ):
        raise comment_not_found()
    return comment


def comment_like(*, user: User, comment_id: int) -> tuple[Comment, bool]:
    """Like a comment; repeating it changes nothing."""
    with transaction.atomic():
        comment = _lock_comment_for_engagement(comment_id=comment_id, user=user)
        if CommentLike.objects.filter(comment=comment, user=user).exists():
            return comment, False
        CommentLike.objects.create(comment=comment, user=user)
        Comment.objects.filter(pk=comment.pk).update(likes_count=F("likes_count") + 1)
        comment.likes_count += 1
    return comment, True


def comment_unlike(*, user: User, comment_id: int) -> tuple[Comment, bool]:
    """Remove a comment like; repeating it changes nothing."""
    with transaction.atomic():
        comment = _lock_comment_for_engagement(comment_id=comment_id, user=user)
        deleted, _ = CommentLike.objects.filter(comment=comment, user=user).delete()
        if not deleted:
            return comment, False
        Comment.objects.filter(pk=comment.pk).update(likes_count=F("likes_count") - 1)
        comment.likes_count -= 1
    return comment, True


# --- counters from the rows themselves --------------------------------------------------------


def _count_of(model: type, **filters: object) -> Coalesce:
    rows = model.objects.filter(**filters).order_by().values(*filters).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")[:1]), Value(0))


@transaction.atomic
def note_counters_rebuild(*, note_ids: Sequence[int] | None = None) -> int:
    """Recompute note, comment and profile counters and ranks from the rows (set-based).

    For bulk loads (demo data) and repairs: what the services keep incrementally, computed
    from scratch with the same definitions. Returns how many ranks changed.
    """
    notes = Note.objects.all() if note_ids is None else Note.objects.filter(pk__in=note_ids)
    visible_comment = COUNTED_COMMENT
    counted_comments = (
        Comment.objects.filter(note=OuterRef("pk"), **visible_comment)
        .filter(
            Q(parent__isnull=True)
            | Q(**{f"parent__{name}": value for name, value in visible_comment.items()})
        )
        .order_by()
        .values("note")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    notes.update(
        likes_count=_count_of(NoteLike, note=OuterRef("pk")),
        collects_count=_count_of(Collect, note=OuterRef("pk")),
        shares_count=_count_of(Share, note=OuterRef("pk")),
        comments_count=Coalesce(Subquery(counted_comments), Value(0)),
    )
    comments = Comment.objects.filter(note__in=notes)
    comments.update(
        likes_count=_count_of(CommentLike, comment=OuterRef("pk")),
        replies_count=_count_of(Comment, parent=OuterRef("pk"), **visible_comment),
    )
    # "Not yet replied": the note author's first answer to a comment or in its thread.
    answers = Comment.objects.filter(
        Q(reply_to_id=OuterRef("pk")) | Q(parent_id=OuterRef("pk")),
        author_id=OuterRef("note_author_id"),
    )
    comments.filter(Exists(answers)).update(
        creator_replied_at=Subquery(
            answers.order_by()
            .values("author_id")
            .annotate(first=Min("created_at"))
            .values("first")[:1]
        )
    )

    # Profiles: one GROUP BY over the notes others can see, written where it differs.
    totals = {
        row["author_id"]: (row["n"], row["likes"] or 0, row["collects"] or 0)
        for row in Note.objects.filter(PUBLICLY_VISIBLE)
        .order_by()
        .values("author_id")
        .annotate(n=Count("pk"), likes=Sum("likes_count"), collects=Sum("collects_count"))
    }
    profiles = Profile.objects.all()
    if note_ids is not None:
        profiles = profiles.filter(user_id__in=notes.values("author_id"))
    stale = []
    for profile in profiles.only(
        "user_id", "notes_count", "likes_received_count", "collects_received_count"
    ).iterator(chunk_size=5000):
        expected = totals.get(profile.user_id, (0, 0, 0))
        current = (
            profile.notes_count,
            profile.likes_received_count,
            profile.collects_received_count,
        )
        if current != expected:
            (
                profile.notes_count,
                profile.likes_received_count,
                profile.collects_received_count,
            ) = expected
            stale.append(profile)
    Profile.objects.bulk_update(
        stale,
        ["notes_count", "likes_received_count", "collects_received_count"],
        batch_size=1000,
    )

    changed = []
    for note in notes.only(
        "pk",
        "published_at",
        "likes_count",
        "collects_count",
        "comments_count",
        "shares_count",
        "rank",
    ).iterator(chunk_size=5000):
        rank = note_rank(
            published_at=note.published_at,
            likes=note.likes_count,
            collects=note.collects_count,
            comments=note.comments_count,
            shares=note.shares_count,
        )
        if rank != note.rank:
            note.rank = rank
            changed.append(note)
    Note.objects.bulk_update(changed, ["rank"], batch_size=1000)
    return len(changed)
