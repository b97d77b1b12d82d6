"""Client events are checked field by field in plain Python; each bad one is named."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.analytics.validation import MAX_FUTURE, MAX_PAST, parse_batch
from apps.core.errors import InvalidInput
from tests.analytics.factories import client_event

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


def _one(event: dict) -> tuple[list, list]:
    return parse_batch({"events": [event]}, received_at=NOW)


@pytest.mark.parametrize(
    "kind",
    [
        "impression",
        "view",
        "video_watch",
        "share",
        "profile_visit",
        "product_click",
        "live_enter",
        "live_leave",
    ],
)
def test_every_client_kind_has_a_valid_shape(kind: str) -> None:
    events, errors = _one(client_event(kind))
    assert errors == []
    assert events[0].kind == kind
    assert events[0].occurred_at == NOW  # no client time: the time received


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"client_event_id": ""}, "client_event_id"),
        ({"client_event_id": "x" * 65}, "client_event_id"),
        ({"client_event_id": "has space"}, "client_event_id"),
        ({"client_event_id": 12}, "client_event_id"),
        ({"kind": "teleport"}, "kind"),
        ({"kind": ["view"]}, "kind"),
        ({"kind": "like"}, "kind"),  # the server records likes itself
        ({"source": "moon"}, "source"),
        ({"source": {"a": 1}}, "source"),
        ({"note_id": 0}, "note_id"),
        ({"note_id": "12"}, "note_id"),
        ({"note_id": True}, "note_id"),
        ({"note_id": 2**63}, "note_id"),
        ({"source_id": -1}, "source_id"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2026-05-20T10:00:00"}, "occurred_at"),  # no offset
        ({"occurred_at": 10**20}, "occurred_at"),
        ({"occurred_at": 1.5}, "occurred_at"),
        ({"properties": []}, "properties"),
        ({"properties": {"k": "x" * 3000}}, "properties"),
        ({"properties": {str(i): i for i in range(40)}}, "properties"),
        ({"properties": {"k": "a\u0000b"}}, "properties"),
        ({"properties": {"k": "\ud800"}}, "properties"),
        ({"properties": {"k": float("inf")}}, "properties"),
        ({"properties": {"k": {"nested": 1}}}, "properties"),
        ({"properties": {"k": [1, [2]]}}, "properties"),
        ({"dwell_ms": 5}, "dwell_ms"),  # not used by impressions
        ({"actor_id": 5}, "actor_id"),  # unknown field
    ],
)
def test_bad_impression_fields_are_named(change: dict, field: str) -> None:
    events, errors = _one({**client_event("impression"), **change})
    assert events == []
    assert len(errors) == 1
    assert errors[0].code == "event.invalid"
    assert list(errors[0].fields) == [field]


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("view", {"dwell_ms": None}, "dwell_ms"),
        ("view", {"dwell_ms": -1}, "dwell_ms"),
        ("view", {"dwell_ms": 1.5}, "dwell_ms"),
        ("view", {"dwell_ms": 25 * 3600 * 1000}, "dwell_ms"),
        ("video_watch", {"completion": 1.01}, "completion"),
        ("video_watch", {"completion": "0.5"}, "completion"),
        ("video_watch", {"completion": float("nan")}, "completion"),
        ("profile_visit", {"target_user_id": None}, "target_user_id"),
        ("product_click", {"properties": {}}, "properties"),
        ("product_click", {"properties": {"product_id": "7"}}, "properties"),
        ("live_enter", {"properties": {"other": 1}}, "properties"),
        ("live_enter", {"watch_ms": 10}, "watch_ms"),
    ],
)
def test_kind_specific_rules(kind: str, change: dict, field: str) -> None:
    event = {**client_event(kind), **change}
    event = {k: v for k, v in event.items() if v is not None}
    events, errors = _one(event)
    assert events == []
    assert list(errors[0].fields) == [field]


def test_missing_properties_when_required() -> None:
    event = client_event("live_enter")
    del event["properties"]
    _, errors = _one(event)
    assert list(errors[0].fields) == ["properties"]


def test_client_times_are_parsed_and_clamped() -> None:
    inside = NOW - timedelta(hours=3)
    far_past = NOW - timedelta(days=30)
    future = NOW + timedelta(hours=2)
    events, errors = parse_batch(
        {
            "events": [
                client_event(occurred_at=inside.isoformat()),
                client_event(occurred_at=int(inside.timestamp() * 1000)),
                client_event(occurred_at=inside.astimezone().isoformat().replace("+00:00", "Z")),
                client_event(occurred_at=far_past.isoformat()),
                client_event(occurred_at=future.isoformat()),
                client_event(occurred_at=(NOW + MAX_FUTURE / 2).isoformat()),
            ]
        },
        received_at=NOW,
    )
    assert errors == []
    times = [event.occurred_at for event in events]
    assert times[:3] == [inside, inside, inside]
    assert times[3] == NOW - MAX_PAST
    assert times[4] == NOW  # a clock ahead of the server: the time received
    assert times[5] == NOW + MAX_FUTURE / 2  # small skew is kept


def test_good_events_survive_bad_neighbours_with_their_positions() -> None:
    events, errors = parse_batch(
        {"events": [client_event(), "junk", client_event(note_id=-3), client_event(), None]},
        received_at=NOW,
    )
    assert [event.index for event in events] == [0, 3]
    assert [error.index for error in errors] == [1, 2, 4]
    assert errors[1].client_event_id is not None  # echoed so the client can match it


def test_properties_are_kept_as_compact_json() -> None:
    properties = {"channel": "微信", "n": 2, "tags": [1, "a", None], "ok": True}
    events, _ = _one(client_event("share", properties=properties))
    assert events[0].properties == '{"channel":"微信","n":2,"tags":[1,"a",null],"ok":true}'


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([], "events.invalid_batch"),
        ({}, "events.invalid_batch"),
        ({"events": {}}, "events.invalid_batch"),
        ({"events": []}, "events.invalid_batch"),
        ({"events": "x"}, "events.invalid_batch"),
        ({"events": [{}] * 501}, "events.batch_too_large"),
    ],
)
def test_a_bad_envelope_refuses_the_batch(body: object, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_batch(body, received_at=NOW)
    assert caught.value.code == code
