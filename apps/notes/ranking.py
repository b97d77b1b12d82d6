"""The discovery score, stored on each note so the feed reads it from an index.

The score we want is engagement with exponential time decay, lifted by the viewer's interests:

    score(now) = (1 + E) * 2 ** (-(now - published_at) / HALF_LIFE) * (LIFT if interested else 1)
    E = likes + 2 * collects + 3 * comments + 4 * shares

Taking log2 and dropping the term ``now / HALF_LIFE`` (the same for every note at a given
moment) gives a key with the same ordering that no longer depends on ``now``:

    rank = log2(1 + E) + (published_at - EPOCH) / HALF_LIFE

so it is computed once per engagement change, stored as an integer (micro-units, exact to
compare and to page on) and indexed. The viewer's interest lift becomes an additive constant
``INTEREST_BONUS = log2(LIFT)`` for notes in the viewer's categories.
"""

import math
from datetime import UTC, datetime

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
HALF_LIFE_SECONDS = 24 * 3600  # a day-old note needs twice the engagement of a fresh one
SCALE = 1_000_000  # micro-units: integers compare exactly in SQL and in Python
WEIGHTS = {"likes": 1, "collects": 2, "comments": 3, "shares": 4}
INTEREST_LIFT = 1.5
INTEREST_BONUS = round(SCALE * math.log2(INTEREST_LIFT))


def engagement(*, likes: int, collects: int, comments: int, shares: int) -> int:
    return (
        WEIGHTS["likes"] * likes
        + WEIGHTS["collects"] * collects
        + WEIGHTS["comments"] * comments
        + WEIGHTS["shares"] * shares
    )


def note_rank(
    *, published_at: datetime | None, likes: int, collects: int, comments: int, shares: int
) -> int:
    """The stored discovery key of a note (0 for a note never published)."""
    if published_at is None:
        return 0
    total = engagement(likes=likes, collects=collects, comments=comments, shares=shares)
    age_units = (published_at - EPOCH).total_seconds() / HALF_LIFE_SECONDS
    return round(SCALE * (math.log2(1 + max(total, 0)) + age_units))
