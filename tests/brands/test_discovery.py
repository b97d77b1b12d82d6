"""Discovery for brands: who may search, every filter, every sort, cursor pages, query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.analytics.days import local_yesterday
from apps.analytics.models import NoteDaily
from apps.brands.discovery_refresh import discovery_rows_refresh
from apps.brands.profile_models import CreatorDiscoveryRow
from apps.notes.models import Note
from tests.brands.discovery_factories import (
    brand_member,
    listed_creator,
    make_creator,
    opt_in,
    snapshot,
)

pytestmark = pytest.mark.django_db


def _url(organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/discovery/creators"


@pytest.fixture
def brand(make_client):
    organisation, member = brand_member()
    client = make_client(member)
    client.url = _url(organisation)
    return client


def _ids(client, **params) -> list[int]:
    response = client.get(client.url, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return [row["creator_id"] for row in response.json()["results"]]


# --- who may search -------------------------------------------------------------------------


def test_only_members_of_a_verified_brand_may_search(make_client) -> None:
    listed_creator()
    organisation, member = brand_member(role="viewer")
    assert make_client(member).get(_url(organisation)).status_code == 200
    stranger = make_creator(fans=0, notes=0)
    assert make_client(stranger).get(_url(organisation)).status_code == 404
    pending, pending_member = brand_member(verified=False)
    response = make_client(pending_member).get(_url(pending))
    assert (response.status_code, response.json()["error"]["code"]) == (
        409,
        "organisation.not_verified",
    )
    agency, agency_member = brand_member(kind="mcn", verified=True)
    response = make_client(agency_member).get(_url(agency))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "brands.not_a_brand")


def test_only_eligible_creators_are_listed(brand) -> None:
    listed = listed_creator()
    too_small = listed_creator(fans=4_999)
    quiet = listed_creator(notes=3)
    not_opted_in = make_creator()
    found = _ids(brand)
    assert listed.pk in found
    assert not {too_small.pk, quiet.pk, not_opted_in.pk} & set(found)


# --- filters --------------------------------------------------------------------------------


def test_category_fans_and_price_filters(brand) -> None:
    beauty = listed_creator(fans=6_000, image=100_000, categories=("beauty",))
    food = listed_creator(fans=20_000, image=500_000, video=900_000, categories=("food",))
    both = listed_creator(fans=50_000, image=None, live=80_000, categories=("beauty", "food"))
    assert set(_ids(brand, category="beauty")) == {beauty.pk, both.pk}
    assert set(_ids(brand, category="food,beauty")) == {beauty.pk, food.pk, both.pk}
    assert _ids(brand, category="travel") == []
    assert set(_ids(brand, fans_min=10_000)) == {food.pk, both.pk}
    assert _ids(brand, fans_min=10_000, fans_max=30_000) == [food.pk]
    # The price range reads the deliverable's price (image notes when none is named).
    assert _ids(brand, price_max=200_000) == [beauty.pk]
    assert _ids(brand, deliverable="video_note") == [food.pk]
    assert _ids(brand, deliverable="live_mention", price_min=50_000, price_max=90_000) == [both.pk]
    assert _ids(brand, deliverable="live_mention", price_min=90_000) == []


def test_audience_filters_read_the_snapshot_without_withheld_buckets(brand) -> None:
    women = listed_creator()
    # The only visible bucket of a dimension would be its total minus nothing: the next smallest
    # is withheld with the empty ones (beijing, male), as in the creator center.
    snapshot(women, gender={"female": 800, "male": 200}, region={"shanghai": 600, "beijing": 400})
    men = listed_creator()
    snapshot(men, gender={"female": 300, "male": 700}, region={"guangdong": 900, "hubei": 100})
    # 40 women: a bucket under 50 is withheld, and its complement with it, as the creator
    # center does: no share is known, so no share filter matches.
    small = listed_creator()
    snapshot(small, gender={"female": 40, "male": 2_000}, region={"shanghai": 30, "tibet": 2_000})
    assert CreatorDiscoveryRow.objects.get(pk=women.pk).male_share is None
    assert _ids(brand, female_share_min=0.7) == [women.pk]
    assert set(_ids(brand, male_share_min=0.5)) == {men.pk}
    row = CreatorDiscoveryRow.objects.get(pk=small.pk)
    assert (row.female_share, row.male_share) == (None, None)
    assert set(_ids(brand, region="shanghai")) == {women.pk}
    assert _ids(brand, region="shanghai", region_share_min=0.7) == []
    assert _ids(brand, region="guangdong", region_share_min=0.9) == [men.pk]


def _note_figures(creator, *, views: int, likes: int, notes: int = 1) -> None:
    day = local_yesterday()
    for note in Note.objects.filter(author=creator).order_by("-published_at", "-id")[:notes]:
        NoteDaily.objects.create(
            day=day, note_id=note.pk, author_id=creator.pk, views=views, likes=likes
        )
    discovery_rows_refresh(creator_ids=[creator.pk])


def test_engagement_rate_covers_the_last_30_notes_and_filters(brand) -> None:
    lively = listed_creator(notes=32)
    _note_figures(lively, views=100, likes=10, notes=32)  # 2 notes beyond the last 30
    calm = listed_creator()
    _note_figures(calm, views=1_000, likes=10)
    row = CreatorDiscoveryRow.objects.get(pk=lively.pk)
    assert (row.engagement_notes, row.engagement_reads, row.engagement_total) == (30, 3_000, 300)
    assert row.engagement_rate == pytest.approx(0.1)
    assert _ids(brand, engagement_min=0.05) == [lively.pk]
    assert _ids(brand, engagement_max=0.05) == [calm.pk]


def test_availability_filter_reads_today(brand) -> None:
    free = listed_creator()
    busy = listed_creator(availability="busy", busy_until=timezone.localdate() + timedelta(days=10))
    closed = listed_creator(availability="not_taking_work")
    was_busy = listed_creator(availability="busy", busy_until=timezone.localdate() + timedelta(1))
    CreatorDiscoveryRow.objects.filter(pk=was_busy.pk).update(
        busy_until=timezone.localdate() - timedelta(days=1)
    )
    assert set(_ids(brand, availability="available")) == {free.pk, was_busy.pk}
    assert _ids(brand, availability="busy") == [busy.pk]
    assert _ids(brand, availability="not_taking_work") == [closed.pk]
    shown = {row["creator_id"]: row for row in brand.get(brand.url).json()["results"]}
    assert shown[was_busy.pk]["availability"] == "available"


# --- sorts and pages ------------------------------------------------------------------------


def test_sorts(brand) -> None:
    a = listed_creator(fans=9_000, image=300_000)
    b = listed_creator(fans=30_000, image=100_000)
    c = listed_creator(fans=6_000, image=200_000)
    CreatorDiscoveryRow.objects.filter(pk=a.pk).update(engagement_rate=0.09, fit_score=50)
    CreatorDiscoveryRow.objects.filter(pk=b.pk).update(engagement_rate=0.01, fit_score=70)
    CreatorDiscoveryRow.objects.filter(pk=c.pk).update(engagement_rate=0.05, fit_score=10)
    assert _ids(brand, sort="fans") == [b.pk, a.pk, c.pk]
    assert _ids(brand, sort="price") == [b.pk, c.pk, a.pk]
    assert _ids(brand, sort="engagement") == [a.pk, c.pk, b.pk]
    assert _ids(brand, sort="fit") == [b.pk, a.pk, c.pk]
    assert _ids(brand) == [b.pk, a.pk, c.pk]  # fit is the default


def test_cursor_pages_walk_every_creator_once_even_with_ties(brand) -> None:
    creators = [listed_creator(fans=5_000 + (index % 3)) for index in range(7)]
    seen: list[int] = []
    url, params = brand.url, {"sort": "fans", "page_size": 2}
    while url:
        body = brand.get(url, params).json()
        seen += [row["creator_id"] for row in body["results"]]
        url, params = body["next"], {}
    assert sorted(seen) == sorted(c.pk for c in creators)
    assert len(seen) == len(set(seen))


def test_forged_cursor_is_404(brand) -> None:
    listed_creator()
    assert brand.get(brand.url, {"cursor": "bm90LWEtY3Vyc29y"}).status_code == 404


ALL_FILTERS = {
    "category": "beauty",
    "fans_min": 1_000,
    "fans_max": 10_000_000,
    "deliverable": "image_note",
    "price_min": 1,
    "price_max": 10_000_000,
    "female_share_min": 0.1,
    "male_share_min": 0.0,
    "region": "shanghai",
    "region_share_min": 0.1,
    "engagement_min": 0.0,
    "engagement_max": 1.0,
    "availability": "available",
}


@pytest.mark.parametrize("sort", ["fit", "fans", "engagement", "price"])
def test_query_count_is_the_same_for_one_row_and_a_full_page(
    brand, count_queries, sort: str
) -> None:
    for index in range(6):
        creator = listed_creator(fans=6_000 + index, categories=("beauty", "food"))
        snapshot(
            creator,
            gender={"female": 500, "male": 300, "undisclosed": 100},
            region={"shanghai": 800, "beijing": 200},
        )
    params = {**ALL_FILTERS, "sort": sort}
    assert len(_ids(brand, **params)) == 6

    def page(size: int) -> None:
        response = brand.get(brand.url, {**params, "page_size": size})
        assert len(response.json()["results"]) == size

    assert count_queries(lambda: page(1)) == count_queries(lambda: page(6))
    # Filters add at most one query (category slugs to ids), never one per row.
    unfiltered = count_queries(lambda: brand.get(brand.url, {"page_size": 6}))
    assert unfiltered <= count_queries(lambda: page(6)) <= unfiltered + 1


def test_invalid_parameters_are_400(brand) -> None:
    for params in ({"fans_min": -1}, {"female_share_min": 1.5}, {"sort": "random"}):
        assert brand.get(brand.url, params).status_code == 400


def test_opted_out_and_reopted_creators(brand) -> None:
    creator = listed_creator()
    assert _ids(brand) == [creator.pk]
    creator.cooperation_profile.delete()
    assert _ids(brand) == []
    opt_in(creator)
    assert _ids(brand) == [creator.pk]
