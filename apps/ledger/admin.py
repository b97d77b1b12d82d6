"""Operators' screens: the book is read-only here; payouts move only through their actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from apps.core.admin_base import ReadOnlyAdmin
from apps.core.admin_base import ReadOnlyInline as BaseReadOnlyInline
from apps.core.errors import DomainError
from apps.ledger import selectors, services
from apps.ledger.models import (
    Account,
    Entry,
    OwnerType,
    PaymentIntent,
    Payout,
    PayoutEvent,
    ReconciliationDifference,
    ReconciliationReport,
    Transaction,
    WebhookEvent,
    format_fen,
)
from apps.ledger.selectors import with_balance


class ReadOnlyInline(BaseReadOnlyInline):
    show_change_link = True


def _yuan(amount: int | None) -> str:
    return "" if amount is None else format_fen(amount)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "kind", "balance_yuan", "shards", "may_go_negative")
    list_display += ("entries_link",)
    list_filter = ("kind", "owner_type", "allow_negative")
    search_fields = ("=id", "=owner_id")
    fields = ("owner", "kind", "balance_yuan", "shards", "may_go_negative")
    fields += ("created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="Below zero", ordering="allow_negative")
    def may_go_negative(self, account: Account) -> str:
        """A property of the account kind, not a failure: only clearing accounts may."""
        return "allowed (clearing)" if account.allow_negative else "never"

    @admin.display(description="Owner", ordering="owner_id")
    def owner(self, account: Account) -> str:
        """The owner by name, linked to their admin page, never "User / 14"."""
        admin_pages = {
            OwnerType.USER: "admin:accounts_user_change",
            OwnerType.ORGANISATION: "admin:accounts_organisation_change",
        }
        if account.owner_type == OwnerType.PLATFORM:
            return "Platform"
        page = admin_pages.get(account.owner_type)
        if page and account.owner_name:
            url = reverse(page, args=[account.owner_id])
            return format_html(
                '<a href="{}">{}</a> ({} {})',
                url,
                account.owner_name,
                account.get_owner_type_display().lower(),
                account.owner_id,
            )
        return f"{account.get_owner_type_display()} {account.owner_id}"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        return selectors.with_owner_names(with_balance(super().get_queryset(request)))

    @admin.display(description="Balance (yuan)", ordering="total")
    def balance_yuan(self, account: Account) -> str:
        """The row plus its shards for a hot account: the balance its owner sees."""
        return _yuan(account.total)

    @admin.display(description="Entries")
    def entries_link(self, account: Account) -> str:
        url = reverse("admin:ledger_entry_changelist") + f"?account__id__exact={account.pk}"
        statement = statement_url(account.owner_type, account.owner_id)
        return format_html(
            '<a href="{}">history</a> · <a href="{}">owner statement</a>', url, statement
        )


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ("account", "amount_yuan", "balance_after_yuan", "created_at")
    readonly_fields = fields

    @admin.display(description="Amount (yuan)")
    def amount_yuan(self, entry: Entry) -> str:
        return _yuan(entry.amount)

    @admin.display(description="Balance after (yuan)")
    def balance_after_yuan(self, entry: Entry) -> str:
        return _yuan(entry.balance_after)


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "description", "created_at", "reverses")
    list_filter = ("kind",)
    search_fields = ("=id", "key", "description")
    date_hierarchy = "created_at"
    inlines = (EntryInline,)
    actions = ("reverse_selected",)
    raw_id_fields = ("reverses",)

    def has_reverse_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ledger.reverse_transaction")

    @admin.action(description="Reverse selected top-ups / transfers", permissions=["reverse"])
    def reverse_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        for original in queryset.order_by("pk"):
            try:
                reversal = services.transaction_reverse(
                    original=original,
                    description=f"Reversal of #{original.pk} by {request.user.get_username()}",
                )
            except DomainError as exc:
                self.message_user(request, f"#{original.pk}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"#{original.pk} reversed by #{reversal.pk}.")


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    """Entries; filtered by owner (``?account__owner_type=&account__owner_id=``) it is that
    owner's statement, linked from accounts, intents, payouts and organisations."""

    list_display = ("id", "transaction", "account", "amount_yuan", "balance_after_yuan")
    list_display += ("created_at",)
    list_filter = ("account__kind", "account__owner_type")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup == "account__owner_id" or super().lookup_allowed(lookup, value, request)

    search_fields = ("=transaction__id", "=account__id")
    list_select_related = ("transaction", "account")

    @admin.display(description="Amount (yuan)")
    def amount_yuan(self, entry: Entry) -> str:
        return _yuan(entry.amount)

    @admin.display(description="Balance after (yuan)")
    def balance_after_yuan(self, entry: Entry) -> str:
        return _yuan(entry.balance_after)


class WebhookEventInline(ReadOnlyInline):
    model = WebhookEvent
    fields = ("event_id", "event_type", "outcome", "occurred_at", "received_at")
    readonly_fields = fields


def statement_url(owner_type: str, owner_id: int) -> str:
    """The entries of an owner's wallet in the entry list: the operators' statement per owner."""
    query = f"?account__owner_type={owner_type}&account__owner_id={owner_id}&account__kind=wallet"
    return reverse("admin:ledger_entry_changelist") + query


