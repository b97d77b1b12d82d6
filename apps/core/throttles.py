"""Throttles: a tight one on auth endpoints, a per-user one on every write.

Addresses come from ``client_address``: the TCP peer unless ``TRUSTED_PROXY_COUNT`` says how
many proxies of ours append to ``X-Forwarded-For`` (never a raw header a client can choose).

A request missing a header its operation requires (``Idempotency-Key``) is answered 400 before
any throttle counts it: the client learns what to fix instead of a 429 that a retry cannot cure.
An operation declares such headers by giving its handler a ``validate_required_headers``
callable (``apps.core.idempotency.idempotent`` does).
"""

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.views import APIView

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def client_address(request: HttpRequest | Request) -> str:
    """The client's IP address as our own proxies saw it; see ``TRUSTED_PROXY_COUNT``."""
    meta = request.META
    peer = meta.get("REMOTE_ADDR", "") or "unknown"
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return peer
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < trusted:  # the request did not come through all our proxies
        return peer
    candidate = hops[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # our outermost proxy always writes an address; this was not ours
        return peer


def _validate_required_headers(request: Request, view: "APIView") -> None:
    handler = getattr(view, (request.method or "").lower(), None)
    validate = getattr(handler, "validate_required_headers", None)
    if validate is not None:
        validate(request)  # raises the operation's 400


def throttle_exempt(request: Request) -> bool:
    """Whether an authenticated user is listed in ``THROTTLE_EXEMPT_USERNAMES`` (CI fuzzing)."""
    user = getattr(request, "user", None)
    return bool(
        settings.THROTTLE_EXEMPT_USERNAMES
        and user is not None
        and user.is_authenticated
        and user.get_username() in settings.THROTTLE_EXEMPT_USERNAMES
    )


class AddressRateThrottle(SimpleRateThrottle):
    """Per client address, for everyone: a bearer token does not buy a separate budget."""

    def get_ident(self, request: Request) -> str:
        return client_address(request)

    def allow_request(self, request: Request, view: "APIView") -> bool:
        _validate_required_headers(request, view)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthRateThrottle(AddressRateThrottle):
    """Per client address, so password guessing and sign-up floods are slowed. Never exempt."""

    scope = "auth"


class WriteRateThrottle(SimpleRateThrottle):
    """Per user (or address when anonymous), counting only unsafe methods."""

    scope = "write"

    def get_ident(self, request: Request) -> str:
        return client_address(request)

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if request.method in SAFE_METHODS:
            return True
        _validate_required_headers(request, view)
        if throttle_exempt(request):
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
