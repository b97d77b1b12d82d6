"""Programs reads: the split resolver, contracts for each side, the agency dashboard, badges.

Every list is one query whatever its length; the dashboard is a fixed number of queries whatever
the number of signed creators (figures from ``apps.analytics.metrics_programs``, income from
``apps.ledger.income_reports``).
"""

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from apps.accounts.models import User
from apps.accounts.organisation_models import Organisation
from apps.accounts.organisation_selectors import ALL_ROLES, get_organisation_for_member
from apps.analytics.days import day_start
from apps.analytics.metrics_programs import creators_period_totals
from apps.analytics.periods import Period
from apps.ledger.income_reports import income_by_user
from apps.ledger.services import Owner
from apps.programs.models import (
    RUNNING_STATES,
    AgencyContract,
    GrowthProgram,
    ProgramApplication,
    ProgramBenefit,
)

DASHBOARD_COLUMNS = (
    "creator_id",
    "username",
    "display_name",
    "revenue_share",
    "fans",
    "new_fans",
    "lost_fans",
    "net_fans",
    "views",
    "engagements",
    "engagement_rate",
    "income",
    "agency_share",
)


def contract_shares(user_ids: Collection[int], at: datetime) -> dict[int, list[tuple[Owner, Any]]]:
    """The income-split resolver: each creator's agency and rate for income posted at ``at``.

    One query through ``contract_split_idx``; registered in ``ProgramsConfig.ready()``. Plain
    SQL: the ledger asks before every creator's income (a live host's gifts, hundreds a second),
    and the ORM's compiler would cost more than the query.
    """
    ids = [int(user_id) for user_id in user_ids]
    if not ids:
        return {}
    moment = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(
            _SHARES_SQL.format(ids=", ".join(["%s"] * len(ids))), [*ids, moment, moment, moment]
        )
        rows = cursor.fetchall()
    shares: dict[int, list[tuple[Owner, Any]]] = {}
    for creator_id, agency_id, rate in rows:
        shares.setdefault(creator_id, []).append((Owner.organisation(agency_id), rate))
    return shares


_SHARES_SQL = (
    f"SELECT creator_id, agency_id, revenue_share FROM {AgencyContract._meta.db_table} "
    "WHERE creator_id IN ({ids}) AND active_from <= %s AND active_until > %s "
    "AND revenue_share > 0 AND (ended_at IS NULL OR ended_at > %s)"
)


def contracts_for_creator(*, user: User) -> QuerySet[AgencyContract]:
    """My contracts and requests, newest first, with the agency (one query)."""
    return AgencyContract.objects.filter(creator_id=user.pk).select_related("agency")


def get_agency_for_member(
    *, user: User, agency_id: int, roles: Collection[str] = ALL_ROLES
) -> Organisation:
    """The agency with the user's membership: 404 to outsiders, 403 to a role not allowed."""
    return get_organisation_for_member(user=user, organisation_id=agency_id, roles=roles)


def contracts_for_agency(*, agency: Organisation) -> QuerySet[AgencyContract]:
    """The agency's contracts and requests, newest first, with the creators (one query)."""
    return AgencyContract.objects.filter(agency_id=agency.pk).select_related("creator__profile")


def agency_dashboard(*, agency: Organisation, period: Period) -> list[dict[str, Any]]:
    """Per signed creator who consented to share data: fans, growth, reads, engagement and income
    over the period. Three queries whatever the number of creators; rows as plain values (a
    thousand creators must not cost a thousand model instances)."""
    contracts = list(
        AgencyContract.objects.filter(
            agency_id=agency.pk, status__in=RUNNING_STATES, data_sharing=True
        )
        .order_by("creator_id")
        .values_list(
            "creator_id", "creator__username", "creator__profile__display_name", "revenue_share"
        )
    )
    creator_ids = [row[0] for row in contracts]
    figures = creators_period_totals(creator_ids=creator_ids, period=period)
    income = income_by_user(
        user_ids=creator_ids,
        start=day_start(period.start),
        end=day_start(period.end + timedelta(days=1)),
    )
    empty: dict[str, Any] = {}
    rows = []
    for creator_id, username, display_name, revenue_share in contracts:
        row = figures.get(creator_id, empty)
        money = income.get(creator_id, empty)
        rows.append(
            {
                "creator_id": creator_id,
                "username": username,
                "display_name": display_name or "",
                "revenue_share": f"{revenue_share:.4f}",
                "fans": row.get("fans", 0),
                "new_fans": row.get("new_fans", 0),
                "lost_fans": row.get("lost_fans", 0),
                "net_fans": row.get("net_fans", 0),
                "views": row.get("views", 0),
                "engagements": row.get("engagements", 0),
                "engagement_rate": row.get("engagement_rate"),
                "income": money.get("income", 0),
                "agency_share": money.get("shared", 0),
            }
        )
    return rows


# --- Programs -------------------------------------------------------------------------------


def programs_active() -> QuerySet[GrowthProgram]:
    return (
        GrowthProgram.objects.filter(is_active=True).prefetch_related("categories").order_by("pk")
    )


def applications_for_creator(*, user: User) -> QuerySet[ProgramApplication]:
    """My invitations and applications, newest first, with their programs (one query)."""
    return ProgramApplication.objects.filter(creator_id=user.pk).select_related("program")


def creator_badges(*, user_ids: Collection[int]) -> dict[int, list[dict[str, Any]]]:
    """Badges and boosts of current program members, for profiles and discovery. One query."""
    badges: dict[int, list[dict[str, Any]]] = {}
    rows = ProgramBenefit.objects.filter(
        creator_id__in=list(user_ids), revoked_at__isnull=True
    ).select_related("application__program")
    for benefit in rows.order_by("pk"):
        badges.setdefault(benefit.creator_id, []).append(
            {
                "program_key": benefit.application.program.key,
                "badge": benefit.badge,
                "boost_weight": benefit.boost_weight,
            }
        )
    return badges
