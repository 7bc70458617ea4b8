"""Optional browser-rendered fetching for the customs site (off by default).

www.customs.gov.cn answers plain HTTP clients with 412 and a JavaScript cookie challenge; every
public crawler that gets through uses a real browser (RSSHub: Playwright, waiting for a selector after
``domcontentloaded``). With ``CBECWATCH_CUSTOMS_BROWSER=1`` the customs source sends its list and
detail requests through scrapy-playwright and Debian's Chromium (``apt-get install chromium``;
``pip install scrapy-playwright``; ``CBECWATCH_CHROMIUM`` names another binary). Playwright's own
browser download is never used: the binary comes from the system package.

The browser loads the page, runs the challenge script, which sets the clearance cookie and reloads,
and we wait until a content selector appears. The status Playwright reports is that of the first
navigation (the 412 challenge); when the content arrived, the handler reports 200 instead. Other
requests (robots.txt) keep the ordinary HTTP path. Against the mirror, the handler rewrites URLs
like :class:`crawler.mirror.handler.MirrorDownloadHandler`, so the test exercises a real challenge.
"""

from __future__ import annotations

import shutil
from typing import Any

from scrapy.settings import BaseSettings

#: What a solved customs page shows (list rows or a notice body); RSSHub waits the same way.
CONTENT_READY = ("ul.conList_ul, [class^='conList_ul'], .easysite-news-text, .easysite-news-content, "
                 ".easysite-news-peruse, div.article-content, #zoom, .TRS_Editor")
HANDLER = "crawler.browser_handler.BrowserDownloadHandler"


def chromium_path(settings: BaseSettings) -> str | None:
    configured = settings.get("CBECWATCH_CHROMIUM")
    return configured or shutil.which("chromium") or shutil.which("chromium-browser")


def enable_browser(settings: BaseSettings) -> None:
    """Switch a crawler's settings to the browser handler when the setting asks for it."""
    if not settings.getbool("CBECWATCH_CUSTOMS_BROWSER"):
        return
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        from appconfig.errors import ConfigError

        raise ConfigError("CBECWATCH_CUSTOMS_BROWSER=1 needs scrapy-playwright: "
                          "pip install 'cbecwatch[browser]'") from exc
    executable = chromium_path(settings)
    launch: dict[str, Any] = {"headless": True, "args": ["--no-sandbox"]}
    if executable:
        launch["executable_path"] = executable
    # "cmdline" priority: the crawl command sets the mirror's handler at that priority, and the
    # browser handler must replace it (it is mirror-aware itself).
    settings.set("DOWNLOAD_HANDLERS", {"http": HANDLER, "https": HANDLER}, priority="cmdline")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="spider")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="spider")
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", settings.getfloat("DOWNLOAD_TIMEOUT", 30) * 1000,
                 priority="spider")


def browser_meta() -> dict[str, Any]:
    from scrapy_playwright.page import PageMethod

    return {"playwright": True, "handle_httpstatus_list": [304, 412],
            "playwright_page_methods": [PageMethod("wait_for_selector", CONTENT_READY)]}
