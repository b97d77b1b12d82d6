"""Finding 5: phone numbers are bound by SMS code and never enumerable.

The SMS provider is the one thing a test cannot reach for real; the sandbox provider stands in
for it, and every adapter must pass ``test_provider_contract``.
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import PhoneVerification, SandboxSmsMessage, User
from apps.accounts.providers import SandboxSmsProvider, SmsDeliveryFailed, SmsProvider
from apps.accounts.providers.sandbox import FAILING_PREFIX
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEND = "/api/v1/me/phone"
VERIFY = "/api/v1/me/phone/verify"
FREE = "13911112222"
TAKEN = "13933334444"


@pytest.fixture(autouse=True)
def _per_number_limit_out_of_the_way(settings) -> None:
    """The per-number counter lives in the shared cache for an hour; one test checks it."""
    settings.PHONE_CODE_SENDS_PER_NUMBER_PER_HOUR = 10_000


def _last_code(phone: str) -> str:
    text = SandboxSmsMessage.objects.filter(phone=phone).latest("pk").text
    return re.search(r"\b(\d{6})\b", text).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# --- Provider contract --------------------------------------------------------------------

ADAPTERS: list[type[SmsProvider]] = [SandboxSmsProvider]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_provider_contract(adapter: type[SmsProvider]) -> None:
    """Every adapter: returns a message id per accepted message, raises SmsDeliveryFailed."""
    provider = adapter()
    assert provider.name
    first = provider.send(phone="+8613800000000", text="Your code is 123456.")
    second = provider.send(phone="+8613800000000", text="Your code is 654321.")
    assert isinstance(first, str) and first and first != second
    with pytest.raises(SmsDeliveryFailed):
        provider.send(phone=f"{FAILING_PREFIX}12345", text="Your code is 123456.")


def test_sandbox_records_what_it_sends() -> None:
    SandboxSmsProvider().send(phone="13800000001", text="Your code is 123456.")
    assert SandboxSmsMessage.objects.get().text == "Your code is 123456."


# --- The flow -----------------------------------------------------------------------------


def test_code_binds_the_number(api, user) -> None:
    response = api.post(SEND, {"phone": FREE})
    assert response.status_code == 202, response.content
    code = _last_code(FREE)
    verification = PhoneVerification.objects.get(user=user)
    assert code not in verification.code_hash  # hashed at rest
    assert len(verification.code_hash) == 64

    response = api.post(VERIFY, {"code": code})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == FREE
    user.refresh_from_db()
    assert user.phone == FREE
    # A code works once.
    assert api.post(VERIFY, {"code": code}).status_code == 400


def test_wrong_codes_are_limited(api, user, settings) -> None:
    settings.PHONE_CODE_MAX_ATTEMPTS = 3
    api.post(SEND, {"phone": FREE})
    code = _last_code(FREE)
    for _ in range(3):
        response = api.post(VERIFY, {"code": _wrong(code)})
        assert response.json()["error"]["code"] == "phone.code_invalid"
    # The right code after the attempts are used up: refused all the same.
    assert api.post(VERIFY, {"code": code}).status_code == 400
    user.refresh_from_db()
    assert user.phone is None


def test_codes_expire(api, user) -> None:
    api.post(SEND, {"phone": FREE})
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.post(VERIFY, {"code": _last_code(FREE)}).status_code == 400
    user.refresh_from_db()
    assert user.phone is None


def test_a_new_code_replaces_the_previous_one(api, user) -> None:
    api.post(SEND, {"phone": FREE})
    old = _last_code(FREE)
    api.post(SEND, {"phone": "13955556666"})
    new = _last_code("13955556666")
    if old != new:  # one in a million they coincide
        assert api.post(VERIFY, {"code": old}).status_code == 400
    assert api.post(VERIFY, {"code": new}).json()["phone"] == "13955556666"


def test_a_number_taken_meanwhile_fails_like_a_wrong_code(api, user) -> None:
    api.post(SEND, {"phone": FREE})
    code = _last_code(FREE)
    UserFactory(phone=FREE)  # someone else binds it first
    taken = api.post(VERIFY, {"code": code})
    api.post(SEND, {"phone": FREE})
    wrong = api.post(VERIFY, {"code": _wrong(_last_code(FREE))})
    assert (taken.status_code, taken.json()) == (wrong.status_code, wrong.json())
    user.refresh_from_db()
    assert user.phone is None


def test_unbind(api, user) -> None:
    user.phone = FREE
    user.save(update_fields=["phone"])
    assert api.delete(SEND).status_code == 204
    user.refresh_from_db()
    assert user.phone is None


def test_provider_outage_is_503_and_sends_nothing(api) -> None:
    response = api.post(SEND, {"phone": f"{FAILING_PREFIX}1234"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "sms.unavailable"


def test_no_provider_configured_is_503(api, settings) -> None:
    settings.SMS_SANDBOX_ENABLED = False
    response = api.post(SEND, {"phone": FREE})
    assert (response.status_code, response.json()["error"]["code"]) == (503, "sms.unavailable")


@pytest.mark.parametrize("payload", [{}, {"phone": "12ab"}, {"phone": "1" * 16}])
def test_bad_numbers_are_400(api, payload: dict) -> None:
    assert api.post(SEND, payload).status_code == 400


@pytest.mark.parametrize("payload", [{}, {"code": "12345"}, {"code": "abcdef"}])
def test_bad_codes_are_400(api, payload: dict) -> None:
    assert api.post(VERIFY, payload).status_code == 400


# --- Enumeration --------------------------------------------------------------------------


def test_answers_for_a_free_and_a_taken_number_are_identical(make_client) -> None:
    UserFactory(phone=TAKEN)
    answers = {}
    for phone in (FREE, TAKEN):
        client = make_client(UserFactory())
        sent = client.post(SEND, {"phone": phone})
        code = _last_code(phone)
        wrong = client.post(VERIFY, {"code": _wrong(code)})
        right = client.post(VERIFY, {"code": code})
        answers[phone] = [(r.status_code, r.json()) for r in (sent, wrong)], right.status_code
    assert answers[FREE][0] == answers[TAKEN][0]
    assert answers[FREE][0][0][0] == 202
    # Only the code holder learns anything: the right code binds a free number, not a taken one.
    assert (answers[FREE][1], answers[TAKEN][1]) == (200, 400)
    assert User.objects.filter(phone=TAKEN).count() == 1


def test_register_and_patch_me_say_nothing_about_numbers(anon_client, api) -> None:
    UserFactory(phone=TAKEN)
    bodies = []
    for n, phone in enumerate((FREE, TAKEN)):
        signup = {"username": f"newcomer{n}", "password": "Sunny-garden-77", "phone": phone}
        response = anon_client.post("/api/v1/auth/register", signup)
        bodies.append((response.status_code, response.json()["user"]["phone"]))
        patched = api.patch("/api/v1/me", {"phone": phone})
        bodies.append((patched.status_code, patched.json()["phone"]))
    assert bodies == [(201, None), (200, None)] * 2


# --- Send limits --------------------------------------------------------------------------


def test_sending_codes_is_throttled_per_user(api, settings, monkeypatch) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"write": "100/min"})
    settings.PHONE_CODE_THROTTLE_RATE = "2/hour"
    statuses = [api.post(SEND, {"phone": f"1390000000{n}"}).status_code for n in range(3)]
    assert statuses == [202, 202, 429]
    assert api.delete(SEND).status_code == 204  # unbinding is not a code request


def test_a_number_gets_a_limited_number_of_texts(make_client, settings) -> None:
    settings.PHONE_CODE_SENDS_PER_NUMBER_PER_HOUR = 2
    victim_number = f"139{uuid.uuid4().int % 10**8:08d}"  # a fresh counter in the cache
    statuses = [
        make_client(UserFactory()).post(SEND, {"phone": victim_number}).status_code
        for _ in range(4)
    ]
    assert statuses == [202] * 4  # the same answer...
    assert SandboxSmsMessage.objects.filter(phone=victim_number).count() == 2  # ...no flood
