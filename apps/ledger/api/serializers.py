"""Request and response shapes for the wallet and payments API. Amounts are integer fen."""

from datetime import date

from django.conf import settings
from rest_framework import serializers

from apps.ledger.models import (
    CURRENCY,
    Entry,
    PaymentIntent,
    PaymentIntentStatus,
    Payout,
    PayoutMethod,
    PayoutStatus,
    TransactionKind,
)
from apps.ledger.providers import enabled_provider_names

MAX_ID = 2**63 - 1
MONTH_PATTERN = r"^2[0-9]{3}-(0[1-9]|1[0-2])$"
FEN_HELP = "Integer fen (1 yuan = 100 fen)."


def _amount_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=settings.LEDGER_MAX_AMOUNT_FEN, help_text=FEN_HELP
    )


class WalletSerializer(serializers.Serializer):
    currency = serializers.CharField(default=CURRENCY)
    available = serializers.IntegerField(help_text="Spendable and withdrawable, in fen.")
    held = serializers.IntegerField(help_text="Held for pending payouts, in fen.")


class EntrySerializer(serializers.ModelSerializer):
    """One line of wallet history: what moved, why, and the balance after it."""

    transaction_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TransactionKind.choices, source="transaction.kind")
    description = serializers.CharField(source="transaction.description")
    amount = serializers.IntegerField(help_text="Fen; negative when money left the wallet.")
    balance_after = serializers.IntegerField(help_text="Available balance after it, in fen.")

    class Meta:
        model = Entry
        fields = ("id", "transaction_id", "kind", "description", "amount", "balance_after")
        fields += ("created_at",)


class StatementQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(
        MONTH_PATTERN,
        help_text="Calendar month in Asia/Shanghai time, as YYYY-MM.",
        error_messages={"invalid": "Use the form YYYY-MM (years 2000-2999)."},
    )

    def validate_month(self, value: str) -> date:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)


class TransferInputSerializer(serializers.Serializer):
    to_user_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    amount = _amount_field()


class TransferResultSerializer(serializers.Serializer):
    transaction_id = serializers.IntegerField()
    to_user_id = serializers.IntegerField()
    amount = serializers.IntegerField(help_text=FEN_HELP)
    created_at = serializers.DateTimeField()
    wallet = WalletSerializer(help_text="The sender's wallet after the transfer.")


class TopupInputSerializer(serializers.Serializer):
    amount = serializers.IntegerField(
        min_value=settings.LEDGER_TOPUP_MIN_FEN,
        max_value=settings.LEDGER_MAX_AMOUNT_FEN,
        help_text=f"{FEN_HELP} At least {settings.LEDGER_TOPUP_MIN_FEN}.",
    )
    provider = serializers.ChoiceField(choices=())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = enabled_provider_names()


class PaymentIntentSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=PaymentIntentStatus.choices)
    client_payload = serializers.DictField(
        source="provider_payload", help_text="What the client opens to pay at the provider."
    )
    transaction_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = PaymentIntent
        fields = (
            "id",
            "reference",
            "provider",
            "amount",
            "currency",
            "status",
            "failure_reason",
            "client_payload",
            "transaction_id",
            "created_at",
            "expires_at",
            "succeeded_at",
        )


class SandboxPayInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["succeeded", "failed"], default="succeeded")


class WebhookAckSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["applied", "ignored", "duplicate"],
        help_text="applied: state changed; ignored: state already final; duplicate: seen before.",
    )
    intent_status = serializers.ChoiceField(choices=PaymentIntentStatus.choices)


class SandboxWebhookDataSerializer(serializers.Serializer):
    intent = serializers.CharField(help_text="The intent's reference.")
    amount = serializers.IntegerField(help_text=FEN_HELP)
    currency = serializers.CharField()
    reason = serializers.CharField(required=False)


class SandboxWebhookEventSerializer(serializers.Serializer):
    """For the schema only: the body is verified as raw bytes against its signature."""

    id = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["payment.succeeded", "payment.failed", "payment.expired"]
    )
    created = serializers.IntegerField(help_text="Unix seconds.")
    data = SandboxWebhookDataSerializer()


class PayoutInputSerializer(serializers.Serializer):
    amount = serializers.IntegerField(
        min_value=settings.LEDGER_PAYOUT_MIN_FEN,
        max_value=settings.LEDGER_MAX_AMOUNT_FEN,
        help_text=f"{FEN_HELP} At least {settings.LEDGER_PAYOUT_MIN_FEN}.",
    )
    method = serializers.ChoiceField(choices=PayoutMethod.choices)
    account_name = serializers.CharField(min_length=1, max_length=60)
    account_number = serializers.RegexField(
        r"^[A-Za-z0-9@._+-]{4,40}$", help_text="Alipay account, WeChat id or card number."
    )


class PayoutSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=PayoutStatus.choices)
    method = serializers.ChoiceField(choices=PayoutMethod.choices)
    account_number = serializers.CharField(source="account_number_masked")

    class Meta:
        model = Payout
        fields = (
            "id",
            "amount",
            "method",
            "account_name",
            "account_number",
            "status",
            "note",
            "created_at",
            "updated_at",
        )


class OwnerPaymentIntentSerializer(PaymentIntentSerializer):
    """An organisation's top-up: the user wallet's shape plus who started it."""

    requested_by_id = serializers.IntegerField()
    requested_by_username = serializers.CharField(source="requested_by.username")

    class Meta(PaymentIntentSerializer.Meta):
        fields = (*PaymentIntentSerializer.Meta.fields, "requested_by_id", "requested_by_username")


class OwnerPayoutSerializer(PayoutSerializer):
    """An organisation's payout: the user wallet's shape plus who asked for it."""

    requested_by_id = serializers.IntegerField()
    requested_by_username = serializers.CharField(source="requested_by.username")

    class Meta(PayoutSerializer.Meta):
        fields = (*PayoutSerializer.Meta.fields, "requested_by_id", "requested_by_username")
