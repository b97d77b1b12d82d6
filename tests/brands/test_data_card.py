"""The data card and the audience-authenticity score behind it."""

from datetime import timedelta

import pytest

from apps.accounts.models import Follow
from apps.analytics.days import day_start, local_yesterday
from apps.analytics.models import CreatorDaily, DailyActiveUser, Event, NoteDaily
from apps.brands.authenticity import AuthenticityInputs, authenticity_score, fit_score
from apps.brands.discovery_refresh import discovery_refresh_all, discovery_rows_refresh
from apps.brands.discovery_tasks import brands_discovery_refresh
from apps.brands.profile_models import CreatorDiscoveryRow
from apps.notes.models import Note
from tests.brands.discovery_factories import brand_member, listed_creator, make_creator, snapshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(make_client):
    organisation, member = brand_member()
    client = make_client(member)
    client.card = lambda creator_id: client.get(
        f"/api/v1/organisations/{organisation.pk}/discovery/creators/{creator_id}"
    )
    return client


# --- the score ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (AuthenticityInputs(1_000, 500, 0, 100, 0), 100),  # half active: counted full
        (AuthenticityInputs(1_000, 250, 0, 100, 0), 80),
        (AuthenticityInputs(1_000, 0, 1_000, 100, 100), 0),  # nobody ever active, all bursts
        (AuthenticityInputs(10, 4, 4, 40, 30), 61),
        (AuthenticityInputs(10, 4, 4, 0, 0), 76),  # no follows in the window: no burst share
        (AuthenticityInputs(0, 0, 0, 0, 0), None),  # no fans, no score
    ],
)
def test_authenticity_formula(inputs: AuthenticityInputs, expected: int | None) -> None:
    assert authenticity_score(inputs) == expected


def test_fit_score_rewards_engagement_trust_and_reach() -> None:
    assert fit_score(engagement_rate=0.10, authenticity=100, fans=1_000_000) == 100.0
    assert fit_score(engagement_rate=0.0, authenticity=None, fans=1) == 17.5
    low = fit_score(engagement_rate=0.02, authenticity=60, fans=10_000)
    assert low < fit_score(engagement_rate=0.04, authenticity=60, fans=10_000)
    assert low < fit_score(engagement_rate=0.02, authenticity=90, fans=10_000)


def _audience(creator) -> None:
    """10 fans (6 of them active some day, 4 in the last 30 days) and 40 follow events in the
    last 30 days, 30 of them in one hour."""
    fans = [UserFactory() for _ in range(10)]
    Follow.objects.bulk_create([Follow(follower=fan, followee=creator) for fan in fans])
    yesterday = local_yesterday()
    DailyActiveUser.objects.bulk_create(
        [DailyActiveUser(day=yesterday - timedelta(days=90), user_id=fan.pk) for fan in fans[:6]]
    )
    CreatorDaily.objects.create(
        day=yesterday, creator_id=creator.pk, fans_total=10, active_fans_30d=4
    )
    burst = day_start(yesterday) + timedelta(hours=10)
    times = [burst + timedelta(minutes=minute) for minute in range(30)]
    times += [day_start(yesterday - timedelta(days=day)) for day in range(1, 11)]
    Event.objects.bulk_create(
        [
            Event(
                occurred_at=at,
                received_at=at,
                actor_id=fans[0].pk,
                author_id=creator.pk,
                target_user_id=creator.pk,
                kind="follow",
                interests=[],
            )
            for at in times
        ]
    )


def test_refresh_computes_the_score_and_its_inputs() -> None:
    creator = listed_creator()
    _audience(creator)
    discovery_rows_refresh(creator_ids=[creator.pk])
    row = CreatorDiscoveryRow.objects.get(pk=creator.pk)
    assert (row.active_fans_share, row.never_active_share) == (0.4, 0.4)
    assert (row.follows_30d, row.burst_hours, row.burst_follows) == (40, 1, 30)
    assert row.burst_detail[0]["follows"] == 30
    assert row.authenticity_score == 61


def test_follows_below_the_burst_floor_are_not_bursts(settings) -> None:
    settings.BRANDS_BURST_MIN_FOLLOWS = 31
    creator = listed_creator()
    _audience(creator)
    discovery_rows_refresh(creator_ids=[creator.pk])
    row = CreatorDiscoveryRow.objects.get(pk=creator.pk)
    assert (row.burst_hours, row.burst_follows, row.authenticity_score) == (0, 0, 76)


