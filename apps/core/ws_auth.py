"""JWT authentication for WebSockets, for mobile clients that hold an access token, not a session.

A client gives its simplejwt access token in one of two ways:

- as WebSocket subprotocols, ``new WebSocket(url, ["bearer", token])``: the header
  ``Sec-WebSocket-Protocol: bearer, <token>``. Browsers cannot set other headers on a WebSocket,
  and a header stays out of access logs. The server then accepts with the subprotocol
  ``bearer`` (never echoing the token), whatever consumer answers: the middleware fills it in;
- as a query parameter, ``?token=<token>``, for clients that cannot choose subprotocols (the
  token may then appear in proxy logs: prefer the subprotocol).

When both are given the subprotocol wins. With no token the socket keeps the user of the session
stack around it (the admin's session), or ``AnonymousUser``. A token that is given but not good
closes the socket with code 4401, after accepting it, because a close before the accept reaches
the client as a bare HTTP 403 without a code. "Not good" is what the HTTP API refuses
(``JWTAuthentication``: bad signature or key, ``alg: none`` or any algorithm but the configured
one, expired, not an access token, malformed, the user deleted or inactive) plus revocation:
the access token's own ``jti`` on simplejwt's blacklist, or, when the token names the refresh
token it came from in the ``refresh_jti`` claim, that refresh token blacklisted (a logout).
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import APIException
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

UNAUTHORIZED = 4401  # the WebSocket close code for "no valid credentials" (4000-4999: ours)
SUBPROTOCOL = "bearer"
QUERY_PARAMETER = "token"
REFRESH_JTI_CLAIM = "refresh_jti"


class TokenRefused(Exception):
    """A token was given and is not acceptable; the socket must be closed with 4401."""


def _token_from(scope: Scope) -> tuple[str | None, bool]:
    """The raw token and whether it came as a subprotocol (``["bearer", token]``)."""
    subprotocols = list(scope.get("subprotocols") or [])
    if SUBPROTOCOL in subprotocols:
        index = subprotocols.index(SUBPROTOCOL)
        if index + 1 >= len(subprotocols):
            return "", True  # "bearer" without a token: a malformed attempt, not anonymous
        return subprotocols[index + 1], True
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if QUERY_PARAMETER in query:
        return query[QUERY_PARAMETER][-1], False
    return None, False


def user_for_token(raw: str) -> Any:
    """The active user an access token belongs to; raises ``TokenRefused`` otherwise.

    The HTTP API's own checks (``JWTAuthentication``: signature, algorithm, expiry, token type,
    user exists and is active), plus simplejwt's blacklist, which simplejwt itself consults for
    refresh tokens only.
    """
    authentication = JWTAuthentication()
    try:
        token = authentication.get_validated_token(raw.encode())
        user = authentication.get_user(token)
    except APIException as exc:  # InvalidToken, AuthenticationFailed
        raise TokenRefused(str(exc.detail)) from exc
    jtis = [token.get(api_settings.JTI_CLAIM), token.get(REFRESH_JTI_CLAIM)]
    jtis = [jti for jti in jtis if jti]
    if jtis and BlacklistedToken.objects.filter(token__jti__in=jtis).exists():
        raise TokenRefused("token is blacklisted")
    return user


async def refuse(receive: Receive, send: Send, subprotocol: str | None = None) -> None:
    """Complete the handshake and close at once with 4401, so the client sees the code."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept", "subprotocol": subprotocol})
    await send({"type": "websocket.close", "code": UNAUTHORIZED})


class JwtAuthMiddleware(BaseMiddleware):
    """Sets ``scope["user"]`` from a JWT access token, or closes the socket with 4401."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        raw, as_subprotocol = _token_from(scope)
        scope = dict(scope)
        if raw is None:
            scope.setdefault("user", AnonymousUser())
            return await self.inner(scope, receive, send)
        answer = SUBPROTOCOL if as_subprotocol else None
        try:
            user = await database_sync_to_async(user_for_token)(raw)
        except TokenRefused:
            return await refuse(receive, send, answer)
        scope["user"] = user
        scope["auth_method"] = "jwt"
        if as_subprotocol:
            # The token is a credential: consumers never see it among the subprotocols.
            scope["subprotocols"] = [SUBPROTOCOL]
            send = _accepting_with(SUBPROTOCOL, send)
        return await self.inner(scope, receive, send)


def _accepting_with(subprotocol: str, send: Send) -> Send:
    """A ``send`` that accepts with ``subprotocol`` when the consumer names none: a browser
    drops a connection whose answer lacks a subprotocol it offered."""

    async def _send(message: Message) -> None:
        if message["type"] == "websocket.accept" and not message.get("subprotocol"):
            message = {**message, "subprotocol": subprotocol}
        await send(message)

    return _send


SERVER_SEND = "server_send"  # the scope key of the server's own ``send``


class ServerSendMiddleware:
    """Keeps the server's ``send`` in the scope (``SERVER_SEND``). The stack's wrappers of
    ``send`` act on the accept only (the session's save, the ``bearer`` subprotocol); a consumer
    writing many data frames (a live room's events) writes them with the server's ``send``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        return await self.inner({**scope, SERVER_SEND: send}, receive, send)


def JwtAuthMiddlewareStack(inner: Any) -> Any:
    """Session authentication (the admin) with JWT on top: a token, when given, decides."""
    return ServerSendMiddleware(AuthMiddlewareStack(JwtAuthMiddleware(inner)))


class UserWebsocketConsumer(AsyncJsonWebsocketConsumer):
    """A consumer for signed-in users only: an anonymous socket is closed with 4401.

    Subclasses write ``connect()`` as usual; it runs only for an authenticated ``self.user``.
    """

    @property
    def user(self) -> Any:
        return self.scope.get("user")

    async def websocket_connect(self, message: Message) -> None:
        if self.user is None or not self.user.is_authenticated:
            await self.accept()
            await self.close(code=UNAUTHORIZED)
            return
        await super().websocket_connect(message)
