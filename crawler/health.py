"""Source health: what each source fetched, found and failed at in one run, and its verdict.

Spiders report failures through :class:`SourceHealth` (the base spider's errback does it for every
request); :class:`SourceHealthExtension` listens to Scrapy signals for counts and writes one
``SourceRun`` row per source when the spider closes, then updates the source's status. A run that
"succeeds" with nothing parsed is never reported as fine: that is how redesigns break monitors.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy import exceptions as scrapy_errors
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.offsite import OffsiteAnswer
from crawler.outcomes import FAILED_STATUSES  # noqa: F401  (the name older code imports from here)
from crawler.runstore import finish_source_run, start_source_run, writes_off_reactor

log = logging.getLogger(__name__)

# Error classes, in the order a reader cares about them.
NETWORK, HTTP_STATUS, BLOCKED, EMPTY_ANSWER, LAYOUT_DRIFT, PARSE, ROBOTS, OFFSITE, TOO_LARGE = (
    "network", "http_status", "blocked", "empty_answer", "layout_drift", "parse", "robots", "offsite",
    "too_large")
BLOCKING_STATUSES = {403, 405, 412}
MAX_SAMPLES = 20


@dataclass
class SourceHealth:
    source: str
    list_pages_ok: int = 0
    list_items: int = 0
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    items: int = 0
    known: int = 0  # list rows already stored, not fetched again
    not_modified: int = 0  # conditional detail requests answered 304
    list_pages_unchanged: int = 0  # conditional list requests answered 304
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[dict[str, Any]] = field(default_factory=list)
    list_failures: list[tuple[str, str]] = field(default_factory=list)
    #: list rows pointing at, and redirects to, hosts the source does not own: never stored
    offsite: int = 0
    #: pages whose text was longer than CBECWATCH_MAX_TEXT_CHARS and was stored cut
    truncated: int = 0
    #: list pages answered (parsed or 304) per list strategy, the strategies that failed with their
    #: first failure, and the strategy that answered after an earlier one failed
    strategy_answered: Counter[str] = field(default_factory=Counter)
    failed_strategies: list[tuple[str, str, str]] = field(default_factory=list)
    covered_by: str | None = None
    failures_before_strategy: int = 0

    def record(self, error_class: str, url: str, message: str, *, on_list: bool = False) -> None:
        self.errors[error_class] += 1
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append({"class": error_class, "url": url, "message": message})
        if on_list:
            self.list_failures.append((error_class, message))
        log.warning("%s: %s (%s)", self.source, message, url)

    def note_offsite(self, url: str, message: str) -> None:
        """A list row that points elsewhere (a reprint's original, a portal's news): skipped and
        counted, not an error of the source."""
        self.offsite += 1
        log.info("%s: %s", self.source, message)

    def note_truncated(self, url: str, length: int, cap: int) -> None:
        self.truncated += 1
        log.warning("%s: text of %s has %d characters; stored the first %d (CBECWATCH_MAX_TEXT_CHARS)",
                    self.source, url, length, cap)

    def note_empty(self, url: str, message: str) -> None:
        """An empty API answer: normal for one query, a throttle or breakage when nothing else answers.
        It only decides the verdict if no list page of the run held anything."""
        self.list_failures.append((EMPTY_ANSWER, message))
        log.info("%s: %s (%s)", self.source, message, url)

    def list_page_parsed(self, items: int, strategy: str = "site") -> None:
        self.list_pages_ok += 1
        self.list_items += items
        self.strategy_answered_by(strategy)

    def list_page_unchanged(self, strategy: str = "site") -> None:
        """A list page answered 304: it still holds what parsed fine last time."""
        self.list_pages_unchanged += 1
        self.strategy_answered_by(strategy)

    def strategy_answered_by(self, strategy: str) -> None:
        self.strategy_answered[strategy] += 1
        if self.failed_strategies and self.covered_by is None:
            self.covered_by = strategy

    def strategy_failed(self, strategy: str) -> None:
        """No list page of ``strategy`` answered; keep its first failure for the verdict."""
        mine = self.list_failures[self.failures_before_strategy:]
        error_class, message = mine[0] if mine else (NETWORK, f"no list page answered by way of {strategy}")
        self.failed_strategies.append((strategy, error_class, message))
        self.failures_before_strategy = len(self.list_failures)

    def verdict(self) -> tuple[str, str | None]:
        """``(status, reason)``: ok, partial, failed, blocked, drift or empty.

        A list page answered 304 counts as a good list page: it is unchanged since it last parsed.
        """
        answered = self.list_pages_ok + self.list_pages_unchanged
        if self.covered_by and (self.list_items or self.list_pages_unchanged):
            _, error_class, message = self.failed_strategies[0]
            label = {BLOCKED: "blocked", LAYOUT_DRIFT: "drift", EMPTY_ANSWER: "empty"}.get(error_class, "failed")
            return "covered", f"{label} (covered via {self.covered_by}): {message}"
        if answered == 0 and self.list_failures:
            error_class, message = self.list_failures[0]
            status = {BLOCKED: "blocked", LAYOUT_DRIFT: "drift", EMPTY_ANSWER: "empty"}.get(error_class, "failed")
            return status, message
        if answered == 0:
            return "failed", "no list page was fetched"
        if self.list_items == 0 and self.list_pages_unchanged == 0:
            drift = [s["message"] for s in self.samples if s["class"] in (LAYOUT_DRIFT, EMPTY_ANSWER)]
            return ("drift" if self.errors[LAYOUT_DRIFT] else "empty"), (
                drift[0] if drift else "list pages parsed, but they held no items")
        if self.errors:
            summary = ", ".join(f"{count} {name}" for name, count in sorted(self.errors.items()))
            return "partial", f"{summary}; first: {self.samples[0]['message']}" if self.samples else summary
        return "ok", None


# Scrapy >= 2.19 wraps Twisted's errors in its own download exceptions; accept both families.
_NETWORK_FAILURES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((scrapy_errors.CannotResolveHostError, net_error.DNSLookupError), "DNS lookup failed"),
    ((scrapy_errors.DownloadConnectionRefusedError, net_error.ConnectionRefusedError), "connection refused"),
    ((scrapy_errors.DownloadTimeoutError, net_error.TimeoutError, net_error.TCPTimedOutError), "timed out"),
    ((scrapy_errors.ResponseDataLossError,), "the connection dropped mid-response"),
    ((scrapy_errors.DownloadFailedError,), "download failed"),
)


def describe_failure(failure: Failure, request: Request) -> tuple[str, str]:
    """Map a request failure to ``(error class, clear message naming the host)``."""
    host = urlsplit(request.url).hostname or request.url
    exc = failure.value
    if isinstance(exc, HttpError):
        response: Response = exc.response
        status = response.status
        if status in BLOCKING_STATUSES or is_ruishu(response.body):
            return BLOCKED, f"blocked by {host}: HTTP {status}{challenge_hint(response)}"
        if status == 400 and not response.body.strip():
            # What 瑞数 answers a headless browser: no page at all (#58115790249).
            return BLOCKED, f"blocked by {host}: HTTP 400 with an empty body (a challenge refusing a headless client)"
        return HTTP_STATUS, f"HTTP {status} from {host} for {urlsplit(request.url).path or '/'}"
    if isinstance(exc, OffsiteAnswer):
        return OFFSITE, str(exc)
    if isinstance(exc, scrapy_errors.DownloadCancelledError) and "max size" in str(exc):
        sizes = re.search(r"(\d+) bytes which is larger than download max size \((\d+)\)", str(exc))
        detail = f" ({sizes[1]} > {sizes[2]} bytes)" if sizes else ""
        return TOO_LARGE, f"page larger than the size cap CBECWATCH_MAX_PAGE_BYTES{detail}: {request.url}"
    if isinstance(exc, IgnoreRequest):
        if "robots" in str(exc).lower() or request.meta.get("_robots_forbidden"):
            return ROBOTS, f"robots.txt of {host} forbids {urlsplit(request.url).path}"
        return NETWORK, f"{host}: request ignored ({exc})"
    for kinds, what in _NETWORK_FAILURES:
        if isinstance(exc, kinds):
            return NETWORK, f"cannot reach {host}: {what}"
    if isinstance(exc, net_error.ConnectError):
        return NETWORK, f"cannot reach {host}: {exc.__class__.__name__}"
    return NETWORK, f"cannot fetch from {host}: {type(exc).__name__}: {exc}".strip(": ")


def challenge_hint(response: Response) -> str:
    """Name the challenge product when its marks are there: the fix differs (a cookie challenge yields to
    a browser, 瑞数 does not)."""
    if is_ruishu(response.body):
        return " (瑞数 Ruishu JavaScript challenge: $_ts)"
    cookies = b" ".join(response.headers.getlist(b"Set-Cookie"))
    if b"__jsl" in cookies or response.headers.get(b"X-Via-JSL"):
        return " (JavaScript cookie challenge)"
    return ""


def is_ruishu(body: bytes) -> bool:
    """瑞数 pages carry a ``$_ts`` bootstrap script (live-evidence.md, #58115790249)."""
    head = body[:20_000]
    return b"$_ts" in head and b"<script" in head.lower()


class SourceHealthExtension:
    """Counts requests and bytes per source and persists the run's verdict when the spider closes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.counts: Counter[str] = Counter()
        crawler.signals.connect(self.request_sent, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceHealthExtension:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        if getattr(spider, "health", None) is None:
            return
        spider.source_run_id = start_source_run(self.crawler.settings, spider)

    def request_sent(self, request: Request, spider: Spider) -> None:
        """Every request that reached the downloader counts, answered or not (time-outs, retries)."""
        self.counts["requests"] += 1
        self.counts[f"{request.meta.get('cbec_kind', 'other')}_requests"] += 1

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        self.counts["responses"] += 1
        self.counts["bytes"] += len(response.body)

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        health: SourceHealth | None = getattr(spider, "health", None)
        if health is not None:
            on_list = response.meta.get("cbec_kind") == "list"
            health.record(PARSE, response.url, f"parse error in {spider.name}: {failure.value!r}", on_list=on_list)

    def spider_closed(self, spider: Spider, reason: str) -> Deferred[None] | None:
        health: SourceHealth | None = getattr(spider, "health", None)
        if health is None:
            return None
        # Scrapy drops a request to a host outside allowed_domains without calling its errback: rows
        # are checked before that (counted as offsite), so a drop here is a list request the source
        # sends to a host it does not declare — a definition error that must not pass as "nothing new".
        dropped = int(self.crawler.stats.get_value("offsite/filtered", 0) or 0) if self.crawler.stats else 0
        if dropped:
            hosts = ", ".join(getattr(spider, "allowed_domains", None) or [])
            health.record(OFFSITE, getattr(spider, "home", ""), f"{dropped} requests to hosts outside the "
                          f"source's own ({hosts}) were dropped: declare them in allowed_hosts", on_list=True)
        status, why = health.verdict()
        if reason not in ("finished",) and status == "ok":
            status, why = "failed", f"crawl stopped early: {reason}"
        settings, counts = self.crawler.settings, dict(self.counts)
        line = progress_line(spider.name, status, why, health, self.counts)

        def finish() -> None:
            finish_source_run(settings, spider, health, counts, status, why)

        def report(_: object) -> None:
            print(line, file=sys.stdout, flush=True)

        if not writes_off_reactor(settings):
            finish()
            report(None)
            return None
        # Off the reactor thread every source shares: a source that closes while the storage worker holds
        # SQLite's write lock waits for it (busy_timeout); measured on the bench mirror, seven small sources
        # closing mid-crawl held the reactor, and so every other source's downloads, ~0.9 s in all. Scrapy
        # waits for this Deferred before it calls the spider closed, so the row is written before the
        # crawl ends, as before.
        from twisted.internet.threads import deferToThread

        return deferToThread(finish).addCallback(report)


def progress_line(name: str, status: str, why: str | None, health: SourceHealth, counts: Counter[str]) -> str:
    kib = counts.get("bytes", 0) / 1024
    text = (f"{name}: {status} — {health.items} notices ({health.new} new, {health.revised} revised, "
            f"{health.unchanged} unchanged), {health.known} known list rows skipped, "
            f"{health.not_modified + health.list_pages_unchanged} not modified (304), "
            f"{counts.get('requests', 0)} requests ({counts.get('list_requests', 0)} list, "
            f"{counts.get('detail_requests', 0)} detail"
            + (f", {counts['attachment_requests']} attachment" if counts.get("attachment_requests") else "")
            + f"), {kib:.0f} KiB")
    if health.offsite:
        text += f", {health.offsite} off-site answers not stored"
    if health.truncated:
        text += f", {health.truncated} page texts cut at the size cap"
    return f"{text}; {why}" if why else text
