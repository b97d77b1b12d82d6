"""The Creator Academy: lesson progress, class registration with an atomic waitlist, check-in.

Waitlist rule: a registration takes the class row's lock, counts the seats taken under it and is
``registered`` while seats remain, else ``waitlisted``; the waitlist's order is arrival order
(the registration's primary key, assigned under the lock). A cancelled seat promotes the first
waitlisted registration in the same transaction, which is notified after the commit.
Lock order: the class row, then its registrations.
"""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.notifications.services import notification_send
from apps.programs.models import (
    ClassRegistration,
    Lesson,
    LessonProgress,
    PublicClass,
    RegistrationStatus,
)

CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door


def _code() -> str:
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(8))


def lesson_complete(*, lesson_id: int, user: User, now: datetime | None = None) -> LessonProgress:
    """Mark a lesson of a published course done (repeating keeps the first time)."""
    lesson = Lesson.objects.filter(pk=lesson_id, course__is_published=True).first()
    if lesson is None:
        raise NotFound("Lesson not found.", code="lesson.not_found")
    progress, _ = LessonProgress.objects.get_or_create(
        lesson=lesson, user=user, defaults={"completed_at": now or timezone.now()}
    )
    return progress


def _locked_class(class_id: int) -> PublicClass:
    public_class = (
        PublicClass.objects.select_for_update().filter(pk=class_id, is_published=True).first()
    )
    if public_class is None:
        raise NotFound("Class not found.", code="class.not_found")
    return public_class


def class_register(*, class_id: int, user: User, now: datetime | None = None) -> ClassRegistration:
    """Take a seat, or the next waitlist place when the class is full."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        public_class = _locked_class(class_id)
        if public_class.starts_at <= now:
            raise Conflict("Registration closed when the class began.", code="class.closed")
        taken = ClassRegistration.objects.filter(
            public_class=public_class, status=RegistrationStatus.REGISTERED
        ).count()
        seat = taken < public_class.capacity
        try:
            with transaction.atomic():
                registration = ClassRegistration.objects.create(
                    public_class=public_class,
                    user=user,
                    status=RegistrationStatus.REGISTERED if seat else RegistrationStatus.WAITLISTED,
                    checkin_code=_code() if seat else "",
                    created_at=now,
                )
        except IntegrityError:
            raise Conflict(
                "You are already registered for this class.", code="class.already_registered"
            ) from None
    return registration


def registration_cancel(
    *, registration_id: int, user: User, now: datetime | None = None
) -> ClassRegistration:
    """Give up a seat or a waitlist place; a freed seat goes to the first on the waitlist."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        class_id = (
            ClassRegistration.objects.filter(pk=registration_id, user_id=user.pk)
            .values_list("public_class_id", flat=True)
            .first()
        )
        if class_id is None:
            raise NotFound("Registration not found.", code="registration.not_found")
        public_class = PublicClass.objects.select_for_update().get(pk=class_id)
        registration = ClassRegistration.objects.select_for_update().get(pk=registration_id)
        if registration.status == RegistrationStatus.CANCELLED:
            raise Conflict("This registration is already cancelled.", code="registration.cancelled")
        if registration.checked_in_at is not None:
            raise Conflict("You already attended.", code="registration.attended")
        had_seat = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        if had_seat:
            _promote_next(public_class, now)
    return registration


def _promote_next(public_class: PublicClass, now: datetime) -> ClassRegistration | None:
    """The first on the waitlist takes the freed seat (the class row's lock is held)."""
    promoted = (
        ClassRegistration.objects.select_for_update()
        .filter(public_class=public_class, status=RegistrationStatus.WAITLISTED)
        .order_by("pk")
        .first()
    )
    if promoted is None:
        return None
    promoted.status = RegistrationStatus.REGISTERED
    promoted.checkin_code = _code()
    promoted.promoted_at = now
    promoted.save(update_fields=["status", "checkin_code", "promoted_at"])
    notification_send(
        recipient_id=promoted.user_id,
        kind="academy.class_promoted",
        payload={
            "class_id": public_class.pk,
            "class_title": public_class.title,
            "registration_id": promoted.pk,
        },
    )
    return promoted


def class_check_in(
    *, class_id: int, code: str, operator: User, now: datetime | None = None
) -> ClassRegistration:
    """The host checks an attendee in with their one-time code (a code admits once)."""
    if not (operator.is_active and operator.is_staff):
        raise Forbidden("Only the class's hosts check people in.", code="class.not_host")
    code = (code or "").strip().upper()
    if not code:
        raise InvalidInput("A code is required.", code="class.code_required")
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        registration = (
            ClassRegistration.objects.select_for_update()
            .filter(
                public_class_id=class_id,
                checkin_code=code,
                status=RegistrationStatus.REGISTERED,
            )
            .first()
        )
        if registration is None:
            raise NotFound("No seat with this code.", code="class.code_unknown")
        if registration.checked_in_at is not None:
            raise Conflict("This code was already used.", code="class.code_used")
        registration.checked_in_at = now
        registration.save(update_fields=["checked_in_at"])
    return registration
