"""The schema generated clients are built from: readable operation ids, summaries, formats.

``ClientAutoSchema`` extends ``apps.core.schema.AutoSchema`` (the error responses) with what
client generators (openapi-python-client, Swift, Kotlin) turn into method names and docs. The
rules, also written down in docs/api-clients.md:

- operationId: the literal path segments after ``/api/v1`` joined by ``_`` (dashes become
  ``_``), then a verb: ``list`` (a GET returning a list), ``retrieve``, ``create`` (POST),
  ``update`` (PUT), ``partial_update`` (PATCH), ``destroy`` (DELETE). An action on one object (a
  last segment after a path parameter, on a route with no GET: ``/notes/{id}/like``) is named by
  the action alone for POST (``notes_like``) and ``<action>_undo`` for DELETE
  (``notes_like_undo``). An ``operation_id`` given in ``extend_schema`` wins.
- summary: the first line of the method's docstring (or the view's, when the view serves that
  one method only), else the operationId in words.
- formats: ids (``id``, ``*_id``, ``ids``) and amounts in fen in bodies are ``int64``.
"""

import re
from typing import Any

from drf_spectacular.plumbing import get_doc

from apps.core.converters import ID_PATH_SCHEMA
from apps.core.errors import error_body
from apps.core.schema import AutoSchema

VERBS = {
    "get": "retrieve",
    "post": "create",
    "put": "update",
    "patch": "partial_update",
    "delete": "destroy",
}
SUMMARY_MAX = 80
# One example per documented error status, in the one error shape with a code it can carry.
# Domain errors add their own stable codes (``wallet.insufficient_funds``,
# ``<machine>.illegal_transition``); the status says which family a code belongs to.
ERROR_EXAMPLES: dict[str, tuple[str, str, dict]] = {
    "400": ("invalid", "Invalid input.", {"amount": ["Ensure this value is at least 100."]}),
    "401": ("not_authenticated", "Authentication credentials were not provided.", {}),
    "403": ("permission_denied", "You do not have permission to perform this action.", {}),
    "404": ("not_found", "Not found.", {}),
    "405": ("method_not_allowed", 'Method "PUT" not allowed.', {}),
    "409": ("conflict", "The object's current state does not allow this.", {}),
    "413": ("request.too_large", "The request body is larger than this endpoint accepts.", {}),
    "415": ("unsupported_media_type", 'Unsupported media type "text/plain" in request.', {}),
    "422": ("unprocessable", "The request is well formed but cannot be processed.", {}),
    "429": ("throttled", "Request was throttled. Expected available in 20 seconds.", {}),
    "503": ("service_unavailable", "A service this request needs is unavailable.", {}),
}
FEN = re.compile(r"\bfen\b", re.IGNORECASE)


class ClientAutoSchema(AutoSchema):
    """Operation ids and summaries that read well as generated method names and docs."""

    def _path_tokens(self) -> list[str]:
        return [token.replace("-", "_") for token in self._tokenize_path()]

    def _is_object_action(self) -> bool:
        segments = [segment for segment in self.path.strip("/").split("/") if segment]
        return (
            len(segments) >= 2
            and not segments[-1].startswith("{")
            and segments[-2].startswith("{")
            and not hasattr(self.view, "get")
        )

    def get_operation_id(self) -> str:
        tokens = self._path_tokens() or ["root"]
        method = self.method.lower()
        if self._is_object_action() and method in ("post", "delete"):
            return "_".join(tokens) + ("_undo" if method == "delete" else "")
        verb = "list" if method == "get" and self._is_list_view() else VERBS[method]
        return "_".join([*tokens, verb])

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        """Error responses carry an example of the error shape with a code of their status."""
        responses = super()._get_response_bodies(direction)
        for status_code, response in responses.items():
            content = response.get("content", {}).get("application/json")
            if status_code in ERROR_EXAMPLES and content is not None:
                code, message, fields = ERROR_EXAMPLES[status_code]
                content.setdefault("examples", {code: {"value": error_body(code, message, fields)}})
        return responses

    def get_summary(self) -> str:
        """The method's docstring, or the view's when it serves one method only, else words."""
        method_doc = get_doc(getattr(self.view, self.method.lower(), None))
        handlers = [
            name for name in ("get", "post", "put", "patch", "delete") if hasattr(self.view, name)
        ]
        description = method_doc or (get_doc(self.view.__class__) if len(handlers) == 1 else "")
        if description:
            first = description.splitlines()[0].strip().rstrip(".")
            if len(first) > SUMMARY_MAX:
                first = first[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"
            return first
        return self.get_operation_id().replace("_", " ").capitalize()


def _int64_where_meant(name: str, schema: dict[str, Any]) -> None:
    if schema.get("type") == "integer" and "format" not in schema:
        is_id = name in ("id", "ids") or name.endswith(("_id", "_ids"))
        if is_id or FEN.search(schema.get("description", "")):
            schema["format"] = "int64"
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _int64_where_meant(name, schema[key])
    for prop, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, dict):
            _int64_where_meant(prop, sub)
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            if isinstance(sub, dict):
                _int64_where_meant(name, sub)


def postprocess_explicit_formats(result: dict, generator: object, **kwargs: object) -> dict:
    """Spectacular hook: ids and fen amounts in request and response bodies become int64.

    Path ids get ``int64, minimum: 1`` from the ``<id:...>`` converter
    (``apps.core.converters``, ``PATH_CONVERTER_OVERRIDES``), which answers 404 out of range.
    """
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        _int64_where_meant(name, schema)
    # Path ids declared by hand (``OpenApiParameter(..., int, PATH)``) still go through <id:...>.
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                is_id = parameter.get("in") == "path" and parameter["name"].endswith("_id")
                if is_id and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"] = dict(ID_PATH_SCHEMA)
    return result


NO_NULL_CHARACTERS = r"^[^\x00]*$"


def _no_null_characters(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not ({"format", "enum", "pattern"} & schema.keys()):
        schema["pattern"] = NO_NULL_CHARACTERS
    if isinstance(schema.get("items"), dict):
        _no_null_characters(schema["items"])
    for sub in (schema.get("properties") or {}).values():
        if isinstance(sub, dict):
            _no_null_characters(sub)


def postprocess_no_null_characters(result: dict, generator: object, **kwargs: object) -> dict:
    """Spectacular hook: free-text fields of request bodies say they refuse NUL characters.

    DRF refuses them in every ``CharField`` (PostgreSQL text cannot store them), so a request
    with one is answered 400; the schema says so with a pattern, which generated clients and the
    CI fuzzer read.
    """
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _no_null_characters(schema)
    return result
