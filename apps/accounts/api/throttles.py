"""Asking for phone codes has its own small budget: each one sends a paid text message."""

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.request import Request

from apps.core.throttles import WriteRateThrottle

if TYPE_CHECKING:
    from rest_framework.views import APIView


class PhoneCodeRateThrottle(WriteRateThrottle):
    """Per user, ``PHONE_CODE_THROTTLE_RATE`` (env ``THROTTLE_PHONE_CODE``), POSTs only."""

    scope = "phone_code"

    def get_rate(self) -> str | None:
        return settings.PHONE_CODE_THROTTLE_RATE

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)
