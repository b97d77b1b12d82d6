"""Completed cooperations and ratings per creator, for the creator data card."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from apps.brands.aftercare_models import Rating
from apps.brands.cooperation_models import Cooperation, CooperationStatus, Side


def card_cooperation_stats(creator_ids: Iterable[int]) -> dict[int, dict]:
    """``creator_id -> {completed, rating_average, rating_count}`` in one query.

    Ratings counted are the brands' ratings of the creator; unknown ids are absent.
    """
    ids = set(creator_ids)
    if not ids:
        return {}
    completed = (
        Cooperation.objects.filter(creator_id=OuterRef("pk"), status=CooperationStatus.COMPLETED)
        .order_by()
        .values("creator_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ratings = (
        Rating.objects.filter(creator_id=OuterRef("pk"), side=Side.BRAND)
        .order_by()
        .values("creator_id")
    )
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(
            completed=Coalesce(Subquery(completed, output_field=IntegerField()), Value(0)),
            rating_average=Subquery(ratings.annotate(a=Avg("score")).values("a")),
            rating_count=Coalesce(
                Subquery(ratings.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                Value(0),
            ),
        )
        .values("pk", "completed", "rating_average", "rating_count")
    )
    return {
        row["pk"]: {
            "completed": row["completed"],
            "rating_average": (
                round(float(row["rating_average"]), 2)
                if row["rating_average"] is not None
                else None
            ),
            "rating_count": row["rating_count"],
        }
        for row in rows
    }
