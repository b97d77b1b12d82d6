"""FlatSerializer writes exactly what DRF's generic to_representation writes, only faster."""

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework import serializers

from apps.core.serializers import FlatSerializer


class Row(FlatSerializer):
    day = serializers.DateField()
    count = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    label = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=[("a", "A")])
    at = serializers.DateTimeField(allow_null=True)
    withheld = serializers.BooleanField()
    share = serializers.FloatField(required=False)


# The same fields on a plain DRF serializer: the reference output.
PlainRow = type(
    "PlainRow",
    (serializers.Serializer,),
    {name: copy.deepcopy(field) for name, field in Row._declared_fields.items()},
)


ROWS = [
    {
        "day": date(2026, 11, 25),
        "count": Decimal("42"),  # PostgreSQL's SUM of a bigint is numeric
        "rate": Decimal("0.25"),
        "label": "上海",
        "kind": "a",
        "at": datetime(2026, 11, 25, 3, 4, 5, tzinfo=UTC),
        "withheld": 0,
        "share": 0.5,
    },
    {  # nulls stay null; an optional key that is absent is left out
        "day": date(2026, 1, 1),
        "count": 0,
        "rate": None,
        "label": "",
        "kind": "a",
        "at": None,
        "withheld": True,
    },
]


@pytest.mark.parametrize("row", ROWS)
def test_a_row_is_written_as_drf_writes_it(row: dict) -> None:
    flat = Row(row).data
    assert flat == PlainRow(row).data
    assert list(flat) == list(PlainRow(row).data)
    assert type(flat["count"]) is int


def test_many_rows_and_object_rows() -> None:
    assert Row(ROWS, many=True).data == PlainRow(ROWS, many=True).data
    full = SimpleNamespace(**ROWS[0])
    assert Row(full).data == PlainRow(full).data


def test_a_required_key_missing_is_an_error_not_a_silent_gap() -> None:
    row = dict(ROWS[0])
    del row["count"]
    with pytest.raises(KeyError):
        Row(row).data  # noqa: B018


def test_a_nested_field_falls_back_to_drf() -> None:
    class Outer(FlatSerializer):
        name = serializers.CharField()
        inner = PlainRow()

    data = {"name": "x", "inner": ROWS[1]}
    assert Outer(data).data == {"name": "x", "inner": PlainRow(ROWS[1]).data}
