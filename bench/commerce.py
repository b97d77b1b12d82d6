"""Commerce throughput and the recommender's quality, each beside a reference.

1. Checkout on one hot product: ``--buyers`` funded buyers (half of them clicked a creator's
   link, so half the orders accrue a commission) buy one unit each through
   ``checkout.order_checkout`` from ``--processes`` client processes; the product's stock is
   ``--orders`` minus 100, so the last attempts are refused: exactly the stock is sold, never
   more (checked), and the ledger reconciles clean afterwards. Reference: the same order in
   plain SQL (psycopg, no Django: debit the wallet row, insert the order, the conditional stock
   UPDATE, commit) on one hot product, measured right before.
2. The same checkout over ``--products`` products picked at random.
3. ``GET /l/<code>`` redirects per second through the whole Django stack in process (a new
   visitor each time, so every click is counted), beside a plain SQL insert of a click row.
4. The recommender (``recommendations.evaluate``) on a seeded history of orders: hit rate@10
   and NDCG@10 against the popularity baseline, leaving each buyer's last purchase out.

Every figure is printed with its ratio to its reference and the load average, because the
machine is shared. Throwaway database ``<NAME>_bench_commerce``:

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/commerce.py \
        [--orders 3000] [--buyers 1000] [--processes 4] [--history-buyers 3000]
"""

import argparse
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FUNDING_FEN = 1_000_000


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _create_database() -> str:
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})
    base = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"{base}_bench_commerce"
    else:
        connection.settings_dict["TEST"]["NAME"] = "/tmp/cp_bench_commerce.sqlite3"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _seed(buyers: int, count: int = 200) -> dict:
    """A verified brand's store, a creator with a link, funded buyers (half clicked it)."""
    from django.db import connection
    from django.utils import timezone

    from apps.accounts import organisations
    from apps.accounts.models import User
    from apps.commerce.models import Click, Product
    from apps.commerce.services import catalog, links, pool
    from apps.ledger import services
    from apps.ledger.models import AccountKind, TransactionKind

    owner = User.objects.create(username="bench_store_owner", password="!", is_staff=True)
    operator = User.objects.create(
        username="bench_operator", password="!", is_staff=True, is_superuser=True
    )
    organisation = organisations.organisation_create(
        user=owner,
        kind="brand",
        name="压测品牌",
        business_licence_number="91310000MA1FL8XQ3B",
        contact_name="林海",
        contact_phone="13800000000",
    )
    organisations.organisation_verify(organisation_id=organisation.pk, operator=operator)
    store = catalog.store_create(user=owner, organisation_id=organisation.pk, name="压测店")
    products = []
    for i in range(count + 1):
        product = catalog.product_create(
            user=owner, store_id=store.pk, title=f"商品{i}", price=990, stock=0
        )
        catalog.product_move(user=owner, store_id=store.pk, product_id=product.pk, action="publish")
        pool.plan_open_set(user=owner, store_id=store.pk, product_id=product.pk, rate_bp=1_000)
        products.append(product.pk)
    Product.objects.filter(pk__in=products).update(stock=1_000_000)
    creator = User.objects.create(username="bench_creator", password="!")
    User.objects.bulk_create(
        [User(username=f"bench_buyer_{i:05d}", password="!") for i in range(buyers)]
    )
    users = list(User.objects.filter(username__startswith="bench_buyer_").order_by("pk"))
    clearing = services.system_account(AccountKind.PROVIDER_CLEARING)
    services.transactions_post_batch(
        postings=[
            services.Posting(
                kind=TransactionKind.TOPUP,
                legs=[(clearing, -FUNDING_FEN), (services.user_wallet(u.pk), FUNDING_FEN)],
                description="bench funding",
            )
            for u in users
        ]
    )
    hot = products[0]
    with connection.cursor() as cursor:  # the plain-SQL reference's wallets (not the ledger's)
        cursor.execute("CREATE TABLE bench_wallet (id bigint PRIMARY KEY, balance bigint)")
        cursor.execute("INSERT INTO bench_wallet SELECT id, %s FROM accounts_user", [FUNDING_FEN])
    codes = {}
    for product_id in products:
        pool.showcase_add(creator=creator, product_id=product_id)
        codes[product_id] = links.tracked_link(creator_id=creator.pk, product_id=product_id)
    now = timezone.now()
    clicks = []
    for user in users[::2]:
        for product_id in products:
            clicks.append(
                Click(
                    link_id=0,
                    product_id=product_id,
                    creator_id=creator.pk,
                    buyer_id=user.pk,
                    created_at=now,
                )
            )
    link_ids = dict(
        links.TrackedLink.objects.filter(creator=creator).values_list("product_id", "pk")
    )
    for row in clicks:
        row.link_id = link_ids[row.product_id]
    Click.objects.bulk_create(clicks, batch_size=5_000)
    return {
        "store": store.pk,
        "hot": hot,
        "products": products[1:],
        "buyers": [u.pk for u in users],
        "codes": list(codes.values()),
        "wallets": [u.pk for u in users],
    }


