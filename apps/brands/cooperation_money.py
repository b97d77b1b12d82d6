"""Money at each stage of a cooperation, only through the ledger's named moves.

The brand pays ``price + fee`` (fee = floor(price x BRANDS_FEE_RATE)) into the cooperation's
escrow when it is funded; the fee stays in escrow so that a cancellation before a draft is
submitted refunds everything. At completion the escrow is released whole: the price to the
creator's wallet, the fee to platform revenue. A dispute is resolved by an operator with the
creator's share: the platform keeps the fee in proportion to it, the brand gets the rest.
Each move has a key of its own per cooperation, so a retry never moves money twice. Callers
hold the cooperation's row lock (lock order: idempotency key, cooperation, ledger accounts).
"""

from fractions import Fraction

from django.conf import settings
from django.db import transaction

from apps.brands.cooperation_models import Cooperation
from apps.core.errors import Conflict, InvalidInput
from apps.ledger import services as ledger
from apps.ledger.models import OwnerType
from apps.ledger.selectors import escrow_balance, wallet_balance


def platform_fee(price: int) -> int:
    """The platform's fee on a price: rounded down to the fen (never a fraction it was not paid)."""
    rate = Fraction(str(settings.BRANDS_FEE_RATE))
    return price * rate.numerator // rate.denominator


def max_price() -> int:
    """The largest price whose escrow (price + fee) one ledger move can carry."""
    rate = Fraction(str(settings.BRANDS_FEE_RATE))
    return settings.LEDGER_MAX_AMOUNT_FEN * rate.denominator // (rate.denominator + rate.numerator)


def check_price(price: int, field: str = "price") -> None:
    """400 ``cooperation.price_out_of_range`` unless 1 fen <= price <= ``max_price()``."""
    top = max_price()
    if type(price) is not int or not 1 <= price <= top:
        raise InvalidInput(
            f"A price is 1 to {top} fen (its escrow, fee included, is one ledger move).",
            code="cooperation.price_out_of_range",
            fields={field: [f"Between 1 and {top}."]},
        )


def _escrow(cooperation: Cooperation) -> ledger.Owner:
    return ledger.Owner.contract(cooperation.escrow_reference)


def _key(cooperation: Cooperation, step: str) -> str:
    return f"brands:cooperation:{cooperation.pk}:{step}"


def brand_can_cover(*, brand_id: int, amount: int) -> bool:
    """Whether the brand's available wallet covers ``amount`` now (an advice, not a hold)."""
    available = wallet_balance(owner_type=OwnerType.ORGANISATION, owner_id=brand_id).available
    return available >= amount


def fund_locked(cooperation: Cooperation) -> None:
    """Open the escrow: ``price + fee`` from the brand's wallet (409 when it cannot cover it)."""
    amount = cooperation.escrow_amount
    ledger.escrow_open(
        owner=_escrow(cooperation),
        payer=ledger.Owner.organisation(cooperation.brand_id),
        amount=amount,
        fee=0,
        key=_key(cooperation, "fund"),
    )
    cooperation.escrow_paid = amount


def try_fund_locked(cooperation: Cooperation) -> bool:
    """Fund if the wallet covers it; a short wallet leaves nothing written (a savepoint)."""
    if not brand_can_cover(brand_id=cooperation.brand_id, amount=cooperation.escrow_amount):
        return False
    try:
        with transaction.atomic():
            fund_locked(cooperation)
    except ledger.InsufficientFunds:
        return False
    return True


def refund_locked(cooperation: Cooperation) -> None:
    """Cancellation before a draft was submitted: everything back to the brand, fee included."""
    if cooperation.escrow_paid:
        ledger.escrow_refund(
            escrow=_escrow(cooperation),
            amount=cooperation.escrow_paid,
            key=_key(cooperation, "refund"),
        )


def release_locked(cooperation: Cooperation) -> None:
    """Completion: the price to the creator, the fee to the platform, escrow empty."""
    ledger.escrow_release(
        escrow=_escrow(cooperation),
        payee=ledger.Owner.user(cooperation.creator_id),
        amount=cooperation.escrow_paid,
        fee=cooperation.escrow_paid - cooperation.price,
        key=_key(cooperation, "release"),
    )
    cooperation.creator_paid = cooperation.price


def dispute_shares(cooperation: Cooperation, creator_share: int) -> dict[str, int]:
    """How an operator's decision divides the escrow: creator, platform and brand, in fen."""
    if type(creator_share) is not int or not 0 <= creator_share <= cooperation.price:
        raise InvalidInput(
            f"The creator's share is 0 to {cooperation.price} fen.",
            code="cooperation.share_invalid",
            fields={"creator_share": [f"Between 0 and {cooperation.price}."]},
        )
    fee = cooperation.escrow_paid - cooperation.price
    platform = fee * creator_share // cooperation.price
    brand = cooperation.escrow_paid - creator_share - platform
    return {"creator": creator_share, "platform": platform, "brand": brand}


def split_locked(cooperation: Cooperation, creator_share: int) -> dict[str, int]:
    """Resolve a dispute: release the creator's share (with the platform's part), refund the rest.

    The shares sum to the escrow by construction; the escrow is checked to hold exactly that.
    """
    shares = dispute_shares(cooperation, creator_share)
    held = escrow_balance(contract=cooperation.escrow_reference)
    if held != cooperation.escrow_paid:
        raise Conflict(
            f"The escrow holds {held} fen, not the {cooperation.escrow_paid} paid in.",
            code="escrow.split_mismatch",
        )
    if shares["creator"]:
        ledger.escrow_release(
            escrow=_escrow(cooperation),
            payee=ledger.Owner.user(cooperation.creator_id),
            amount=shares["creator"] + shares["platform"],
            fee=shares["platform"],
            key=_key(cooperation, "split-creator"),
        )
    if shares["brand"]:
        ledger.escrow_refund(
            escrow=_escrow(cooperation),
            amount=shares["brand"],
            key=_key(cooperation, "split-brand"),
        )
    cooperation.creator_paid = shares["creator"]
    return shares
