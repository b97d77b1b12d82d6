"""Room events framed once per process and written straight to each socket's transport.

Handing an event to a socket through ASGI costs a chain of coroutines per socket (Channels'
``send``, the server's ``send``, the WebSocket library framing the same text again); at 1,000
sockets and 20 messages/s that is 20,000 chains a second, more than one process's share of this
machine (bench/live_chat.py). A server's text frame to a client is the same bytes for every
client (servers do not mask; no compression is negotiated: Dockerfile), so the hub frames an
event once and, for a socket served by uvicorn's WebSocket protocol that is open and not
pushing back, writes those bytes to its transport. Anything else (another server, a socket
closing or paused by flow control, a socket with events already queued) takes the ASGI path
through its outbox, which keeps order and the bound.
"""

from typing import Any

from websockets.frames import Frame, Opcode
from websockets.protocol import State

try:  # the server the project deploys; any other server keeps the ASGI path
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]


def text_frame(text: str) -> bytes:
    """One unmasked, final text frame: what a server sends, byte for byte, to every client."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class TransportWriter:
    """Writes ready frames to one uvicorn WebSocket connection while that is safe."""

    __slots__ = ("protocol",)

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol

    def write(self, frame: bytes) -> bool:
        """Write ``frame`` now; False (nothing written) when the ASGI path must be taken."""
        protocol = self.protocol
        if (
            protocol.close_sent
            or protocol.disconnected
            or not protocol.writable.is_set()  # the transport's buffer is full: flow control
            or protocol.conn.state is not State.OPEN
            or protocol.conn.expect_continuation_frame
            or protocol.transport.is_closing()
        ):
            return False
        protocol.transport.write(frame)
        return True


def transport_writer(server_send: Any) -> TransportWriter | None:
    """A writer for the connection behind the server's ``send``, if uvicorn serves it."""
    protocol = getattr(server_send, "__self__", None)
    if WebSocketsSansIOProtocol is None or not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    if getattr(protocol.conn, "extensions", None):  # a negotiated compression: frame per socket
        return None
    return TransportWriter(protocol)
