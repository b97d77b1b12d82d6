"""Organisation money helpers: money enters an organisation's wallet the way it does in production
(a finance member's sandbox top-up, credited through the signed webhook)."""

from apps.accounts.models import Organisation, User
from apps.ledger import services
from apps.ledger.models import OwnerType, PaymentIntent, Payout
from apps.ledger.selectors import WalletBalance, wallet_balance


def organisation_top_up(organisation: Organisation, by: User, amount: int) -> PaymentIntent:
    intent = services.organisation_topup_create(
        organisation_id=organisation.pk, user=by, amount=amount, provider="sandbox"
    )
    return services.sandbox_payment_complete(intent=intent, succeed=True).intent


def organisation_payout(organisation: Organisation, by: User, amount: int) -> Payout:
    return services.organisation_payout_request(
        organisation_id=organisation.pk,
        user=by,
        amount=amount,
        method="bank_card",
        account_name="青禾护肤有限公司",
        account_number="6222020200112233",
    )


def organisation_balance(organisation: Organisation) -> WalletBalance:
    return wallet_balance(owner_type=OwnerType.ORGANISATION, owner_id=organisation.pk)
