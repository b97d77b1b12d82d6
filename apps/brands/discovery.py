"""Discovery: verified brands' members find listed creators by category, audience and price.

Every filter and sort reads a column of ``CreatorDiscoveryRow`` with a partial index on the
discoverable rows (btree for ranges and sorts, GIN for the category array and the region keys),
so a page is one walk of the sort's index checking each row's own columns (read as plain values,
the display name joined), plus one query for the page's category slugs, whatever the filters and
the page size. The order of each sort ends with the
creator id, so cursor pages are stable. SQLite (embedded mode) has no arrays: there the category
filter reads the profile's category table instead.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from apps.accounts.models import Category, User
from apps.accounts.organisation_models import (
    Membership,
    Organisation,
    OrganisationKind,
    VerificationStatus,
)
from apps.accounts.organisation_selectors import (
    get_organisation_for_member,
    organisation_require_verified,
)
from apps.analytics.fields import IntegerListField
from apps.brands.profile_models import (
    DISCOVERABLE,
    RATE_FIELDS,
    REGION_POSITIONS,
    Availability,
    CooperationProfileCategory,
    CreatorDiscoveryRow,
    Deliverable,
)
from apps.core.errors import Forbidden

SORTS = ("fit", "fans", "engagement", "price")
# What a result card reads from the row (every sort column among them, for the cursor).
CARD_FIELDS = (
    "creator_id",
    "fans",
    *RATE_FIELDS.values(),
    "availability",
    "busy_until",
    "category_ids",
    "region_shares",
    "female_share",
    "male_share",
    "engagement_rate",
    "authenticity_score",
    "fit_score",
)


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


def verified_brand_member(*, user_id: int) -> bool:
    """Whether the user belongs to at least one verified brand (one query)."""
    return Membership.objects.filter(
        user_id=user_id,
        organisation__kind=OrganisationKind.BRAND,
        organisation__verification_status=VerificationStatus.VERIFIED,
    ).exists()


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


class _Overlaps(Func):
    """``array && ARRAY[...]`` (PostgreSQL): served by a GIN index on the array column. The
    values are literals, so the planner reads the column's element statistics."""

    arg_joiner = " && "
    template = "(%(expressions)s::integer[])"
    output_field = BooleanField()


def _integer_array(values: list[int]) -> Value:
    return Value(sorted(set(values)), output_field=IntegerListField())


def _in_categories(slugs: list[str]) -> Q | Func:
    """Rows in any of the categories named by slug (one query resolves the slugs)."""
    if connection.vendor == "postgresql":
        ids = list(Category.objects.filter(slug__in=slugs).values_list("id", flat=True))
        return _Overlaps(F("category_ids"), _integer_array(ids or [0]))
    return Q(
        Exists(
            CooperationProfileCategory.objects.filter(
                profile_id=OuterRef("creator_id"), category__slug__in=slugs
            )
        )
    )


def discovery_rows(*, query: DiscoveryQuery, today: date) -> QuerySet:
    """The discoverable creators matching ``query`` as plain rows of what a result card shows
    (``CARD_FIELDS`` and the display name; ordering is the paginator's: ``query.ordering()``)."""
    rows = CreatorDiscoveryRow.objects.filter(DISCOVERABLE)
    if query.categories:
        rows = rows.filter(_in_categories(query.categories))
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
        # Presence through the GIN index on region_ids; the share from the same row.
        if connection.vendor == "postgresql":
            position = REGION_POSITIONS.get(query.region, 0)
            rows = rows.filter(_Overlaps(F("region_ids"), _integer_array([position])))
        else:
            rows = rows.filter(region_shares__has_key=query.region)
        if query.region_share_min:
            share = Cast(KeyTextTransform(query.region, "region_shares"), FloatField())
            rows = rows.alias(region_share=share).filter(region_share__gte=query.region_share_min)
    if query.engagement_min is not None:
        rows = rows.filter(engagement_rate__gte=query.engagement_min)
    if query.engagement_max is not None:
        rows = rows.filter(engagement_rate__lte=query.engagement_max)
    if query.availability:
        rows = rows.filter(_availability(query.availability, today))
    return rows.values(*CARD_FIELDS, display_name=F("creator__creator__profile__display_name"))


def category_slugs(rows: list[dict]) -> dict[int, str]:
    """Slugs of the categories on a page of rows, in one query."""
    ids = {category_id for row in rows for category_id in row["category_ids"]}
    return dict(Category.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}
