"""The screening vocabulary: surfaces, actions, hits and the verdict on one text.

Its own module, importing nothing of moderation, so the matcher, the models, the services and
the front door (``screening.py``) can all use these types without importing each other in a loop.
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
    PROGRAMS = "programs", "Programs (contract notes, listening topics)"
    BRAND_BRIEF = "brand_brief", "Brand campaign brief"
    BRAND_OFFER = "brand_offer", "Cooperation offer"
    BRAND_PITCH = "brand_pitch", "Creator pitch"
    BRAND_REVISION = "brand_revision", "Revision comment"
    COOPERATION_PITCH = "cooperation_pitch", "Cooperation pitch"
    PRODUCT = "product", "Product listing"


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
