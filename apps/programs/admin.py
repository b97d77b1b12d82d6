"""Operators' screens: agencies' contracts, programs and applications (approve, reject, remove).

State changes go through the actions, which call the services, so every decision is checked
(staff with the permission, never on one's own application) and notified the same way as any
other. The academy's screens are in ``academy_admin``.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.programs import (
    academy_admin,  # noqa: F401  (registers the academy's screens)
    services,
)
from apps.programs.admin_actions import run_action
from apps.programs.models import (
    AgencyContract,
    ContractEvent,
    GrowthProgram,
    ProgramApplication,
    ProgramBenefit,
)


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        required=False, max_length=300, help_text="Reason (required to reject or remove)."
    )


class ContractEventInline(admin.TabularInline):
    model = ContractEvent
    fields = ("action", "from_status", "to_status", "side", "actor", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AgencyContract)
class AgencyContractAdmin(admin.ModelAdmin):
    list_display = ("id", "agency", "creator", "status", "revenue_share", "data_sharing")
    list_display += ("active_from", "active_until", "expires_at", "termination_due_at")
    list_filter = ("status", "data_sharing")
    search_fields = ("=id", "agency__name", "creator__username")
    list_select_related = ("agency", "creator")
    inlines = (ContractEventInline,)
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in AgencyContract._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # agencies send requests; creators answer

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(GrowthProgram)
class GrowthProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "is_active", "min_fans", "min_notes_30d")
    list_display += ("min_engagement_rate", "agency_requirement", "promotion_credit_fen", "badge")
    list_filter = ("is_active", "agency_requirement")
    filter_horizontal = ("categories",)
    prepopulated_fields = {"key": ("name",)}


class BenefitInline(admin.StackedInline):
    model = ProgramBenefit
    fields = ("credit_fen", "credit_transaction_id", "badge", "boost_weight")
    fields += ("granted_at", "revoked_at")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProgramApplication)
class ProgramApplicationAdmin(admin.ModelAdmin):
    list_display = ("id", "program", "creator", "status", "applied_at", "decided_at", "reason")
    list_filter = ("status", "program")
    search_fields = ("=id", "creator__username")
    list_select_related = ("program", "creator")
    inlines = (BenefitInline,)
    action_form = ReasonActionForm
    actions = ("approve", "reject", "remove")
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in ProgramApplication._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # creators apply; the nightly job invites

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Approve selected (grants the benefits)")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_action(
            self,
            request,
            queryset,
            lambda pk: services.application_approve(application_id=pk, operator=request.user),
            "approved",
        )

    @admin.action(description="Reject selected (reason required)")
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason") or ""
        run_action(
            self,
            request,
            queryset,
            lambda pk: services.application_reject(
                application_id=pk, operator=request.user, reason=reason
            ),
            "rejected",
        )

    @admin.action(description="Remove selected members (reason required; revokes benefits)")
    def remove(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason") or ""
        run_action(
            self,
            request,
            queryset,
            lambda pk: services.application_remove(
                application_id=pk, operator=request.user, reason=reason
            ),
            "removed",
        )
