"""SMS-provider adapters. Only the sandbox exists yet (``SMS_SANDBOX_ENABLED``, on by default in
development); a real adapter implements ``SmsProvider`` and is returned here when configured."""

from django.conf import settings

from apps.accounts.providers.base import SmsDeliveryFailed, SmsProvider
from apps.accounts.providers.sandbox import SandboxSmsProvider

__all__ = ["SandboxSmsProvider", "SmsDeliveryFailed", "SmsProvider", "get_sms_provider"]


def get_sms_provider() -> SmsProvider | None:
    """The configured provider, or None when no SMS can be sent from this deployment."""
    if settings.SMS_SANDBOX_ENABLED:
        return SandboxSmsProvider()
    return None
