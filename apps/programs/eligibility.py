"""Which creators a growth program's rules admit, as one set-based statement.

The nightly job inserts an invitation for every eligible creator with one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per program (a creator invited, applied or
decided before is left alone by the unique (program, creator) key), so 100,000 creators cost one
statement per program, not 100,000 round trips. Each rule is a filter or a correlated subquery
served by an index: fans on the profile row, notes through ``note_author_public_idx``,
engagement through ``creator_daily``'s ``(creator_id, day)`` key, strikes through
``strike_user_idx``, contracts through ``contract_creator_idx``.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Profile
from apps.analytics.days import local_today
from apps.analytics.metrics_programs import engagement_rate_subquery
from apps.analytics.periods import period_ending
from apps.moderation.selectors import users_with_active_strikes
from apps.notes.selectors import public_notes_published_since
from apps.programs.models import (
    RUNNING_STATES,
    AgencyContract,
    AgencyRequirement,
    ApplicationStatus,
    GrowthProgram,
)

WINDOW_DAYS = 30


def eligible_creators(program: GrowthProgram, *, now: datetime | None = None) -> QuerySet:
    """``user_id`` of every active creator the program's rules admit at ``now`` (a queryset).

    Rules: at least ``min_fans`` fans; at least ``min_notes_30d`` public notes published in the
    last 30 days (in the program's categories, and at least one there when categories are set);
    an engagement rate (engagements / reads over the last 30 complete days) of at least
    ``min_engagement_rate`` when it is above 0; no active strike when required; signed with an
    agency, or not, as required.
    """
    now = now or timezone.now()
    category_ids = list(program.categories.values_list("pk", flat=True))
    profiles = Profile.objects.filter(user__is_active=True, fans_count__gte=program.min_fans)
    min_notes = max(program.min_notes_30d, 1 if category_ids else 0)
    if min_notes:
        notes = (
            public_notes_published_since(
                since=now - timedelta(days=WINDOW_DAYS), category_ids=category_ids
            )
            .filter(author_id=OuterRef("user_id"))
            .values("author_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        profiles = profiles.annotate(
            notes_30d=Coalesce(Subquery(notes, output_field=IntegerField()), 0)
        ).filter(notes_30d__gte=min_notes)
    if program.min_engagement_rate > 0:
        period = period_ending(end=local_today(now) - timedelta(days=1), days=WINDOW_DAYS)
        profiles = profiles.annotate(
            engagement_rate=Subquery(engagement_rate_subquery(period=period, creator_ref="user_id"))
        ).filter(engagement_rate__gte=float(program.min_engagement_rate))
    if program.no_active_strikes:
        profiles = profiles.exclude(
            Exists(users_with_active_strikes().filter(user_id=OuterRef("user_id")))
        )
    running = AgencyContract.objects.filter(
        creator_id=OuterRef("user_id"), status__in=RUNNING_STATES
    )
    if program.agency_requirement == AgencyRequirement.SIGNED:
        profiles = profiles.filter(Exists(running))
    elif program.agency_requirement == AgencyRequirement.UNSIGNED:
        profiles = profiles.exclude(Exists(running))
    return profiles.values("user_id")


def invitations_insert(program: GrowthProgram, *, now: datetime) -> list[int]:
    """Invite every eligible creator not yet known to the program; the ids invited now."""
    eligible_sql, params = eligible_creators(program, now=now).query.sql_with_params()
    # "WHERE 1 = 1": SQLite needs it to parse ON CONFLICT after INSERT ... SELECT.
    statement = (
        "INSERT INTO programs_programapplication "
        "(program_id, creator_id, status, invited_at, reason, created_at, updated_at) "
        f"SELECT %s, eligible.user_id, %s, %s, '', %s, %s FROM ({eligible_sql}) AS eligible "
        "WHERE 1 = 1 ON CONFLICT (program_id, creator_id) DO NOTHING RETURNING creator_id"
    )
    head = [program.pk, ApplicationStatus.INVITED, now, now, now]
    with connection.cursor() as cursor:
        cursor.execute(statement, [*head, *params])
        return [row[0] for row in cursor.fetchall()]
