"""Per-note return with real figures from every app that feeds it: the note is a brand
cooperation (fee released through brands), sells a product through its link (commission rolled
up from commerce's events) and was promoted (spend charged by promotion)."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from apps.analytics.days import local_yesterday
from apps.analytics.models import Event
from apps.analytics.rollups import rollup_run
from apps.brands.cooperation_models import Cooperation
from apps.brands.cooperations import cooperation_deadline_move
from apps.notes.models import Note
from apps.promotion import services as promotion
from tests.brands.factories import PATHS, PRICE, drive, invite, make_world
from tests.commerce.factories import buy, click, creator_with_link, make_product, make_store
from tests.factories import UserFactory
from tests.ledger.factories import funded_user, top_up
from tests.promotion.factories import audience, paid_order, serve

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/note-returns"


@pytest.fixture(autouse=True)
def _small_audiences(settings) -> None:
    settings.PROMOTION_MIN_AUDIENCE = 1
    settings.PROMOTION_CPM_FEN = 3_000  # 3 fen an impression


def _completed_cooperation_note(creator) -> Note:
    world = make_world(boost_right=True)
    cooperation = drive(world, invite(world, creator=creator), PATHS["published"])
    Cooperation.objects.filter(pk=cooperation.pk).update(deadline_at=timezone.now())
    cooperation_deadline_move(cooperation_id=cooperation.pk, action="complete", now=timezone.now())
    cooperation.refresh_from_db()
    assert (cooperation.status, cooperation.creator_paid) == ("completed", PRICE)
    return Note.objects.get(pk=cooperation.note_id)


def _sell_through(note: Note) -> int:
    """Two units bought yesterday through the note's link; the commission they earned."""
    product = make_product(make_store(), price=1_500, stock=10, open_rate_bp=1_000)
    _, code = creator_with_link(product, note.author, note_id=note.pk)
    buyer = funded_user(3_000)
    at = timezone.now() - timedelta(days=1)
    with TestCase.captureOnCommitCallbacks(execute=True):  # events are stored on commit
        click(code, buyer, at=at)
        buy(buyer, product, 2, now=at)
    Event.objects.filter(kind__in=["order", "link_click"]).update(occurred_at=at)
    rollup_run(day=local_yesterday(timezone.now()))
    return 3_000 * 1_000 // 10_000


def _promote(note: Note) -> int:
    """A paid order served to 7 viewers then stopped: the fen it was charged."""
    viewers = audience(7, slug=note.category.slug)
    order = paid_order(note.author, note, budget=7_500)
    assert serve(order, viewers, at=order.ends_at - timedelta(seconds=1)) == 7
    stopped = promotion.promotion_order_stop(creator=note.author, order_id=order.pk)
    return stopped.spent


def test_a_cooperation_note_that_sold_and_was_promoted_shows_its_real_return(
    make_client,
) -> None:
    creator = UserFactory()
    top_up(creator, 100_000)
    note = _completed_cooperation_note(creator)
    other = Note.objects.create(author=creator, kind="image", title="日常", status="published")
    commission = _sell_through(note)
    spend = _promote(note)
    assert (commission, spend) == (300, 21)

    response = make_client(creator).get(URL)
    assert response.status_code == 200, response.content
    rows = {row["note_id"]: row for row in response.json()}
    assert rows[note.pk] == {
        "note_id": note.pk,
        "title": note.title,
        "commission": 300,
        "cooperation_fee": PRICE,
        "promotion_spend": 21,
        "net": 300 + PRICE - 21,
        "return_ratio": round((300 + PRICE) / 21, 4),
    }
    assert rows[other.pk]["commission"] == rows[other.pk]["promotion_spend"] == 0
    assert rows[other.pk]["cooperation_fee"] == 0 and rows[other.pk]["return_ratio"] is None

    # Another creator sees none of it.
    assert note.pk not in {row["note_id"] for row in make_client(UserFactory()).get(URL).json()}
