"""The protection period: while it runs, the creator's hide, delete or make-private of the
sponsored note is a request to the brand, which consents or refuses; unanswered for
``BRANDS_PROTECTION_REQUEST_HOURS`` it lapses (refused). Edits are allowed and kept: the text
before each edit is recorded for the brand.

Notes asks ``note_change_guard`` (registered in ``apps.notes.hooks.note_change_guards``) before
such a change, outside its own transaction: the guard stores the request in a transaction of its
own and refuses with 409 ``note.protected``. A consent applies the change through notes'
services on the creator's behalf; the guard lets exactly that call through (a context variable
set for its duration), so no later change slips through on an old consent.
"""

from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.organisation_selectors import MEMBER_ADMIN_ROLES, get_organisation_for_member
from apps.brands.aftercare_models import (
    PROTECTION_REQUEST_MACHINE,
    NoteEditRecord,
    ProtectedChange,
    ProtectionRequest,
    ProtectionRequestStatus,
)
from apps.brands.cooperation_models import Cooperation, CooperationStatus
from apps.brands.cooperations import entry_atomic
from apps.brands.notify import notify_parties
from apps.core.errors import Conflict, NotFound
from apps.notes import hooks
from apps.notes import services as notes

PROTECTED_STATES = (CooperationStatus.PUBLISHED, CooperationStatus.COMPLETED)
_consented: ContextVar[tuple[int, str] | None] = ContextVar("brands_consented", default=None)


def _protecting(note_id: int, at: datetime) -> Cooperation | None:
    return (
        Cooperation.objects.filter(
            note_id=note_id, status__in=PROTECTED_STATES, protection_until__gt=at
        )
        .only("pk", "creator_id", "brand_id", "campaign_id", "status", "note_id")
        .first()
    )


def note_change_guard(change: hooks.NoteChange) -> None:
    """Refuse (409) a protected note's hide, delete or make-private by its creator; keep edits."""
    if _consented.get() == (change.note_id, change.change):
        return
    now = timezone.now()
    cooperation = _protecting(change.note_id, now)
    if cooperation is None or cooperation.creator_id != change.actor_id:
        return
    if change.change == hooks.NoteChangeKind.EDIT:
        note_model = Cooperation._meta.get_field("note").related_model
        before = note_model.objects.filter(pk=change.note_id).values("title", "body").first()
        if before:
            NoteEditRecord.objects.create(cooperation=cooperation, created_at=now, **before)
        return
    request = protection_request_open(cooperation=cooperation, change=change.change, now=now)
    raise Conflict(
        "This note is under the brand's protection period until "
        f"{cooperation.protection_until:%Y-%m-%d}: request #{request.pk} was sent to the brand.",
        code="note.protected",
    )


def protection_request_open(
    *, cooperation: Cooperation, change: str, now: datetime
) -> ProtectionRequest:
    """The pending request for this change (a repeat returns the one already waiting)."""
    pending = ProtectionRequest.objects.filter(
        cooperation=cooperation, change=change, status=ProtectionRequestStatus.PENDING
    )
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            request = ProtectionRequest.objects.create(
                cooperation=cooperation,
                change=change,
                requested_by_id=cooperation.creator_id,
                lapses_at=now + timedelta(hours=settings.BRANDS_PROTECTION_REQUEST_HOURS),
                created_at=now,
            )
            notify_parties(
                cooperation=cooperation,
                kind="cooperation.protection_requested",
                actor_id=cooperation.creator_id,
                extra={"request_id": request.pk, "change": change},
            )
            return request
    except IntegrityError:  # a concurrent twin won the unique index
        return pending.get()


def get_request_for_brand(
    *, user: User, organisation_id: int, request_id: int
) -> ProtectionRequest:
    organisation = get_organisation_for_member(user=user, organisation_id=organisation_id)
    request = (
        ProtectionRequest.objects.filter(pk=request_id, cooperation__brand_id=organisation.pk)
        .select_related("cooperation")
        .first()
    )
    if request is None:
        raise NotFound("Protection request not found.", code="protection_request.not_found")
    return request


def _apply(cooperation: Cooperation, change: str) -> None:
    creator = User.objects.get(pk=cooperation.creator_id)
    kind = hooks.NoteChangeKind.DELETE if change == ProtectedChange.DELETE else "make_private"
    token = _consented.set((cooperation.note_id, kind))
    try:
        if change == ProtectedChange.DELETE:
            notes.note_delete(note_id=cooperation.note_id, actor=creator)
        else:  # hide and make private both take the note out of public view
            notes.note_update(note_id=cooperation.note_id, actor=creator, visibility="private")
    finally:
        _consented.reset(token)


def protection_request_decide(
    *, user: User, organisation_id: int, request_id: int, consent: bool
) -> ProtectionRequest:
    """The brand's owner or manager consents (the change is applied now) or refuses."""
    get_organisation_for_member(
        user=user, organisation_id=organisation_id, roles=MEMBER_ADMIN_ROLES
    )
    with entry_atomic():
        request = (
            ProtectionRequest.objects.select_for_update()
            .filter(pk=request_id, cooperation__brand_id=organisation_id)
            .select_related("cooperation")
            .first()
        )
        if request is None:
            raise NotFound("Protection request not found.", code="protection_request.not_found")
        PROTECTION_REQUEST_MACHINE.move(request, "consent" if consent else "refuse")
        request.decided_by, request.decided_at = user, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        if consent:
            _apply(request.cooperation, request.change)
        notify_parties(
            cooperation=request.cooperation,
            kind=f"cooperation.protection_{request.status}",
            actor_id=user.pk,
            extra={"request_id": request.pk, "change": request.change},
        )
        return request


def protection_requests_lapse(*, now: datetime) -> int:
    """Requests unanswered past their 48 hours lapse (refused); returns how many."""
    lapsed = 0
    with transaction.atomic():
        due = list(
            ProtectionRequest.objects.select_for_update(skip_locked=True)
            .filter(status=ProtectionRequestStatus.PENDING, lapses_at__lte=now)
            .select_related("cooperation")
            .order_by("lapses_at", "pk")[:500]
        )
        for request in due:
            PROTECTION_REQUEST_MACHINE.move(request, "lapse")
            request.decided_at = now
            request.save(update_fields=["status", "decided_at"])
            notify_parties(
                cooperation=request.cooperation,
                kind="cooperation.protection_lapsed",
                actor_id=None,
                extra={"request_id": request.pk, "change": request.change},
            )
            lapsed += 1
    return lapsed
