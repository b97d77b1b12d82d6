"""Note writes: create, edit, publish, delete, replace media, moderation decisions, settings.

Lock order: the note row, then (through the counters) the author's profile, changed with
relative updates. Text is screened by moderation before it is stored; files are checked whole
before any is stored, and a refused note leaves none behind.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from apps.accounts.models import Block, Category, User
from apps.core.errors import Forbidden, InvalidInput
from apps.moderation.screening import (
    ScreeningResult,
    Surface,
    ensure_can_post,
    screen_text,
    submit_for_review,
)
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes import hooks
from apps.notes import media as note_media
from apps.notes.constants import BODY_MAX, MAX_IMAGES, TITLE_MAX
from apps.notes.models import (
    CommentPermission,
    MediaKind,
    Note,
    NoteKind,
    NoteMedia,
    NoteMention,
    NoteStatus,
    NoteTopic,
    NoteVisibility,
    Topic,
)
from apps.notes.services.access import note_not_found, note_visible_to
from apps.notes.services.counters import _apply_public_change, _refresh_rank
from apps.notes.text import parse_mentions, parse_topics, search_document, topic_key


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
    if changes.get("visibility") == NoteVisibility.PRIVATE:
        hooks.note_change_check(
            hooks.NoteChange(note_id, actor.pk, hooks.NoteChangeKind.MAKE_PRIVATE)
        )
    if {"title", "body"} & set(changes):
        hooks.note_change_check(hooks.NoteChange(note_id, actor.pk, hooks.NoteChangeKind.EDIT))
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
    hooks.note_change_check(hooks.NoteChange(note_id, actor.pk, hooks.NoteChangeKind.DELETE))
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
