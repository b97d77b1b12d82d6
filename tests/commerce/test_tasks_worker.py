"""The return-window deadline runs on a real Celery worker, with the clock moved forward."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.commerce.models import CommissionStatus, OrderStatus
from apps.commerce.tasks import orders_complete_due
from apps.ledger.models import AccountKind, Transaction, TransactionKind
from apps.ledger.services import Owner
from tests.commerce.factories import (
    balance,
    buy,
    click,
    creator_with_link,
    deliver,
    make_product,
    make_store,
)
from tests.ledger.factories import book_is_consistent, funded_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_seven_day_window_closes_on_the_worker_and_twice_is_once(worker_queue) -> None:
    store = make_store()
    product = make_product(store, price=5_000, stock=3, open_rate_bp=1_000)
    creator, code = creator_with_link(product)
    buyer = funded_user(5_000)
    click(code, buyer)
    order = buy(buyer, product)
    # Delivered 7 days and a minute ago: the clock has moved past the window.
    deliver(order, now=timezone.now() - timedelta(days=7, minutes=1))
    fresh = buy(funded_user(5_000), product)
    deliver(fresh)  # still inside its window

    first = orders_complete_due.apply_async(queue=worker_queue).get(timeout=60)
    second = orders_complete_due.apply_async(queue=worker_queue).get(timeout=60)

    assert (first, second) == (1, 0)
    order.refresh_from_db()
    fresh.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert fresh.status == OrderStatus.DELIVERED
    assert order.commissions.get().status == CommissionStatus.SETTLED
    assert balance(Owner.user(creator.pk)) == 500
    assert balance(Owner.user(creator.pk), AccountKind.PENDING_COMMISSION) == 0
    assert Transaction.objects.filter(kind=TransactionKind.COMMISSION_SETTLE).count() == 1
    book_is_consistent()
