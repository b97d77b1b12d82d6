"""Per-note return: each note's income (commission, brand cooperation fee) beside its cost
(paid promotion spend). Commission comes from the analytics metrics module; cooperation fees
and promotion spend from the brands and promotion apps' selectors."""

from typing import Any

from apps.accounts.models import User
from apps.analytics import metrics_commerce
from apps.brands import selectors as brand_selectors
from apps.notes import selectors as note_selectors
from apps.promotion import selectors as promotion_selectors

MAX_NOTES = 200


def note_returns(*, creator: User, days: int | None = None) -> list[dict[str, Any]]:
    """The creator's most recent notes (up to 200) with income, spend, net and return ratio.

    Figures are all-time per note (a note's cooperation fee and promotion spend are not
    dated); ``days`` is accepted for the dashboard's shape and ignored. Four queries.
    """
    notes = list(
        note_selectors.my_notes(viewer=creator)
        .order_by("-id")
        .values_list("pk", "title")[:MAX_NOTES]
    )
    ids = [pk for pk, _ in notes]
    commerce = metrics_commerce.note_commerce(note_ids=ids, creator_id=creator.pk)
    fees = brand_selectors.cooperation_income_by_note(ids)
    spend = promotion_selectors.spend_by_note(ids)
    rows = []
    for pk, title in notes:
        commission = commerce.get(pk, {}).get("commission", 0)
        fee, cost = fees.get(pk, 0), spend.get(pk, 0)
        income = commission + fee
        rows.append(
            {
                "note_id": pk,
                "title": title,
                "commission": commission,
                "cooperation_fee": fee,
                "promotion_spend": cost,
                "net": income - cost,
                "return_ratio": round(income / cost, 4) if cost else None,
            }
        )
    return rows
