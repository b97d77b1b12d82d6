"""Builders for moderation tests: operators, and cases and strikes made through the services."""

from django.contrib.auth.models import Permission

from apps.accounts.models import User
from apps.moderation import services
from apps.moderation.models import Case, ReportReason, Strike
from tests.factories import UserFactory

OPERATOR_PERMISSIONS = ("review_case", "review_appeal")


def make_operator(*, superuser: bool = False, permissions=OPERATOR_PERMISSIONS) -> User:
    """Staff with the moderation permissions (and the admin's view permissions)."""
    operator = UserFactory(is_staff=True, is_superuser=superuser)
    codenames = [
        *permissions,
        "view_case",
        "view_reviewqueuecase",
        "view_appeal",
        "view_strike",
        "view_report",
        "view_auditrecord",
        "view_keywordrule",
        "add_keywordrule",
        "change_keywordrule",
        "delete_keywordrule",
    ]
    operator.user_permissions.set(
        Permission.objects.filter(content_type__app_label="moderation", codename__in=codenames)
    )
    return User.objects.get(pk=operator.pk)  # fresh: no stale permission cache


def report_user(*, reported: User, reporters: int = 1, reason: str = ReportReason.ABUSE) -> Case:
    """Reports on a user by ``reporters`` distinct users; returns the case they joined."""
    for _ in range(reporters):
        report, _ = services.report_create(
            reporter=UserFactory(), target_key="user", object_id=reported.pk, reason=reason
        )
    return Case.objects.get(pk=report.case_id)


def strike_user(*, user: User, operator: User | None = None, reason: str = "Abusive bio") -> Strike:
    """A strike on the user from an operator's rejection of a report about them."""
    operator = operator or make_operator()
    case = report_user(reported=user)
    services.case_reject(case_id=case.pk, operator=operator, reason=reason, category="abuse")
    return Strike.objects.get(case=case)


def published_note(*, author: User | None = None, title: str = "春日穿搭", body: str = "分享"):
    """A published note made by the notes service, so its author's counters are right."""
    from apps.notes.services import note_create
    from tests.notes.factories import category, image_upload

    return note_create(
        author=author or UserFactory(),
        title=title,
        body=body,
        category=category("fashion"),
        images=[image_upload()],
    )


def posted_comment(*, note=None, author: User | None = None, body: str = "好看"):
    """A comment made by the notes service on a published note."""
    from apps.notes.services import comment_create

    note = note or published_note()
    return comment_create(author=author or UserFactory(), note_id=note.pk, body=body)
