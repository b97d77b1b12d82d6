"""The frame the hub writes to every uvicorn socket is what a WebSocket client decodes."""

from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from apps.live.broadcast import envelope
from apps.live.wire import text_frame, transport_writer


def test_a_ready_frame_reads_back_as_the_event_text() -> None:
    client = ClientProtocol(parse_uri("ws://127.0.0.1/ws/live/rooms/1/"), state=State.OPEN)
    message = envelope({"type": "chat", "text": "héllo 你好 " + "x" * 300})  # > 125 bytes
    client.receive_data(text_frame(message["text"]))
    (frame,) = client.events_received()
    assert frame.opcode is Opcode.TEXT and frame.fin
    assert frame.data.decode() == message["text"]


def test_a_send_that_is_not_uvicorns_keeps_the_asgi_path() -> None:
    async def send(message: dict) -> None:
        return None

    assert transport_writer(send) is None
    assert transport_writer(None) is None
