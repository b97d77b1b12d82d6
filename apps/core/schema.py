"""OpenAPI generation: every operation documents the one error shape next to its success."""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `follow.blocked`.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages for validation errors; empty otherwise.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_STATUSES = {
    "400": "Invalid input",
    "401": "Not authenticated",
    "403": "Permission denied",
    "404": "Not found",
    "405": "Method not allowed",
    "409": "Conflict with the current state",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "422": "Unprocessable",
    "429": "Throttled",
    "503": "A service this request needs is unavailable; retry later",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_parameters(self) -> list[dict[str, Any]]:
        """Query parameters and headers are never empty (``QueryStringMiddleware`` answers 400
        for queries; an empty header is as good as a missing one): say so."""
        parameters = super()._get_parameters()
        for parameter in parameters:
            schema = parameter.get("schema") or {}
            if (
                parameter.get("in") in ("query", "header")
                and schema.get("type") == "string"
                and "enum" not in schema
                and not schema.get("minLength")
            ):
                parameter["schema"] = {**schema, "minLength": 1}
        return parameters

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, description in ERROR_STATUSES.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses
