"""Texts users write in programs pass moderation screening on the ``programs`` surface."""

from decimal import Decimal

import pytest

from apps.core.errors import InvalidInput
from apps.moderation import services as moderation
from apps.programs import services
from apps.programs.models import AgencyContract, ListeningTopic
from tests.factories import UserFactory
from tests.programs.factories import agency, contract_requested

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(django_capture_on_commit_callbacks):
    def _make(term: str, action: str, surfaces: list[str]) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            moderation.keyword_rule_create(
                term=term, category="fraud", action=action, surfaces=surfaces
            )

    return _make


def test_blocked_contract_notes_and_topics_are_refused(rule) -> None:
    rule("刷单返利", "block", ["programs"])
    organisation = agency()
    owner = organisation.memberships.get(role="owner").user
    with pytest.raises(InvalidInput) as refused:
        services.contract_request(
            agency_id=organisation.pk,
            actor=owner,
            creator_id=UserFactory().pk,
            revenue_share=Decimal("0.1"),
            starts_on=organisation.created_at.date(),
            term_months=3,
            data_sharing=False,
            note="一起刷单返利",
        )
    assert refused.value.code == "moderation.blocked"
    with pytest.raises(InvalidInput):
        services.topic_propose(user=UserFactory(), title="刷单返利怎么做")
    assert not AgencyContract.objects.exists() and not ListeningTopic.objects.exists()


def test_masked_words_are_stored_masked_and_other_surfaces_do_not_apply(rule) -> None:
    rule("加微信", "mask", ["programs"])
    rule("好物", "block", ["note"])
    contract = contract_requested(agency())
    assert contract.note == "长期合作"
    topic = services.topic_propose(user=UserFactory(), title="好物推荐请加微信")
    assert topic.title == "好物推荐请***"
