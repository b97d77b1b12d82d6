"""Discovery feed against a bare one-query view, and event ingestion, side by side.

Seeds demo data (``seed_demo``: users, follows, notes with engagement; idempotent), then sends
requests through Django's whole stack in process (WSGI handler, middleware, URL routing):

* ``GET /api/v1/feed/discover`` as real viewers with JWT bearer tokens (authentication, the
  viewer's interests, the two ranked index walks, author cards, "liked" flags, DRF rendering);
* a bare Django view on the same data: one query for a page of public notes with their
  authors, turned into JSON by hand (no DRF, no authentication).

Each runs the same number of requests, interleaved in rounds so drift hits both alike, and the
figure is requests per second (goal: the feed at least half the bare view). Then, when
``bench/events_ingest.py`` exists, its ``run(count)`` posts event batches to
``POST /api/v1/events`` and reports events per second (goal: 20,000 on 2 cores).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/feed_and_events.py [--notes 20000] [--users 5000] \\
        [--requests 2000] [--events 200000]

The database named by DATABASE_URL is created if missing and migrated.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGE_SIZE = 20
VIEWERS = 20


def _ensure_database() -> None:
    """Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


# --- the bare baseline --------------------------------------------------------------------


def bare_feed(request: Any) -> Any:
    """One query: the newest page of public notes with their authors, as JSON, nothing else."""
    from django.http import JsonResponse

    from apps.notes.models import PUBLICLY_VISIBLE, Note

    notes = (
        Note.objects.filter(PUBLICLY_VISIBLE)
        .select_related("author__profile")
        .order_by("-published_at", "-id")[:PAGE_SIZE]
    )
    results = [
        {
            "id": note.pk,
            "kind": note.kind,
            "title": note.title,
            "cover": note.cover.url if note.cover else None,
            "author": {
                "id": note.author_id,
                "username": note.author.username,
                "display_name": note.author.profile.display_name,
            },
            "likes_count": note.likes_count,
            "published_at": note.published_at.isoformat(),
        }
        for note in notes
    ]
    return JsonResponse({"results": results})


def _urlpatterns() -> list:
    from django.urls import include, path

    return [path("bench/bare-feed", bare_feed), path("", include("config.urls"))]


urlpatterns: list = []  # filled in main(), once Django is set up


# --- seeding and measuring ------------------------------------------------------------------


def seed(*, users: int, notes: int) -> None:
    from django.core.management import call_command, load_command_class

    command = load_command_class("apps.accounts", "seed_demo")
    accepted = {action.dest for action in command.create_parser("manage.py", "seed_demo")._actions}
    options: dict[str, Any] = {"users": users, "notes": notes, "quiet": True}
    if "events" in accepted:
        options["events"] = 0  # events are the ingestion bench's own business
    call_command("seed_demo", **options)


def _viewer_tokens() -> list[str]:
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.accounts.models import Profile, User

    with_interests = (
        Profile.interests.through.objects.values_list("profile_id", flat=True)
        .distinct()
        .order_by("profile_id")[:VIEWERS]
    )
    viewers = User.objects.filter(pk__in=list(with_interests))
    return [f"Bearer {AccessToken.for_user(user)}" for user in viewers]


def _timed(send: Callable[[int], None], count: int) -> list[float]:
    timings = []
    for n in range(count):
        started = time.perf_counter()
        send(n)
        timings.append(time.perf_counter() - started)
    return timings


