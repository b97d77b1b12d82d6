"""Builders for the discovery tests: listed creators, brand members, rolled-up figures.

Creators are made eligible the way production sees it (fans counter, published notes) and
opt in through the profile service, which refreshes their discovery row.
"""

from datetime import date, timedelta

from django.utils import timezone

from apps.accounts.models import Profile, User
from apps.analytics.days import local_yesterday
from apps.analytics.models import FanDemographicDaily
from apps.brands.discovery_refresh import discovery_rows_refresh
from apps.brands.profile_services import cooperation_profile_save
from tests.accounts.organisation_factories import add_member, make_organisation
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory, category


def make_creator(*, fans: int = 5_000, notes: int = 10, published_days_ago: int = 1) -> User:
    """A creator with ``fans`` fans (the counter) and ``notes`` published public notes."""
    creator = UserFactory()
    Profile.objects.filter(user=creator).update(fans_count=fans)
    published = timezone.now() - timedelta(days=published_days_ago)
    for _ in range(notes):
        NoteFactory(author=creator, published_at=published)
    return creator


def opt_in(
    creator: User,
    *,
    image: int | None = 200_000,
    video: int | None = None,
    live: int | None = None,
    categories: tuple[str, ...] = ("beauty",),
    availability: str = "available",
    busy_until: date | None = None,
    pitch: str = "",
) -> User:
    for slug in categories:
        category(slug)
    cooperation_profile_save(
        creator=creator,
        rates={"image_note": image, "video_note": video, "live_mention": live},
        categories=list(categories),
        availability=availability,
        busy_until=busy_until,
        pitch=pitch,
    )
    return creator


def listed_creator(*, fans: int = 5_000, notes: int = 10, **profile: object) -> User:
    """An eligible creator who opted in (their discovery row is written)."""
    return opt_in(make_creator(fans=fans, notes=notes), **profile)  # type: ignore[arg-type]


def brand_member(*, role: str = "viewer", verified: bool = True, kind: str = "brand"):
    """(organisation, member): a member of a brand (verified unless told)."""
    organisation = make_organisation(verified=verified, kind=kind)
    return organisation, add_member(organisation, role)


def snapshot(creator: User, *, day: date | None = None, **dimensions: dict[str, int]) -> None:
    """A fan demographics snapshot (``gender={"female": 300}``, ``region={...}``), then the
    creator's discovery row refreshed."""
    day = day or local_yesterday()
    FanDemographicDaily.objects.bulk_create(
        [
            FanDemographicDaily(
                day=day, creator_id=creator.pk, dimension=dimension, bucket=bucket, fans=fans
            )
            for dimension, buckets in dimensions.items()
            for bucket, fans in buckets.items()
        ]
    )
    discovery_rows_refresh(creator_ids=[creator.pk])