def _sql_checkout(cursor, wallet: int, product: int, price: int) -> bool:
    cursor.execute("BEGIN")
    cursor.execute("UPDATE bench_wallet SET balance = balance - %s WHERE id = %s", [price, wallet])
    cursor.execute(
        "INSERT INTO commerce_order (buyer_id, store_id, status, total, commission_total, "
        "created_at) SELECT 1, store_id, 'paid', %s, 0, now() FROM commerce_product "
        "WHERE id = %s",
        [price, product],
    )
    cursor.execute(
        "UPDATE commerce_product SET stock = stock - 1 WHERE id = %s AND stock >= 1 "
        "RETURNING stock",
        [product],
    )
    ok = cursor.fetchone() is not None
    cursor.execute("COMMIT" if ok else "ROLLBACK")
    return ok


def _worker(job: dict, index: int, barrier, results) -> None:
    from django.db import connection
    from django.test import Client

    from apps.accounts.models import User
    from apps.commerce.services import checkout
    from apps.core.errors import Conflict

    rng = random.Random(job["seed"] + index)
    count = job["count"] // job["processes"]
    kind = job["kind"]
    sold = refused = 0
    raw = None
    try:
        if kind.startswith("sql"):
            import psycopg

            settings = connection.settings_dict
            raw = psycopg.connect(
                dbname=settings["NAME"],
                user=settings["USER"],
                password=settings["PASSWORD"] or None,
                host=settings["HOST"],
                port=settings["PORT"] or 5432,
                autocommit=True,
            )
            cursor = raw.cursor()
        buyers = [User(pk=pk) for pk in job["buyers"]]
        client = Client()
        barrier.wait()
        for n in range(count):
            if kind == "checkout":
                product = job["hot"] if job["hot_only"] else rng.choice(job["products"])
                try:
                    checkout.order_checkout(
                        buyer=buyers[(index * count + n) % len(buyers)],
                        store_id=job["store"],
                        items=[(product, 1)],
                    )
                    sold += 1
                except Conflict as refusal:
                    if refusal.code != "product.sold_out":
                        raise
                    refused += 1
            elif kind == "sql_checkout":
                product = job["hot"] if job["hot_only"] else rng.choice(job["products"])
                wallet = job["wallets"][(index * count + n) % len(job["wallets"])]
                if _sql_checkout(cursor, wallet, product, 990):
                    sold += 1
                else:
                    refused += 1
            elif kind == "redirect":
                response = client.get(
                    f"/l/{rng.choice(job['codes'])}",
                    HTTP_USER_AGENT=f"Mozilla/5.0 bench-{index}-{n}",
                )
                assert response.status_code == 302, response.status_code
                sold += 1
            elif kind == "sql_click":
                cursor.execute(
                    "INSERT INTO commerce_click (link_id, product_id, creator_id, created_at) "
                    "SELECT id, product_id, creator_id, now() FROM commerce_trackedlink "
                    "WHERE code = %s",
                    [rng.choice(job["codes"])],
                )
                sold += 1
        results.put(("ok", sold, refused))
    except BaseException as exc:  # reported by the parent
        results.put(("error", repr(exc), 0))
    finally:
        if raw is not None:
            raw.close()
        connection.close()


def _run(job: dict) -> dict:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(job["processes"] + 1)
    results = context.Queue()
    pool = [
        context.Process(target=_worker, args=(job, i, barrier, results))
        for i in range(job["processes"])
    ]
    for process in pool:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    outcomes = [results.get() for _ in pool]
    elapsed = time.perf_counter() - started
    for process in pool:
        process.join()
    errors = [detail for status, detail, _ in outcomes if status == "error"]
    if errors:
        raise RuntimeError(errors[0])
    sold = sum(o[1] for o in outcomes)
    return {"done": sold, "refused": sum(o[2] for o in outcomes), "per_second": sold / elapsed}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def _set_stock(product: int, stock: int) -> None:
    from apps.commerce.models import Product

    Product.objects.filter(pk=product).update(stock=stock, sales=0)