def test_the_nightly_task_refreshes_every_profile_in_batches() -> None:
    creators = [listed_creator() for _ in range(3)]
    CreatorDiscoveryRow.objects.update(fans=0, eligible=False)
    assert discovery_refresh_all(batch=2) == 3
    assert set(
        CreatorDiscoveryRow.objects.filter(eligible=True).values_list("fans", flat=True)
    ) == {5_000}
    CreatorDiscoveryRow.objects.update(fans=0)
    assert brands_discovery_refresh.apply().get() == len(creators)
    assert not CreatorDiscoveryRow.objects.filter(fans=0).exists()


def test_refresh_queries_do_not_grow_with_the_batch(count_queries) -> None:
    few = [listed_creator().pk for _ in range(2)]
    many = [listed_creator().pk for _ in range(6)]
    assert count_queries(lambda: discovery_rows_refresh(creator_ids=few)) == count_queries(
        lambda: discovery_rows_refresh(creator_ids=many)
    )


# --- the card -------------------------------------------------------------------------------


def _note_figures(creator, reads: list[int]) -> list[int]:
    notes = list(Note.objects.filter(author=creator).order_by("-published_at", "-id"))
    for note, views in zip(notes, reads, strict=False):
        NoteDaily.objects.create(
            day=local_yesterday(),
            note_id=note.pk,
            author_id=creator.pk,
            impressions=views * 5,
            views=views,
            likes=views // 10,
            collects=views // 20,
        )
    return [note.pk for note in notes]


def test_data_card_shows_figures_from_the_metrics(brand) -> None:
    creator = listed_creator(pitch="护肤五年", categories=("beauty",), image=250_000)
    note_ids = _note_figures(creator, [1_000, 200, 600])
    snapshot(
        creator,
        gender={"female": 900, "male": 60, "undisclosed": 40},
        age_band={"25-34": 700, "18-24": 300},
    )
    yesterday = local_yesterday()
    CreatorDaily.objects.create(
        day=yesterday - timedelta(days=1), creator_id=creator.pk, fans_total=4_990, new_fans=5
    )
    CreatorDaily.objects.create(
        day=yesterday, creator_id=creator.pk, fans_total=5_000, new_fans=12, lost_fans=2
    )
    response = brand.card(creator.pk)
    assert response.status_code == 200, response.content
    card = response.json()
    assert card["pitch"] == "护肤五年" and card["categories"] == ["beauty"]
    assert card["rates"]["image_note"] == 250_000
    assert len(card["fan_trend"]) == 30
    assert card["fan_trend"][-1] == {
        "day": yesterday.isoformat(),
        "fans_total": 5_000,
        "new_fans": 12,
        "lost_fans": 2,
    }
    gender = {b["bucket"]: b for b in card["demographics"]["gender"]}
    assert gender["female"]["count"] == 900
    # 40 undisclosed: withheld, and 60 men with them (two buckets, 100 people).
    assert gender["undisclosed"]["withheld"] and gender["male"]["withheld"]
    assert "count" not in gender["male"]
    recent = card["recent_notes"]
    assert recent["notes"] == 10
    assert recent["average_reads"] == 180.0  # 1,800 reads over 10 notes
    assert recent["average_engagements"] == pytest.approx((100 + 50 + 20 + 10 + 60 + 30) / 10)
    assert [n["note_id"] for n in recent["top_notes"][:3]] == [
        note_ids[0],
        note_ids[2],
        note_ids[1],
    ]
    assert card["cooperations"] == {"completed": 0, "rating_average": None, "rating_count": 0}
    assert card["authenticity"]["formula"].startswith("round(100")


def test_data_card_shows_the_authenticity_inputs(brand) -> None:
    creator = listed_creator()
    _audience(creator)
    discovery_rows_refresh(creator_ids=[creator.pk])
    authenticity = brand.card(creator.pk).json()["authenticity"]
    assert authenticity["score"] == 61
    assert authenticity["active_fans_share"] == 0.4
    assert authenticity["never_active_share"] == 0.4
    assert (authenticity["burst_hours"], authenticity["burst_follow_share"]) == (1, 0.75)
    assert authenticity["bursts"][0]["follows"] == 30


def test_only_listed_creators_have_a_card(brand) -> None:
    assert brand.card(make_creator().pk).status_code == 404  # never opted in
    unlisted = listed_creator(fans=100)
    response = brand.card(unlisted.pk)
    assert (response.status_code, response.json()["error"]["code"]) == (
        404,
        "brands.creator_not_found",
    )
    assert brand.card(999_999_999).status_code == 404


def test_data_card_query_count_does_not_grow_with_history(brand, count_queries) -> None:
    small = listed_creator(notes=10)
    _note_figures(small, [10])
    big = listed_creator(notes=40)
    _note_figures(big, [100] * 40)
    snapshot(big, gender={"female": 900, "male": 100}, region={"shanghai": 500, "beijing": 500})
    assert count_queries(lambda: brand.card(small.pk)) == count_queries(lambda: brand.card(big.pk))
