"""An organisation's money: top-ups into its wallet and payouts out of it.

The same intents, webhooks, payout machine and posting as a user's wallet, with the
organisation as the account owner. Before anything is created the organisation row is locked
and the requester's role (``owner`` or ``finance``) and the organisation's verification are
checked against it (``get_organisation_for_member(..., lock=True)``), so a member removed or a
verification revoked at the same moment cannot slip a request through.

Lock order: the request's idempotency key row, the organisation row, the new intent or payout
row, then ledger accounts by primary key (``transaction_post``).
"""

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.organisation_selectors import (
    MONEY_ROLES,
    get_organisation_for_member,
    organisation_require_verified,
)
from apps.ledger.models import OwnerType, PaymentIntent, Payout
from apps.ledger.services.payments import owner_payment_intent_create
from apps.ledger.services.payouts import owner_payout_request


def organisation_topup_create(
    *, organisation_id: int, user: User, amount: int, provider: str
) -> PaymentIntent:
    """A finance member or owner starts a top-up of the (verified) organisation's wallet."""
    with transaction.atomic():
        organisation = get_organisation_for_member(
            user=user, organisation_id=organisation_id, roles=MONEY_ROLES, lock=True
        )
        organisation_require_verified(organisation=organisation)
        return owner_payment_intent_create(
            owner_type=OwnerType.ORGANISATION,
            owner_id=organisation.pk,
            requested_by=user,
            amount=amount,
            provider=provider,
        )


def organisation_payout_request(
    *,
    organisation_id: int,
    user: User,
    amount: int,
    method: str,
    account_name: str,
    account_number: str,
) -> Payout:
    """A finance member or owner asks to withdraw from the (verified) organisation's wallet;
    the amount is held at once and an operator who is not a member decides."""
    with transaction.atomic():
        organisation = get_organisation_for_member(
            user=user, organisation_id=organisation_id, roles=MONEY_ROLES, lock=True
        )
        organisation_require_verified(organisation=organisation)
        return owner_payout_request(
            owner_type=OwnerType.ORGANISATION,
            owner_id=organisation.pk,
            requested_by=user,
            amount=amount,
            method=method,
            account_name=account_name,
            account_number=account_number,
        )
