"""Object-permission checks for the creator-center routes (collected by tests/core).

The victim gets notes, fans and a day of events, rolled up; the attacker then calls every
route and must see only their own (empty) analytics, and 404 for the victim's note ids.
"""

from collections.abc import Callable

from apps.analytics.models import CreatorDaily, NoteDaily
from tests.creators.analytics_factories import rolled_up_creator

CSV_EMPTY_COLUMNS = {"trend", "sources", "top_sources", "top_notes"}


def _content(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def _victim(victim) -> list[int]:
    notes = rolled_up_creator(victim, notes=2, fans=3)
    # The victim really has figures to leak.
    assert CreatorDaily.objects.filter(creator_id=victim.pk, impressions__gt=0).exists()
    assert NoteDaily.objects.filter(author_id=victim.pk).count() == 2
    return [note.pk for note in notes]


def _overview(client, victim) -> None:
    _victim(victim)
    body = client.get("/api/v1/creator/analytics/overview", {"period": 7}).json()
    assert body["fans_total"] == 0
    assert all(metric["value"] in (0, None) for metric in body["metrics"].values())
    assert all(day["impressions"] == 0 and day["fans_total"] == 0 for day in body["series"])
    assert body["today"]["impressions"] == 0


def _overview_export(client, victim) -> None:
    _victim(victim)
    lines = _content(client.get("/api/v1/creator/analytics/overview/export")).splitlines()
    assert len(lines) == 1 + 7
    assert all(line.split(",")[1:] == ["0"] * 12 for line in lines[1:])


def _fans(client, victim) -> None:
    note_ids = _victim(victim)
    body = client.get("/api/v1/creator/analytics/fans", {"period": 30}).json()
    assert body["fans_total"] == 0 and body["new_fans"] == 0
    assert body["top_notes"] == [] and body["top_sources"] == [] and body["by_source"] == []
    assert body["active_fans"] == {"as_of": None, "last_7_days": 0, "last_30_days": 0}
    assert all(b["withheld"] for b in body["demographics"]["gender"])
    assert all(slot["active_fans"] == 0 for slot in body["active_hours"]["hours"])
    assert not set(note_ids) & {row["note_id"] for row in body["top_notes"]}


def _fans_export(client, victim) -> None:
    _victim(victim)
    for table in sorted(CSV_EMPTY_COLUMNS):
        response = client.get("/api/v1/creator/analytics/fans/export", {"table": table})
        lines = _content(response).splitlines()
        if table == "trend":
            assert all(line.endswith(",0,0,0,0") for line in lines[1:])
        else:
            assert len(lines) == 1, table


def _notes(client, victim) -> None:
    _victim(victim)
    body = client.get("/api/v1/creator/analytics/notes").json()
    assert body["count"] == 0 and body["results"] == []


def _notes_export(client, victim) -> None:
    _victim(victim)
    lines = _content(client.get("/api/v1/creator/analytics/notes/export")).splitlines()
    assert len(lines) == 1


def _note(client, victim) -> None:
    for note_id in _victim(victim):
        response = client.get(f"/api/v1/creator/analytics/notes/{note_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "note.not_found"


def _note_export(client, victim) -> None:
    for note_id in _victim(victim):
        response = client.get(
            f"/api/v1/creator/analytics/notes/{note_id}/export", {"table": "daily"}
        )
        assert response.status_code == 404


ROUTE_CHECKS: dict[str, Callable] = {
    "creator-analytics-overview": _overview,
    "creator-analytics-overview-export": _overview_export,
    "creator-analytics-fans": _fans,
    "creator-analytics-fans-export": _fans_export,
    "creator-analytics-notes": _notes,
    "creator-analytics-notes-export": _notes_export,
    "creator-analytics-note": _note,
    "creator-analytics-note-export": _note_export,
}
