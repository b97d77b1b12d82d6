"""JWT authentication for WebSockets, through Channels' WebsocketCommunicator on the Redis layer.

A whoami consumer and a test-only routing live here; the routing is wrapped in the same stack as
``config/asgi.py`` (session, then JWT). The consumer answers who it serves and relays messages
sent to its group through the channel layer, so every connection below also crosses Redis.
"""

import base64
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import path
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import aware_utcnow, datetime_from_epoch

from apps.core.ws_auth import (
    REFRESH_JTI_CLAIM,
    UNAUTHORIZED,
    JwtAuthMiddleware,
    JwtAuthMiddlewareStack,
    UserWebsocketConsumer,
)
from tests.factories import TEST_PASSWORD, UserFactory
from tests.workers import WORKER

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs the Redis channel layer (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),  # the middleware reads users in another thread
]
TIMEOUT = 10  # seconds; the machine is shared, a handshake with a database read can be slow


class WhoAmIConsumer(AsyncJsonWebsocketConsumer):
    """Says who the socket belongs to, then relays its group's messages."""

    async def connect(self) -> None:
        user = self.scope["user"]
        self.group = f"whoami-{user.pk if user.is_authenticated else 'anonymous'}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(
            {
                "user_id": user.pk if user.is_authenticated else None,
                "subprotocols": self.scope.get("subprotocols", []),
            }
        )

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def whoami_relay(self, event: dict[str, Any]) -> None:
        await self.send_json({"relayed": event["text"]})


class PrivateWhoAmIConsumer(UserWebsocketConsumer):
    """Only for signed-in users."""

    async def connect(self) -> None:
        await self.accept()
        await self.send_json({"user_id": self.user.pk})


application = JwtAuthMiddlewareStack(
    URLRouter(
        [
            path("ws/whoami/", WhoAmIConsumer.as_asgi()),
            path("ws/private/", PrivateWhoAmIConsumer.as_asgi()),
        ]
    )
)


