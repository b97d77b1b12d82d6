"""The project's ASGI application (``config.asgi``) with two test-only WebSocket routes.

Served by uvicorn in ``test_ws_server.py``: the real origin check, session stack and JWT
middleware in front of a whoami consumer and one that needs a user.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from django.urls import path  # noqa: E402

from apps.core.ws_auth import UserWebsocketConsumer  # noqa: E402
from config import websocket_urls  # noqa: E402


class WhoAmIConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope["user"]
        await self.accept()
        await self.send_json({"user_id": user.pk if user.is_authenticated else None})


class PrivateWhoAmIConsumer(UserWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        await self.send_json({"user_id": self.user.pk})


# The router of config.asgi holds this very list: routes added before it is built are served.
websocket_urls.websocket_urlpatterns += [
    path("ws/whoami/", WhoAmIConsumer.as_asgi()),
    path("ws/private/", PrivateWhoAmIConsumer.as_asgi()),
]

from config.asgi import application  # noqa: E402

__all__ = ["application"]
