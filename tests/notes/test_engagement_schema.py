"""Undoing a like or a collect answers 200 with the new state, and the schema says so."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/notes/{note_id}/like",
        "/api/v1/notes/{note_id}/collect",
        "/api/v1/comments/{comment_id}/like",
    ],
)
def test_undo_documents_200_with_a_body_not_204(path: str) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    responses = schema["paths"][path]["delete"]["responses"]
    assert "204" not in responses
    assert "application/json" in responses["200"]["content"]
