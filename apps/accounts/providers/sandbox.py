"""The sandbox SMS provider: records each message in ``SandboxSmsMessage`` instead of sending.

Numbers starting with ``+000`` are refused (``SmsDeliveryFailed``), so clients and tests can
exercise a provider outage.
"""

from apps.accounts.models import SandboxSmsMessage
from apps.accounts.providers.base import SmsDeliveryFailed, SmsProvider

FAILING_PREFIX = "+000"


class SandboxSmsProvider(SmsProvider):
    name = "sandbox"

    def send(self, *, phone: str, text: str) -> str:
        if phone.startswith(FAILING_PREFIX):
            raise SmsDeliveryFailed(f"The sandbox refuses numbers starting with {FAILING_PREFIX}.")
        message = SandboxSmsMessage.objects.create(phone=phone, text=text)
        return f"sandbox-{message.pk}"
