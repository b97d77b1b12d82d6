"""Who takes a share of a user's income: a registry the product layer fills.

The ledger cannot know about agency contracts (programs is a product, far above it), yet an
agency's cut of a creator's income must be posted in the same database transaction as the income
itself. So the ledger asks here: a product registers, in its ``AppConfig.ready()``, a resolver
that maps the credited user ids to the shares owed at a given moment, in one query::

    register("programs", lambda user_ids, at: {7: [(Owner.organisation(3), Decimal("0.2"))]})

The moves that credit a creator's income (``escrow_release``, ``commission_settle``, ``gift``,
``gift_batch``) call ``shares_owed`` inside their transaction and post ``revenue_share`` there;
a resolver that raises aborts the income with it. Resolvers must only read.

Most income owes nothing, and asking first would cost every income a round trip (a live host's
gifts come by the hundred a second). So a resolver may name a ``database_guard``: a SQL function
``(user_id bigint, at timestamptz) -> boolean`` its product's migration creates, true whenever
the resolver may return a share for that user at that moment. When every resolver has one, a
single income on PostgreSQL is posted by one statement that evaluates the guards and writes
nothing if one is true (``ledger_post_guarded``); the income is then posted with its shares in
one transaction as above.
"""

import re
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
_guards: dict[str, str | None] = {}
_GUARD_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def register(key: str, resolver: Resolver, *, database_guard: str | None = None) -> None:
    """Add (or replace) the resolver named ``key``, with its SQL guard function if it has one."""
    if database_guard is not None and not _GUARD_NAME.fullmatch(database_guard):
        raise ValueError(f"{database_guard!r} is not a plain SQL function name")
    _resolvers[key] = resolver
    _guards[key] = database_guard


def unregister(key: str) -> None:
    _resolvers.pop(key, None)
    _guards.pop(key, None)


def database_guards() -> tuple[str, ...] | None:
    """Every resolver's guard function, or None when one has none (then the resolvers are
    asked in Python before posting)."""
    guards = tuple(_guards[key] for key in _resolvers)
    if not guards or any(guard is None for guard in guards):
        return None
    return guards  # type: ignore[return-value]


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
