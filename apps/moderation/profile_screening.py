"""Moderation fills accounts' profile-text screening slot (``apps.accounts.hooks``).

accounts is below moderation and never imports it: it declares the slot, and moderation's
``ready()`` plugs in its screening and its review queue. The ``user`` review target itself is
registered by accounts (``apps/accounts/review_target.py``).
"""

from apps.accounts.hooks import ProfileScreener, ScreenedText, register_profile_screener
from apps.moderation.screening import screen_text, submit_for_review


def _hold_profile_text(user_id: int, result: ScreenedText) -> None:
    submit_for_review(target="user", object_id=user_id, result=result)


def register() -> None:
    """Fill accounts' screening slot (called from ``ModerationConfig.ready()``)."""
    register_profile_screener(
        ProfileScreener(
            screen=lambda surface, text: screen_text(surface=surface, text=text),
            hold_for_review=_hold_profile_text,
        )
    )
