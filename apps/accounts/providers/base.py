"""The SMS-provider interface every adapter implements.

An adapter only delivers a text to a number and says whether the provider accepted it; what the
text says, codes, expiry and attempts belong to ``apps.accounts.phone_services``.
"""

from abc import ABC, abstractmethod


class SmsDeliveryFailed(Exception):
    """The provider refused or could not be reached; the caller answers 503, nothing leaks."""


class SmsProvider(ABC):
    name: str

    @abstractmethod
    def send(self, *, phone: str, text: str) -> str:
        """Deliver ``text`` to ``phone``; return the provider's message id.

        Raises ``SmsDeliveryFailed`` when the provider does not accept the message.
        """
