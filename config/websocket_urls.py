"""WebSocket routes; each app that speaks WebSocket adds its consumers here.

Every route sits behind ``apps.core.ws_auth`` (see ``config/asgi.py``): ``scope["user"]`` is the
token's or the session's user, or ``AnonymousUser``. A consumer that needs a user subclasses
``apps.core.ws_auth.UserWebsocketConsumer`` (anonymous sockets are closed with 4401).
"""

websocket_urlpatterns: list = []
