"""Who takes a share of a user's income: a registry the product layer fills.

The ledger cannot know about agency contracts (programs is a product, far above it), yet an
agency's cut of a creator's income must be posted in the same database transaction as the income
itself. So the ledger asks here: a product registers, in its ``AppConfig.ready()``, a resolver
that maps the credited user ids to the shares owed at a given moment, in one query::

    register("programs", lambda user_ids, at: {7: [(Owner.organisation(3), Decimal("0.2"))]})

The moves that credit a creator's income (``escrow_release``, ``commission_settle``, ``gift``,
``gift_batch``) call ``shares_owed`` inside their transaction and post ``revenue_share`` there;
a resolver that raises aborts the income with it. Resolvers must only read.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

# A share's owner is an ``apps.ledger.services.Owner`` (a ``(type, id)`` named tuple); typed
# loosely here so this module imports nothing of the services (no import loop inside ledger).
ShareOwner = tuple[str, int]
Rate = Decimal | Fraction | str
Resolver = Callable[[Collection[int], datetime], Mapping[int, Sequence[tuple[Any, Rate]]]]

_resolvers: dict[str, Resolver] = {}


def register(key: str, resolver: Resolver) -> None:
    """Add (or replace) the resolver named ``key``."""
    _resolvers[key] = resolver


def unregister(key: str) -> None:
    _resolvers.pop(key, None)


def has_resolvers() -> bool:
    return bool(_resolvers)


def shares_owed(user_ids: Collection[int], at: datetime) -> dict[int, list[tuple[Any, Fraction]]]:
    """Every registered resolver's shares for these users at ``at``, rates as exact fractions."""
    owed: dict[int, list[tuple[Any, Fraction]]] = {}
    if not user_ids:
        return owed
    for resolver in _resolvers.values():
        for user_id, shares in resolver(user_ids, at).items():
            for owner, rate in shares:
                owed.setdefault(user_id, []).append((owner, Fraction(str(rate))))
    return owed


def share_amount(income: int, rate: Fraction) -> int:
    """``floor(income * rate)`` fen: the share never takes a fraction of a fen."""
    return income * rate.numerator // rate.denominator
