"""robots.txt kept between crawl runs, so a daemon crawling every few minutes asks for it once a day.

Scrapy's :class:`RobotsTxtMiddleware` fetches robots.txt once per host *per crawl*. The daemon runs
a crawl per source in a fresh child process, so every cycle would cost one extra request per host —
more than the list request itself when nothing changed. RFC 9309 §2.4 lets a crawler cache robots.txt
for up to 24 hours; this middleware does exactly that, in files under ``$CBECWATCH_HOME/cache/robots``.

What is cached follows RFC 9309 §2.3: a 2xx answer (its rules) and a 4xx answer ("unavailable":
everything allowed) are kept for ``CBECWATCH_ROBOTS_CACHE_HOURS`` (default 24, 0 turns the cache
off); a 5xx answer or a network error is never kept, so the next run asks again. The cache is keyed
by scheme and host, and by the mirror URL when crawling the local mirror, so a mirror's robots.txt
never stands in for the real site's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)
MAX_AGE_HOURS = 24.0  # RFC 9309 §2.4: "SHOULD NOT use the cached version for more than 24 hours"


class RobotsCache:
    """robots.txt bodies on disk, one JSON file per (mirror, scheme, host)."""

    def __init__(self, directory: Path, max_age_s: float, mirror_url: str = "") -> None:
        self.directory = directory
        self.max_age_s = max_age_s
        self.mirror_url = mirror_url

    def _path(self, scheme: str, netloc: str) -> Path:
        key = f"{self.mirror_url}|{scheme}://{netloc}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        safe = "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in netloc)
        return self.directory / f"{safe}-{digest}.json"

    def get(self, scheme: str, netloc: str, now: float | None = None) -> bytes | None:
        """The cached body when it is younger than the limit, else ``None``."""
        if self.max_age_s <= 0:
            return None
        path = self._path(scheme, netloc)
        try:
            entry = json.loads(path.read_text("utf-8"))
            age = (time.time() if now is None else now) - float(entry["fetched_at"])
            body = str(entry["body"]).encode("utf-8")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("robots.txt cache entry %s unreadable (%s); fetching again", path, exc)
            return None
        return body if 0 <= age <= self.max_age_s else None

    def put(self, scheme: str, netloc: str, status: int, body: bytes, now: float | None = None) -> None:
        if self.max_age_s <= 0 or status >= 500:
            return
        entry = {"url": f"{scheme}://{netloc}/robots.txt", "status": status,
                 "fetched_at": time.time() if now is None else now,
                 # A 4xx answer means "no rules" (RFC 9309 §2.3.1.3): cache it as an empty file.
                 "body": body.decode("utf-8", errors="replace") if status < 400 else ""}
        path = self._path(scheme, netloc)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(entry, ensure_ascii=False), "utf-8")
            tmp.replace(path)  # atomic: a concurrent crawl never reads half a file
        except OSError as exc:
            logger.warning("cannot cache %s in %s: %s", entry["url"], path, exc)


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, with answers reused across runs for up to 24 hours."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        hours = min(settings.getfloat("CBECWATCH_ROBOTS_CACHE_HOURS", MAX_AGE_HOURS), MAX_AGE_HOURS)
        directory = settings.get("CBECWATCH_ROBOTS_CACHE_DIR")
        # Without a directory (a bare ``scrapy crawl`` with custom settings) it behaves like Scrapy's own.
        self.cache = RobotsCache(Path(directory or "."), hours * 3600 if directory else 0,
                                 settings.get("CBECWATCH_MIRROR_URL") or "")

    async def robot_parser(self, request: Request) -> RobotParser | None:
        url = urlparse_cached(request)
        if url.netloc not in self._parsers:
            body = self.cache.get(url.scheme, url.netloc)
            if body is not None:
                self._stats.inc_value("robotstxt/cache_hit")
                self._parsers[url.netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        # The robots.txt URL was built from *request*'s scheme and host (mirror handler or not).
        self.cache.put(urlparse_cached(request).scheme, netloc, response.status, response.body)
        await super()._parse_robots(response, netloc, request)

