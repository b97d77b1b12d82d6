"""Cursor pagination: stable under inserts, constant cost per page, no page counting.

Cursors are signed: a cursor the server did not issue (edited, truncated, made up) answers 404
instead of quietly serving the first page or a position of the client's choosing. ``page_size``
is checked like any other parameter: a whole number of at least 1 (400 otherwise), read as
``max_page_size`` when larger.
"""

import binascii
import re
from base64 import urlsafe_b64decode, urlsafe_b64encode
from typing import Any
from urllib import parse

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as InvalidQuery
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

_CURSOR_SIGNER = signing.Signer(salt="apps.core.pagination.cursor")
_DIGITS = re.compile(r"[0-9]{1,6}")
_WHOLE = re.compile(r"[0-9]+")
_CURSOR_KEYS = frozenset({"o", "r", "p"})


class CreatedCursorPagination(CursorPagination):
    """Newest first by creation time, the id breaking ties."""

    ordering = ("-created_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_cursor_message = "Invalid cursor."

    def get_page_size(self, request: Request) -> int:
        """``page_size`` when given: one whole number, 1 or more (capped), else 400."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        digits = values[0].lstrip("0")
        if len(values) > 1 or not _WHOLE.fullmatch(values[0]) or not digits:
            raise InvalidQuery({self.page_size_query_param: ["A whole number, 1 or more."]})
        return self.max_page_size if len(digits) > 6 else min(int(digits), self.max_page_size)

    def encode_cursor(self, cursor: Cursor) -> str:
        tokens: dict[str, str] = {}
        if cursor.offset != 0:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        signed = _CURSOR_SIGNER.sign(parse.urlencode(tokens, doseq=True))
        encoded = urlsafe_b64encode(signed.encode()).decode("ascii").rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request: Request) -> Cursor | None:
        """The cursor this server issued, or 404 for anything else (edited, repeated, empty)."""
        values = request.query_params.getlist(self.cursor_query_param)
        if not values:
            return None
        invalid = NotFound(self.invalid_cursor_message)
        if len(values) > 1 or not values[0]:
            raise invalid
        encoded = values[0]
        try:
            signed = urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
            querystring = _CURSOR_SIGNER.unsign(signed)
            tokens = parse.parse_qs(querystring, keep_blank_values=True, strict_parsing=True)
        except (binascii.Error, UnicodeError, ValueError, signing.BadSignature):
            raise invalid from None
        if not tokens or set(tokens) - _CURSOR_KEYS or any(len(v) != 1 for v in tokens.values()):
            raise invalid
        offset = tokens.get("o", ["0"])[0]
        if not _DIGITS.fullmatch(offset) or int(offset) > self.offset_cutoff:
            raise invalid
        return Cursor(
            offset=int(offset),
            reverse=tokens.get("r", ["0"])[0] == "1",
            position=tokens.get("p", [None])[0],
        )

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list | None:
        # A position of the wrong type for the column ("p=foo" for a date) is refused too.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValidationError, ValueError, OverflowError):
            raise NotFound(self.invalid_cursor_message) from None

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "default": self.page_size}
                parameter["description"] = (
                    f"Results per page; values above {self.max_page_size} read as "
                    f"{self.max_page_size}."
                )
            elif parameter["name"] == self.cursor_query_param:
                parameter["schema"] = {"type": "string", "minLength": 1}
                parameter["description"] = (
                    "The `next` or `previous` link's cursor, as given; any other value is 404."
                )
        return parameters
