"""Ledger writes: the one posting service, wallets, transfers, top-ups, payouts, reconciliation.

Split by topic: ``posting`` (``transaction_post``, its batch form, reversals), ``posting_sql``
(the PostgreSQL statements), ``transfers`` (wallet transfers), ``payments`` (intents
and provider webhooks), ``payouts``, ``owners`` (any owner's wallet and hold),
``organisation_money`` (an organisation's top-ups and payouts) and ``reconciliation``;
``from apps.ledger import services`` keeps working through the names below.

Transactions: a posting joins the caller's transaction when there is one (no savepoint: a
refusal writes nothing), so callers can make it part of a larger write (a payout row and its
hold commit together); alone, it is its own transaction. The outermost transaction
of a money-moving request is durable: the idempotency key's for API calls, the webhook's for
providers, the state change's for operators.
"""

from apps.ledger.services.accounts import (
    PLATFORM,
    Owner,
    account_get_or_create,
    account_make_hot,
    accounts_for,
    system_account,
    user_hold,
    user_wallet,
    user_wallets,
)
from apps.ledger.services.moves import (
    Gift,
    commission_accrue,
    commission_reverse,
    commission_settle,
    escrow_open,
    escrow_open_and_accrue,
    escrow_refund,
    escrow_release,
    escrow_split,
    gift,
    gift_batch,
    gift_fee,
    platform_credit,
    revenue_share,
    spend,
)
from apps.ledger.services.organisation_money import (
    organisation_payout_request,
    organisation_topup_create,
)
from apps.ledger.services.owners import owner_hold, owner_wallet
from apps.ledger.services.payments import (
    EVENT_ACTION,
    WebhookResult,
    owner_payment_intent_create,
    payment_intent_apply,
    payment_intent_create,
    payment_intents_expire_due,
    payment_webhook_receive,
    sandbox_payment_complete,
)
from apps.ledger.services.payouts import (
    PAYOUT_PERMISSION,
    owner_payout_request,
    payout_approve,
    payout_mark_failed,
    payout_mark_paid,
    payout_reject,
    payout_request,
)
from apps.ledger.services.posting import (
    InsufficientFunds,
    Posting,
    check_amount,
    transaction_post,
    transaction_reverse,
    transactions_post_batch,
)
from apps.ledger.services.reconciliation import reconciliation_run
from apps.ledger.services.transfers import wallet_transfer

__all__ = [
    "EVENT_ACTION",
    "PAYOUT_PERMISSION",
    "PLATFORM",
    "Gift",
    "InsufficientFunds",
    "Owner",
    "Posting",
    "WebhookResult",
    "account_get_or_create",
    "account_make_hot",
    "accounts_for",
    "check_amount",
    "commission_accrue",
    "commission_reverse",
    "commission_settle",
    "escrow_open",
    "escrow_open_and_accrue",
    "escrow_refund",
    "escrow_release",
    "escrow_split",
    "gift",
    "gift_batch",
    "gift_fee",
    "organisation_payout_request",
    "organisation_topup_create",
    "owner_hold",
    "owner_payment_intent_create",
    "owner_payout_request",
    "owner_wallet",
    "payment_intent_apply",
    "payment_intent_create",
    "payment_intents_expire_due",
    "payment_webhook_receive",
    "payout_approve",
    "payout_mark_failed",
    "payout_mark_paid",
    "payout_reject",
    "payout_request",
    "platform_credit",
    "reconciliation_run",
    "revenue_share",
    "sandbox_payment_complete",
    "spend",
    "system_account",
    "transaction_post",
    "transaction_reverse",
    "transactions_post_batch",
    "user_hold",
    "user_wallet",
    "user_wallets",
    "wallet_transfer",
]
