"""The one screening entry point every written text goes through.

Callers (notes, comments, profiles, usernames, live chat) do::

    result = screen_text(surface=Surface.COMMENT, text=body)
    result.raise_if_blocked()          # 400 "moderation.blocked" naming the category
    stored_text = result.text          # masked when a rule says mask
    needs_review = result.needs_review # store, visible only to the author until approved

and, before any posting, ``ensure_can_post(user)`` (403 while strikes restrict the account).
Once an item held for review is stored, the caller puts it in the operators' queue, in the same
transaction::

    if result.needs_review:
        submit_for_review(target="comment", object_id=comment.pk, result=result)

Approval then calls the target's ``set_visibility(obj, Visibility.VISIBLE)``.
"""

from apps.moderation.health import ensure_can_post
from apps.moderation.matcher import screen
from apps.moderation.screening_types import (
    Action,
    ContentBlocked,
    Hit,
    ScreeningResult,
    Surface,
)
from apps.moderation.services import case_open_for_screening

__all__ = [
    "Action",
    "ContentBlocked",
    "Hit",
    "ScreeningResult",
    "Surface",
    "ensure_can_post",
    "screen_text",
    "submit_for_review",
]


def screen_text(*, surface: str, text: str) -> ScreeningResult:
    """Screen one text for one surface (the compiled rule automaton of this process)."""
    return screen(surface=surface, text=text)


def submit_for_review(*, target: str, object_id: int, result: ScreeningResult) -> None:
    """Queue a stored item that screening held for review (joins the item's open case)."""
    case_open_for_screening(target_key=target, object_id=object_id, result=result)
