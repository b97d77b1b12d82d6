"""Comment-management demo data for ``manage.py seed_demo``: the ``demo`` creator's filters and
comments in every state, so each creator-center comment screen has something to show.

``seed_demo`` calls ``seed_comments(ctx)`` from the creators demo, after the notes are seeded.
The demo user gets three blocked words (hide, hold, block), two trusted commenters, comments
held and hidden by those words (written through ``comment_create``, so counters stay exact), a
pinned comment and one fans-only note. Idempotent: words, trusted users (when the creator has
none) and comments are looked up before they are added, and a pin or a setting already in place
is left alone.
"""

import random

from apps.accounts.models import Block, User
from apps.core.errors import DomainError
from apps.core.seeding import DemoContext
from apps.creators.comments_services import comment_pin
from apps.creators.models import BlockedWord, BlockedWordAction, TrustedCommenter
from apps.moderation.normalize import normalize
from apps.notes.models import (
    COUNTED_COMMENT,
    Comment,
    CommentPermission,
    Note,
    NoteStatus,
    NoteVisibility,
)
from apps.notes.services import comment_create

DEMO_WORDS = [
    ("丑", BlockedWordAction.HIDE),
    ("私信我", BlockedWordAction.HOLD),
    ("骗子", BlockedWordAction.BLOCK),
]
# (body, how many) written by seeded users on the demo user's notes.
DEMO_FILTERED_COMMENTS = [("私信我，有优惠", 3), ("这个颜色有点丑", 2)]


def seed_comments(ctx: DemoContext) -> None:
    demo = User.objects.filter(pk=ctx.demo_user_id).first()
    notes = list(
        Note.objects.filter(
            author_id=ctx.demo_user_id,
            status=NoteStatus.PUBLISHED,
            visibility=NoteVisibility.PUBLIC,
        ).order_by("pk")
    )
    if demo is None or not notes:
        return
    rng = random.Random(f"comments-demo-{ctx.options.get('seed', 0)}")
    blocked = set(Block.objects.filter(blocker_id=demo.pk).values_list("blocked_id", flat=True))
    blocked |= set(Block.objects.filter(blocked_id=demo.pk).values_list("blocker_id", flat=True))
    writers = [pk for pk in ctx.user_ids if pk != demo.pk and pk not in blocked]
    if len(writers) < 4:
        return

    for word, action in DEMO_WORDS:
        BlockedWord.objects.get_or_create(
            creator=demo, normalized=normalize(word), defaults={"word": word, "action": action}
        )
    if not TrustedCommenter.objects.filter(creator=demo).exists():
        for user_id in sorted(rng.sample(writers, 2)):
            TrustedCommenter.objects.get_or_create(creator=demo, user_id=user_id)
    trusted = set(TrustedCommenter.objects.filter(creator=demo).values_list("user_id", flat=True))
    untrusted = [pk for pk in writers if pk not in trusted]

    added = 0
    for body, count in DEMO_FILTERED_COMMENTS:
        for index in range(count):
            note = notes[index % len(notes)]
            author = User.objects.get(pk=untrusted[(index * 7 + len(body)) % len(untrusted)])
            if Comment.objects.filter(note=note, author=author, body=body).exists():
                continue
            try:
                comment_create(author=author, note_id=note.pk, body=body)
                added += 1
            except DomainError:  # a restricted seeded account, or a moderation rule: skip it
                continue

    # One pinned comment: the first top-level comment on the demo user's earliest commented note.
    if not Comment.objects.filter(note__in=notes, pinned_at__isnull=False).exists():
        candidate = (
            Comment.objects.filter(note__in=notes, parent__isnull=True, **COUNTED_COMMENT)
            .order_by("note_id", "pk")
            .first()
        )
        try:
            if candidate is None:  # no reader has commented yet: a trusted commenter does
                fan = User.objects.get(pk=min(trusted))
                candidate = comment_create(author=fan, note_id=notes[0].pk, body="收藏了，求更新！")
            comment_pin(note_author=demo, comment_id=candidate.pk)
        except DomainError:  # a restricted seeded account: no pin this time
            pass
    if len(notes) > 1:
        Note.objects.filter(pk=notes[-1].pk).update(who_can_comment=CommentPermission.FANS)
    ctx.stdout.write(f"comments: {added} filtered comments for the demo creator", ending="\n")
