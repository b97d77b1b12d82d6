"""Realistic demo data: creators and fans across categories and regions, and their follows.

Idempotent: users are found by deterministic usernames, rows are inserted with
``ignore_conflicts`` and a fixed random seed, and counters are recomputed from the edges, so a
second run changes nothing. ``--users 100000`` (1,000,000 follows by default) runs in minutes
through bulk inserts.
"""

import random
import time
from datetime import timedelta
from itertools import accumulate, islice
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from tqdm import tqdm

from apps.accounts.models import Block, Category, Follow, FollowSource, Gender, Profile, User
from apps.accounts.regions import REGIONS
from apps.core.seeding import DemoContext, demo_modules

BATCH = 5_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "小雨晴悦然欣怡子涵梓萱一诺可馨思琪雅静嘉怡佳琪梦瑶诗雨"
CREATOR_STYLES = [
    "的日常",
    "爱分享",
    "生活志",
    "Vlog",
    "种草机",
    "研究所",
    "笔记",
    "の小屋",
]
BIOS = [
    "认真生活，慢慢变好 ✨",
    "每周更新好物分享，合作请私信",
    "一个爱旅行的摄影师",
    "成分党 | 敏感肌 | 真实测评",
    "健身三年，分享训练和饮食",
    "新手妈妈，记录宝宝成长",
    "数码爱好者，只说真话",
    "",
]
# Regions weighted roughly by where the community's users live.
REGION_WEIGHTS = {"shanghai": 9, "beijing": 8, "guangdong": 10, "zhejiang": 7, "jiangsu": 6}
SOURCE_WEIGHTS = [
    (FollowSource.NOTE, 55),
    (FollowSource.PROFILE, 20),
    (FollowSource.SEARCH, 10),
    (FollowSource.LIVE, 8),
    (FollowSource.PROMOTION, 5),
    (FollowSource.OTHER, 2),
]


