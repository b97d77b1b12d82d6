"""Screening of the texts brands and creators write here: briefs, offers, pitches, revisions.

Each kind of text is its own moderation surface, so operators can aim rules at cooperation
texts. A blocked text refuses the whole write (400 ``moderation.blocked`` naming the field);
a masked one is stored masked; one sent to review is stored and named in ``held``.
"""

from apps.core.errors import InvalidInput
from apps.moderation.screening import ContentBlocked, Surface, screen_text


def screened(*, surface: str, field: str, text: str, held: list[str] | None = None) -> str:
    """The text to store; adds ``field`` to ``held`` when a rule sends it to review."""
    if not text:
        return text
    result = screen_text(surface=surface, text=text)
    try:
        result.raise_if_blocked()
    except ContentBlocked as exc:
        raise InvalidInput(
            exc.message, code=exc.code, fields={field: exc.fields.get("text", [])}
        ) from exc
    if result.needs_review and held is not None:
        held.append(field)
    return result.text


BRIEF = Surface.BRAND_BRIEF
OFFER = Surface.BRAND_OFFER
PITCH = Surface.BRAND_PITCH
REVISION = Surface.BRAND_REVISION
