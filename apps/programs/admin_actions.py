"""One way for admin actions to call a service per selected row and report refusals."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.errors import DomainError


def run_action(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    call: Callable[[int], object],
    verb: str,
) -> None:
    """Call a service for each selected row; refusals are shown, the others go through."""
    done = 0
    for pk in queryset.order_by("pk").values_list("pk", flat=True):
        try:
            call(pk)
            done += 1
        except DomainError as exc:
            model_admin.message_user(request, f"#{pk}: {exc.message}", messages.ERROR)
    if done:
        model_admin.message_user(request, f"{done} {verb}.")
