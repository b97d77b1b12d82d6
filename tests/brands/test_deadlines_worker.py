"""The deadlines run on a real Celery worker (Redis broker, PostgreSQL) with a moved clock:
the tasks take ``at``, the moment they run at, so a test runs them days ahead."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from apps.brands.aftercare_models import ProtectionRequest, UsageRight
from apps.brands.tasks import (
    cooperation_deadlines_run,
    protection_requests_lapse,
    usage_rights_alert,
)
from apps.core.errors import DomainError
from apps.notes import services as notes
from apps.notifications.models import Notification
from tests.brands.factories import cooperation_in, creator_wallet, escrow_of, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(task, queue: str, at) -> object:
    return task.apply_async(kwargs={"at": at.isoformat()}, queue=queue).get(timeout=60)


def test_invitation_expires_after_seven_days(worker_queue) -> None:
    world = make_world()
    invited = cooperation_in(world, "invited")
    now = timezone.now()
    assert _run(cooperation_deadlines_run, worker_queue, now + timedelta(days=6)) == {}
    invited.refresh_from_db()
    assert invited.status == "invited"
    assert _run(cooperation_deadlines_run, worker_queue, now + timedelta(days=7, minutes=1)) == {
        "expire": 1
    }
    invited.refresh_from_db()
    assert invited.status == "expired"
    assert Notification.objects.filter(
        recipient_id=invited.creator_id, kind="cooperation.expired"
    ).exists()


def test_draft_is_approved_after_fourteen_days_of_silence_then_completed(worker_queue) -> None:
    world = make_world()
    submitted = cooperation_in(world, "submitted")
    now = timezone.now()
    assert _run(cooperation_deadlines_run, worker_queue, now + timedelta(days=13)) == {}
    moved = _run(cooperation_deadlines_run, worker_queue, now + timedelta(days=14, minutes=1))
    assert moved == {"approve": 1}
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    event = submitted.events.get(action="approve")
    assert (event.side, event.actor_id) == ("system", None)


def test_published_cooperation_completes_after_settlement(worker_queue) -> None:
    world = make_world()
    published = cooperation_in(world, "published")
    before = creator_wallet(published.creator)
    at = timezone.now() + timedelta(days=settings.BRANDS_SETTLEMENT_DAYS, minutes=1)
    assert _run(cooperation_deadlines_run, worker_queue, at) == {"complete": 1}
    published.refresh_from_db()
    assert published.status == "completed"
    assert creator_wallet(published.creator) - before == published.price
    assert escrow_of(published) == 0


def test_protection_request_lapses_after_48_hours(worker_queue) -> None:
    world = make_world()
    published = cooperation_in(world, "published")
    with pytest.raises(DomainError) as refused:
        notes.note_delete(note_id=published.note_id, actor=published.creator)
    assert refused.value.code == "note.protected"
    request = ProtectionRequest.objects.get(cooperation=published)
    now = timezone.now()
    assert _run(protection_requests_lapse, worker_queue, now + timedelta(hours=47)) == 0
    assert _run(protection_requests_lapse, worker_queue, now + timedelta(hours=48, minutes=1)) == 1
    request.refresh_from_db()
    assert request.status == "lapsed"
    published.note.refresh_from_db()
    assert published.note.status == "published"


def test_rights_expiry_alerts_once_seven_days_before(worker_queue) -> None:
    world = make_world()
    published = cooperation_in(world, "published")
    right = UsageRight.objects.get(cooperation=published, kind="boost")
    assert _run(usage_rights_alert, worker_queue, right.expires_at - timedelta(days=8)) == 0
    assert _run(usage_rights_alert, worker_queue, right.expires_at - timedelta(days=6)) == 1
    assert _run(usage_rights_alert, worker_queue, right.expires_at - timedelta(days=5)) == 0
    right.refresh_from_db()
    assert right.alerted_at is not None
    assert (
        Notification.objects.filter(
            recipient_id=published.creator_id, kind="cooperation.usage_right_expiring"
        ).count()
        == 1
    )
