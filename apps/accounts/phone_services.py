"""Binding a phone number by SMS code, without telling anyone whose number it is.

``phone_verification_start`` answers the same whatever the number's state (free, taken by
someone else, already mine): a code is generated, stored as a keyed hash and sent. Only
``phone_verification_confirm`` with the right code binds the number, and when the number was
taken meanwhile it fails exactly like a wrong code. Codes expire after
``PHONE_CODE_TTL_MINUTES`` and allow ``PHONE_CODE_MAX_ATTEMPTS`` guesses; a new code replaces
the previous one. A number gets at most ``PHONE_CODE_SENDS_PER_NUMBER_PER_HOUR`` messages (an
SMS flood at a stranger's phone); past that the answer is still the same, nothing is sent.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from apps.accounts.models import PhoneVerification, User
from apps.accounts.providers import SmsDeliveryFailed, get_sms_provider
from apps.core.errors import InvalidInput, ServiceUnavailable

CODE_DIGITS = 6
_HASH_SALT = "apps.accounts.phone_services.code"


def _code_hash(*, user_id: int, phone: str, code: str) -> str:
    """HMAC keyed with SECRET_KEY: a database dump alone cannot brute-force the 10**6 codes."""
    return salted_hmac(_HASH_SALT, f"{user_id}:{phone}:{code}", algorithm="sha256").hexdigest()


def _number_send_allowed(phone: str) -> bool:
    key = "phone-code-sends:" + hashlib.sha256(phone.encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # the hour ended between add and incr
        cache.add(key, 1, timeout=3600)
        sent = 1
    return sent <= settings.PHONE_CODE_SENDS_PER_NUMBER_PER_HOUR


def phone_verification_start(*, user: User, phone: str) -> PhoneVerification:
    """Create a code for ``phone`` and send it; the same outcome for any number's state."""
    provider = get_sms_provider()
    if provider is None:
        raise ServiceUnavailable("Text messages cannot be sent now.", code="sms.unavailable")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one start at a time
        PhoneVerification.objects.filter(user=user, consumed_at__isnull=True).delete()
        verification = PhoneVerification.objects.create(
            user=user,
            phone=phone,
            code_hash=_code_hash(user_id=user.pk, phone=phone, code=code),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.PHONE_CODE_TTL_MINUTES),
        )
    if _number_send_allowed(phone):
        text = (
            f"Your Creator Platform code is {code}. It expires in "
            f"{settings.PHONE_CODE_TTL_MINUTES} minutes. Do not share it."
        )
        try:
            provider.send(phone=phone, text=text)  # after the commit: nothing slow under a lock
        except SmsDeliveryFailed as exc:
            raise ServiceUnavailable(
                "The text message could not be sent; try again later.", code="sms.unavailable"
            ) from exc
    return verification


def _invalid_code() -> InvalidInput:
    return InvalidInput(
        "The code is wrong or has expired; ask for a new one.",
        code="phone.code_invalid",
        fields={"code": ["The code is wrong or has expired."]},
    )


def phone_verification_confirm(*, user: User, code: str) -> User:
    """Bind the number of the user's open verification if ``code`` is right and it is free.

    Lock held: the open ``PhoneVerification`` row, so concurrent guesses count one by one.
    Every outcome but success is the same ``phone.code_invalid``.
    """
    now = timezone.now()
    bound_phone = None
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, consumed_at__isnull=True)
            .first()
        )
        if verification is None:
            raise _invalid_code()
        usable = (
            verification.expires_at > now
            and verification.attempts < settings.PHONE_CODE_MAX_ATTEMPTS
        )
        verification.attempts += 1
        expected = _code_hash(user_id=user.pk, phone=verification.phone, code=code)
        if usable and constant_time_compare(expected, verification.code_hash):
            verification.consumed_at = now
            taken = User.objects.filter(phone=verification.phone).exclude(pk=user.pk).exists()
            if not taken:
                try:
                    with transaction.atomic():
                        User.objects.filter(pk=user.pk).update(phone=verification.phone)
                    bound_phone = verification.phone
                except IntegrityError:  # bound by someone else a moment ago
                    pass
        verification.save(update_fields=["attempts", "consumed_at"])
    if bound_phone is None:  # raised after the commit, so the attempt is counted
        raise _invalid_code()
    user.phone = bound_phone
    return user


def phone_unbind(*, user: User) -> User:
    """Remove the user's phone number (binding a new one goes through a code again)."""
    User.objects.filter(pk=user.pk).update(phone=None)
    user.phone = None
    return user
