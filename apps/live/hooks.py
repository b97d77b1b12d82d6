"""HTTP endpoints nginx-rtmp calls (``on_publish``, ``on_publish_done``, ``on_update``).

Outside ``/api/v1/`` and the public schema: they speak nginx's form-encoded notify protocol,
not the API's JSON, and are authenticated by a shared secret in the URL
(``?secret=<LIVE_HOOK_SECRET>``). nginx reads only the status: 2xx goes on, anything else
drops the stream. The encoder's query (``?key=<secret>``) arrives as the ``key`` field.
"""

import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.live.services.ingest import HookAnswer, hook_publish, hook_publish_done, hook_update

logger = logging.getLogger(__name__)


def _authorised(request: HttpRequest) -> bool:
    expected = settings.LIVE_HOOK_SECRET
    given = request.GET.get("secret", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _answer(answer: HookAnswer, call: str) -> HttpResponse:
    if not answer.allowed:
        logger.info("live hook %s refused: %s", call, answer.reason)
        return HttpResponse(answer.reason, status=403, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def _field(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "")[:200]


@csrf_exempt
@require_POST
def rtmp_hook(request: HttpRequest, event: str) -> HttpResponse:
    """One entry for the three notify calls; the path names which."""
    if not _authorised(request):
        return HttpResponse("bad secret", status=403, content_type="text/plain")
    name = _field(request, "name")
    if event == "publish":
        answer = hook_publish(
            name=name,
            key=_field(request, "key"),
            client_id=_field(request, "clientid"),
            address=_field(request, "addr"),
        )
    elif event == "publish_done":
        answer = hook_publish_done(name=name, client_id=_field(request, "clientid"))
    elif event == "update":
        answer = hook_update(name=name)
    else:
        return HttpResponse("unknown hook", status=404, content_type="text/plain")
    return _answer(answer, event)
