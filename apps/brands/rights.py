"""Usage rights: what a published cooperation grants the brand over its note, and until when.

Granted when the note is published (boost with paid promotion, repost, for the campaign's
usage-rights period); both sides read them in one list with expiry dates; an alert goes to
both sides ``BRANDS_RIGHTS_ALERT_DAYS`` before a right expires (a beat task, once per right).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from apps.brands.aftercare_models import UsageRight, UsageRightKind
from apps.brands.cooperation_models import Campaign, Cooperation
from apps.brands.notify import notify_parties


def usage_rights_grant_locked(cooperation: Cooperation, campaign: Campaign, now: datetime) -> None:
    """Record the rights the campaign's brief grants (the cooperation's row lock held)."""
    kinds = [
        kind
        for kind, granted in (
            (UsageRightKind.BOOST, campaign.boost_right),
            (UsageRightKind.REPOST, campaign.repost_right),
        )
        if granted
    ]
    if not kinds or campaign.usage_rights_days <= 0:
        return
    UsageRight.objects.bulk_create(
        [
            UsageRight(
                cooperation=cooperation,
                brand_id=cooperation.brand_id,
                creator_id=cooperation.creator_id,
                note_id=cooperation.note_id,
                kind=kind,
                starts_at=now,
                expires_at=now + timedelta(days=campaign.usage_rights_days),
                created_at=now,
            )
            for kind in kinds
        ],
        ignore_conflicts=True,
    )


def usage_rights_for_creator(*, creator_id: int) -> QuerySet[UsageRight]:
    """The creator's granted rights, soonest expiry first (one query per page)."""
    return UsageRight.objects.filter(creator_id=creator_id).select_related("brand")


def usage_rights_for_brand(*, brand_id: int) -> QuerySet[UsageRight]:
    return UsageRight.objects.filter(brand_id=brand_id).select_related("creator")


def usage_rights_alert(*, now: datetime) -> int:
    """Alert both sides of every right expiring within the alert window, once; returns how many."""
    horizon = now + timedelta(days=settings.BRANDS_RIGHTS_ALERT_DAYS)
    alerted = 0
    with transaction.atomic():
        due = list(
            UsageRight.objects.select_for_update(skip_locked=True)
            .filter(alerted_at__isnull=True, expires_at__gt=now, expires_at__lte=horizon)
            .select_related("cooperation")
            .order_by("expires_at", "pk")[:500]
        )
        for right in due:
            notify_parties(
                cooperation=right.cooperation,
                kind="cooperation.usage_right_expiring",
                actor_id=None,
                extra={"right": right.kind, "expires_at": right.expires_at.isoformat()},
            )
            alerted += 1
        UsageRight.objects.filter(pk__in=[right.pk for right in due]).update(alerted_at=now)
    return alerted
