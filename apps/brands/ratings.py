"""Ratings both ways after completion: 1-5 with a comment, once per side, editable 7 days."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.organisation_selectors import MEMBER_ADMIN_ROLES
from apps.brands import texts
from apps.brands.access import get_cooperation_for_party
from apps.brands.aftercare_models import Rating
from apps.brands.cooperation_models import CooperationStatus, Side
from apps.brands.cooperations import entry_atomic
from apps.brands.notify import notify_parties
from apps.core.errors import Conflict, Forbidden, InvalidInput


def rating_set(*, user: User, cooperation_id: int, score: int, comment: str = "") -> Rating:
    """Rate the other side of a completed cooperation, or edit my rating within the window."""
    if type(score) is not int or not 1 <= score <= 5:
        raise InvalidInput("A score is 1 to 5.", code="rating.score", fields={"score": ["1-5."]})
    comment = texts.screened(surface=texts.REVISION, field="comment", text=comment)
    now = timezone.now()
    with entry_atomic():
        cooperation, party = get_cooperation_for_party(
            user=user, cooperation_id=cooperation_id, lock=True
        )
        if party.side == Side.BRAND and party.role not in MEMBER_ADMIN_ROLES:
            raise Forbidden(
                "Your role in this organisation does not allow this.",
                code="organisation.role_forbidden",
            )
        if cooperation.status != CooperationStatus.COMPLETED:
            raise Conflict(
                "Ratings open once the cooperation is completed.", code="rating.not_completed"
            )
        rating = Rating.objects.filter(cooperation=cooperation, side=party.side).first()
        if rating is None:
            rating = Rating.objects.create(
                cooperation=cooperation,
                side=party.side,
                creator_id=cooperation.creator_id,
                brand_id=cooperation.brand_id,
                author=user,
                score=score,
                comment=comment,
                editable_until=now + timedelta(days=settings.BRANDS_RATING_EDIT_DAYS),
                created_at=now,
                updated_at=now,
            )
            notify_parties(
                cooperation=cooperation,
                kind="cooperation.rated",
                actor_id=user.pk,
                extra={"side": party.side, "score": score},
            )
            return rating
        if rating.editable_until <= now:
            raise Conflict("The rating can no longer be edited.", code="rating.edit_closed")
        rating.score, rating.comment, rating.author, rating.updated_at = score, comment, user, now
        rating.save(update_fields=["score", "comment", "author", "updated_at"])
        return rating


def brand_ratings(*, brand_id: int) -> QuerySet[Rating]:
    """Creators' ratings of a brand (its profile), newest first."""
    return Rating.objects.filter(brand_id=brand_id, side=Side.CREATOR)


def brand_rating_summary(*, brand_id: int) -> dict:
    summary = brand_ratings(brand_id=brand_id).aggregate(average=Avg("score"), count=Count("pk"))
    average = summary["average"]
    return {
        "average": round(float(average), 2) if average is not None else None,
        "count": summary["count"],
    }
