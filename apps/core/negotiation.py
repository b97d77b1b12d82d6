"""Content negotiation for endpoints whose success body is a file (CSV) and whose errors are JSON.

Such a view returns its CSV as a response of its own (``StreamingHttpResponse``), so DRF only
renders what goes wrong: a validation error, 401, 404, a throttle. With DRF's default
negotiation a client that asks ``Accept: text/csv`` would get 406 instead of that error, because
no renderer offers CSV. This negotiation ignores the Accept header and always picks the view's
first renderer and parser (JSON by default), so every error keeps the one JSON error shape.
"""

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class JsonErrorsNegotiation(BaseContentNegotiation):
    """File endpoints answer their file whatever the Accept header says; their errors are JSON."""

    def select_parser(self, request: Request, parsers: list[BaseParser]) -> BaseParser | None:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type
