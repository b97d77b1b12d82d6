"""Cursor pagination by id, newest first: served by the ``(owner, -id)`` indexes."""

from apps.core.pagination import CreatedCursorPagination


class IdCursorPagination(CreatedCursorPagination):
    ordering = ("-id",)
