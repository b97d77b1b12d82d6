"""Links the moderation screens show: the object under review, its author, the author's record.

A case names its object by target key and id; the admin page of that object comes from the
target's model (the registry in ``targets.py``), so a new target gets its link with no change
here. An object whose model has no admin page is shown as plain text.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.moderation.models import Case, CaseStatus, Strike
from apps.moderation.targets import all_targets

EARLIER_DECISIONS_SHOWN = 10


def object_admin_url(target_key: str, object_id: int) -> str | None:
    target = all_targets().get(target_key)
    if target is None:
        return None
    meta = target.model._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[object_id])
    except NoReverseMatch:
        return None


def object_link(case: Case) -> SafeString:
    label = f"{case.target_key} #{case.object_id}"
    url = object_admin_url(case.target_key, case.object_id)
    return format_html('<a href="{}">{}</a>', url, label) if url else format_html("{}", label)


def user_admin_url(user_id: int) -> str:
    meta = get_user_model()._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[user_id])


def author_link(case: Case) -> SafeString:
    if case.author_id is None:
        return format_html("{}", "(deleted account)")
    return format_html('<a href="{}">{}</a>', user_admin_url(case.author_id), case.author)


def earlier_decisions(case: Case) -> QuerySet:
    """The author's other decided cases, newest first."""
    if case.author_id is None:
        return Case.objects.none()
    return (
        Case.objects.filter(author_id=case.author_id)
        .exclude(pk=case.pk)
        .exclude(status=CaseStatus.OPEN)
        .select_related("decided_by")
        .order_by("-decided_at", "-id")[:EARLIER_DECISIONS_SHOWN]
    )


def author_record(case: Case) -> dict[str, Any]:
    """What the decide page shows about the author: links, strikes and earlier decisions."""
    if case.author_id is None:
        return {"object_link": object_link(case), "author_link": author_link(case)}
    strikes = Strike.objects.filter(user_id=case.author_id).order_by("-created_at")
    return {
        "object_link": object_link(case),
        "author_link": author_link(case),
        "strikes": list(strikes[:EARLIER_DECISIONS_SHOWN]),
        "strikes_url": reverse("admin:moderation_strike_changelist")
        + f"?user__id__exact={case.author_id}",
        "earlier": [
            {"case": earlier, "url": reverse("admin:moderation_case_decide", args=[earlier.pk])}
            for earlier in earlier_decisions(case)
        ],
        "earlier_url": reverse("admin:moderation_case_changelist")
        + f"?author__id__exact={case.author_id}",
    }
