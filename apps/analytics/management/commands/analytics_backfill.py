"""``manage.py analytics_backfill --from YYYY-MM-DD --to YYYY-MM-DD``: roll up a range of days.

Runs in this process with a progress bar, each day in its own transaction, newest day first
(see ``apps.analytics.rollups.rollup_backfill``). Safe to interrupt and run again.
"""

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.analytics.rollups import rollup_backfill
from apps.core.errors import DomainError


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Roll up every Asia/Shanghai day of a range into the creator-center tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = _day(options["first"]), _day(options["last"])
        started = time.monotonic()
        try:
            runs = rollup_backfill(first=first, last=last, progress=not options["quiet"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.monotonic() - started
        events = sum(run.events for run in runs)
        self.stdout.write(
            self.style.SUCCESS(
                f"analytics_backfill: {len(runs)} days ({first} to {last}), {events:,} events "
                f"in {elapsed:.1f}s"
            )
        )
