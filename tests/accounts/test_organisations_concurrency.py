"""PostgreSQL: membership changes queue on the organisation row, so owners never run out."""

import pytest

from apps.accounts import organisations as services
from apps.accounts.models import Membership
from apps.core.errors import Conflict
from tests.accounts.organisation_factories import add_member, make_organisation
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_owners_leaving_at_once_leave_exactly_one_owner() -> None:
    organisation = make_organisation()
    owners = [organisation.created_by, *(add_member(organisation, "owner") for _ in range(5))]
    results = run_concurrently(
        [
            lambda owner=owner: services.membership_leave(
                organisation_id=organisation.pk, user=owner
            )
            for owner in owners
        ]
    )
    refused = [r for r in results if isinstance(r, Conflict)]
    assert [r.code for r in refused] == ["organisation.last_owner"]
    assert sum(r is None for r in results) == 5
    assert Membership.objects.filter(organisation=organisation, role="owner").count() == 1


def test_owners_demoting_each_other_at_once_keep_one_owner() -> None:
    organisation = make_organisation()
    first, second = organisation.created_by, add_member(organisation, "owner")
    results = run_concurrently(
        [
            lambda: services.membership_role_change(
                organisation_id=organisation.pk, actor=first, user_id=second.pk, role="viewer"
            ),
            lambda: services.membership_role_change(
                organisation_id=organisation.pk, actor=second, user_id=first.pk, role="viewer"
            ),
        ]
    )
    assert sum(isinstance(r, Exception) for r in results) == 1
    assert Membership.objects.filter(organisation=organisation, role="owner").count() == 1
