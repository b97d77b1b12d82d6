"""Throttles: a tight one on auth endpoints, a per-user one on every write."""

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.views import APIView

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AuthRateThrottle(AnonRateThrottle):
    """Per client address, so password guessing and sign-up floods are slowed."""

    scope = "auth"


class WriteRateThrottle(SimpleRateThrottle):
    """Per user (or address when anonymous), counting only unsafe methods."""

    scope = "write"

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
