"""The operator console in a real browser: Debian's chromium driven by Playwright for Python.

An operator logs in through the admin's login form on a live server (a free port), then opens
the console home, the review queue, a decide page, the payouts list and a ledger account at
1400x900: the key elements must be visible without horizontal scrolling and no page may log a
console error. The API docs must render with every host but 127.0.0.1 blocked (their assets
come from the platform itself). Screenshots go to ``$CI_ARTIFACTS`` (or a temp folder) for a
person to look at.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from django.utils import timezone

from apps.analytics.days import local_yesterday
from apps.analytics.models import RollupRun
from apps.ledger.models import Account, OwnerType
from apps.moderation import services as moderation_services
from apps.moderation.models import Case
from tests.factories import TEST_PASSWORD, UserFactory
from tests.ledger.factories import funded_user, requested_payout
from tests.moderation.factories import published_note, strike_user

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.django_db(transaction=True)]
WIDTH, HEIGHT = 1400, 900
LOCAL_HOSTS = {"127.0.0.1"}
# ReDoc's bundle always asks its CDN for the small "API docs by Redocly" logo and hides the
# image when that fails; it is the one outside request allowed to fail (docs/api-clients.md).
COSMETIC_OUTSIDE = {"https://cdn.redoc.ly/redoc/logo-mini.svg"}
LONG_TITLE = "这条笔记的标题很长很长很长很长很长很长很长"[:20]


def _shots_dir() -> Path:
    base = os.environ.get("CI_ARTIFACTS") or tempfile.gettempdir()
    folder = Path(base) / "cp-console-shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def console_data(transactional_db) -> dict:
    """An operator and the work they see: cases (one long), a strike, payouts, rollup runs."""
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    author = UserFactory(username="repeat_author")
    strike_user(user=author, reason="Spam links in the bio")
    cases = []
    for index, (title, age) in enumerate(
        [(LONG_TITLE, timedelta(days=2)), ("春日穿搭", timedelta(minutes=30))]
    ):
        note = published_note(author=author, title=title, body=f"body {index} " * 40)
        for _ in range(index + 1):
            moderation_services.report_create(
                reporter=UserFactory(), target_key="note", object_id=note.pk, reason="spam"
            )
        case = Case.objects.get(target_key="note", object_id=note.pk)
        Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - age)
        cases.append(case)
    payer = funded_user(80_000, username="payout_creator")
    requested_payout(payer, 20_000)
    requested_payout(funded_user(60_000), 10_000)
    now = timezone.now()
    RollupRun.objects.create(
        day=local_yesterday() - timedelta(days=4),
        started_at=now,
        finished_at=now,
        seconds=3.2,
        events=1200,
        rows={"note_daily": 40, "creator_daily": 12, "fan_demographic_daily": 96},
    )
    account = Account.objects.get(owner_type=OwnerType.USER, owner_id=payer.pk, kind="wallet")
    return {"case": cases[0], "account": account, "payer": payer}


@pytest.fixture
def browser() -> Iterator:
    # Started after the data is written: Playwright's sync API runs an event loop in this
    # thread, and Django refuses ORM calls from a thread with a running loop.
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


class Page:
    """A page at 1400x900 that records console errors and failed requests."""

    def __init__(self, browser, base_url: str, offline: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        self.page = self.context.new_page()
        # The live server's own address, so "only 127.0.0.1 is reachable" holds literally.
        self.base_url = base_url.replace("//localhost:", "//127.0.0.1:")
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                self.errors.append(f"{self.page.url}: {message.text}")
                if message.type == "error" and message.location.get("url") not in COSMETIC_OUTSIDE
                else None
            ),
        )
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.page.url}: {error}"))
        self.page.on(
            "requestfailed",
            lambda request: (
                self.errors.append(f"failed {request.url}: {request.failure}")
                if request.url not in COSMETIC_OUTSIDE
                else None
            ),
        )
        self.page.on(
            "response",
            lambda response: (
                self.errors.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        if offline:
            self.context.route("**/*", self._only_local)

    def _only_local(self, route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    def open(self, path: str, shot: str, full_page: bool = True) -> None:
        response = self.page.goto(self.base_url + path, wait_until="networkidle")
        assert response is not None and response.status == 200, f"{path}: {response.status}"
        self.shot(shot, full_page)

    def shot(self, name: str, full_page: bool = True) -> None:
        # Generous timeout: software rendering on a busy CI machine is slow, not wrong.
        path = str(_shots_dir() / f"{name}.png")
        self.page.screenshot(path=path, full_page=full_page, timeout=120_000)

    def assert_fits(self, *selectors: str) -> None:
        """No horizontal scrolling, and each element in view (its right edge inside 1400)."""
        scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= WIDTH, f"{self.page.url} scrolls sideways: {scroll_width}px"
        # A changelist's table scrolls inside its own box when too wide: that hides columns too.
        hidden = self.page.evaluate(
            "[...document.querySelectorAll('.results')].map(e => e.scrollWidth - e.clientWidth)"
        )
        assert all(width <= 0 for width in hidden), f"{self.page.url}: table cut by {hidden}px"
        for selector in selectors:
            element = self.page.locator(selector).first
            assert element.is_visible(), f"{selector} not visible on {self.page.url}"
            box = element.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (selector, box)

    def log_in(self) -> None:
        self.page.goto(self.base_url + "/admin/login/?next=/admin/")
        self.page.fill("#id_username", "operator")
        self.page.fill("#id_password", TEST_PASSWORD)
        self.shot("00-login")
        self.page.click("input[type=submit]")
        self.page.wait_for_url(self.base_url + "/admin/")


def test_operator_console_pages_fit_1400_and_log_no_errors(
    console_data: dict, live_server, browser
) -> None:
    page = Page(browser, live_server.url)
    page.log_in()

    page.open("/admin/", "01-console-home")
    page.assert_fits("#pending-content_safety", "#pending-money", "#pending-analytics")
    assert page.page.locator("#pending-content_safety .cp-alarm").count() >= 1  # a 2-day case
    assert page.page.locator("caption", has_text="Content safety").first.is_visible()

    page.open("/admin/moderation/reviewqueuecase/", "02-review-queue")
    page.assert_fits("#result_list", "#result_list a.button:has-text('Decide')")
    assert page.page.locator("#result_list a.button:has-text('Decide')").count() == 2

    case = console_data["case"]
    page.open(f"/admin/moderation/reviewqueuecase/{case.pk}/decide/", "03-decide-page")
    page.assert_fits("#case-subject a", "#author-record", "#author-strikes", "input[type=submit]")
    assert page.page.locator("#case-subject a").first.inner_text() == f"note #{case.object_id}"

    page.open("/admin/moderation/case/", "03b-all-cases")
    page.assert_fits("#result_list")

    page.open("/admin/ledger/payout/", "04-payouts")
    page.assert_fits("#result_list", "select[name=action]", "#changelist-filter")
    assert page.page.locator("#result_list tbody tr").count() == 2

    account = console_data["account"]
    page.open("/admin/ledger/account/", "05-ledger-accounts")
    page.assert_fits("#result_list a:has-text('payout_creator')")
    assert page.page.locator("#result_list img[alt='False']").count() == 0  # no failure icons
    page.open(f"/admin/ledger/account/{account.pk}/change/", "06-ledger-account")
    page.assert_fits("a:has-text('payout_creator')")

    page.open("/admin/analytics/rolluprun/", "07-rollup-runs")
    page.assert_fits("table.cp-json")
    assert page.page.locator("#result_list img[alt='False']").count() == 0

    assert page.errors == []


def _schema_operation_ids(base_url: str) -> set[str]:
    """Every operation the schema publishes, as Swagger UI names its block (tag and id, spaces
    as underscores)."""
    with urlopen(f"{base_url}/api/schema/?format=json") as response:
        schema = json.load(response)
    return {
        f"operations-{operation['tags'][0]}-{operation['operationId']}".replace(" ", "_")
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _swagger_operations_rendered(page: "Page") -> set[str]:
    """Scroll Swagger UI to the end, collecting each operation block it renders on the way.

    Swagger UI virtualises a long operation list: only the blocks near the viewport exist in the
    page at any moment, so counting them once says nothing about the rest.
    """
    seen: set[str] = set()
    for _ in range(2_000):
        ids = page.page.evaluate("[...document.querySelectorAll('.opblock')].map(e => e.id)")
        seen |= {block_id.replace("\\", "") for block_id in ids}  # ids are CSS-escaped
        if page.page.evaluate(
            "window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2"
        ):
            break
        page.page.mouse.wheel(0, 700)
        page.page.wait_for_timeout(30)
    return seen


def test_api_docs_render_with_only_127_0_0_1_reachable(live_server, browser) -> None:
    page = Page(browser, live_server.url, offline=True)

    page.open("/api/docs/", "08-swagger-ui-offline", full_page=False)
    page.page.wait_for_selector(".swagger-ui .info .title", timeout=90_000)
    assert "Creator Platform API" in page.page.locator(".swagger-ui .info .title").inner_text()
    assert _swagger_operations_rendered(page) == _schema_operation_ids(live_server.url)
    page.shot("08-swagger-ui-offline", full_page=False)

    page.open("/api/redoc/", "09-redoc-offline", full_page=False)
    page.page.wait_for_selector("h1:has-text('Creator Platform API')", timeout=90_000)
    page.shot("09-redoc-offline", full_page=False)

    page.open("/", "10-home")
    assert page.page.locator("a[href='/api/docs/']").is_visible()

    assert set(page.blocked) <= COSMETIC_OUTSIDE  # nothing the docs need left the machine
    assert page.errors == []
