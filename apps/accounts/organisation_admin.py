"""Operators' screens for organisations: verify or reject (audited), members, verification trail.

Verification changes only through the actions, which call ``organisation_verify`` /
``organisation_reject`` (operator permission ``accounts.change_organisation``, never a member of
the organisation, a reason required to reject), so the audit trail is the same as any other
path's. Registered by the import at the end of ``apps/accounts/admin.py``.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from apps.accounts import organisations as services
from apps.accounts.organisation_models import (
    Membership,
    Organisation,
    OrganisationVerificationEvent,
)
from apps.core.errors import DomainError


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    fields = ("user", "role", "invited_by", "created_at")
    readonly_fields = ("user", "role", "invited_by", "created_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # members change through the services (at least one owner, notifications)


class VerificationEventInline(admin.TabularInline):
    model = OrganisationVerificationEvent
    fields = ("from_status", "to_status", "actor", "reason", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class VerificationActionForm(ActionForm):
    reason = forms.CharField(
        required=False, max_length=200, help_text="Reason (required to reject; the owners see it)."
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "verification_status", "business_licence_number")
    list_display += ("screening_held", "created_by", "created_at", "statement")
    list_filter = ("verification_status", "kind")
    search_fields = ("name", "business_licence_number", "contact_phone", "=id")
    list_select_related = ("created_by",)
    readonly_fields = (
        "verification_status",
        "rejection_reason",
        "verified_at",
        "screening_held",
        "created_by",
        "created_at",
        "updated_at",
        "statement",
    )
    inlines = (MembershipInline, VerificationEventInline)
    action_form = VerificationActionForm
    actions = ("verify", "reject")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created by their owners through the API (the creator becomes owner)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # an organisation may own money: reject it instead

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.VERIFY_PERMISSION)

    @admin.display(description="Wallet statement")
    def statement(self, organisation: Organisation) -> str:
        try:
            url = reverse("admin:ledger_entry_changelist")
        except NoReverseMatch:  # the ledger app is not installed
            return ""
        query = f"?account__owner_type=organisation&account__owner_id={organisation.pk}"
        return format_html('<a href="{}">entries</a>', url + query + "&account__kind=wallet")

    def _decide(self, request: HttpRequest, queryset: QuerySet, decide, verb: str) -> None:
        reason = (request.POST.get("reason") or "").strip()
        done = 0
        for organisation_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                decide(organisation_id=organisation_id, operator=request.user, reason=reason)
                done += 1
            except DomainError as exc:
                self.message_user(
                    request, f"Organisation #{organisation_id}: {exc.message}", messages.ERROR
                )
        if done:
            self.message_user(request, f"{done} organisation(s) {verb}.")

    @admin.action(description="Verify selected organisations", permissions=["verify"])
    def verify(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, services.organisation_verify, "verified")

    @admin.action(description="Reject selected (reason required)", permissions=["verify"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, services.organisation_reject, "rejected")


@admin.register(OrganisationVerificationEvent)
class OrganisationVerificationEventAdmin(admin.ModelAdmin):
    list_display = ("organisation", "from_status", "to_status", "actor", "reason", "created_at")
    list_filter = ("to_status",)
    search_fields = ("organisation__name", "actor__username")
    list_select_related = ("organisation", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
