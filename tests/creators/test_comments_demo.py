"""The comment-management demo data: every state present for the demo creator, idempotent."""

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper

from apps.accounts.models import User
from apps.core.seeding import DemoContext
from apps.creators.comments_demo import seed_comments
from apps.creators.models import BlockedWord, TrustedCommenter
from apps.notes.models import Comment, Note
from tests.creators.comments_factories import assert_counters_exact

pytestmark = pytest.mark.django_db


def _context() -> DemoContext:
    demo = User.objects.get(username="demo")
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    return DemoContext(
        rng=random.Random(0),
        options={"seed": 0},
        user_ids=user_ids,
        creator_ids=user_ids[:5],
        demo_user_id=demo.pk,
        progress=False,
        stdout=OutputWrapper(io.StringIO()),
    )


def test_seed_comments_gives_the_demo_creator_every_state_once() -> None:
    # seed_demo runs seed_comments itself; running it again here must change nothing.
    call_command("seed_demo", users=40, notes=40, events=0, quiet=True)
    ctx = _context()
    seed_comments(ctx)

    def snapshot() -> tuple:
        mine = Comment.objects.filter(note_author_id=ctx.demo_user_id)
        return (
            sorted(mine.values_list("id", "creator_state", "pinned_at")),
            sorted(BlockedWord.objects.filter(creator_id=ctx.demo_user_id).values_list("word")),
            TrustedCommenter.objects.filter(creator_id=ctx.demo_user_id).count(),
            sorted(Note.objects.filter(author_id=ctx.demo_user_id).values_list("who_can_comment")),
        )

    first = snapshot()
    states = {state for _, state, _ in first[0]}
    assert {"visible", "held", "hidden"} <= states
    assert sum(1 for *_, pinned in first[0] if pinned) == 1
    assert len(first[1]) == 3 and first[2] == 2
    assert ("fans",) in first[3]
    assert_counters_exact()

    seed_comments(ctx)
    assert snapshot() == first
