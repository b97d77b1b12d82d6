"""Sign-in, tokens and passwords: the per-username lockout, refresh rotation, password change.

Lockout: failed sign-ins are counted per username (case-folded, hashed, whether or not such a
user exists) in the cache, which is Redis shared by every process in production, with atomic
``INCR``. ``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_FAILURE_WINDOW_MINUTES`` lock the
username for ``LOGIN_LOCKOUT_MINUTES``: every sign-in for it, even with the right password and
from any address, answers 429 ``auth.locked``. Unknown usernames are counted and locked the same
way, so the answers never tell whether an account exists.

Refresh tokens carry a family id (claim ``fam``) shared by every token rotated from one sign-in.
Rotation is single-use: the old token's ``OutstandingToken`` row is locked, then blacklisted in
the same transaction, so of concurrent refreshes exactly one succeeds. Presenting a token that
was already rotated revokes its family (``RevokedTokenFamily``); no token of it refreshes again.
"""

import hashlib
import logging
import time
import uuid

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework_simplejwt.exceptions import InvalidToken, TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.models import RevokedTokenFamily, TokenFamilyRevocationReason, User
from apps.core.errors import InvalidInput

logger = logging.getLogger(__name__)

FAMILY_CLAIM = "fam"
BAD_CREDENTIALS = "No active account found with the given credentials"


class AccountLocked(Throttled):
    """429 ``auth.locked`` with ``Retry-After``: DRF's Throttled carries the wait into the header,
    and the API's exception handler renders it in the one error shape."""

    default_code = "auth.locked"
    default_detail = "Too many failed sign-ins for this username; try again later."


# --- Lockout ------------------------------------------------------------------------------


def _username_key(kind: str, username: str) -> str:
    digest = hashlib.sha256(username.casefold().encode()).hexdigest()[:32]
    return f"auth:{kind}:{digest}"


def login_raise_if_locked(*, username: str) -> None:
    """Raise ``AccountLocked`` while the username is locked out."""
    locked_until = cache.get(_username_key("locked", username))
    if locked_until is not None:
        wait = max(1, int(locked_until - time.time()))
        raise AccountLocked(wait=wait, detail=AccountLocked.default_detail)


def login_failure_record(*, username: str) -> int:
    """Count one failed sign-in for the username; lock it at the limit. Returns the count."""
    failures_key = _username_key("failures", username)
    window = settings.LOGIN_FAILURE_WINDOW_MINUTES * 60
    cache.add(failures_key, 0, timeout=window)  # the window starts at the first failure
    try:
        failures = cache.incr(failures_key)  # atomic INCR on Redis
    except ValueError:  # the window ended between add and incr
        cache.add(failures_key, 1, timeout=window)
        failures = 1
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        lockout = settings.LOGIN_LOCKOUT_MINUTES * 60
        cache.set(_username_key("locked", username), time.time() + lockout, timeout=lockout)
        cache.delete(failures_key)
        logger.warning("Sign-in locked for a username after %d failures", failures)
    return failures


def _login_failures_clear(*, username: str) -> None:
    cache.delete(_username_key("failures", username))


# --- Tokens -------------------------------------------------------------------------------


def token_pair_issue(*, user: User) -> dict[str, str]:
    """A new access and refresh token starting a new token family (a sign-in)."""
    refresh = RefreshToken.for_user(user)  # records its OutstandingToken row
    refresh[FAMILY_CLAIM] = uuid.uuid4().hex
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _refresh_payload(token: str) -> dict:
    """Signature, expiry and type checked; the blacklist is the caller's business."""
    try:
        payload = token_backend.decode(token, verify=True)
    except TokenBackendError as exc:
        raise InvalidToken(str(exc)) from exc
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != RefreshToken.token_type:
        raise InvalidToken("Token has wrong type")
    if not payload.get(jwt_settings.JTI_CLAIM):
        raise InvalidToken("Token has no id")
    return payload


def refresh_token_rotate(*, token: str) -> dict[str, str]:
    """Exchange a refresh token for a new pair, once; a replayed token revokes its family.

    Lock held: the presented token's ``OutstandingToken`` row (FOR UPDATE) until the blacklist
    row is committed, so concurrent refreshes with one token queue and all but the first find
    it rotated.
    """
    payload = _refresh_payload(token)
    jti = payload[jwt_settings.JTI_CLAIM]
    family = str(payload.get(FAMILY_CLAIM) or jti)  # tokens issued before families existed
    replayed = False
    with transaction.atomic():
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=jti).first()
        if outstanding is None or RevokedTokenFamily.objects.filter(family=family).exists():
            raise InvalidToken("Token is invalid or expired")
        if BlacklistedToken.objects.filter(token=outstanding).exists():
            RevokedTokenFamily.objects.get_or_create(
                family=family,
                defaults={
                    "user_id": outstanding.user_id,
                    "reason": TokenFamilyRevocationReason.REUSE,
                },
            )
            replayed = True
        else:
            user = User.objects.filter(pk=outstanding.user_id, is_active=True).first()
            if user is None:
                raise AuthenticationFailed(
                    "No active account found for the given token.", code="no_active_account"
                )
            try:
                refresh = RefreshToken(token)
            except TokenError as exc:
                raise InvalidToken(str(exc)) from exc
            BlacklistedToken.objects.create(token=outstanding)
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            refresh[FAMILY_CLAIM] = family
            refresh.outstand()
            pair = {"access": str(refresh.access_token), "refresh": str(refresh)}
    if replayed:  # raised after the commit, so the revocation stays
        logger.warning("Refresh token replayed; family revoked (user %s)", outstanding.user_id)
        raise InvalidToken("Token is blacklisted")
    return pair


def _user_tokens_revoke(*, user: User) -> None:
    """Blacklist every outstanding refresh token of the user (all their sign-ins)."""
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=outstanding) for outstanding in live], ignore_conflicts=True
    )


# --- Sign-in and passwords ----------------------------------------------------------------


def user_login(*, username: str, password: str, request: HttpRequest | None = None) -> dict:
    """Check the lockout, then the password; a new token pair for the right one."""
    login_raise_if_locked(username=username)
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active:
        login_failure_record(username=username)
        raise AuthenticationFailed(BAD_CREDENTIALS, code="no_active_account")
    _login_failures_clear(username=username)
    if jwt_settings.UPDATE_LAST_LOGIN:
        update_last_login(None, user)
    return token_pair_issue(user=user)


def password_check(*, password: str, user: User | None, field: str = "password") -> None:
    """Django's configured validators, as a 400 on ``field``."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise InvalidInput("The password is too weak.", fields={field: exc.messages}) from exc


def user_password_change(*, user: User, current_password: str, new_password: str) -> dict:
    """Set a new password after checking the current one; every other sign-in ends.

    A wrong current password counts as a failed sign-in for the username (same lockout), so a
    stolen access token cannot be used to guess the password.
    """
    login_raise_if_locked(username=user.get_username())
    if not user.check_password(current_password):
        login_failure_record(username=user.get_username())
        raise InvalidInput(
            "The current password is wrong.",
            code="auth.wrong_password",
            fields={"current_password": ["The current password is wrong."]},
        )
    password_check(password=new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _user_tokens_revoke(user=user)
    return token_pair_issue(user=user)
