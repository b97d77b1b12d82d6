"""Completed cooperations and ratings per creator, for brands' data cards.

Answers as if no cooperation had completed until cooperations are built; the data card reads
only this function, so its shape is the contract.
"""

from collections.abc import Iterable


def card_cooperation_stats(creator_ids: Iterable[int]) -> dict[int, dict]:
    """Per creator ``{"completed": int, "rating_average": float | None, "rating_count": int}``,
    in one query whatever the number of creators."""
    return {
        creator_id: {"completed": 0, "rating_average": None, "rating_count": 0}
        for creator_id in set(creator_ids)
    }
