"""Audiences: what an order targets, who matches, and how many people that is.

An audience is four optional dimensions (gender, age band, region, interest categories). A
viewer matches when every dimension the audience names contains the viewer's value (for
interests: shares at least one category). Smart targeting is resolved once, at quote and
payment time, into the same shape: the note's category plus the two interests most common
among the author's fans (from the fan snapshot of the metrics module), so delivery only ever
compares plain sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Block, Category, Gender, Profile
from apps.accounts.regions import REGION_CHOICES
from apps.analytics import metrics
from apps.analytics.days import local_today
from apps.analytics.kinds import AgeBand, age_band_for
from apps.core.errors import InvalidInput

DIMENSIONS = ("genders", "age_bands", "regions", "interests")
GENDERS = frozenset(Gender.values)
AGE_BANDS = frozenset(band for band in AgeBand.values if band)
REGIONS = frozenset(code for code, _ in REGION_CHOICES)
SMART_FAN_INTERESTS = 2


@dataclass(frozen=True, slots=True)
class Viewer:
    """The viewer as targeting sees them, and the users hidden from them by blocks."""

    user_id: int
    gender: str
    age_band: str
    region: str
    interests: frozenset[int]
    blocked: frozenset[int]


def audience_validate(raw: dict[str, Any]) -> dict[str, list]:
    """A custom audience, checked and normalised (sorted, deduplicated); 400 when empty."""
    audience: dict[str, list] = {}
    for name, allowed in (("genders", GENDERS), ("age_bands", AGE_BANDS), ("regions", REGIONS)):
        values = raw.get(name) or []
        unknown = sorted(set(values) - allowed)
        if unknown:
            raise InvalidInput(
                f"Unknown {name}: {', '.join(unknown)}.",
                code="promotion.targeting_invalid",
                fields={name: [f"Unknown: {', '.join(unknown)}."]},
            )
        if values:
            audience[name] = sorted(set(values))
    interests = sorted(set(raw.get("interests") or []))
    if interests:
        known = set(Category.objects.filter(pk__in=interests).values_list("pk", flat=True))
        missing = [str(pk) for pk in interests if pk not in known]
        if missing:
            raise InvalidInput(
                f"Unknown interest categories: {', '.join(missing)}.",
                code="promotion.targeting_invalid",
                fields={"interests": [f"Unknown: {', '.join(missing)}."]},
            )
        audience["interests"] = interests
    if not audience:
        raise InvalidInput(
            "Custom targeting needs at least one gender, age band, region or interest.",
            code="promotion.targeting_empty",
            fields={"targeting": ["Choose at least one criterion."]},
        )
    return audience


def audience_smart(*, category_id: int | None, author_id: int) -> dict[str, list]:
    """The note's category and the author's fans' two favourite interests (metrics module)."""
    _day, rows = metrics.fan_demographic_snapshot(creator_id=author_id, day=local_today())
    fan_interests = sorted(
        ((fans, bucket) for dimension, bucket, fans in rows if dimension == "interest"),
        reverse=True,
    )
    interests = {category_id} if category_id else set()
    for _fans, bucket in fan_interests[:SMART_FAN_INTERESTS]:
        if str(bucket).isdigit():
            interests.add(int(bucket))
    return {"interests": sorted(interests)} if interests else {}


def _birth_years(band: str, year: int) -> Q:
    if band == AgeBand.UNDER_18:
        return Q(birth_year__gt=year - 18)
    if band == AgeBand.FROM_45:
        return Q(birth_year__lte=year - 45)
    low, high = (int(part) for part in band.split("-"))
    return Q(birth_year__gte=year - high, birth_year__lte=year - low)


def audience_size(audience: dict[str, list], *, exclude_user_id: int | None = None) -> int:
    """How many active users match the audience. One query."""
    profiles = Profile.objects.filter(user__is_active=True)
    if exclude_user_id is not None:
        profiles = profiles.exclude(user_id=exclude_user_id)
    if audience.get("genders"):
        profiles = profiles.filter(gender__in=audience["genders"])
    if audience.get("regions"):
        profiles = profiles.filter(region__in=audience["regions"])
    if audience.get("age_bands"):
        year = timezone.localtime(timezone.now()).year
        bands = Q()
        for band in audience["age_bands"]:
            bands |= _birth_years(band, year)
        profiles = profiles.filter(bands)
    if audience.get("interests"):
        profiles = profiles.filter(interests__in=audience["interests"]).distinct()
    return profiles.values("user_id").count()


def audience_check(size: int) -> None:
    if size < settings.PROMOTION_MIN_AUDIENCE:
        raise InvalidInput(
            f"This audience has {size} people; promotion needs at least "
            f"{settings.PROMOTION_MIN_AUDIENCE}. Widen the targeting.",
            code="promotion.audience_too_small",
            fields={"targeting": [f"At least {settings.PROMOTION_MIN_AUDIENCE} people."]},
        )


def matches(audience: dict[str, list], viewer: Viewer) -> bool:
    """Whether the viewer is inside the audience (every named dimension contains them)."""
    genders = audience.get("genders")
    if genders and viewer.gender not in genders:
        return False
    bands = audience.get("age_bands")
    if bands and viewer.age_band not in bands:
        return False
    regions = audience.get("regions")
    if regions and viewer.region not in regions:
        return False
    interests = audience.get("interests")
    return not interests or not viewer.interests.isdisjoint(interests)


_T = {
    "profile": Profile._meta.db_table,
    "interest": Profile.interests.through._meta.db_table,
    "block": Block._meta.db_table,
}
# The viewer's snapshot and blocks in one round trip, whatever the number of active orders.
_VIEWER_SQL = f"""
SELECT 'g', gender FROM {_T["profile"]} WHERE user_id = %s
UNION ALL SELECT 'r', region FROM {_T["profile"]} WHERE user_id = %s
UNION ALL SELECT 'y', CAST(birth_year AS VARCHAR(8)) FROM {_T["profile"]} WHERE user_id = %s
UNION ALL SELECT 'i', CAST(category_id AS VARCHAR(20)) FROM {_T["interest"]} WHERE profile_id = %s
UNION ALL SELECT 'b', CAST(blocked_id AS VARCHAR(20)) FROM {_T["block"]} WHERE blocker_id = %s
UNION ALL SELECT 'b', CAST(blocker_id AS VARCHAR(20)) FROM {_T["block"]} WHERE blocked_id = %s
"""


def viewer_load(user_id: int, *, now: datetime) -> Viewer:
    """The viewer's targeting snapshot and blocks. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_VIEWER_SQL, [user_id] * 6)
        rows = cursor.fetchall()
    values: dict[str, list[str]] = {}
    for what, value in rows:
        if value is not None:
            values.setdefault(what, []).append(value)
    year = timezone.localtime(now).year
    birth = values.get("y", [None])[0]
    return Viewer(
        user_id=user_id,
        gender=values.get("g", [""])[0],
        age_band=age_band_for(int(birth) if birth else None, year),
        region=values.get("r", [""])[0],
        interests=frozenset(int(v) for v in values.get("i", [])),
        blocked=frozenset(int(v) for v in values.get("b", [])),
    )
