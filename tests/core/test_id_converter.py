"""Path ids out of a 64-bit primary key's range are a 404 everywhere, never a lookup."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.core.converters import ID_MAX, IdConverter

# Routes whose lookups raised OverflowError (a 500) on SQLite with ``<int:...>``.
ROUTES = [
    ("delete", "/api/v1/comments/{}"),
    ("delete", "/api/v1/creator/comment-filters/trusted/{}"),
    ("get", "/api/v1/users/{}"),
    ("get", "/api/v1/users/{}/fans"),
    ("get", "/api/v1/users/{}/following"),
    ("get", "/api/v1/notes/{}"),
]


@pytest.mark.parametrize("value", ["0", str(ID_MAX + 1), str(2**64), "9" * 19])
def test_converter_refuses_ids_out_of_range(value: str) -> None:
    with pytest.raises(ValueError):
        IdConverter().to_python(value)


def test_converter_keeps_ids_in_range() -> None:
    assert IdConverter().to_python("1") == 1
    assert IdConverter().to_python(str(ID_MAX)) == ID_MAX


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "route"), ROUTES)
@pytest.mark.parametrize("value", [0, 2**63, 2**64])
def test_out_of_range_path_ids_answer_404_in_the_error_shape(api, method, route, value) -> None:
    response = getattr(api, method)(route.format(value))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_schema_declares_path_ids_as_positive_int64() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    path_ids = [
        parameter["schema"]
        for item in schema["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"].endswith("_id")
    ]
    assert len(path_ids) > 40
    for path_schema in path_ids:
        assert path_schema["type"] == "integer"
        assert path_schema["format"] == "int64"
        assert path_schema["minimum"] == 1
        assert path_schema["maximum"] == ID_MAX