def measure_feed(*, requests: int, rounds: int = 4) -> dict[str, Any]:
    """Requests per second of the discovery feed and of the bare view, interleaved."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    tokens = _viewer_tokens()
    if not tokens:
        raise RuntimeError("no viewers with interests: seed first")
    feed_url = f"/api/v1/feed/discover?page_size={PAGE_SIZE}"

    def feed(n: int) -> None:
        response = client.get(feed_url, headers={"authorization": tokens[n % len(tokens)]})
        # A page holds PAGE_SIZE organic notes, plus any promoted ones the feed slots insert.
        if response.status_code != 200 or len(response.json()["results"]) < PAGE_SIZE:
            raise RuntimeError(f"discovery feed answered {response.status_code}")

    def bare(n: int) -> None:
        response = client.get("/bench/bare-feed")
        if response.status_code != 200:
            raise RuntimeError(f"bare view answered {response.status_code}")

    # Pages 2 to 5 of every viewer, found by following the cursors once, before the clock.
    deep_pages: list[tuple[str, str]] = []
    for token in tokens:
        url = feed_url
        for _ in range(4):
            url = client.get(url, headers={"authorization": token}).json()["next"]
            if url is None:
                break
            deep_pages.append((url, token))

    def deep(n: int) -> None:
        url, token = deep_pages[n % len(deep_pages)]
        response = client.get(url, headers={"authorization": token})
        # A page holds PAGE_SIZE organic notes, plus any promoted ones the feed slots insert.
        if response.status_code != 200 or len(response.json()["results"]) < PAGE_SIZE:
            raise RuntimeError(f"discovery feed (later page) answered {response.status_code}")

    # Counted at once: the captured list is a live slice of a log each request clears.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        feed(0)
    feed_queries = len(captured)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        bare(0)
    bare_queries = len(captured)
    _timed(feed, 100)  # warm caches, connections and code paths
    _timed(bare, 100)
    feed_times: list[float] = []
    deep_times: list[float] = []
    bare_times: list[float] = []
    per_round = max(requests // rounds, 1)
    for _ in range(rounds):
        feed_times += _timed(feed, per_round)
        deep_times += _timed(deep, per_round)
        bare_times += _timed(bare, per_round)

    def summary(times: list[float], queries: int) -> dict[str, Any]:
        ordered = sorted(times)
        return {
            "requests": len(times),
            "requests_per_second": round(len(times) / sum(times), 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
            "queries": queries,
        }

    result = {
        "feed": summary(feed_times, feed_queries),
        "deep": summary(deep_times, feed_queries),
        "bare": summary(bare_times, bare_queries),
    }
    result["ratio"] = round(
        result["feed"]["requests_per_second"] / result["bare"]["requests_per_second"], 3
    )
    return result


def measure_events(count: int) -> dict[str, Any] | None:
    try:
        from bench.events_ingest import run
    except ImportError:
        return None
    return run(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--notes", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=2_000, help="per view")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--no-seed", action="store_true", help="use the data already there")
    args = parser.parse_args()

    _ensure_database()
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from apps.notes.models import PUBLICLY_VISIBLE, Note

    global urlpatterns
    urlpatterns = _urlpatterns()
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False  # no query logging in either view

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if not args.no_seed:
        seed(users=args.users, notes=args.notes)
    public = Note.objects.filter(PUBLICLY_VISIBLE).count()
    print(
        f"data: {Note.objects.count():,} notes ({public:,} public) on {connection.vendor}, "
        f"seeded in {time.monotonic() - started:.1f}s"
    )

    feed = measure_feed(requests=args.requests)
    events = measure_events(args.events) if args.events else None

    rows = [
        ("discovery feed, GET /api/v1/feed/discover", feed["feed"], "req/s"),
        ("  the same, pages 2 to 5 (cursor)", feed["deep"], "req/s"),
        ("bare Django view, one query", feed["bare"], "req/s"),
    ]
    print(f"\n{'':44} {'figure':>12}  {'p50 ms':>7} {'p95 ms':>7} {'queries':>7}")
    for label, row, unit in rows:
        print(
            f"{label:44} {row['requests_per_second']:>8,.0f} {unit:<5}"
            f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['queries']:>7}"
        )
    print(f"{'feed (first pages) / bare (goal >= 0.50)':44} {feed['ratio']:>8.2f}")
    if events is None:
        print("event ingestion: bench/events_ingest.py is not there yet")
    else:
        print(
            f"{'event ingestion, POST /api/v1/events':44} "
            f"{events['events_per_second']:>8,} ev/s  ({events['events']:,} events, "
            f"batches of {events.get('batch', '?')}, {events.get('concurrency', '?')} clients; "
            "goal >= 20,000)"
        )


if __name__ == "__main__":
    main()
