"""What programs put on the operator console's home: applications waiting for a decision.

Registered from ``ProgramsConfig.ready()``.
"""

from apps.core.console import (
    CREATORS_AND_BRANDS,
    PendingLine,
    PendingWork,
    admin_url,
    register_app_section,
    register_pending,
)
from apps.programs.models import ApplicationStatus, ProgramApplication


def application_lines() -> list[PendingLine]:
    """Program applications to approve or reject (one indexed count)."""
    waiting = ProgramApplication.objects.filter(status=ApplicationStatus.APPLIED).count()
    return [
        PendingLine(
            "Applications to decide",
            waiting,
            admin_url("programs_programapplication_changelist", "status__exact=applied"),
        )
    ]


def register() -> None:
    register_app_section("programs", CREATORS_AND_BRANDS)
    register_pending(
        PendingWork(
            key="programs.applications",
            section=CREATORS_AND_BRANDS,
            title="Growth programs",
            permission="programs.view_programapplication",
            lines=application_lines,
        )
    )
