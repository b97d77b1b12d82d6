"""Object-permission checks for the live routes (collected by tests/core).

The victim hosts a live room with chat, moderators, sanctions, an allow-list, blocked words, a
shelf and a report; the attacker (a signed-in stranger) tries every route on them and must
neither read the host's private objects nor change anything.
"""

from collections.abc import Callable

from apps.live import services
from apps.live.models import (
    AllowedSpeaker,
    ChatMessage,
    LiveBlockedWord,
    Moderator,
    Report,
    Room,
    RoomStatus,
    Sanction,
    SanctionKind,
    ShelfItem,
    StreamKey,
)
from tests.factories import UserFactory

JSON = {"format": "json"}


def _victim_room(victim) -> Room:
    room = services.room_create(
        host=victim, title="Victim show", category="chat", scheduled_at=None
    )
    services.room_start(room_id=room.pk)
    room.refresh_from_db()
    viewer = UserFactory()
    ChatMessage.objects.create(room=room, author=viewer, text="hello")
    services.sanction_add(room=room, by=victim, user_id=viewer.pk, kind=SanctionKind.BAN)
    services.allowed_speaker_add(room=room, user_id=viewer.pk)
    services.moderator_add(host=victim, user_id=UserFactory().pk, room=room)
    services.blocked_word_add(host=victim, word="secretword", action="block")
    ShelfItem.objects.create(room=room, product_id=7, position=1)
    return room


def _unchanged(room: Room) -> None:
    room.refresh_from_db()
    assert room.status == RoomStatus.LIVE
    assert (room.slow_mode_seconds, room.allow_list_only) == (0, False)
    assert ChatMessage.objects.filter(room=room, visibility="visible").count() == 1
    assert Sanction.objects.filter(room=room).count() == 1
    assert AllowedSpeaker.objects.filter(room=room).count() == 1
    assert Moderator.objects.filter(host=room.host).count() == 1
    assert LiveBlockedWord.objects.filter(host=room.host).count() == 1
    assert list(ShelfItem.objects.filter(room=room).values_list("product_id", "pinned")) == [
        (7, False)
    ]


def _refused(response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.content[:200])


def _rooms(client, victim) -> None:
    room = _victim_room(victim)
    listed = client.get("/api/v1/live/rooms").json()["results"]
    assert [r["id"] for r in listed] == [room.pk]  # public rooms are listed, nothing private
    assert not {"stream_key", "key", "key_hash"} & set(listed[0])
    _unchanged(room)


def _rooms_mine(client, victim) -> None:
    room = _victim_room(victim)
    assert client.get("/api/v1/live/rooms/mine").json()["results"] == []
    _unchanged(room)


def _room(client, victim) -> None:
    room = _victim_room(victim)
    assert client.get(f"/api/v1/live/rooms/{room.pk}").status_code == 200  # public
    _refused(client.patch(f"/api/v1/live/rooms/{room.pk}", {"title": "Mine"}, **JSON), 404)
    room.refresh_from_db()
    assert room.title == "Victim show"
    _unchanged(room)


def _host_action(path: str) -> Callable:
    def check(client, victim) -> None:
        room = _victim_room(victim)
        _refused(client.post(f"/api/v1/live/rooms/{room.pk}/{path}", {}, **JSON), 404)
        _unchanged(room)

    return check


def _reminder(client, victim) -> None:
    room = _victim_room(victim)
    # Reminders are the attacker's own; on a live room they are refused, and delete is theirs.
    _refused(client.post(f"/api/v1/live/rooms/{room.pk}/reminder"), 409)
    assert client.delete(f"/api/v1/live/rooms/{room.pk}/reminder").json() == {"reminded": False}
    _unchanged(room)


def _stream_key(client, victim) -> None:
    _, key = services.stream_key_rotate(host=victim)
    _refused(client.get("/api/v1/live/stream-key"), 404)
    assert key not in client.get("/api/v1/live/stream-key").content.decode()


def _stream_key_rotate(client, victim) -> None:
    services.stream_key_rotate(host=victim)
    before = StreamKey.objects.get(host=victim).key_hash
    response = client.post("/api/v1/live/stream-key/rotate")
    assert response.status_code == 201
    assert StreamKey.objects.get(host=victim).key_hash == before  # only the attacker's own key


def _messages(client, victim) -> None:
    room = _victim_room(victim)
    held = ChatMessage.objects.create(room=room, author=victim, text="held", visibility="review")
    texts = [m["text"] for m in client.get(f"/api/v1/live/rooms/{room.pk}/messages").json()]
    assert texts == ["hello"] and held.text not in texts
    _refused(client.get(f"/api/v1/live/rooms/{room.pk + 999}/messages"), 404)


def _message(client, victim) -> None:
    room = _victim_room(victim)
    message = ChatMessage.objects.get(room=room)
    _refused(client.delete(f"/api/v1/live/rooms/{room.pk}/messages/{message.pk}"), 403)
    _unchanged(room)


def _chat_settings(client, victim) -> None:
    room = _victim_room(victim)
    body = {"slow_mode_seconds": 30, "allow_list_only": True}
    _refused(client.patch(f"/api/v1/live/rooms/{room.pk}/chat-settings", body, **JSON), 403)
    _unchanged(room)


def _sanctions(client, victim) -> None:
    room = _victim_room(victim)
    _refused(client.get(f"/api/v1/live/rooms/{room.pk}/sanctions"), 403)
    body = {"user_id": UserFactory().pk, "kind": "ban"}
    _refused(client.post(f"/api/v1/live/rooms/{room.pk}/sanctions", body, **JSON), 403)
    _unchanged(room)