def _history(args: argparse.Namespace, seeded: dict) -> None:
    """Orders of a seeded history written as rows (no money: quality only), then evaluated."""
    from django.utils import timezone

    from apps.commerce.demo_history import purchase_baskets
    from apps.commerce.models import Order, OrderLine
    from apps.commerce.recommendations import evaluate, purchase_histories

    products = seeded["products"]
    baskets = purchase_baskets(
        buyers=min(args.history_buyers, len(seeded["buyers"])), products=products, categories=8
    )
    now = timezone.now()
    orders, lines = [], []
    for buyer, basket in zip(seeded["buyers"], baskets, strict=False):
        for step, product in enumerate(basket):
            orders.append(
                Order(
                    buyer_id=buyer,
                    store_id=seeded["store"],
                    status="completed",
                    total=990,
                    created_at=now.replace(microsecond=0) - timezone.timedelta(days=60 - step),
                )
            )
            lines.append(product)
    Order.objects.bulk_create(orders, batch_size=5_000)
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=o, product_id=p, quantity=1, unit_price=990, amount=990)
            for o, p in zip(orders, lines, strict=True)
        ],
        batch_size=5_000,
    )
    started = time.perf_counter()
    result = evaluate(purchase_histories())
    seconds = time.perf_counter() - started
    print(
        f"recommender ({result.engine}) on {result.buyers:,} held-out buyers, "
        f"{len(orders):,} seeded orders ({seconds:.1f} s):"
    )
    print(
        f"  hit rate@10 {result.hit_rate:.3f} vs popularity {result.popularity_hit_rate:.3f} "
        f"(x{result.hit_rate / max(result.popularity_hit_rate, 1e-9):.2f}); "
        f"NDCG@10 {result.ndcg:.3f} vs popularity {result.popularity_ndcg:.3f} "
        f"(x{result.ndcg / max(result.popularity_ndcg, 1e-9):.2f})"
    )
    if not (result.hit_rate > result.popularity_hit_rate and result.ndcg > result.popularity_ndcg):
        raise SystemExit("the recommender does not beat popularity")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3_000)
    parser.add_argument("--buyers", type=int, default=1_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--redirects", type=int, default=2_000)
    parser.add_argument("--history-buyers", type=int, default=3_000)
    parser.add_argument("--products", type=int, default=200, help="besides the hot one")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    _setup_django()
    from django.db import connection

    from apps.commerce.models import Order, Product
    from apps.ledger.services import reconciliation_run

    name = _create_database()
    postgres = connection.vendor == "postgresql"
    processes = args.processes if postgres else 1
    try:
        print(
            f"commerce bench on {connection.vendor} ({name}), {processes} client processes, "
            f"{os.cpu_count()} cores, {_load()}"
        )
        seeded = _seed(max(args.buyers, args.history_buyers), args.products)
        seeded["buyers"] = seeded["buyers"][: args.buyers]
        base = {"processes": processes, "seed": args.seed, **seeded}
        stock = args.orders - 100
        rows = []
        random_label = f"{args.products} random products"
        for label, hot_only in (("1 hot product", True), (random_label, False)):
            reference = None
            if postgres:
                _set_stock(seeded["hot"], 10**6)
                reference = _run(
                    {**base, "kind": "sql_checkout", "count": args.orders, "hot_only": hot_only}
                )
                Order.objects.filter(buyer_id=1).delete()
            _set_stock(seeded["hot"], stock)
            before = Order.objects.count()
            result = _run({**base, "kind": "checkout", "count": args.orders, "hot_only": hot_only})
            if hot_only:
                hot = Product.objects.get(pk=seeded["hot"])
                placed = Order.objects.count() - before
                oversold = placed - stock
                assert hot.stock == 0 and hot.sales == stock and placed == stock, (hot, placed)
                extra = f"; {placed} sold of {stock} in stock, {result['refused']} refused, "
                extra += f"oversold {max(oversold, 0)}"
            else:
                extra = ""
            ratio = (
                f" (x{result['per_second'] / reference['per_second']:.2f} of plain SQL "
                f"{reference['per_second']:,.0f}/s)"
                if reference
                else ""
            )
            rows.append(
                f"  checkout, {label}: {result['per_second']:,.0f} orders/s{ratio}{extra}"
                f" [{_load()}]"
            )
            print(rows[-1])
        reference = (
            _run({**base, "kind": "sql_click", "count": args.redirects}) if postgres else None
        )
        result = _run({**base, "kind": "redirect", "count": args.redirects})
        ratio = (
            f" (x{result['per_second'] / reference['per_second']:.2f} of a plain SQL click "
            f"insert {reference['per_second']:,.0f}/s)"
            if reference
            else ""
        )
        print(f"  link redirects: {result['per_second']:,.0f}/s{ratio} [{_load()}]")
        report = reconciliation_run()
        print(
            f"  reconciliation: {'clean' if report.is_clean else 'DIFFERENCES'}, "
            f"{report.transactions_checked:,} transactions"
        )
        if not report.is_clean:
            for difference in report.differences.all()[:5]:
                print(
                    f"    {difference.kind}: account {difference.account_id} transaction "
                    f"{difference.transaction_id} expected {difference.expected} "
                    f"actual {difference.actual}"
                )
            return 1
        _history(args, _all(seeded))
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    return 0


def _all(seeded: dict) -> dict:
    from apps.accounts.models import User

    buyers = list(
        User.objects.filter(username__startswith="bench_buyer_")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {**seeded, "buyers": buyers}


if __name__ == "__main__":
    raise SystemExit(main())
