"""JSON fields the schema types as string or boolean refuse other JSON types with a 400."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/creator/comment-filters/words", {"word": 0}, "word"),
        ("post", "/api/v1/me/boards", {"name": 0}, "name"),
        ("patch", "/api/v1/me", {"bio": 5}, "bio"),
        ("patch", "/api/v1/me", {"hide_following_list": 0}, "hide_following_list"),
        ("patch", "/api/v1/me", {"hide_fans_list": "yes"}, "hide_fans_list"),
        (
            "post",
            "/api/v1/reports",
            {"target": "note", "object_id": 1, "reason": "spam", "detail": 0},
            "detail",
        ),
        (
            "post",
            "/api/v1/organisations",
            {
                "kind": "brand",
                "name": "青禾",
                "business_licence_number": "000000000000000",
                "contact_name": 0,
                "contact_phone": "13800000000",
            },
            "contact_name",
        ),
    ],
)
def test_wrong_json_type_is_a_400_on_that_field(api, method, path, body, field) -> None:
    response = getattr(api, method)(path, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_strings_and_booleans_still_work(api) -> None:
    response = api.patch("/api/v1/me", {"bio": "hi", "hide_fans_list": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["hide_fans_list"] is True
    assert api.post("/api/v1/me/boards", {"name": "0"}, format="json").status_code == 201


def test_patching_a_board_without_a_name_changes_nothing(api, user) -> None:
    board = api.post("/api/v1/me/boards", {"name": "旅行"}, format="json").json()
    response = api.patch(f"/api/v1/me/boards/{board['id']}", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "旅行"
    other = UserFactory()
    assert other.pk != user.pk
    assert api.patch("/api/v1/me/boards/999999", {}, format="json").status_code == 404


def test_birth_year_bounds_are_in_the_schema_and_enforced(api) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    birth_year = schema["components"]["schemas"]["PatchedMeUpdateRequest"]["properties"]
    birth_year = birth_year["birth_year"]
    assert birth_year["minimum"] == 1900 and birth_year["maximum"] >= 2013
    assert api.patch("/api/v1/me", {"birth_year": -198}, format="json").status_code == 400
    assert api.patch("/api/v1/me", {"birth_year": None}, format="json").status_code == 200


def test_interests_must_be_a_list(api) -> None:
    response = api.patch("/api/v1/me", {"interests": {}}, format="json")
    assert response.status_code == 400
    assert "interests" in response.json()["error"]["fields"]


def test_collects_board_filter_is_a_positive_int64_in_the_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    [board] = [
        p
        for p in schema["paths"]["/api/v1/me/collects"]["get"]["parameters"]
        if p["name"] == "board"
    ]
    assert board["schema"]["type"] == "integer" and board["schema"]["minimum"] == 1