def _sanction(client, victim) -> None:
    room = _victim_room(victim)
    banned = Sanction.objects.get(room=room).user_id
    _refused(client.delete(f"/api/v1/live/rooms/{room.pk}/sanctions/{banned}"), 403)
    _unchanged(room)


def _allowed_speakers(client, victim) -> None:
    room = _victim_room(victim)
    _refused(client.get(f"/api/v1/live/rooms/{room.pk}/allowed-speakers"), 404)
    body = {"user_id": client.attacker.pk}
    _refused(client.post(f"/api/v1/live/rooms/{room.pk}/allowed-speakers", body, **JSON), 404)
    _unchanged(room)


def _allowed_speaker(client, victim) -> None:
    room = _victim_room(victim)
    user_id = AllowedSpeaker.objects.get(room=room).user_id
    _refused(client.delete(f"/api/v1/live/rooms/{room.pk}/allowed-speakers/{user_id}"), 404)
    _unchanged(room)


def _moderators(client, victim) -> None:
    room = _victim_room(victim)
    assert client.get("/api/v1/live/moderators").json()["results"] == []
    body = {"user_id": client.attacker.pk, "room_id": room.pk}
    _refused(client.post("/api/v1/live/moderators", body, **JSON), 404)
    _unchanged(room)


def _moderator(client, victim) -> None:
    room = _victim_room(victim)
    moderator = Moderator.objects.get(host=victim)
    _refused(client.delete(f"/api/v1/live/moderators/{moderator.pk}"), 404)
    _unchanged(room)


def _blocked_words(client, victim) -> None:
    room = _victim_room(victim)
    assert client.get("/api/v1/live/blocked-words").json()["results"] == []
    _unchanged(room)


def _blocked_word(client, victim) -> None:
    room = _victim_room(victim)
    word = LiveBlockedWord.objects.get(host=victim)
    _refused(client.delete(f"/api/v1/live/blocked-words/{word.pk}"), 404)
    _unchanged(room)


def _gifts(client, victim) -> None:
    room = _victim_room(victim)
    assert client.get("/api/v1/live/gifts").status_code == 200  # the public catalogue
    _unchanged(room)


def _room_gifts(client, victim) -> None:
    room = _victim_room(victim)
    # A gift is the attacker's own money; with an empty wallet nothing moves.
    response = client.post(
        f"/api/v1/live/rooms/{room.pk}/gifts",
        {"gift_id": 999_999},
        HTTP_IDEMPOTENCY_KEY="attack-gift",
        **JSON,
    )
    _refused(response, 404)
    _unchanged(room)


def _shelf(client, victim) -> None:
    room = _victim_room(victim)
    assert client.get(f"/api/v1/live/rooms/{room.pk}/shelf").status_code == 200  # public
    _refused(client.post(f"/api/v1/live/rooms/{room.pk}/shelf", {"product_ids": [8]}, **JSON), 404)
    _unchanged(room)


def _shelf_order(client, victim) -> None:
    room = _victim_room(victim)
    body = {"product_ids": [7]}
    _refused(client.put(f"/api/v1/live/rooms/{room.pk}/shelf/order", body, **JSON), 404)
    _unchanged(room)


def _shelf_pin(client, victim) -> None:
    room = _victim_room(victim)
    body = {"product_id": 7}
    _refused(client.post(f"/api/v1/live/rooms/{room.pk}/shelf/pin", body, **JSON), 404)
    _unchanged(room)


def _shelf_item(client, victim) -> None:
    room = _victim_room(victim)
    _refused(client.delete(f"/api/v1/live/rooms/{room.pk}/shelf/7"), 404)
    _unchanged(room)


def _report(client, victim) -> None:
    room = _victim_room(victim)
    services.room_end(room_id=room.pk, by="host")
    services.report_compute(room_id=room.pk)
    assert Report.objects.filter(room=room).exists()
    _refused(client.get(f"/api/v1/live/rooms/{room.pk}/report"), 404)


def _reports(client, victim) -> None:
    room = _victim_room(victim)
    services.room_end(room_id=room.pk, by="host")
    services.report_compute(room_id=room.pk)
    assert Report.objects.filter(room=room).exists()
    assert client.get("/api/v1/live/reports").json()["results"] == []


ROUTE_CHECKS = {
    "live-rooms": _rooms,
    "live-rooms-mine": _rooms_mine,
    "live-room": _room,
    "live-room-cancel": _host_action("cancel"),
    "live-room-end": _host_action("end"),
    "live-room-reminder": _reminder,
    "live-stream-key": _stream_key,
    "live-stream-key-rotate": _stream_key_rotate,
    "live-room-messages": _messages,
    "live-room-message": _message,
    "live-room-chat-settings": _chat_settings,
    "live-room-sanctions": _sanctions,
    "live-room-sanction": _sanction,
    "live-room-allowed-speakers": _allowed_speakers,
    "live-room-allowed-speaker": _allowed_speaker,
    "live-moderators": _moderators,
    "live-moderator": _moderator,
    "live-blocked-words": _blocked_words,
    "live-blocked-word": _blocked_word,
    "live-gifts": _gifts,
    "live-room-gifts": _room_gifts,
    "live-room-shelf": _shelf,
    "live-room-shelf-order": _shelf_order,
    "live-room-shelf-pin": _shelf_pin,
    "live-room-shelf-item": _shelf_item,
    "live-room-report": _report,
    "live-reports": _reports,
}
