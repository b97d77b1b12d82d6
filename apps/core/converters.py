"""URL converters shared by every app's routes."""

from django.urls import register_converter

from apps.core import converters  # noqa: F401  (registers <id:...>)

ID_MAX = 2**63 - 1  # a signed 64-bit primary key, the largest id PostgreSQL or SQLite can hold


class IdConverter:
    """``<id:name>``: a primary key in 1..2**63-1; anything else is no match, so a 404.

    Django's ``<id:...>`` passes 2**63 and beyond to the ORM, where SQLite raises
    ``OverflowError`` (a 500) instead of finding nothing; refusing it at the route keeps every
    lookup in range and lets the schema say ``format: int64, minimum: 1``.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

# What the schema says of an ``<id:...>`` path parameter (also SPECTACULAR_SETTINGS'
# PATH_CONVERTER_OVERRIDES, which settings spell out to stay free of app imports).
ID_PATH_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": ID_MAX}
