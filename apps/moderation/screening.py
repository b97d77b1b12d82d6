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

from dataclasses import dataclass, field

from django.db import models

from apps.core.errors import InvalidInput


class Surface(models.TextChoices):
    NOTE = "note", "Note"
    COMMENT = "comment", "Comment"
    LIVE_CHAT = "live_chat", "Live chat"
    PROFILE = "profile", "Profile"
    USERNAME = "username", "Username"


class Action(models.TextChoices):
    ALLOW = "allow", "Allow"
    MASK = "mask", "Mask"
    REVIEW = "review", "Send to review"
    BLOCK = "block", "Block"


@dataclass(frozen=True)
class Hit:
    rule_id: int | None
    term: str
    category: str
    action: str
    start: int  # offsets in the original text
    end: int


@dataclass(frozen=True)
class ScreeningResult:
    action: str  # the strongest action among the hits: block > review > mask > allow
    text: str  # the text to store (masked where a mask rule hit)
    hits: tuple[Hit, ...] = field(default_factory=tuple)

    @property
    def needs_review(self) -> bool:
        return self.action == Action.REVIEW

    def raise_if_blocked(self) -> None:
        if self.action != Action.BLOCK:
            return
        categories = sorted({hit.category for hit in self.hits if hit.action == Action.BLOCK})
        raise ContentBlocked(categories)


class ContentBlocked(InvalidInput):
    code = "moderation.blocked"

    def __init__(self, categories: list[str]) -> None:
        names = ", ".join(categories) or "restricted content"
        super().__init__(
            f"This text contains content that is not allowed ({names}).",
            fields={"text": [f"Blocked category: {c}" for c in categories]},
        )
        self.categories = categories


def screen_text(*, surface: str, text: str) -> ScreeningResult:
    """Screen one text for one surface."""
    from apps.moderation.matcher import screen  # the compiled rule automaton

    return screen(surface=surface, text=text)


def ensure_can_post(user: object) -> None:
    """Raise 403 ``account.posting_restricted`` while the user's strikes forbid posting."""
    from apps.moderation.health import ensure_can_post as _ensure

    _ensure(user)


def submit_for_review(*, target: str, object_id: int, result: ScreeningResult) -> None:
    """Queue a stored item that screening held for review (joins the item's open case)."""
    from apps.moderation.services import case_open_for_screening

    case_open_for_screening(target_key=target, object_id=object_id, result=result)
