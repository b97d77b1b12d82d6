"""Operators' screens: campaigns (briefs held by screening), cooperations filtered by state and
deadline with their offers and audit trail, the dispute resolution form, protection requests,
usage rights and ratings. Nothing changes through a form: the dispute decision is an action
that calls ``cooperation_resolve`` (checked and audited like every other move). The brand
verification queue is the Organisations screen of accounts (filter: pending)."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.brands import profile_admin  # noqa: F401  (cooperation profiles' screens)
from apps.brands.aftercare_models import NoteEditRecord, ProtectionRequest, Rating, UsageRight
from apps.brands.cooperation_models import Campaign, Cooperation, CooperationEvent, Offer
from apps.brands.cooperations import cooperation_resolve
from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from apps.core.errors import DomainError


class HeldFilter(admin.SimpleListFilter):
    title = "held by screening"
    parameter_name = "held"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Texts held for review")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.exclude(screening_held="") if self.value() == "yes" else queryset


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "title",
        "brand",
        "mode",
        "status",
        "budget",
        "deadline",
        "screening_held",
    )
    list_filter = ("status", "mode", HeldFilter)
    search_fields = ("title", "brand__name")
    list_select_related = ("brand",)


class DeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("overdue", "Overdue"), ("day", "Within 24 hours"), ("week", "Within 7 days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        horizon = {"day": timedelta(days=1), "week": timedelta(days=7)}
        if self.value() == "overdue":
            return queryset.filter(deadline_at__lte=now)
        if self.value() in horizon:
            return queryset.filter(
                deadline_at__gt=now, deadline_at__lte=now + horizon[self.value()]
            )
        return queryset


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = ("created_at", "side", "author", "price", "deliverable_kind", "message")
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = CooperationEvent
    fields = ("created_at", "action", "from_status", "to_status", "side", "actor", "comment")
    fields += ("details",)
    readonly_fields = fields
    ordering = ("-created_at", "-id")


class DisputeForm(ActionForm):
    creator_share = forms.IntegerField(
        required=False, min_value=0, help_text="Fen to the creator (0 to the price)."
    )
    note = forms.CharField(required=False, max_length=500, help_text="Why (required).")


@admin.register(Cooperation)
class CooperationAdmin(ReadOnlyAdmin):
    list_display = ("id", "campaign", "brand", "creator", "status", "price", "escrow_paid")
    list_display += ("deadline_at",)
    list_filter = ("status", DeadlineFilter)
    search_fields = ("=id", "brand__name", "creator__username")
    list_select_related = ("campaign", "brand", "creator")
    inlines = (OfferInline, EventInline)
    action_form = DisputeForm
    actions = ("resolve_dispute",)

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("brands.change_cooperation")

    @admin.action(
        description="Resolve the selected dispute (creator's share in fen)", permissions=["resolve"]
    )
    def resolve_dispute(self, request: HttpRequest, queryset: QuerySet) -> None:
        share = request.POST.get("creator_share", "")
        note = request.POST.get("note", "")
        if not share.isdigit():
            self.message_user(request, "Give the creator's share in fen.", messages.ERROR)
            return
        for cooperation in queryset.order_by("pk"):
            try:
                done = cooperation_resolve(
                    operator=request.user,
                    cooperation_id=cooperation.pk,
                    creator_share=int(share),
                    note=note,
                )
            except DomainError as exc:
                self.message_user(request, f"#{cooperation.pk}: {exc.message}", messages.ERROR)
                continue
            self.message_user(
                request, f"#{done.pk} resolved: {done.events.order_by('-id').first().details}"
            )


@admin.register(CooperationEvent)
class CooperationEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "cooperation", "action", "from_status", "to_status", "side")
    list_display += ("actor",)
    list_filter = ("action", "side")
    list_select_related = ("actor",)


@admin.register(ProtectionRequest)
class ProtectionRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "cooperation", "change", "status", "lapses_at", "decided_at")
    list_filter = ("status", "change")


@admin.register(UsageRight)
class UsageRightAdmin(ReadOnlyAdmin):
    list_display = ("id", "cooperation", "brand", "creator", "kind", "starts_at", "expires_at")
    list_filter = ("kind",)
    list_select_related = ("brand", "creator")


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("id", "cooperation", "side", "score", "created_at", "editable_until")
    list_filter = ("side", "score")


@admin.register(NoteEditRecord)
class NoteEditRecordAdmin(ReadOnlyAdmin):
    """A protected note's text before each edit (the note's edit history)."""

    list_display = ("id", "cooperation", "title", "created_at")
