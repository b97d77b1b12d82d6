"""How commerce names its money in the ledger: one escrow per order, keys per step.

Contract references are shared by every product app, so commerce's live in their own range
(``ORDER_REFERENCE_BASE + order id``): an order never shares an escrow with a cooperation or a
Fries order. Commission keys use the same reference.
"""

from apps.ledger.services import Owner

ORDER_REFERENCE_BASE = 3_000_000_000_000_000


def order_reference(order_id: int) -> int:
    return ORDER_REFERENCE_BASE + order_id


def order_escrow(order_id: int) -> Owner:
    return Owner.contract(order_reference(order_id))


def order_key(order_id: int) -> str:
    return f"commerce-order-{order_id}"


def commission_of(amount: int, rate_bp: int) -> int:
    """The commission on a line: rounded down to the fen (basis points, integers only)."""
    return amount * rate_bp // 10_000
