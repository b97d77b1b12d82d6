"""WebSocket routes; each app that speaks WebSocket adds its consumers here.

Every route sits behind ``apps.core.ws_auth`` (see ``config/asgi.py``): ``scope["user"]`` is the
token's or the session's user, or ``AnonymousUser``. A consumer that needs a user subclasses
``apps.core.ws_auth.UserWebsocketConsumer`` (anonymous sockets are closed with 4401).
"""

from django.urls import path

import apps.core.converters  # noqa: F401  (registers the <id:...> converter)
from apps.live.consumers import RoomConsumer

websocket_urlpatterns: list = [
    path("ws/live/rooms/<id:room_id>/", RoomConsumer.as_asgi()),
]
