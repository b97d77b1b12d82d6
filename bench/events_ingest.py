"""Event ingestion throughput through the real endpoint: POST /api/v1/events, batches of 500.

Requests go through Django's full stack in process (middleware, JWT authentication, throttle,
parsing, validation, the note-author and viewer-snapshot lookups, one insert per batch) against
the configured database, from ``concurrency`` client threads. Request bodies are encoded before
the clock starts: the figure is the server's work, not the client's.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/events_ingest.py \
        [--events 200000] [--batch 500] [--concurrency 2]

``run(count)`` is imported by other benchmarks; it seeds what it needs (bench users with
profiles and interests, and a few hundred notes when the notes app exists) and returns
``{"events", "seconds", "events_per_second", ...}``.
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_USERS = 20
BENCH_NOTES = 300
# The client mix: what a feed session sends.
MIX = [
    ("impression", 70),
    ("view", 18),
    ("video_watch", 6),
    ("share", 2),
    ("profile_visit", 4),
]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _seed() -> tuple[list[Any], list[tuple[int, int]], int]:
    """Bench users (viewers with a profile) and notes; returns users, (note, author), creator."""
    from django.utils import timezone

    from apps.accounts.models import Category, Profile, User
    from apps.analytics.selectors import note_model

    users = []
    categories = list(Category.objects.order_by("pk")[:6])
    for i in range(BENCH_USERS):
        user, created = User.objects.get_or_create(username=f"bench_events_{i:02d}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": f"bench {i}",
                "gender": ("female", "male")[i % 2],
                "birth_year": 1980 + i,
                "region": ("shanghai", "guangdong", "sichuan")[i % 3],
            },
        )
        if categories:
            Profile.objects.get(user=user).interests.set(categories[i % 3 : i % 3 + 3])
        users.append(user)
    creator, _ = User.objects.get_or_create(username="bench_events_creator")
    Profile.objects.get_or_create(user=creator, defaults={"display_name": "bench creator"})

    notes: list[tuple[int, int]] = []
    model = note_model()
    if model is not None:
        existing = list(
            model._default_manager.filter(author=creator).values_list("pk", "author_id")[
                :BENCH_NOTES
            ]
        )
        if len(existing) < BENCH_NOTES:
            names = {f.name for f in model._meta.get_fields()}
            # Publicly visible notes: events on notes the sender cannot see are refused.
            extra = {"status": "published"} if "status" in names else {}
            if "published_at" in names:
                extra["published_at"] = timezone.now()
            model._default_manager.bulk_create(
                [
                    model(author=creator, kind=("image", "video")[i % 4 == 0], **extra)
                    for i in range(BENCH_NOTES - len(existing))
                ]
            )
            existing = list(
                model._default_manager.filter(author=creator).values_list("pk", "author_id")[
                    :BENCH_NOTES
                ]
            )
        notes = existing
    return users, notes, creator.pk


def _bodies(count: int, batch: int, notes: list[tuple[int, int]], creator_id: int) -> list[bytes]:
    """JSON request bodies of ``batch`` events each, ``count`` events in all, unique ids."""
    import random

    rng = random.Random(2026)
    kinds = [kind for kind, _ in MIX] if notes else ["profile_visit"]
    weights = [weight for _, weight in MIX] if notes else [1]
    now_ms = int(time.time() * 1000)
    bodies = []
    for start in range(0, count, batch):
        events = []
        for kind in rng.choices(kinds, weights, k=min(batch, count - start)):
            event: dict[str, Any] = {
                "client_event_id": uuid.uuid4().hex,
                "kind": kind,
                "source": rng.choice(("feed", "feed", "search", "follow_feed")),
                "occurred_at": now_ms - rng.randint(0, 60_000),
            }
            note_id = notes[int(rng.random() ** 2 * len(notes))][0] if notes else None
            if kind == "profile_visit":
                event["target_user_id"] = creator_id
            else:
                event["note_id"] = note_id
            if kind == "view":
                event["dwell_ms"] = rng.randint(500, 90_000)
            elif kind == "video_watch":
                event["watch_ms"] = rng.randint(1_000, 120_000)
                event["completion"] = round(rng.random(), 3)
            elif kind == "share":
                event["properties"] = {"channel": "wechat"}
            events.append(event)
        bodies.append(json.dumps({"events": events}).encode())
    return bodies


def run(count: int = 100_000, *, batch: int = 500, concurrency: int = 2) -> dict[str, Any]:
    """Post ``count`` events in batches; return the throughput the endpoint sustained."""
    _setup_django()
    from django.db import connection
    from django.test import Client, override_settings
    from rest_framework_simplejwt.tokens import AccessToken

    users, notes, creator_id = _seed()
    bodies = _bodies(count, batch, notes, creator_id)
    tokens = [f"Bearer {AccessToken.for_user(user)}" for user in users]
    errors: list[str] = []
    stored = [0] * concurrency

    def worker(slot: int, barrier: threading.Barrier) -> None:
        client = Client()
        try:
            barrier.wait()
            for n, body in enumerate(bodies[slot::concurrency]):
                response = client.post(
                    "/api/v1/events",
                    body,
                    content_type="application/json",
                    headers={"authorization": tokens[(slot + n * concurrency) % len(tokens)]},
                )
                if response.status_code != 200:
                    errors.append(f"{response.status_code}: {response.content[:200]!r}")
                    return
                stored[slot] += response.json()["stored"]
        finally:
            connection.close()

    with override_settings(DEBUG=False, ANALYTICS_EVENTS_THROTTLE_RATE="1000000/min"):
        barrier = threading.Barrier(concurrency + 1)
        threads = [
            threading.Thread(target=worker, args=(slot, barrier)) for slot in range(concurrency)
        ]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"event batches failed: {errors[0]}")
    total = sum(stored)
    if total != count:
        raise RuntimeError(f"{count} events posted but {total} stored")
    return {
        "events": total,
        "seconds": round(seconds, 3),
        "events_per_second": round(total / seconds),
        "batch": batch,
        "concurrency": concurrency,
        "database": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--min-rate", type=int, default=0, help="exit 1 below this many events per second"
    )
    args = parser.parse_args()
    result = run(args.events, batch=args.batch, concurrency=args.concurrency)
    print(json.dumps(result))
    if result["events_per_second"] < args.min_rate:
        sys.exit(f"below the floor of {args.min_rate} events per second")


if __name__ == "__main__":
    main()
