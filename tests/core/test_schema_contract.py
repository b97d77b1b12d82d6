"""The OpenAPI schema keeps the promises generated clients depend on (docs/api-clients.md).

Each test walks the schema the platform serves; a new endpoint that breaks a rule (a body in
two content types, an enum default outside its enum, an operation without an id or summary)
fails here before a client generator chokes on it.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

OPERATION_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _properties(schema: dict, node: dict, seen: set[int]) -> Iterator[tuple[str, dict]]:
    """Every (name, property schema) reachable from ``node``, refs followed once."""
    node = _resolve(schema, node)
    if id(node) in seen:
        return
    seen.add(id(node))
    for name, prop in (node.get("properties") or {}).items():
        yield name, prop
        yield from _properties(schema, prop, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _properties(schema, node[key], seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in node.get(key, []):
            yield from _properties(schema, sub, seen)


def _has_binary(schema: dict, node: dict) -> bool:
    return any(
        _resolve(schema, prop).get("format") == "binary"
        or _resolve(schema, prop.get("items", {})).get("format") == "binary"
        for _, prop in _properties(schema, node, set())
    )


def _enum_values(schema: dict, prop: dict) -> list | None:
    """The allowed values of an enum property (inline, ``$ref`` or ``allOf``/``oneOf`` of refs)."""
    values: list = []
    found = False
    for part in [prop, *prop.get("allOf", []), *prop.get("oneOf", [])]:
        target = _resolve(schema, part)
        if "enum" in target:
            found = True
            values.extend(target["enum"])
    return values if found else None


def test_every_request_body_has_one_content_type(schema: dict) -> None:
    bodies = 0
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        if not content:
            continue
        bodies += 1
        assert len(content) == 1, f"{method.upper()} {path} accepts {sorted(content)}"
        [(media_type, body)] = content.items()
        uploads = _has_binary(schema, body["schema"])
        expected = "multipart/form-data" if uploads else "application/json"
        assert media_type == expected, f"{method.upper()} {path}: {media_type}, want {expected}"
    assert bodies > 20


def test_uploads_are_the_only_multipart_bodies(schema: dict) -> None:
    multipart = {
        operation["operationId"]
        for _, _, operation in _operations(schema)
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    }
    assert multipart == {
        "notes_create",
        "notes_media_update",
        "me_avatar_update",
        "stores_products_images",
    }


def test_every_enum_default_is_in_its_enum(schema: dict) -> None:
    checked = 0
    seen: set[int] = set()
    roots = list(schema["components"]["schemas"].values())
    for root in roots:
        for name, prop in _properties(schema, root, seen):
            values = _enum_values(schema, prop)
            if values is not None and "default" in prop:
                checked += 1
                assert prop["default"] in values, f"{name}: default {prop['default']!r}"
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            values = _enum_values(schema, parameter.get("schema", {}))
            if values is not None and "default" in parameter["schema"]:
                checked += 1
                assert parameter["schema"]["default"] in values, f"{method} {path} {parameter}"
    assert checked > 0


def test_engagement_inputs_keep_source_optional_without_a_default(schema: dict) -> None:
    for component in ("EngagementInputRequest", "CollectInputRequest"):
        body = schema["components"]["schemas"][component]
        assert "source" in body["properties"]
        assert "default" not in body["properties"]["source"]
        assert "source" not in body.get("required", [])


def test_every_operation_has_a_readable_unique_id_and_a_summary(schema: dict) -> None:
    ids = []
    for path, method, operation in _operations(schema):
        operation_id = operation.get("operationId", "")
        assert OPERATION_ID.match(operation_id), f"{method.upper()} {path}: {operation_id!r}"
        assert operation.get("summary", "").strip(), f"{method.upper()} {path} has no summary"
        ids.append(operation_id)
    assert len(ids) == len(set(ids))
    assert {"notes_like", "notes_like_undo", "notes_collect", "me_partial_update"} <= set(ids)


def test_every_operation_documents_errors_in_the_error_shape(schema: dict) -> None:
    for path, method, operation in _operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
        assert {"400", "401", "404"} <= set(errors), f"{method.upper()} {path}"
        for response in errors.values():
            body = response["content"]["application/json"]
            assert _resolve(schema, body["schema"])["properties"]["error"]
            [example] = body["examples"].values()
            assert set(example["value"]["error"]) == {"code", "message", "fields"}


def test_ids_amounts_and_timestamps_have_explicit_formats(schema: dict) -> None:
    seen: set[int] = set()
    for root in schema["components"]["schemas"].values():
        for name, prop in _properties(schema, root, seen):
            prop = _resolve(schema, prop)
            kind = prop.get("type")
            if kind == "integer" and (name == "id" or name.endswith("_id")):
                assert prop.get("format") == "int64", name
            if kind == "integer" and re.search(r"\bfen\b", prop.get("description", ""), re.I):
                assert prop.get("format") == "int64", name
            if kind == "string" and name.endswith("_at"):
                assert prop.get("format") == "date-time", name
    wallet = schema["components"]["schemas"]["Wallet"]["properties"]
    assert wallet["available"]["format"] == "int64"


def test_main_request_bodies_have_examples(schema: dict) -> None:
    wanted = {
        "auth_register_create",
        "auth_login_create",
        "me_partial_update",
        "notes_like",
        "notes_collect",
        "wallet_transfers_create",
        "wallet_topups_create",
        "wallet_payouts_create",
    }
    found = set()
    for _, _, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        if operation["operationId"] in wanted and any(
            "examples" in body or "example" in body for body in content.values()
        ):
            found.add(operation["operationId"])
    assert found == wanted


@pytest.mark.django_db
def test_form_encoded_body_is_refused_with_415(api) -> None:
    """JSON endpoints parse JSON only, as the schema says: a form body is not silently ignored."""
    response = api.generic(
        "PATCH", "/api/v1/me", "bio=hello", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert api.get("/api/v1/me").json()["bio"] == ""
