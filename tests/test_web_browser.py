"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright (no browser download:
``executable_path`` names the system's chromium). The app runs under uvicorn on 127.0.0.1 over a database
filled by real crawls of the mirror. Screenshots are saved under ``.artifacts/screenshots/`` (gitignored).

Without chromium or Playwright the tests skip, but fail under CI=true, where ``scripts/ensure-services.sh``
installs chromium.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import REPO, REVISED_NUMBER, crawl_mirror_into, web_settings

from tests.conftest import require

SCREENSHOTS = REPO / ".artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from cbecwatch.web import create_app
    from storage.db import open_database

    workdir = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{workdir / 'crawled.sqlite3'}"
    crawl_mirror_into(url, workdir)
    port = free_port()
    app = create_app(web_settings(url, workdir), database=open_database(url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        require("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("the playwright package is not installed (pip install 'cbecwatch[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                  else route.abort())  # the dashboard must work offline: anything else is refused
    opened = context.new_page()
    yield opened
    context.close()


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_facets_filter_the_listing(page: Any, site: str) -> None:
    page.goto(site + "/")
    everything = page.locator("tr.notice").count()
    page.select_option("select[name=kind]", "pilot_zone_batch")
    page.check("input[name=relevant]")
    page.click("form#facets button[type=submit]")
    page.wait_for_url("**/?*kind=pilot_zone_batch*")
    rows = page.locator("tr.notice")
    assert 0 < rows.count() < everything
    assert all(text.startswith("综合试验区批复") and "pilot-zone approval" in text
               for text in rows.locator("td.kind").all_inner_texts())
    assert any("天津市" in text for text in rows.locator("td.places").all_inner_texts())  # batch 2's places
    assert page.locator("select[name=kind]").input_value() == "pilot_zone_batch"  # the form keeps the choice
    shot(page, "listing-filtered")
    page.fill("input[name=city]", "天津")
    page.click("form#facets button[type=submit]")
    page.wait_for_url("**city=*")
    assert 1 <= page.locator("tr.notice").count() < rows.count() + 1
    assert all("天津市" in row for row in page.locator("tr.notice td.places").all_inner_texts())


def test_diff_view_marks_the_changed_amount(page: Any, site: str) -> None:
    page.goto(site + "/?source=govcn&kind=tax_policy")
    page.get_by_role("link", name="财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知").first.click()
    page.wait_for_url("**/notices/*")
    assert REVISED_NUMBER in page.inner_text("dl.facts")
    diff = page.locator("section.diff").first
    assert "26000" in diff.locator("del").all_inner_texts()
    assert "30000" in diff.locator("ins").all_inner_texts()
    assert "26000 → 30000" in page.inner_text("table.figures")
    shot(page, "notice-diff")


def test_zone_map_draws_the_cities_of_each_batch(page: Any, site: str) -> None:
    page.goto(site + "/zones?as_of=2016-06-30")
    cities = page.locator("svg#zone-map circle.city")
    assert cities.count() == 13  # 杭州 (batch 1) and the twelve of batch 2
    assert page.locator("svg#zone-map circle.batch-2").count() == 12
    box = page.locator("svg#zone-map").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    shot(page, "zones-map-2016")
    page.fill("input[name=as_of]", "2022-12-31")
    page.click("form.facets button[type=submit]")
    page.wait_for_url("**as_of=2022-12-31*")
    assert page.locator("svg#zone-map circle.city").count() > 100
    assert page.inner_text("#zone-count") == "165"
    shot(page, "zones-map-2022")


def test_listing_is_readable_on_a_phone(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    phone = context.new_page()
    phone.goto(site + "/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392  # no sideways scrolling
    assert phone.locator("tr.notice").first.is_visible()
    shot(phone, "listing-phone")
    phone.goto(site + "/sources")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    shot(phone, "sources-phone")
    context.close()


def test_search_form_finds_notices_and_marks_the_words(page: Any, site: str) -> None:
    page.goto(site + "/")
    page.click("nav a[href$='/search']")
    page.fill("input[name=q]", "零售进口 税收政策")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/search?q=*")
    hits = page.locator("li.hit")
    assert hits.count() >= 1
    assert any("税收政策" in text for text in hits.locator("a").all_inner_texts())
    marked = page.locator("li.hit p.snippet mark").all_inner_texts()
    assert marked and set(marked) <= {"零售", "进口", "零售进口", "税收", "政策", "税收政策"}
    shot(page, "search-hits")
    hits.locator("a").first.click()
    page.wait_for_url("**/notices/*")
    assert page.locator("table.copies tr.copy").count() >= 1  # every source copy of the document
