"""WebSocket routes; each app that speaks WebSocket adds its consumers here."""

websocket_urlpatterns: list = []
