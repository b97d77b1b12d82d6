"""Creator-center demo data for ``manage.py seed_demo``: comment filters, fans, then rollups.

The demo user's comment filters and comments in every state come first (``comments_demo``;
they need only the seeded notes).

The ``demo`` account gets ``DEMO_FANS`` fans among the seeded users (follow edges through its
notes, its profile, search, live rooms and promotions), enough for its fan demographics, active
fans and active hours to show. Then the nightly rollups run over the last ``--rollup-days`` days
(default 90) of seeded events, so every creator-center screen has figures in embedded mode.
Skipped when no events are seeded (``--events 0``).

Idempotent: fans are found by id (``ignore_conflicts``), and a rollup of a day gives the same
rows every time.
"""

import random
import time
from datetime import timedelta

from django.core.management.base import CommandParser
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Block, Follow, FollowSource, Profile
from apps.analytics.days import local_yesterday
from apps.analytics.rollups import rollup_backfill
from apps.core.seeding import DemoContext
from apps.creators.comments_demo import seed_comments
from apps.notes.models import Note

DEFAULT_ROLLUP_DAYS = 90
DEMO_FANS = 240
FAN_SOURCES = [
    (FollowSource.NOTE, 55),
    (FollowSource.PROFILE, 20),
    (FollowSource.SEARCH, 10),
    (FollowSource.LIVE, 8),
    (FollowSource.PROMOTION, 7),
]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--rollup-days",
        type=int,
        default=DEFAULT_ROLLUP_DAYS,
        help=f"days of creator-center rollups to compute, ending yesterday (default "
        f"{DEFAULT_ROLLUP_DAYS}; 0 for none)",
    )


def seed(ctx: DemoContext) -> None:
    seed_comments(ctx)
    if not ctx.options.get("events"):
        return
    started = time.monotonic()
    fans = _demo_fans(ctx)
    days = max(int(ctx.options.get("rollup_days") or 0), 0)
    if days:
        yesterday = local_yesterday()
        rollup_backfill(
            first=yesterday - timedelta(days=days - 1), last=yesterday, progress=ctx.progress
        )
    ctx.stdout.write(
        f"creators: demo user has {fans} fans; {days} days rolled up in "
        f"{time.monotonic() - started:.1f}s",
        ending="\n",
    )


@transaction.atomic
def _demo_fans(ctx: DemoContext) -> int:
    """Seeded users follow the demo account (edges only: the event stream is the analytics
    seed's, written in time order, and its follow events replay edges that existed before)."""
    rng = random.Random(f"creators-demo-{ctx.options.get('seed', 0)}")
    demo = ctx.demo_user_id
    blocked = set(Block.objects.filter(blocker_id=demo).values_list("blocked_id", flat=True)) | set(
        Block.objects.filter(blocked_id=demo).values_list("blocker_id", flat=True)
    )
    candidates = [user_id for user_id in ctx.user_ids if user_id != demo and user_id not in blocked]
    chosen = sorted(rng.sample(candidates, min(DEMO_FANS, len(candidates))))
    note_ids = list(Note.objects.filter(author_id=demo).order_by("pk").values_list("pk", flat=True))
    sources = [source for source, _ in FAN_SOURCES]
    weights = [weight for _, weight in FAN_SOURCES]
    now = timezone.now()
    edges = []
    for follower in chosen:
        source = rng.choices(sources, weights)[0]
        source_id = None
        if source == FollowSource.NOTE and note_ids:
            source_id = rng.choice(note_ids)
        elif source == FollowSource.NOTE:
            source = FollowSource.PROFILE
        elif source in (FollowSource.LIVE, FollowSource.PROMOTION):
            source_id = rng.randint(1, 40)
        made = now - timedelta(seconds=rng.randint(3600, 400 * 86400))
        edges.append(
            Follow(
                follower_id=follower,
                followee_id=demo,
                source=source,
                source_id=source_id,
                created_at=made,
            )
        )
    Follow.objects.bulk_create(edges, ignore_conflicts=True)
    # Counters from the edges, as the accounts seed keeps them (one UPDATE each).
    following = (
        Follow.objects.filter(follower_id=OuterRef("user_id"))
        .order_by()
        .values("follower_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    Profile.objects.filter(user_id__in=chosen).update(
        following_count=Coalesce(Subquery(following), Value(0))
    )
    fans = Follow.objects.filter(followee_id=demo).count()
    Profile.objects.filter(user_id=demo).update(fans_count=fans)
    return fans