def _batched(items: list, size: int):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Command(BaseCommand):
    help = "Seed realistic demo data (idempotent). --users scales to 100,000 for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=300, help="total users (default 300)")
        parser.add_argument(
            "--follows", type=int, default=None, help="follow edges (default 10 per user)"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--quiet", action="store_true", help="no progress bars")
        for module in demo_modules():
            if hasattr(module, "add_arguments"):
                module.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rng = random.Random(options["seed"])
        total_users = max(options["users"], 10)
        total_follows = options["follows"] if options["follows"] is not None else total_users * 10
        self.progress = not options["quiet"]

        self._ensure_staff_accounts()
        user_ids = self._seed_users(rng, total_users)
        creator_count = max(5, total_users // 20)
        creators, fans = user_ids[:creator_count], user_ids
        self._seed_follows(rng, creators, fans, total_follows)
        self._seed_blocks(rng, user_ids)
        self._recount()
        context = DemoContext(
            rng=rng,
            options=options,
            user_ids=user_ids,
            creator_ids=creators,
            demo_user_id=User.objects.get(username="demo").pk,
            progress=self.progress,
            stdout=self.stdout,
        )
        for module in demo_modules():
            module.seed(context)

        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: {User.objects.count()} users, {Follow.objects.count()} follows "
                f"in {elapsed:.1f}s{self._database_size()}"
            )
        )

    # --- steps ----------------------------------------------------------------------------

    def _ensure_staff_accounts(self) -> None:
        password = settings.SEED_DEMO_PASSWORD
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(password)
            admin.save()
        demo, created = User.objects.get_or_create(username="demo")
        if created:
            demo.set_password(password)
            demo.save()
        Profile.objects.get_or_create(user=admin, defaults={"display_name": "运营小助手"})
        Profile.objects.get_or_create(
            user=demo, defaults={"display_name": "Demo 创作者", "region": "shanghai"}
        )

    def _seed_users(self, rng: random.Random, total: int) -> list[int]:
        password_hash = make_password(settings.SEED_DEMO_PASSWORD)  # hashed once for all
        categories = list(Category.objects.order_by("position"))
        region_codes = [code for code, _, _ in REGIONS]
        region_cum = list(accumulate(REGION_WEIGHTS.get(code, 2) for code in region_codes))
        creator_count = max(5, total // 20)
        now = timezone.now()

        names = [f"creator_{i:06d}" if i < creator_count else f"fan_{i:06d}" for i in range(total)]
        users = [
            User(
                username=name,
                password=password_hash,
                date_joined=now - timedelta(days=rng.randint(1, 900)),
            )
            for name in names
        ]
        for chunk in tqdm(
            list(_batched(users, BATCH)),
            desc="users",
            disable=None if self.progress else True,
            leave=False,
        ):
            User.objects.bulk_create(chunk, ignore_conflicts=True)

        ids_by_name = dict(User.objects.filter(username__in=names).values_list("username", "id"))
        user_ids = [ids_by_name[name] for name in names]

        profiles = []
        interest_rows = []
        through = Profile.interests.through
        for index, user_id in enumerate(user_ids):
            is_creator = index < creator_count
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
            if is_creator:
                name += rng.choice(CREATOR_STYLES)
            profiles.append(
                Profile(
                    user_id=user_id,
                    display_name=name,
                    bio=rng.choice(BIOS) if is_creator else "",
                    gender=rng.choices(
                        [Gender.FEMALE, Gender.MALE, Gender.UNDISCLOSED], [70, 22, 8]
                    )[0],
                    birth_year=rng.randint(1970, 2008),
                    region=rng.choices(region_codes, cum_weights=region_cum)[0],
                )
            )
            for category in rng.sample(categories, rng.randint(1, 4)):
                interest_rows.append(through(profile_id=user_id, category_id=category.pk))
        for chunk in tqdm(
            list(_batched(profiles, BATCH)),
            desc="profiles",
            disable=None if self.progress else True,
            leave=False,
        ):
            Profile.objects.bulk_create(chunk, ignore_conflicts=True)
        for chunk in tqdm(
            list(_batched(interest_rows, BATCH * 2)),
            desc="interests",
            disable=None if self.progress else True,
            leave=False,
        ):
            through.objects.bulk_create(chunk, ignore_conflicts=True)
        return user_ids

    def _seed_follows(
        self, rng: random.Random, creators: list[int], fans: list[int], total: int
    ) -> None:
        # Creator popularity follows a long tail: a few creators hold most fans.
        creator_cum = list(accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(creators))))
        sources = [source for source, _ in SOURCE_WEIGHTS]
        source_cum = list(accumulate(weight for _, weight in SOURCE_WEIGHTS))
        target = min(total, len(fans) * (len(fans) - 1))
        pairs: set[tuple[int, int]] = set()
        attempts = 0
        while len(pairs) < target and attempts < target * 4:
            attempts += 1
            follower = fans[rng.randrange(len(fans))]
            if rng.random() < 0.85:
                followee = rng.choices(creators, cum_weights=creator_cum)[0]
            else:
                followee = fans[rng.randrange(len(fans))]
            if follower != followee:
                pairs.add((follower, followee))
        now = timezone.now()
        edges = [
            Follow(
                follower_id=follower,
                followee_id=followee,
                source=rng.choices(sources, cum_weights=source_cum)[0],
                created_at=now - timedelta(seconds=rng.randint(0, 365 * 86400)),
            )
            for follower, followee in sorted(pairs)
        ]
        for chunk in tqdm(
            list(_batched(edges, BATCH * 2)),
            desc="follows",
            disable=None if self.progress else True,
            leave=False,
        ):
            Follow.objects.bulk_create(chunk, ignore_conflicts=True)

    def _seed_blocks(self, rng: random.Random, user_ids: list[int]) -> None:
        blocks = []
        for _ in range(max(1, len(user_ids) // 200)):
            blocker, blocked = rng.sample(user_ids, 2)
            blocks.append(Block(blocker_id=blocker, blocked_id=blocked))
        Block.objects.bulk_create(blocks, ignore_conflicts=True)
        # A block ends follows both ways, as block_create does.
        for block in blocks:
            Follow.objects.filter(
                follower_id__in=(block.blocker_id, block.blocked_id),
                followee_id__in=(block.blocker_id, block.blocked_id),
            ).delete()

    @transaction.atomic
    def _recount(self) -> None:
        """Counters from the edges themselves, one set-based UPDATE each."""

        def count_of(field: str) -> Coalesce:
            edges = (
                Follow.objects.filter(**{field: OuterRef("user_id")})
                .order_by()
                .values(field)
                .annotate(n=Count("id"))
                .values("n")
            )
            return Coalesce(Subquery(edges), Value(0))

        Profile.objects.update(
            fans_count=count_of("followee"), following_count=count_of("follower")
        )

    def _database_size(self) -> str:
        if connection.vendor != "postgresql":
            return ""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return f"; database size {cursor.fetchone()[0]}"
