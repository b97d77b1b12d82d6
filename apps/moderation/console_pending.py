"""What moderation puts on the operator console's home: the review queue by age, reports, appeals.

Registered from ``ModerationConfig.ready()``; every line links the admin list filtered to exactly
the items it counts.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.utils import timezone

from apps.core.console import (
    CONTENT_SAFETY,
    PendingLine,
    PendingWork,
    admin_url,
    register_app_section,
    register_pending,
)
from apps.moderation.models import Appeal, AppealStatus, Case, CaseStatus, Report

REVIEW_QUEUE = "moderation_reviewqueuecase_changelist"


def review_queue_lines() -> list[PendingLine]:
    """Open cases by how long they have waited; over a day is late."""
    now = timezone.now()
    hour_ago = (now - timedelta(hours=1)).isoformat()
    day_ago = (now - timedelta(days=1)).isoformat()
    buckets = (
        ("Open under 1 hour", {"opened_at__gte": hour_ago}, False),
        ("Open 1 to 24 hours", {"opened_at__lt": hour_ago, "opened_at__gte": day_ago}, False),
        ("Open over 24 hours", {"opened_at__lt": day_ago}, True),
    )
    open_cases = Case.objects.filter(status=CaseStatus.OPEN)
    return [
        PendingLine(
            label,
            open_cases.filter(**lookups).count(),
            admin_url(REVIEW_QUEUE, urlencode(lookups)),
            late,
        )
        for label, lookups, late in buckets
    ]


def reports_and_appeals_lines() -> list[PendingLine]:
    """Reports waiting on open cases, and appeals nobody has decided yet."""
    reports = Report.objects.filter(case__status=CaseStatus.OPEN).count()
    reported_cases = Case.objects.filter(status=CaseStatus.OPEN, reporter_count__gt=0).count()
    appeals = Appeal.objects.filter(status=AppealStatus.PENDING).count()
    return [
        PendingLine(
            f"Reports on {reported_cases} open case(s)",
            reports,
            admin_url(REVIEW_QUEUE, "reporter_count__gt=0"),
        ),
        PendingLine(
            "Appeals to decide",
            appeals,
            admin_url("moderation_appeal_changelist", "status__exact=pending"),
        ),
    ]


def register() -> None:
    register_app_section("moderation", CONTENT_SAFETY)
    register_pending(
        PendingWork(
            key="moderation.review_queue",
            section=CONTENT_SAFETY,
            title="Review queue",
            permission="moderation.view_reviewqueuecase",
            lines=review_queue_lines,
        )
    )
    register_pending(
        PendingWork(
            key="moderation.reports_appeals",
            section=CONTENT_SAFETY,
            title="Reports and appeals",
            permission="moderation.view_appeal",
            lines=reports_and_appeals_lines,
        )
    )
