"""Rooms over REST: scheduling, the state machine, reminders, stream keys, the hook endpoint."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.live import services
from apps.live.models import ROOM_MACHINE, Room, RoomStatus, StreamKey
from apps.live.services.rooms import key_hash
from apps.notifications.models import Notification
from tests.factories import UserFactory
from tests.live.conftest import make_room

pytestmark = pytest.mark.django_db


def test_a_host_schedules_a_room_and_followers_are_reminded_when_it_starts(
    make_client, django_capture_on_commit_callbacks
) -> None:
    host, fan = UserFactory(), UserFactory()
    start = (timezone.now() + timedelta(hours=2)).isoformat()
    response = make_client(host).post(
        "/api/v1/live/rooms",
        {"title": "Spring looks", "category": "beauty", "scheduled_at": start},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["playback_url"]) == ("scheduled", None)
    room_id = body["id"]
    assert make_client(fan).post(f"/api/v1/live/rooms/{room_id}/reminder").json() == {
        "reminded": True
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.room_start(room_id=room_id)
    note = Notification.objects.get(recipient=fan)
    assert (note.kind, note.payload["room_id"]) == ("live.room_started", room_id)
    live = make_client(fan).get(f"/api/v1/live/rooms/{room_id}").json()
    assert live["status"] == "live" and live["playback_url"].endswith(".m3u8")


def test_one_live_room_per_host_and_illegal_moves_are_409(host, make_client) -> None:
    first = make_room(host)
    second = make_room(host, live=False)
    with pytest.raises(Exception) as refused:
        services.room_start(room_id=second.pk)
    assert getattr(refused.value, "code", "") == "room.host_live"
    second.refresh_from_db()
    assert second.status == RoomStatus.SCHEDULED
    client = make_client(host)
    response = client.post(f"/api/v1/live/rooms/{first.pk}/cancel")
    assert (response.status_code, response.json()["error"]["code"]) == (
        409,
        "room.illegal_transition",
    )
    assert client.post(f"/api/v1/live/rooms/{first.pk}/end").json()["status"] == "ended"
    response = client.patch(f"/api/v1/live/rooms/{first.pk}", {"title": "x"}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize(("state", "action"), list(ROOM_MACHINE.pairs()))
def test_every_room_transition_moves_or_answers_409(host, state: str, action: str) -> None:
    room = make_room(host, live=False)
    Room.objects.filter(pk=room.pk).update(status=state)
    call = {
        "start": lambda: services.room_start(room_id=room.pk),
        "cancel": lambda: services.room_cancel(room=room),
        "end": lambda: services.room_end(room_id=room.pk, by="host"),
    }[action]
    if ROOM_MACHINE.allows(state, action):
        assert call().status == ROOM_MACHINE.next_state(state, action)
    else:
        with pytest.raises(Exception) as refused:
            call()
        assert refused.value.code == "room.illegal_transition"
        room.refresh_from_db()
        assert room.status == state


def test_titles_are_screened(host, make_client) -> None:
    from apps.moderation import services as moderation_services

    moderation_services.keyword_rule_create(
        term="badtitle", category="abuse", action="block", surfaces=["live_chat"]
    )
    response = make_client(host).post(
        "/api/v1/live/rooms", {"title": "a badtitle here", "category": "chat"}, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "moderation.blocked")
    assert not Room.objects.exists()


def test_the_stream_key_is_shown_once_and_stored_hashed(host, make_client) -> None:
    client = make_client(host)
    assert client.get("/api/v1/live/stream-key").status_code == 404
    shown = client.post("/api/v1/live/stream-key/rotate").json()
    stream_id, secret = shown["stream_key"].split("?key=")
    stored = StreamKey.objects.get(host=host)
    assert (stored.stream_id, stored.key_hash) == (stream_id, key_hash(secret))
    assert secret not in str(stored.__dict__)
    later = client.get("/api/v1/live/stream-key").json()
    assert "stream_key" not in later and later["hint"] == secret[-4:]
    rotated = client.post("/api/v1/live/stream-key/rotate").json()["stream_key"]
    assert rotated.split("?key=")[0] == stream_id and rotated != shown["stream_key"]


def test_the_hook_endpoint_needs_the_secret_and_speaks_nginx(host, settings) -> None:
    _, key = services.stream_key_rotate(host=host)
    stream_id, secret = key.split("?key=")
    room = make_room(host, live=False)
    client = Client()
    url = "/hooks/live/rtmp/publish"
    form = {"call": "publish", "app": "live", "name": stream_id, "key": secret}
    assert client.post(f"{url}?secret=wrong", form).status_code == 403
    assert client.post(url, form).status_code == 403
    assert client.get(f"{url}?secret={settings.LIVE_HOOK_SECRET}").status_code == 405
    bad = {**form, "key": "nope"}
    assert client.post(f"{url}?secret={settings.LIVE_HOOK_SECRET}", bad).status_code == 403
    room.refresh_from_db()
    assert room.status == RoomStatus.SCHEDULED
    assert client.post(f"{url}?secret={settings.LIVE_HOOK_SECRET}", form).status_code == 200
    room.refresh_from_db()
    assert room.status == RoomStatus.LIVE
    update = f"/hooks/live/rtmp/update?secret={settings.LIVE_HOOK_SECRET}"
    assert client.post(update, {"name": stream_id}).status_code == 200
    services.room_end(room_id=room.pk, by="operator")
    assert client.post(update, {"name": stream_id}).status_code == 403  # nginx drops it
    settings.LIVE_HOOK_SECRET = ""
    assert client.post(f"{url}?secret=", form).status_code == 403
