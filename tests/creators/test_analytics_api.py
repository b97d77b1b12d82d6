"""The creator-center analytics API: figures, periods, withholding, CSV, bad input."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.analytics.days import day_start, local_today, local_yesterday
from apps.analytics.models import Event, FanDemographicDaily
from apps.creators.privacy import Bucket, withhold
from tests.creators.analytics_factories import last_days, rolled_up_creator, rollup_rows
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/creator/analytics"


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# --- overview -------------------------------------------------------------------------------


def test_overview_compares_the_period_with_the_previous_one(user, api) -> None:
    rollup_rows(user, notes=1, days=14)
    body = api.get(f"{BASE}/overview", {"period": 7}).json()
    assert body["period"]["days"] == 7
    assert body["period"]["end"] == local_yesterday().isoformat()
    impressions = body["metrics"]["impressions"]
    assert impressions == {"value": 3500, "previous": 3500, "change": 0.0}
    assert body["metrics"]["ctr"]["value"] == 0.1  # 350 reads / 3500 impressions
    assert body["metrics"]["engagement_rate"]["value"] == round(63 / 350, 4)
    assert [day["fans_total"] for day in body["series"]] == list(range(1007, 1014))
    longer = api.get(f"{BASE}/overview", {"period": 30}).json()
    assert longer["metrics"]["impressions"] == {"value": 7000, "previous": 0, "change": None}


def test_overview_serves_today_live_and_caches_it(user, api) -> None:
    note = NoteFactory(author=user)
    now = timezone.now()
    for kind in ("impression", "impression", "view", "follow"):
        Event.objects.create(
            occurred_at=now,
            received_at=now,
            kind=kind,
            note_id=note.pk,
            author_id=user.pk,
            actor_id=UserFactory().pk,
            dwell_ms=100 if kind == "view" else None,
        )
    yesterday_late = day_start(local_today()) - timedelta(seconds=1)
    Event.objects.create(
        occurred_at=yesterday_late,
        received_at=now,
        kind="impression",
        note_id=note.pk,
        author_id=user.pk,
    )
    today = api.get(f"{BASE}/overview").json()["today"]
    assert today["day"] == local_today().isoformat()
    assert (today["impressions"], today["reads"], today["new_fans"]) == (2, 1, 1)
    Event.objects.create(
        occurred_at=now, received_at=now, kind="impression", note_id=note.pk, author_id=user.pk
    )
    assert api.get(f"{BASE}/overview").json()["today"]["impressions"] == 2  # cached for 60 s


def test_an_end_to_end_day_reaches_the_screens(user, api) -> None:
    notes = rolled_up_creator(user, notes=2, fans=3)
    overview = api.get(f"{BASE}/overview").json()
    assert overview["metrics"]["impressions"]["value"] == 4
    assert overview["metrics"]["profile_visits"]["value"] == 3
    assert overview["series"][-1]["fans_total"] == 3
    rows = api.get(f"{BASE}/notes", {"sort": "-reads"}).json()["results"]
    assert {row["note_id"] for row in rows} == {note.pk for note in notes}
    assert all(
        (r["impressions"], r["reads"], r["likes"], r["shares"]) == (2, 1, 1, 1) for r in rows
    )
    assert all(r["ctr"] == 0.5 and r["engagement_rate"] == 2.0 for r in rows)
    assert all(r["avg_dwell_ms"] == 5000 for r in rows)
    # Every actor was a fan since a month ago: the whole audience is fans.
    assert all(r["fan_impressions"] == 2 and r["non_fan_impressions"] == 0 for r in rows)


# --- fans -----------------------------------------------------------------------------------


def test_fans_screen(user, api) -> None:
    notes = rollup_rows(user, notes=3, days=30)
    body = api.get(f"{BASE}/fans", {"period": 30}).json()
    assert (body["new_fans"], body["lost_fans"], body["net_fans"]) == (90, 60, 30)
    assert body["trend"][0]["fans_total"] == 1000 and body["trend"][-1]["fans_total"] == 1029
    assert body["active_fans"]["last_7_days"] == 300
    assert body["by_source"] == [
        {"source": "note", "new_fans": 60, "lost_fans": 30, "net_fans": 30}
    ]
    top = body["top_notes"]
    assert [row["note_id"] for row in top] == [notes[2].pk, notes[1].pk]  # follows 2 and 1 a day
    assert top[0]["title"] == notes[2].title
    hours = body["active_hours"]
    assert len(hours["hours"]) == 168
    best = hours["best_times"][0]
    assert best["hour"] == 23 and best["post_hour"] == 22


def test_trend_carries_the_fans_total_over_days_without_rows(user, api) -> None:
    rollup_rows(user, notes=1, days=1)  # a row for yesterday only: fans_total 1000, net +1
    trend = api.get(f"{BASE}/fans", {"period": 7}).json()["trend"]
    assert [day["fans_total"] for day in trend] == [999] * 6 + [1000]


def test_small_demographic_buckets_are_withheld_without_a_way_back(user, api) -> None:
    rollup_rows(user, notes=1, days=1)  # female 700, male 280, undisclosed 20
    gender = api.get(f"{BASE}/fans").json()["demographics"]["gender"]
    shown = {b["bucket"]: b for b in gender}
    assert shown["female"]["count"] == 700 and shown["female"]["withheld"] is False
    # 20 alone would be withheld and subtracted back from the total: male goes with it.
    for bucket in ("male", "undisclosed"):
        assert shown[bucket] == {
            "bucket": bucket,
            "label": shown[bucket]["label"],
            "withheld": True,
        }
    rows = _csv(api.get(f"{BASE}/fans/export", {"table": "demographics"}))
    undisclosed = next(r for r in rows if r["bucket"] == "undisclosed")
    assert (undisclosed["withheld"], undisclosed["count"], undisclosed["share"]) == ("true", "", "")


def test_withholding_rule() -> None:
    labels = {"a": "A", "b": "B", "c": "C", "d": "D"}
    out = withhold(
        [Bucket("a", 500, 500), Bucket("b", 120, 120), Bucket("c", 60, 60)], labels=labels
    )
    # "d" is empty: withheld, and 0 people is not enough cover, so "c" goes with it.
    assert [(b["bucket"], b["withheld"]) for b in out] == [
        ("a", False),
        ("b", False),
        ("c", True),
        ("d", True),
    ]
    full = withhold([Bucket(k, 100, 100) for k in labels], labels=labels)
    assert not any(b["withheld"] for b in full)
    assert sum(b["share"] for b in full) == 1.0
    # Reader buckets: many reader-days but no single day proving 50 people: withheld.
    readers = withhold([Bucket("a", 900, 30), Bucket("b", 900, 70)], labels={"a": "A", "b": "B"})
    assert all(b["withheld"] for b in readers)


def test_demographics_come_from_the_newest_snapshot_up_to_the_period_end(user, api) -> None:
    old = local_yesterday() - timedelta(days=10)
    FanDemographicDaily.objects.create(
        day=old, creator_id=user.pk, dimension="gender", bucket="male", fans=90
    )
    assert api.get(f"{BASE}/fans").json()["demographics"]["as_of"] == old.isoformat()
    params = {
        "start": (old - timedelta(days=3)).isoformat(),
        "end": (old - timedelta(days=1)).isoformat(),
    }
    assert api.get(f"{BASE}/fans", params).json()["demographics"]["as_of"] is None


# --- notes ----------------------------------------------------------------------------------


def test_notes_table_sorts_filters_and_pages(user, api) -> None:
    notes = rollup_rows(user, notes=5, days=7)
    video = NoteFactory(author=user, kind="video")
    NoteFactory()  # someone else's
    body = api.get(f"{BASE}/notes", {"sort": "-reads", "page_size": 2}).json()
    assert body["count"] == 6
    assert [row["note_id"] for row in body["results"]] == [notes[4].pk, notes[3].pk]
    page3 = api.get(f"{BASE}/notes", {"sort": "-reads", "page_size": 2, "page": 3}).json()
    assert [row["note_id"] for row in page3["results"]] == [notes[0].pk, video.pk]
    assert page3["results"][1]["impressions"] == 0 and page3["results"][1]["ctr"] is None
    by_ctr = api.get(f"{BASE}/notes", {"sort": "ctr"}).json()["results"]
    assert by_ctr[0]["note_id"] == video.pk  # no impressions sorts lowest
    videos = api.get(f"{BASE}/notes", {"kind": "video"}).json()
    assert [row["note_id"] for row in videos["results"]] == [video.pk]
    row = next(r for r in body["results"] if r["note_id"] == notes[4].pk)
    reads = sum(104 + d for d in range(7))
    assert row["reads"] == reads and row["impressions"] == reads * 10
    assert row["fan_reads"] + row["non_fan_reads"] == reads
    exported = _csv(api.get(f"{BASE}/notes/export", {"sort": "-reads"}))
    assert [int(r["note_id"]) for r in exported][:2] == [notes[4].pk, notes[3].pk]
    assert len(exported) == 6


def test_note_page_for_a_video(user, api) -> None:
    note = rollup_rows(user, notes=1, days=7, video=True)[0]
    body = api.get(f"{BASE}/notes/{note.pk}", {"period": 7}).json()
    assert len(body["daily"]) == 7
    totals = body["totals"]
    assert totals["video_watches"] == 70 and totals["avg_watch_ms"] == 10_000
    assert totals["avg_completion"] == 0.6 and totals["completion_rate"] == 0.4
    assert [s["source"] for s in body["sources"]] == ["feed", "search"]
    gender = {b["bucket"]: b for b in body["audience"]["gender"]}
    assert gender["female"]["count"] == 560  # 80 distinct readers a day, 7 days
    assert gender["male"]["withheld"] and gender["undisclosed"]["withheld"]
    retention = body["retention"]
    assert [p["reached"] for p in retention] == [i / 10 for i in range(11)]
    assert retention[0]["share"] == 1.0 and retention[-1]["watches"] == 7
    rows = _csv(api.get(f"{BASE}/notes/{note.pk}/export", {"table": "retention"}))
    assert len(rows) == 11


def test_titles_that_look_like_formulas_are_neutralised_in_csv(user, api) -> None:
    NoteFactory(author=user, title="=HYPERLINK(1)")
    rows = _csv(api.get(f"{BASE}/notes/export"))
    assert rows[0]["title"] == "'=HYPERLINK(1)"


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("overview", {"period": "8"}, "period"),
        ("notes", {"start": "1999-12-31", "end": "2000-01-05"}, "start"),
        ("notes", {"sort": "-title"}, "sort"),
        ("notes", {"page": "0"}, "page"),
        ("notes", {"page_size": "1000"}, "page_size"),
        ("notes/export", {"kind": "audio"}, "kind"),
        ("fans/export", {"table": "fans"}, "table"),
        ("overview/export", {"end": "9999-12-31", "start": "9999-12-01"}, "start"),
    ],
)
def test_bad_input_is_a_clear_400(api, path: str, params: dict, field: str) -> None:
    response = api.get(f"{BASE}/{path}", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("params", "days_before_yesterday"),
    [
        # Every schema-valid combination is read one documented way, never refused.
        ({"period": "7", "start": "2026-01-01", "end": "2026-01-02"}, ("2026-01-01", "2026-01-02")),
        ({"start": "2026-01-05", "end": "2026-01-01"}, ("2026-01-01", "2026-01-05")),
        ({"end": "2026-01-10", "period": "30"}, ("2025-12-12", "2026-01-10")),
        ({"start": "2020-01-01", "end": "2022-01-01"}, ("2021-01-01", "2022-01-01")),
        ({"end": "2999-12-31"}, (6, 0)),
        ({"start": "2999-01-01"}, (0, 0)),
    ],
)
def test_period_parameters_are_all_valid_together(api, params, days_before_yesterday) -> None:
    """period with start/end, start alone, a backwards or too long range, a future end."""
    response = api.get(f"{BASE}/overview", params)
    assert response.status_code == 200, response.content
    period = response.json()["period"]
    yesterday = local_yesterday()
    expected = [
        (yesterday - timedelta(days=value)).isoformat() if isinstance(value, int) else value
        for value in days_before_yesterday
    ]
    assert [period["start"], period["end"]] == expected


def test_today_reads_as_yesterday(api) -> None:
    today = local_today().isoformat()
    response = api.get(f"{BASE}/notes", {"start": today, "end": today})
    assert response.status_code == 200, response.content


def test_unknown_and_huge_note_ids_are_404(user, api) -> None:
    for note_id in (0, 2**63, 10**30):
        assert api.get(f"{BASE}/notes/{note_id}").status_code == 404
    assert api.get(f"{BASE}/notes/{10**30}/export", {"table": "daily"}).status_code == 404


def test_signed_out_is_401(anon_client) -> None:
    assert anon_client.get(f"{BASE}/overview").status_code == 401
    assert anon_client.get(f"{BASE}/notes/export").status_code == 401


# --- query counts ---------------------------------------------------------------------------


def _fetch(client, path: str, params: dict, period: int) -> bytes:
    """The whole answer, CSV streams included (their rows are read while streaming)."""
    response = client.get(f"{BASE}/{path}", {**params, "period": period})
    assert response.status_code == 200
    return response.getvalue()


SCREENS = [
    ("overview", {}),
    ("overview/export", {}),
    ("fans", {}),
    ("fans/export", {"table": "demographics"}),
    ("notes", {"page_size": 50}),
    ("notes/export", {}),
]


@pytest.mark.parametrize(("path", "params"), SCREENS)
def test_queries_do_not_grow_with_the_period_or_the_notes(
    path: str, params: dict, make_client, count_queries, django_assert_max_num_queries
) -> None:
    small, large = UserFactory(), UserFactory()
    rollup_rows(small, notes=1, days=7)
    rollup_rows(large, notes=50, days=90)
    counts = [
        count_queries(lambda c=creator, p=period: _fetch(make_client(c), path, params, p))
        for creator, period in ((small, 7), (large, 90))
    ]
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(10):
        _fetch(make_client(large), path, params, 90)


def test_note_page_queries_do_not_grow_with_the_period(user, make_client, count_queries) -> None:
    note = rollup_rows(user, notes=1, days=90, video=True)[0]
    client = make_client(user)
    week = count_queries(lambda: client.get(f"{BASE}/notes/{note.pk}", {"period": 7}))
    quarter = count_queries(lambda: client.get(f"{BASE}/notes/{note.pk}", {"period": 90}))
    export = count_queries(
        lambda: client.get(
            f"{BASE}/notes/{note.pk}/export", {"table": "daily", "period": 90}
        ).getvalue()
    )
    assert week == quarter == export <= 8


def test_last_days_helper_ends_yesterday() -> None:
    assert last_days(3)[-1] == local_yesterday()


def test_note_days_are_read_through_the_day_led_index(user, api) -> None:
    """note_daily's one index, its key, is led by the day: every read must name the period's days
    (one descent each) and the author, or it would scan every creator's rows of the period."""
    note = rollup_rows(user, notes=3, days=90)[0]
    with CaptureQueriesContext(connection) as captured:
        for path, params in (
            ("notes", {"period": 90, "page_size": 50}),
            ("notes/export", {"period": 30}),
            ("fans", {"period": 90}),
            (f"notes/{note.pk}", {"period": 90}),
        ):
            response = api.get(f"{BASE}/{path}", params)
            assert response.status_code == 200, response
            if response.streaming:
                b"".join(response.streaming_content)
    reads = [query for query in captured.captured_queries if "analytics_notedaily" in query["sql"]]
    assert len(reads) >= 4
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in reads:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "analytics_notedaily_pkey" in plan, plan
            assert "day = ANY" in plan and "author_id =" in plan, plan
