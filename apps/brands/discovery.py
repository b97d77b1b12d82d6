"""Discovery: verified brands' members find listed creators by category, audience and price.

Every filter and sort is a column of ``CreatorDiscoveryRow`` with a partial index on the
discoverable rows (categories and regions through their own indexed tables, as ``EXISTS``), so a
page is one index walk plus two prefetches, whatever the filters and the page size. The order of
each sort ends with the creator id, so cursor pages are stable.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.models import User
from apps.accounts.organisation_models import Organisation, OrganisationKind
from apps.accounts.organisation_selectors import (
    get_organisation_for_member,
    organisation_require_verified,
)
from apps.brands.profile_models import (
    DISCOVERABLE,
    RATE_FIELDS,
    Availability,
    CooperationProfileCategory,
    CreatorDiscoveryRow,
    CreatorRegionShare,
    Deliverable,
)
from apps.core.errors import Forbidden

SORTS = ("fit", "fans", "engagement", "price")


@dataclass(frozen=True, slots=True)
class DiscoveryQuery:
    """What a brand asks for; None (or empty) means "any"."""

    categories: list[str] = field(default_factory=list)
    fans_min: int | None = None
    fans_max: int | None = None
    deliverable: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    female_share_min: float | None = None
    male_share_min: float | None = None
    region: str | None = None
    region_share_min: float | None = None
    engagement_min: float | None = None
    engagement_max: float | None = None
    availability: str | None = None
    sort: str = "fit"

    @property
    def rate_field(self) -> str:
        return RATE_FIELDS[self.deliverable or Deliverable.IMAGE_NOTE]

    def ordering(self) -> tuple[str, str]:
        """The cursor ordering: the sort's column, then the creator id the same way."""
        if self.sort == "price":  # cheapest first
            return (self.rate_field, "creator_id")
        column = {"fit": "fit_score", "fans": "fans", "engagement": "engagement_rate"}[self.sort]
        return (f"-{column}", "-creator_id")


def get_brand_for_member(*, user: User, organisation_id: int) -> Organisation:
    """The verified brand the user belongs to (any role): 404 outsider, 403 for an MCN agency,
    409 ``organisation.not_verified`` before verification."""
    organisation = get_organisation_for_member(user=user, organisation_id=organisation_id)
    if organisation.kind != OrganisationKind.BRAND:
        raise Forbidden("Only brands can discover creators.", code="brands.not_a_brand")
    organisation_require_verified(organisation=organisation)
    return organisation


def effective_availability(availability: str, busy_until: date | None, today: date) -> str:
    """``busy`` ends by itself: after its date the creator is available again."""
    if availability == Availability.BUSY and (busy_until is None or busy_until < today):
        return Availability.AVAILABLE
    return availability


def _availability(value: str, today: date) -> Q:
    if value == Availability.AVAILABLE:
        return Q(availability=Availability.AVAILABLE) | Q(
            availability=Availability.BUSY, busy_until__lt=today
        )
    if value == Availability.BUSY:
        return Q(availability=Availability.BUSY, busy_until__gte=today)
    return Q(availability=value)


def discovery_rows(*, query: DiscoveryQuery, today: date) -> QuerySet[CreatorDiscoveryRow]:
    """The discoverable creators matching ``query``, with what a result card shows joined
    (ordering is the paginator's: ``query.ordering()``)."""
    rows = CreatorDiscoveryRow.objects.filter(DISCOVERABLE)
    if query.categories:
        rows = rows.filter(
            Exists(
                CooperationProfileCategory.objects.filter(
                    profile_id=OuterRef("creator_id"), category__slug__in=query.categories
                )
            )
        )
    if query.fans_min is not None:
        rows = rows.filter(fans__gte=query.fans_min)
    if query.fans_max is not None:
        rows = rows.filter(fans__lte=query.fans_max)
    if query.deliverable or query.sort == "price":
        rows = rows.filter(**{f"{query.rate_field}__isnull": False})
    if query.price_min is not None:
        rows = rows.filter(**{f"{query.rate_field}__gte": query.price_min})
    if query.price_max is not None:
        rows = rows.filter(**{f"{query.rate_field}__lte": query.price_max})
    if query.female_share_min is not None:
        rows = rows.filter(female_share__gte=query.female_share_min)
    if query.male_share_min is not None:
        rows = rows.filter(male_share__gte=query.male_share_min)
    if query.region:
        shares = CreatorRegionShare.objects.filter(row_id=OuterRef("pk"), region=query.region)
        if query.region_share_min:
            shares = shares.filter(share__gte=query.region_share_min)
        rows = rows.filter(Exists(shares))
    if query.engagement_min is not None:
        rows = rows.filter(engagement_rate__gte=query.engagement_min)
    if query.engagement_max is not None:
        rows = rows.filter(engagement_rate__lte=query.engagement_max)
    if query.availability:
        rows = rows.filter(_availability(query.availability, today))
    return rows.select_related("creator__creator__profile").prefetch_related(
        "creator__categories", "regions"
    )
