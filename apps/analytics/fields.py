"""Storage types that differ by database: integer arrays and BRIN indexes on PostgreSQL.

The embedded mode (SQLite) keeps the same model and migrations; it stores the array as JSON text
and builds a plain index where PostgreSQL builds a BRIN one.
"""

import json
from typing import Any

from django.db import models


class IntegerListField(models.Field):
    """A list of integers: ``integer[]`` on PostgreSQL (``unnest`` in rollups), JSON elsewhere."""

    description = "List of integers"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str:
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def get_internal_type(self) -> str:
        return "IntegerListField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int] | None:
        if value is None:
            return None
        if isinstance(value, str):
            return json.loads(value)
        return list(value)

    def to_python(self, value: Any) -> list[int] | None:
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, str):
            return json.loads(value)
        return list(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        values = [int(v) for v in value]
        return values if connection.vendor == "postgresql" else json.dumps(values)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))


class BrinIndexOnPostgres(models.Index):
    """BRIN on PostgreSQL (tiny, cheap to keep on an append-only table); a btree elsewhere."""

    def __init__(
        self,
        *expressions: Any,
        pages_per_range: int | None = None,
        autosummarize: bool | None = None,
        **kwargs: Any,
    ) -> None:
        self.pages_per_range = pages_per_range
        self.autosummarize = autosummarize
        super().__init__(*expressions, **kwargs)

    def deconstruct(self) -> tuple[str, tuple, dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        if self.pages_per_range is not None:
            kwargs["pages_per_range"] = self.pages_per_range
        if self.autosummarize is not None:
            kwargs["autosummarize"] = self.autosummarize
        return path, args, kwargs

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        statement = super().create_sql(model, schema_editor, using=" USING brin", **kwargs)
        params = []
        if self.pages_per_range is not None:
            params.append(f"pages_per_range = {int(self.pages_per_range)}")
        if self.autosummarize is not None:
            params.append(f"autosummarize = {'on' if self.autosummarize else 'off'}")
        if params:
            statement.parts["extra"] = f" WITH ({', '.join(params)}){statement.parts['extra']}"
        return statement
