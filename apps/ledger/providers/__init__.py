"""Payment-provider adapters, by name. Only the sandbox runs here; see docs/ledger.md for the
documented shape of the Alipay and WeChat Pay adapters that come next."""

from django.conf import settings

from apps.ledger.providers.base import (
    PaymentProvider,
    ProviderEvent,
    ProviderEventType,
    ProviderPayment,
    WebhookRejected,
)
from apps.ledger.providers.sandbox import SandboxProvider

__all__ = [
    "PaymentProvider",
    "ProviderEvent",
    "ProviderEventType",
    "ProviderPayment",
    "WebhookRejected",
    "enabled_provider_names",
    "get_provider",
]

_ADAPTERS: dict[str, type[PaymentProvider]] = {SandboxProvider.name: SandboxProvider}


def enabled_provider_names() -> list[str]:
    """Providers users may pay with: the sandbox only when ``LEDGER_SANDBOX_ENABLED``."""
    return [
        name
        for name in _ADAPTERS
        if name != SandboxProvider.name or settings.LEDGER_SANDBOX_ENABLED
    ]


def get_provider(name: str) -> PaymentProvider | None:
    """The enabled adapter called ``name``, or None."""
    if name not in enabled_provider_names():
        return None
    return _ADAPTERS[name]()
