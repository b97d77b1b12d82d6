"""Withholding small audience buckets, so no fan or reader can be singled out.

Rollup tables store true counts; the creator center withholds when it serves them. A bucket
that may hold fewer than ``MIN_BUCKET_PEOPLE`` people is reported as
``{"bucket": ..., "withheld": true}`` with no count. Because a dimension's buckets add up to a
figure shown elsewhere (fans total, readers), withholding one bucket alone would let anyone
subtract it back; so when buckets are withheld, the next smallest ones are withheld with them
until at least two are withheld and they hold at least ``MIN_BUCKET_PEOPLE`` people between
them (complementary suppression). What can then be recovered is only a group of 50 or more
people spread over two or more buckets. Every possible bucket of a dimension is listed, empty
ones withheld too, so even the presence of someone in a rare bucket is not revealed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MIN_BUCKET_PEOPLE = 50


@dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    value: int  # what is reported (fans; for readers, daily readers summed over the period)
    people: int  # how many distinct people it certainly holds


def withhold(
    buckets: Iterable[Bucket],
    *,
    labels: Mapping[str, str],
    minimum: int = MIN_BUCKET_PEOPLE,
) -> list[dict[str, Any]]:
    """Buckets for the API: visible ones with count and share, largest first, then withheld.

    ``labels`` names every possible bucket; those without people are listed as withheld.
    """
    found = {bucket.key: bucket for bucket in buckets}
    for key in labels:
        found.setdefault(key, Bucket(key=key, value=0, people=0))
    rows = sorted(found.values(), key=lambda b: (b.value, b.key))
    total = sum(b.value for b in rows)
    hidden = [b for b in rows if b.people < minimum]
    visible = [b for b in rows if b.people >= minimum]  # ascending: smallest first
    if hidden:
        while visible and (len(hidden) < 2 or sum(b.people for b in hidden) < minimum):
            hidden.append(visible.pop(0))
    out: list[dict[str, Any]] = []
    for bucket in reversed(visible):
        out.append(
            {
                "bucket": bucket.key,
                "label": labels.get(bucket.key, bucket.key),
                "withheld": False,
                "count": bucket.value,
                "share": round(bucket.value / total, 4),  # total > 0: a visible bucket has people
            }
        )
    for bucket in sorted(hidden, key=lambda b: b.key):
        out.append(
            {"bucket": bucket.key, "label": labels.get(bucket.key, bucket.key), "withheld": True}
        )
    return out
