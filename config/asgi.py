"""ASGI entry point: HTTP through Django, WebSockets through Channels routing.

WebSockets pass the allowed-hosts origin check, then the session stack (the admin), then JWT
(``apps.core.ws_auth``: a mobile client's access token, in the ``bearer`` subprotocol or
``?token=``; a bad token closes the socket with 4401).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (needs the app registry)
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from apps.core.ws_auth import JwtAuthMiddlewareStack  # noqa: E402
from config.gc_tuning import tune_for_server  # noqa: E402
from config.websocket_urls import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            JwtAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

tune_for_server()  # after everything start-up loads: see config/gc_tuning.py