class OwnerColumnsMixin:
    """Shows an intent's or payout's owner by name, linked to them, and their statement."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.with_owner_names(super().get_queryset(request))

    @admin.display(description="Owner")
    def owner(self, obj: PaymentIntent | Payout) -> str:
        if obj.owner_type == OwnerType.ORGANISATION:
            url = reverse("admin:accounts_organisation_change", args=[obj.owner_id])
        else:
            url = reverse("admin:accounts_user_change", args=[obj.owner_id])
        name = getattr(obj, "owner_name", None) or f"{obj.owner_type} {obj.owner_id}"
        return format_html(
            '<a href="{}">{}</a> ({}) · <a href="{}">statement</a>',
            url,
            name,
            obj.get_owner_type_display(),
            statement_url(obj.owner_type, obj.owner_id),
        )


@admin.register(PaymentIntent)
class PaymentIntentAdmin(OwnerColumnsMixin, ReadOnlyAdmin):
    list_display = ("reference", "owner", "requested_by", "provider", "amount_yuan", "status")
    list_display += ("created_at",)
    list_filter = ("status", "provider", "owner_type")
    search_fields = ("reference", "requested_by__username", "=owner_id")
    list_select_related = ("requested_by",)
    raw_id_fields = ("requested_by", "account", "transaction")
    readonly_fields = ("owner",)
    date_hierarchy = "created_at"
    inlines = (WebhookEventInline,)

    @admin.display(description="Amount (yuan)", ordering="amount")
    def amount_yuan(self, intent: PaymentIntent) -> str:
        return _yuan(intent.amount)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "provider", "event_type", "intent", "outcome", "received_at")
    list_filter = ("provider", "event_type", "outcome")
    search_fields = ("event_id", "intent__reference")
    list_select_related = ("intent",)


class PayoutEventInline(ReadOnlyInline):
    model = PayoutEvent
    fields = ("from_status", "to_status", "actor", "note", "created_at")
    readonly_fields = fields
    show_change_link = False


class PayoutActionForm(ActionForm):
    note = forms.CharField(
        required=False, max_length=200, help_text="Reason or reference (required to reject/fail)."
    )


@admin.register(Payout)
class PayoutAdmin(OwnerColumnsMixin, ReadOnlyAdmin):
    list_display = ("id", "owner", "requested_by", "amount_yuan", "method", "status")
    list_display += ("created_at", "updated_at")
    list_filter = ("status", "method", "owner_type")
    search_fields = ("=id", "requested_by__username", "=owner_id")
    list_select_related = ("requested_by",)
    raw_id_fields = ("requested_by", "hold_transaction", "settle_transaction")
    readonly_fields = ("owner", "amount_yuan", "account_number_masked")
    exclude = ("account_number",)
    date_hierarchy = "created_at"
    inlines = (PayoutEventInline,)
    action_form = PayoutActionForm
    actions = ("approve", "reject", "mark_paid", "mark_failed")

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ledger.change_payout")

    @admin.display(description="Amount (yuan)", ordering="amount")
    def amount_yuan(self, payout: Payout) -> str:
        return _yuan(payout.amount)

    def _move(
        self, request: HttpRequest, queryset: QuerySet, mover, verb: str, need_note: bool = False
    ) -> None:
        note = (request.POST.get("note") or "").strip()
        if need_note and not note:
            self.message_user(request, f"Give a reason to {verb} payouts.", messages.ERROR)
            return
        done = 0
        for payout_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                mover(payout_id=payout_id, operator=request.user, note=note)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"Payout #{payout_id}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} payout(s): {verb} done.")

    @admin.action(description="Approve selected requested payouts", permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, services.payout_approve, "approve")

    @admin.action(description="Reject selected (funds return to wallet)", permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, services.payout_reject, "reject", need_note=True)

    @admin.action(description="Mark selected approved payouts as paid", permissions=["review"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, services.payout_mark_paid, "mark paid")

    @admin.action(description="Mark selected as failed (funds return)", permissions=["review"])
    def mark_failed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, services.payout_mark_failed, "mark failed", need_note=True)


@admin.register(PayoutEvent)
class PayoutEventAdmin(ReadOnlyAdmin):
    list_display = ("payout", "from_status", "to_status", "actor", "note", "created_at")
    list_filter = ("to_status",)
    search_fields = ("=payout__id",)
    list_select_related = ("payout", "actor")


class ReconciliationDifferenceInline(ReadOnlyInline):
    model = ReconciliationDifference
    fields = ("kind", "account", "transaction", "expected", "actual")
    readonly_fields = fields


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "clean", "difference_count", "accounts_checked")
    list_display += ("transactions_checked", "ledger_total", "finished_at")
    date_hierarchy = "started_at"
    inlines = (ReconciliationDifferenceInline,)

    @admin.display(description="Clean", boolean=True)
    def clean(self, report: ReconciliationReport) -> bool:
        return report.is_clean


@admin.register(ReconciliationDifference)
class ReconciliationDifferenceAdmin(ReadOnlyAdmin):
    list_display = ("report", "kind", "account", "transaction", "expected", "actual")
    list_filter = ("kind",)
    list_select_related = ("report", "account", "transaction")
