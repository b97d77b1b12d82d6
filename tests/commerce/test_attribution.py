"""Acceptance 3: last click within 7 days wins; later orders have no creator; click storms
count once per 30 minutes; bots are never counted."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from apps.commerce.models import Click
from apps.notes.models import Note
from tests.commerce.factories import buy, click, creator_with_link, make_product, make_store
from tests.factories import UserFactory
from tests.ledger.factories import funded_user

pytestmark = pytest.mark.django_db


def _note(author) -> Note:
    return Note.objects.create(author=author, kind="image", title="好物", status="published")


def test_the_last_click_within_seven_days_wins() -> None:
    product = make_product(make_store(), price=2_000, stock=10, open_rate_bp=1_000)
    first_creator, second_creator = UserFactory(), UserFactory()
    first_note, second_note = _note(first_creator), _note(second_creator)
    _, first_code = creator_with_link(product, first_creator, note_id=first_note.pk)
    _, second_code = creator_with_link(product, second_creator, note_id=second_note.pk)
    buyer = funded_user(10_000)
    now = timezone.now()
    click(first_code, buyer, at=now - timedelta(days=2))
    click(second_code, buyer, at=now - timedelta(days=1))
    order = buy(buyer, product, now=now)
    assert (order.creator_id, order.source_note_id) == (second_creator.pk, second_note.pk)
    assert order.commission_total == 200
    line = order.lines.get()
    assert (line.creator_id, line.note_id, line.commission) == (
        second_creator.pk,
        second_note.pk,
        200,
    )

    # A newer click on the first note takes over for the next order (the deduplication window
    # is wall-clock time: the cache forgets the first click, as it would after 30 minutes).
    cache.clear()
    assert click(first_code, buyer, at=now + timedelta(hours=1))
    again = buy(buyer, product, now=now + timedelta(hours=2))
    assert (again.creator_id, again.source_note_id) == (first_creator.pk, first_note.pk)


def test_an_order_after_seven_days_has_no_creator() -> None:
    product = make_product(make_store(), price=2_000, stock=10)
    _creator, code = creator_with_link(product)
    buyer = funded_user(2_000)
    now = timezone.now()
    click(code, buyer, at=now - timedelta(days=7, seconds=1))
    order = buy(buyer, product, now=now)
    assert order.creator_id is None
    assert order.source_note_id is None
    assert order.commission_total == 0
    assert not order.commissions.exists()


def test_a_click_storm_from_one_visitor_counts_once_per_window() -> None:
    product = make_product(make_store())
    _creator, code = creator_with_link(product)
    buyer = UserFactory()
    counted = [click(code, buyer) for _ in range(25)]
    assert counted.count(True) == 1
    assert Click.objects.count() == 1
    # Another visitor counts; the same visitor after the window counts again.
    assert click(code, UserFactory()) is True
    assert Click.objects.count() == 2
    cache.clear()  # what 30 minutes do to the window's keys
    assert click(code, buyer) is True
    assert Click.objects.count() == 3


def test_the_redirect_counts_browsers_and_ignores_bots() -> None:
    product = make_product(make_store())
    _creator, code = creator_with_link(product)
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)")
    for _ in range(5):
        response = browser.get(f"/l/{code}")
        assert response.status_code == 302
        assert response["Location"].endswith(f"/products/{product.pk}")
    crawler = Client(HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    assert crawler.get(f"/l/{code}").status_code == 302
    assert Client().get(f"/l/{code}").status_code == 302  # no user agent: not counted
    assert Click.objects.count() == 1
    assert Client().get("/l/nosuchcode").status_code == 404
