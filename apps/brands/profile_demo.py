"""Demo cooperation profiles for ``manage.py seed_demo``: every demo creator opts in.

Rate cards, categories and availability are drawn from a generator seeded by the creator's id,
so a re-run draws the same; profiles are inserted with ``ignore_conflicts`` (existing ones are
left alone) and the discovery rows are then refreshed in batches, a fixed number of queries per
batch, fast on SQLite too. Whether a demo creator is listed to brands is computed as always
(fans, recent notes, strikes): with the default 300 users few reach 5,000 fans; run
``seed_demo --users 100000`` or lower ``BRANDS_MIN_FANS`` to see a long discovery list.
"""

import random
import time
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Category
from apps.brands.discovery_refresh import discovery_refresh_all
from apps.brands.profile_models import (
    Availability,
    CooperationProfile,
    CooperationProfileCategory,
)
from apps.core.seeding import DemoContext
from apps.moderation.screening import Action, Surface, screen_text

PITCHES = [
    "五年护肤测评，成分党，真实使用四周再出稿。",
    "专注城市探店与周末短途，图文和视频都能做。",
    "母婴好物分享，两个孩子的妈妈，只推自己用过的。",
    "健身增肌日常，器械与饮食搭配，欢迎运动品牌合作。",
    "",
]
AVAILABILITY_WEIGHTS = [
    (Availability.AVAILABLE, 70),
    (Availability.BUSY, 20),
    (Availability.NOT_TAKING_WORK, 10),
]


def _pitches() -> list[str]:
    """The demo pitches that screening lets through as they are."""
    return [
        text
        for text in PITCHES
        if screen_text(surface=Surface.COOPERATION_PITCH, text=text).action == Action.ALLOW
    ]


def _profile(creator_id: int, pitches: list[str], today: date) -> CooperationProfile:
    rng = random.Random(f"brands-demo-{creator_id}")
    base = rng.choice([50_000, 120_000, 300_000, 800_000, 2_000_000])
    availability = rng.choices(
        [value for value, _ in AVAILABILITY_WEIGHTS], [w for _, w in AVAILABILITY_WEIGHTS]
    )[0]
    return CooperationProfile(
        creator_id=creator_id,
        rate_image_note=base,
        rate_video_note=base * 2 if rng.random() < 0.7 else None,
        rate_live_mention=base // 2 if rng.random() < 0.3 else None,
        availability=availability,
        busy_until=(
            today + timedelta(days=rng.randint(3, 40))
            if availability == Availability.BUSY
            else None
        ),
        pitch=rng.choice(pitches) if pitches else "",
    )


def seed(ctx: DemoContext) -> None:
    started = time.monotonic()
    today = timezone.localdate()
    pitches = _pitches()
    category_ids = list(Category.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        CooperationProfile.objects.bulk_create(
            [_profile(creator_id, pitches, today) for creator_id in ctx.creator_ids],
            ignore_conflicts=True,
            batch_size=2_000,
        )
        links = []
        for creator_id in ctx.creator_ids:
            rng = random.Random(f"brands-demo-categories-{creator_id}")
            for category_id in rng.sample(category_ids, min(2, len(category_ids))):
                links.append(
                    CooperationProfileCategory(profile_id=creator_id, category_id=category_id)
                )
        CooperationProfileCategory.objects.bulk_create(
            links, ignore_conflicts=True, batch_size=5_000
        )
    written = discovery_refresh_all()
    listed = CooperationProfile.objects.filter(discovery_row__eligible=True).count()
    ctx.stdout.write(
        f"brands: {written} cooperation profiles refreshed, {listed} listed to brands in "
        f"{time.monotonic() - started:.1f}s",
        ending="\n",
    )
