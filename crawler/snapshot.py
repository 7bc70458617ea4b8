"""``cbecwatch snapshot``: one real crawl whose every response is saved as mirror fixtures.

The crawl is the ordinary one (:func:`crawler.runner.run_crawl`, the spiders, robots.txt, retries,
the pipelines), with two middlewares switched on by ``CBECWATCH_SNAPSHOT_DIR``:
:class:`SnapshotRecorder` saves each response as it leaves the downloader — before redirects are
followed, so a 301 is recorded as a 301 — in the layout of :mod:`crawler.mirror.recorded`, and
:class:`SnapshotLimit` keeps at most ``CBECWATCH_SNAPSHOT_LIMIT`` detail requests per source.

The crawl runs in a scratch home (its own database, robots.txt cache and log) so that it is a full
first crawl — no known notices, no conditional requests answered 304 — and leaves the maintainer's
database alone. What it stored is written next to the responses (``_snapshots/<source>.json``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from appconfig.settings import get_settings
from crawler.mirror import recorded

SNAPSHOTS = "_snapshots"


def _decoded(body: bytes, encoding: str) -> bytes | None:
    """The body without its content encoding, or ``None`` when it cannot be undone here."""
    try:
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    except (OSError, zlib.error, EOFError):
        return None
    return None


class SnapshotRecorder:
    """Downloader middleware (nearest the downloader): every response of the crawl, to disk."""

    def __init__(self, crawler: Crawler) -> None:
        directory = crawler.settings.get("CBECWATCH_SNAPSHOT_DIR")
        if not directory:
            raise NotConfigured("CBECWATCH_SNAPSHOT_DIR is not set")
        self.root = Path(directory)
        self.entries: dict[str, dict[str, dict[str, Any]]] = {}
        self.count = 0
        crawler.signals.connect(self.flush, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SnapshotRecorder:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        host, key = recorded.key_of_url(request.method, request.url, request.body)
        headers = [[name.decode("latin-1"), value.decode("latin-1")]
                   for name, values in response.headers.items() for value in values]
        body = response.body
        encoding = (response.headers.get(b"Content-Encoding") or b"").decode("latin-1").strip().lower()
        if encoding and encoding != "identity":
            plain = _decoded(body, encoding)
            if plain is not None:  # saved readable; the replay sends it without a content encoding
                body = plain
                headers = [h for h in headers if h[0].lower() != "content-encoding"]
        name = recorded.body_file(key, request.url.split("?", 1)[0].split("://", 1)[-1])
        directory = self.root / recorded.DIRECTORY / host
        directory.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(body)
        self.entries.setdefault(host, {})[key] = {
            "url": request.url, "status": response.status, "headers": headers, "body": name,
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        self.count += 1
        self.flush()  # a crawl killed half-way still leaves what it recorded
        return response

    def flush(self, *args: Any, **kwargs: Any) -> None:
        for host, entries in self.entries.items():
            recorded.save(self.root, host, entries)
        self.entries = {}


class SnapshotLimit(BaseSpiderMiddleware):
    """Spider middleware: detail requests past ``CBECWATCH_SNAPSHOT_LIMIT`` are dropped unseen, so a
    snapshot of a long list stays small and the source still ends ``ok``."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.limit = crawler.settings.getint("CBECWATCH_SNAPSHOT_LIMIT", 0)
        if not crawler.settings.get("CBECWATCH_SNAPSHOT_DIR") or self.limit <= 0:
            raise NotConfigured("no snapshot limit")
        self.details = 0

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request.meta.get("cbec_kind") != "detail":
            return request
        self.details += 1
        return request if self.details <= self.limit else None


@dataclass
class SnapshotResult:
    out: Path
    outcomes: list[Any] = field(default_factory=list)
    responses: int = 0


@contextmanager
def _scratch_home(values: dict[str, str]) -> Iterator[None]:
    """run_crawl and crawler/settings.py resolve everything through cbecwatch.config: the snapshot sets
    that configuration's own variables for the length of the crawl, then puts them back."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    get_settings.cache_clear()
    sys.modules.pop("crawler.settings", None)  # read again with these values if already imported
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        sys.modules.pop("crawler.settings", None)


def take_snapshot(sources: list[str] | None, *, out: Path | None = None, limit: int | None = None,
                  mirror: str | None = None) -> SnapshotResult:
    from crawler.runner import run_crawl
    from storage.db import open_database
    from storage.models import Notice

    out = (out or get_settings().home / "snapshots" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")).resolve()
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="cbecwatch-snapshot-"))
    database_url = f"sqlite:///{scratch / 'snapshot.sqlite3'}"
    try:
        with _scratch_home({"CBECWATCH_HOME": str(scratch), "CBECWATCH_DATABASE_URL": database_url,
                            "CBECWATCH_SNAPSHOT_DIR": str(out), "CBECWATCH_SNAPSHOT_LIMIT": str(limit or 0)}):
            report = run_crawl(sources, mirror=mirror, trigger="snapshot")
        db = open_database(database_url)
        with db.session() as session:
            stored = [{"source": n.source, "url": n.url, "title": n.title,
                       "publish_date": n.publish_date.isoformat() if n.publish_date else None}
                      for n in session.query(Notice).order_by(Notice.source, Notice.url)]
        db.dispose()
        taken = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        (out / recorded.DIRECTORY / SNAPSHOTS).mkdir(parents=True, exist_ok=True)
        for outcome in report.outcomes:
            manifest = {"source": outcome.source, "taken_at": taken, "mirror": mirror, "status": outcome.status,
                        "reason": outcome.reason, "limit": limit,
                        "notices": [n for n in stored if n["source"] == outcome.source]}
            (out / recorded.DIRECTORY / SNAPSHOTS / f"{outcome.source}.json").write_text(
                json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        if report.log_file and Path(report.log_file).exists():
            shutil.copy(report.log_file, out / recorded.DIRECTORY / SNAPSHOTS / "crawl.log")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    responses = sum(len(json.loads(path.read_text("utf-8")))
                    for path in (out / recorded.DIRECTORY).glob(f"*/{recorded.MANIFEST}"))
    return SnapshotResult(out, report.outcomes, responses)
