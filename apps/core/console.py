"""The operator console: the admin's home page shows the work waiting, grouped by what operators do.

apps.core is the lowest layer and knows no other app, so the console is a registry: each app, in
its ``AppConfig.ready()``, says which section its admin pages belong to
(``register_app_section``) and registers "pending work" providers (``register_pending``) that
count what waits for an operator and link to the admin page that shows it::

    register_pending(PendingWork(
        key="ledger.payouts", section=MONEY, title="Payouts",
        permission="ledger.view_payout", lines=payout_lines,   # () -> list[PendingLine]
    ))

The admin site (``ConsoleAdminSite``, installed by ``console_config.ConsoleAdminConfig``) asks
the registry on its home page and groups the app list by section instead of alphabetically.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str


CONTENT_SAFETY = Section(
    "content_safety", "Content safety", "Review queue, reports, appeals, strikes, keyword rules."
)
MONEY = Section("money", "Money", "Wallets, transactions, payouts, reconciliation.")
ANALYTICS = Section("analytics", "Analytics", "Client events and the nightly rollups.")
CREATORS_AND_BRANDS = Section(
    "creators_and_brands",
    "Creators and brands",
    "People and organisations, notes and comments, creator tools, notifications.",
)
PLATFORM = Section("platform", "Platform", "Operator accounts, groups, stored API responses.")

# The order operators see: what needs a decision first, configuration last.
SECTIONS: tuple[Section, ...] = (CONTENT_SAFETY, MONEY, ANALYTICS, CREATORS_AND_BRANDS, PLATFORM)


@dataclass(frozen=True)
class PendingLine:
    """One count on the console home, with the admin URL that lists exactly those items."""

    label: str
    count: int
    url: str
    # Late or failed work (a missing rollup, a reconciliation difference) rather than a queue.
    alarm: bool = False


@dataclass(frozen=True)
class PendingWork:
    key: str
    section: Section
    title: str
    permission: str  # shown only to operators who may view the listed objects
    lines: Callable[[], list[PendingLine]]


@dataclass
class _Registry:
    pending: dict[str, PendingWork] = field(default_factory=dict)
    app_sections: dict[str, Section] = field(default_factory=dict)


_REGISTRY = _Registry()


def register_pending(work: PendingWork) -> None:
    """Add (or replace, by key) a provider of pending-work counts for the console home."""
    _REGISTRY.pending[work.key] = work


def register_app_section(app_label: str, section: Section) -> None:
    """Put an app's admin pages under a section of the console (``PLATFORM`` otherwise)."""
    _REGISTRY.app_sections[app_label] = section


def registered_pending() -> list[PendingWork]:
    return list(_REGISTRY.pending.values())


def section_of(app_label: str) -> Section:
    return _REGISTRY.app_sections.get(app_label, PLATFORM)


def admin_url(name: str, query: str = "", args: tuple = ()) -> str:
    """An admin URL by name, with a changelist filter query (``status__exact=open``)."""
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{query}" if query else url


def pending_by_section(request: HttpRequest) -> list[dict[str, Any]]:
    """The console home's panels: each section's providers the operator may see, with counts."""
    panels = []
    for section in SECTIONS:
        works = [
            {"title": work.title, "lines": work.lines()}
            for work in _REGISTRY.pending.values()
            if work.section == section and request.user.has_perm(work.permission)
        ]
        if works:
            panels.append({"section": section, "works": works})
    return panels


def group_app_list(app_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Regroup the admin's per-app list into the console's sections, in ``SECTIONS`` order."""
    grouped: dict[str, dict[str, Any]] = {}
    index_url = reverse("admin:index")
    for app in app_list:
        section = section_of(app["app_label"])
        group = grouped.setdefault(
            section.key,
            {
                "name": section.title,
                "app_label": section.key,
                "app_url": f"{index_url}#section-{section.key}",
                "has_module_perms": True,
                "models": [],
                "description": section.description,
            },
        )
        group["models"].extend(app["models"])
    ordered = [grouped[section.key] for section in SECTIONS if section.key in grouped]
    for group in ordered:
        group["models"].sort(key=lambda model: str(model["name"]).lower())
    return ordered


class ConsoleAdminSite(admin.AdminSite):
    """Django's admin with the console home: pending work first, apps grouped by section."""

    site_header = "Creator Platform · operator console"
    site_title = "Creator Platform console"
    index_title = "Work waiting"
    index_template = "admin/console/index.html"
    # The home page is the navigation; without the 280 px sidebar every list page has room for
    # its columns and filters at 1400 px (the review queue's Decide column stays on screen).
    enable_nav_sidebar = False

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        # One app's own index page keeps Django's layout; the home and the sidebar are grouped.
        return apps if app_label else group_app_list(apps)

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        context = {"pending_sections": pending_by_section(request), **(extra_context or {})}
        return super().index(request, context)