def _communicator(
    route: str = "ws/whoami/",
    *,
    subprotocol_token: str | None = None,
    query_token: str | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> WebsocketCommunicator:
    url = f"/{route}" + (f"?token={query_token}" if query_token is not None else "")
    subprotocols = ["bearer", subprotocol_token] if subprotocol_token is not None else None
    return WebsocketCommunicator(application, url, headers=headers, subprotocols=subprotocols)


def _connect_as(**kwargs: Any) -> dict[str, Any]:
    """Connect, read the greeting, prove the socket is on the channel layer, disconnect."""

    async def scenario() -> dict[str, Any]:
        communicator = _communicator(**kwargs)
        connected, subprotocol = await communicator.connect(timeout=TIMEOUT)
        assert connected
        hello = await communicator.receive_json_from(timeout=TIMEOUT)
        group = f"whoami-{hello['user_id'] or 'anonymous'}"
        await get_channel_layer().group_send(group, {"type": "whoami.relay", "text": "ping"})
        assert await communicator.receive_json_from(timeout=TIMEOUT) == {"relayed": "ping"}
        await communicator.disconnect()
        return {**hello, "accepted_subprotocol": subprotocol}

    return async_to_sync(scenario)()


def _close_code(**kwargs: Any) -> tuple[str | None, int]:
    """Connect and return (accepted subprotocol, close code) of a socket the server closes."""

    async def scenario() -> tuple[str | None, int]:
        communicator = _communicator(**kwargs)
        connected, subprotocol = await communicator.connect(timeout=TIMEOUT)
        assert connected, "a refusal completes the handshake so that the client sees its code"
        message = await communicator.receive_output(timeout=TIMEOUT)
        assert message["type"] == "websocket.close", message
        await communicator.disconnect(timeout=TIMEOUT)  # as a server does after a close
        return subprotocol, message["code"]

    return async_to_sync(scenario)()


def _access(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def _forged(payload: dict[str, Any], *, key: str | None, algorithm: str) -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def _unsigned(payload: dict[str, Any]) -> str:
    """An ``alg: none`` token: a header, the payload, and an empty signature."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def test_the_channel_layer_is_redis() -> None:
    from channels_redis.core import RedisChannelLayer

    assert isinstance(get_channel_layer(), RedisChannelLayer)
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    assert config["hosts"] == [settings.REDIS_URL]
    assert f"-{WORKER}:" in config["prefix"]  # groups of another xdist worker stay apart


def test_config_asgi_puts_jwt_inside_the_session_stack_and_origin_check() -> None:
    from channels.security.websocket import OriginValidator

    from config.asgi import application as project

    layer, chain = project.application_mapping["websocket"], []
    while layer is not None:
        chain.append(type(layer))
        layer = getattr(layer, "application", None) or getattr(layer, "inner", None)
    assert chain[0] is OriginValidator
    assert JwtAuthMiddleware in chain
    names = [kind.__name__ for kind in chain]
    assert (
        names.index("AuthMiddleware") < names.index("JwtAuthMiddleware") < names.index("URLRouter")
    )


@pytest.mark.parametrize("transport", ["subprotocol", "query"])
def test_a_valid_token_connects_as_its_user(transport: str) -> None:
    user = UserFactory()
    answer = _connect_as(**{f"{transport}_token": _access(user)})
    assert answer["user_id"] == user.pk
    if transport == "subprotocol":
        # Accepted with "bearer", never with the token; the consumer never sees the token.
        assert answer["accepted_subprotocol"] == "bearer"
        assert answer["subprotocols"] == ["bearer"]
    else:
        assert answer["accepted_subprotocol"] is None


def test_the_private_consumer_serves_a_token_user() -> None:
    user = UserFactory()
    token = _access(user)

    async def scenario() -> tuple[bool, str | None, dict]:
        communicator = _communicator("ws/private/", subprotocol_token=token)
        connected, subprotocol = await communicator.connect(timeout=TIMEOUT)
        hello = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected, subprotocol, hello

    assert async_to_sync(scenario)() == (True, "bearer", {"user_id": user.pk})


def _expired(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=aware_utcnow() - timedelta(hours=1))
    return str(token)


def _blacklisted_access(user) -> str:
    """An access token whose own jti is on simplejwt's blacklist."""
    token = RefreshToken.for_user(user).access_token
    outstanding = OutstandingToken.objects.create(
        user=user,
        jti=token["jti"],
        token=str(token),
        created_at=aware_utcnow(),
        expires_at=datetime_from_epoch(token["exp"]),
    )
    BlacklistedToken.objects.create(token=outstanding)
    return str(token)


def _wrong_key(user) -> str:
    payload = dict(AccessToken.for_user(user).payload)
    return _forged(payload, key="not-the-signing-key-" + "x" * 32, algorithm="HS256")


def _alg_none(user) -> str:
    return _unsigned(dict(AccessToken.for_user(user).payload))


def _refresh_instead_of_access(user) -> str:
    return str(RefreshToken.for_user(user))


REFUSED = {
    "expired": _expired,
    "blacklisted": _blacklisted_access,
    "wrong key": _wrong_key,
    "alg none": _alg_none,
    "malformed": lambda user: "not.a.token",
    "empty": lambda user: "",
    "refresh token": _refresh_instead_of_access,
}


@pytest.mark.parametrize("transport", ["subprotocol", "query"])
def test_bad_tokens_close_with_4401(transport: str) -> None:
    # One test per transport, every kind inside: each transactional test costs a flush.
    user = UserFactory()
    good = _connect_as(**{f"{transport}_token": _access(user)})
    assert good["user_id"] == user.pk  # the same user with a good token gets in
    answered = {
        kind: _close_code(**{f"{transport}_token": make(user)}) for kind, make in REFUSED.items()
    }
    subprotocol = "bearer" if transport == "subprotocol" else None
    assert answered == dict.fromkeys(REFUSED, (subprotocol, UNAUTHORIZED))


def test_a_token_whose_refresh_token_was_logged_out_is_refused() -> None:
    """When an access token names its refresh token (``refresh_jti``), a logout revokes both."""
    user = UserFactory()
    refresh = RefreshToken.for_user(user)
    access = refresh.access_token
    access[REFRESH_JTI_CLAIM] = refresh["jti"]
    assert _connect_as(subprotocol_token=str(access))["user_id"] == user.pk
    response = Client().post(
        "/api/v1/auth/logout", {"refresh": str(refresh)}, content_type="application/json"
    )
    assert response.status_code == 204
    assert _close_code(subprotocol_token=str(access))[1] == UNAUTHORIZED


def test_a_token_of_a_user_who_is_gone_is_refused() -> None:
    leaving, deleted = UserFactory(), UserFactory()
    leaving_token, deleted_token = _access(leaving), _access(deleted)
    assert _connect_as(query_token=leaving_token)["user_id"] == leaving.pk
    assert _connect_as(subprotocol_token=deleted_token)["user_id"] == deleted.pk
    leaving.is_active = False
    leaving.save(update_fields=["is_active"])
    deleted.delete()
    assert _close_code(query_token=leaving_token)[1] == UNAUTHORIZED
    assert _close_code(subprotocol_token=deleted_token)[1] == UNAUTHORIZED


def test_no_token_is_anonymous_and_a_consumer_that_needs_a_user_refuses_it() -> None:
    answer = _connect_as()
    assert (answer["user_id"], answer["accepted_subprotocol"]) == (None, None)
    assert _close_code(route="ws/private/") == (None, UNAUTHORIZED)


def test_the_session_still_authenticates_without_a_token() -> None:
    user, other = UserFactory(), UserFactory()
    browser = Client()
    assert browser.login(username=user.username, password=TEST_PASSWORD)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"cookie", cookie.encode())]
    assert _connect_as(headers=headers)["user_id"] == user.pk
    # A token, when given, decides over the session.
    assert _connect_as(headers=headers, query_token=_access(other))["user_id"] == other.pk
