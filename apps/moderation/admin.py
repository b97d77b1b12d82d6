"""Operator screens: keyword rules, the review queue, appeals, strikes, reports, audit trail.

Every change goes through the services, so the admin and the API obey the same rules (state
machines, the different-operator rule for appeals, audit records, rule-version bumps).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Case as SqlCase
from django.db.models import QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.core.admin_base import ReadOnlyAdmin
from apps.core.errors import DomainError, InvalidInput
from apps.moderation import services
from apps.moderation.admin_links import author_link, author_record, object_link
from apps.moderation.models import (
    SURFACE_FIELDS,
    Appeal,
    AppealStatus,
    AuditRecord,
    Case,
    CaseStatus,
    KeywordRule,
    Report,
    ReviewQueueCase,
    RuleCategory,
    Strike,
)

RULE_FIELDS = ("term", "category", "action", "whole_word", "is_active", "note")


# --- Keyword rules ----------------------------------------------------------------------------


class KeywordRuleForm(forms.ModelForm):
    class Meta:
        model = KeywordRule
        fields = (*RULE_FIELDS[:3], *SURFACE_FIELDS.values(), *RULE_FIELDS[3:])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        surfaces = [surface for surface, field in SURFACE_FIELDS.items() if data.get(field)]
        try:
            services.keyword_rule_clean(
                term=data.get("term", ""),
                category=data.get("category", ""),
                action=data.get("action", ""),
                surfaces=surfaces,
                whole_word=bool(data.get("whole_word")),
                rule_id=self.instance.pk,
            )
        except InvalidInput as exc:
            for field, errors in exc.fields.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


class SurfaceFilter(admin.SimpleListFilter):
    title = "surface"
    parameter_name = "surface"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [(surface, field.removeprefix("on_")) for surface, field in SURFACE_FIELDS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        field = SURFACE_FIELDS.get(self.value() or "")
        return queryset.filter(**{field: True}) if field else queryset


@admin.register(KeywordRule)
class KeywordRuleAdmin(admin.ModelAdmin):
    form = KeywordRuleForm
    list_display = (
        "term",
        "normalized_term",
        "category",
        "action",
        "surface_list",
        "whole_word",
        "is_active",
        "updated_at",
        "updated_by",
    )
    list_filter = ("category", "action", SurfaceFilter, "whole_word", "is_active")
    search_fields = ("term", "normalized_term", "note")
    list_select_related = ("updated_by",)
    readonly_fields = ("normalized_term", "created_by", "created_at", "updated_by", "updated_at")
    actions = ("activate_rules", "deactivate_rules")
    list_per_page = 100

    @admin.display(description="Surfaces")
    def surface_list(self, rule: KeywordRule) -> str:
        return ", ".join(rule.surfaces)

    def save_model(self, request: HttpRequest, obj: KeywordRule, form: forms.Form, change: bool):
        values = {name: form.cleaned_data[name] for name in RULE_FIELDS}
        surfaces = [s for s, field in SURFACE_FIELDS.items() if form.cleaned_data[field]]
        if change:
            saved = services.keyword_rule_update(
                rule_id=obj.pk, actor=request.user, surfaces=surfaces, **values
            )
        else:
            saved = services.keyword_rule_create(actor=request.user, surfaces=surfaces, **values)
        obj.pk = saved.pk
        obj.normalized_term = saved.normalized_term

    def delete_model(self, request: HttpRequest, obj: KeywordRule) -> None:
        services.keyword_rule_delete(rule_id=obj.pk, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for rule_id in queryset.values_list("pk", flat=True):
            services.keyword_rule_delete(rule_id=rule_id, actor=request.user)

    def _set_active(self, request: HttpRequest, queryset: QuerySet, active: bool) -> None:
        for rule_id in queryset.values_list("pk", flat=True):
            services.keyword_rule_update(rule_id=rule_id, actor=request.user, is_active=active)
        self.message_user(request, f"{queryset.count()} rules updated; live within seconds.")

    @admin.action(description="Activate selected rules", permissions=["change"])
    def activate_rules(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active(request, queryset, True)

    @admin.action(description="Deactivate selected rules", permissions=["change"])
    def deactivate_rules(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active(request, queryset, False)


# --- Cases and the review queue -----------------------------------------------------------------


class CaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve: keep the content"), ("reject", "Reject: remove, strike")],
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        choices=[("", "—"), *RuleCategory.choices],
        required=False,
        help_text="For a rejection: which rule the content breaks.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown to the author and kept."
    )


class BulkDecisionForm(forms.Form):
    category = forms.ChoiceField(choices=[("", "—"), *RuleCategory.choices], required=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


def _decide_case(
    request: HttpRequest, case_id: int, decision: str, reason: str, category: str
) -> None:
    if decision == "approve":
        services.case_approve(case_id=case_id, operator=request.user, reason=reason)
    else:
        services.case_reject(
            case_id=case_id, operator=request.user, reason=reason, category=category
        )


class ReportInline(admin.TabularInline):
    model = Report
    fields = ("reporter", "reason", "detail", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseAdminBase(admin.ModelAdmin):
    # The Decide button first, so it is on screen however wide the excerpt is (1400 px and up).
    list_display = (
        "decide_link",
        "id",
        "target",
        "short_excerpt",
        "author_name",
        "origin",
        "reporters",
        "visibility",
        "status",
        "opened",
    )
    list_display_links = ("id",)
    list_filter = ("status", "origin", "target_key", "held", "decision_category")
    search_fields = ("excerpt", "author__username", "=object_id")
    list_select_related = ("author", "decided_by")
    readonly_fields = [field.name for field in Case._meta.fields]
    inlines = (ReportInline,)
    actions = ("approve_selected", "reject_selected")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decisions go through the decide screen

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("moderation.review_case")

    @admin.display(description="Content")
    def short_excerpt(self, case: Case) -> str:
        return case.excerpt[:60]

    @admin.display(description="Opened", ordering="opened_at")
    def opened(self, case: Case) -> str:
        return f"{timezone.localtime(case.opened_at):%Y-%m-%d %H:%M}"

    @admin.display(description="Decided", ordering="decided_at")
    def decided(self, case: Case) -> str:
        if case.decided_at is None:
            return "—"
        return (
            f"{case.decided_by or 'system'}, {timezone.localtime(case.decided_at):%Y-%m-%d %H:%M}"
        )

    @admin.display(description="Reporters", ordering="reporter_count")
    def reporters(self, case: Case) -> int:
        return case.reporter_count

    @admin.display(description="Visibility", ordering="held")
    def visibility(self, case: Case) -> str:
        """A state, not a pass/fail icon: most cases are rightly not held."""
        return "held for review" if case.held else "visible"

    @admin.display(description="Object", ordering="target_key")
    def target(self, case: Case) -> str:
        return object_link(case)

    @admin.display(description="Author", ordering="author__username")
    def author_name(self, case: Case) -> str:
        return author_link(case)

    @admin.display(description="Action")
    def decide_link(self, case: Case) -> str:
        url = reverse(f"admin:{self._url_prefix()}_decide", args=[case.pk])
        if case.status != CaseStatus.OPEN:
            return format_html('<a href="{}">View decision</a>', url)
        return format_html('<a class="button" href="{}">Decide</a>', url)

    def _url_prefix(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}"

    def get_urls(self) -> list:
        decide = path(
            "<id:case_id>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name=f"{self._url_prefix()}_decide",
        )
        return [decide, *super().get_urls()]

    def decide_view(self, request: HttpRequest, case_id: int) -> HttpResponse:
        """One case: its content, reports, screening hits and history, and the decision form."""
        if not self.has_review_permission(request):
            raise PermissionDenied
        case = get_object_or_404(Case.objects.select_related("author", "decided_by"), pk=case_id)
        form = CaseDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            try:
                _decide_case(
                    request, case.pk, values["decision"], values["reason"], values["category"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"Case {case.pk}: {values['decision']}d.")
                return HttpResponseRedirect(reverse(f"admin:{self._url_prefix()}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Decide case {case.pk}",
            "opts": self.model._meta,
            "case": case,
            "reports": case.reports.select_related("reporter").order_by("created_at")[:100],
            "audit": AuditRecord.objects.filter(subject_type="case", subject_id=case.pk),
            "form": form,
            **author_record(case),
        }
        return TemplateResponse(request, "admin/moderation/case_decide.html", context)

    def _bulk(self, request: HttpRequest, queryset: QuerySet, decision: str) -> Any:
        form = BulkDecisionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for case_id in queryset.values_list("pk", flat=True):
                try:
                    _decide_case(
                        request,
                        case_id,
                        decision,
                        form.cleaned_data["reason"],
                        form.cleaned_data["category"],
                    )
                    done += 1
                except DomainError as exc:
                    self.message_user(request, f"Case {case_id}: {exc.message}", messages.ERROR)
            self.message_user(request, f"{done} cases {decision}d.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{decision.capitalize()} {queryset.count()} cases",
            "opts": self.model._meta,
            "cases": queryset,
            "decision": decision,
            "action": f"{decision}_selected",
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/moderation/case_bulk_decide.html", context)

    @admin.action(description="Approve selected cases…", permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> Any:
        return self._bulk(request, queryset, "approve")

    @admin.action(description="Reject selected cases…", permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> Any:
        return self._bulk(request, queryset, "reject")


@admin.register(ReviewQueueCase)
class ReviewQueueAdmin(CaseAdminBase):
    """Open cases only, most-reported first, then oldest first."""

    list_filter = ("origin", "target_key", "held")
    ordering = ("-reporter_count", "opened_at", "id")
    # Every case here is open: no status column, so the table fits 1400 px beside the filters.
    list_display = tuple(name for name in CaseAdminBase.list_display if name != "status")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(status=CaseStatus.OPEN)


@admin.register(Case)
class CaseAdmin(CaseAdminBase):
    """Every case, decided or not."""

    # Status instead of visibility here, and who decided when in one column: fits 1400 px.
    list_display = (
        *(name for name in CaseAdminBase.list_display if name != "visibility"),
        "decided",
    )
    ordering = ("-opened_at", "-id")
    date_hierarchy = "opened_at"


# --- Appeals, strikes, reports --------------------------------------------------------------------


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept: revoke the strike, restore"), ("deny", "Deny: strike stands")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "strike",
        "short_reason",
        "status",
        "rejected_by",
        "created_at",
        "decided_by",
        "decided_at",
        "decide_link",
    )
    list_filter = ("status",)
    search_fields = ("user__username", "reason")
    list_select_related = ("user", "strike__case__decided_by", "decided_by")
    readonly_fields = [field.name for field in Appeal._meta.fields]
    show_full_result_count = False

    def get_ordering(self, request: HttpRequest) -> list:
        """Pending appeals first, oldest first: the appeal queue."""
        pending_first = SqlCase(When(status=AppealStatus.PENDING, then=Value(0)), default=Value(1))
        return [pending_first.asc(), "created_at", "id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Appeal")
    def short_reason(self, appeal: Appeal) -> str:
        return appeal.reason[:60]

    @admin.display(description="Rejected by")
    def rejected_by(self, appeal: Appeal) -> str:
        return str(appeal.strike.case.decided_by or "")

    @admin.display(description="")
    def decide_link(self, appeal: Appeal) -> str:
        if appeal.status != AppealStatus.PENDING:
            return ""
        url = reverse("admin:moderation_appeal_decide", args=[appeal.pk])
        return format_html('<a class="button" href="{}">Decide</a>', url)

    def get_urls(self) -> list:
        decide = path(
            "<id:appeal_id>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="moderation_appeal_decide",
        )
        return [decide, *super().get_urls()]

    def decide_view(self, request: HttpRequest, appeal_id: int) -> HttpResponse:
        """One appeal: the strike, the rejected content and who rejected it, and the form."""
        if not request.user.has_perm("moderation.review_appeal"):
            raise PermissionDenied
        appeal = get_object_or_404(
            Appeal.objects.select_related("user", "strike__case__decided_by"), pk=appeal_id
        )
        form = AppealDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.appeal_decide(
                    appeal_id=appeal.pk,
                    operator=request.user,
                    accept=form.cleaned_data["decision"] == "accept",
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"Appeal {appeal.pk} decided.")
                return HttpResponseRedirect(reverse("admin:moderation_appeal_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Decide appeal {appeal.pk}",
            "opts": self.model._meta,
            "appeal": appeal,
            "case": appeal.strike.case,
            "same_operator": appeal.strike.case.decided_by_id == request.user.pk,
            "form": form,
        }
        return TemplateResponse(request, "admin/moderation/appeal_decide.html", context)


@admin.register(Strike)
class StrikeAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "category", "status", "case", "created_at", "revoked_at")
    list_filter = ("status", "category")
    search_fields = ("user__username", "reason")
    list_select_related = ("user", "case")
    date_hierarchy = "created_at"


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "reporter", "target_key", "object_id", "reason", "case", "created_at")
    list_filter = ("reason", "target_key")
    search_fields = ("reporter__username", "detail", "=object_id")
    list_select_related = ("reporter", "case")
    date_hierarchy = "created_at"


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    """The audit trail: append-only, nobody edits or deletes it here."""

    list_display = (
        "created_at",
        "actor_username",
        "action",
        "subject_type",
        "subject_id",
        "target_key",
        "object_id",
        "short_reason",
    )
    list_filter = ("action", "subject_type", "target_key")
    search_fields = ("actor_username", "reason", "=subject_id", "=object_id")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")

    @admin.display(description="Why")
    def short_reason(self, record: AuditRecord) -> str:
        return record.reason[:80]
