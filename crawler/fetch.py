"""One page over plain HTTP for the maintainer tools (``cbecwatch sources probe``), with the crawl's manners.

The crawl itself goes through Scrapy; a single look at a page does not need a reactor. What it must
share with the crawl is how it behaves towards the site: our User-Agent, the download time-out,
robots.txt obeyed (``CBECWATCH_OBEY_ROBOTS``) with the same 24-hour cache as the crawl
(:class:`crawler.robots.RobotsCache`), and ``--mirror`` rewriting the way the mirror download handler
does, so the real URL is what is reported. Redirects are followed by hand, at most
:data:`MAX_REDIRECTS`, so that each hop is reported and each new host's robots.txt is asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx
from w3lib.encoding import html_to_unicode

from appconfig.settings import Settings, get_settings
from crawler.encoding import sniff_encoding
from crawler.robots import RobotsCache

if TYPE_CHECKING:
    from scrapy.robotstxt import ProtegoRobotParser

MAX_REDIRECTS = 5


class FetchError(Exception):
    """A page that cannot be had: one line naming the URL or file."""


@dataclass
class Fetched:
    url: str  # the address asked for (the real one, also with --mirror)
    final_url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, where to)
    notes: list[str] = field(default_factory=list)  # robots.txt unavailable, …

    @property
    def text(self) -> str:
        return decode(self.body, self.content_type)


def decode(body: bytes, content_type: str = "") -> str:
    """Header charset, BOM or meta first (as Scrapy reads them), else sniffed like the crawl does."""
    return html_to_unicode(content_type or None, body, auto_detect_fun=lambda raw: sniff_encoding(raw))[1]


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url!r}")
    return url


class Fetcher:
    """GETs with the project's User-Agent, time-out and robots.txt rules; ``mirror`` sends them to a
    local mirror (``http://127.0.0.1:N``) while every URL shown stays the real one."""

    def __init__(self, settings: Settings | None = None, mirror: str | None = None) -> None:
        self.settings = settings or get_settings()
        self.mirror = mirror or self.settings.mirror_url or None
        hours = min(self.settings.robots_cache_hours, 24.0)
        self.robots_cache = RobotsCache(self.settings.cache_dir / "robots", hours * 3600, self.mirror or "")
        self.client = httpx.Client(timeout=self.settings.download_timeout, follow_redirects=False,
                                   headers={"User-Agent": self.settings.user_agent})
        self._robots: dict[tuple[str, str], ProtegoRobotParser] = {}

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wire(self, url: str) -> str:
        if not self.mirror:
            return url
        from crawler.mirror.handler import mirror_url

        return mirror_url(url, self.mirror)

    def _send(self, url: str, params: dict[str, str] | None = None) -> httpx.Response:
        try:
            return self.client.get(self._wire(url), params=params)
        except httpx.TimeoutException as exc:
            raise FetchError(f"cannot fetch {url}: timed out after {self.settings.download_timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {type(exc).__name__}: {exc}".rstrip(": ")) from exc

    def allowed(self, url: str, notes: list[str]) -> bool:
        """robots.txt of the URL's host, like the crawl: a 4xx answer allows all, a 5xx or an
        unreachable robots.txt is not held against the page (and not cached)."""
        if not self.settings.obey_robots:
            return True
        from scrapy.robotstxt import ProtegoRobotParser  # the crawl's parser (Scrapy's default)

        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._robots:
            body = self.robots_cache.get(*key)
            if body is None:
                robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
                try:
                    answer = self._send(robots_url)
                except FetchError as exc:
                    notes.append(f"robots.txt unavailable ({exc}); fetched anyway, as the crawl would")
                    body = b""
                else:
                    self.robots_cache.put(*key, answer.status_code, answer.content)
                    body = answer.content if answer.status_code < 400 else b""
            self._robots[key] = ProtegoRobotParser(body, None)
        return self._robots[key].allowed(url, self.settings.user_agent)

    def get(self, url: str, params: dict[str, str] | None = None) -> Fetched:
        """The page at *url* after redirects; any status is returned (MOF answers 502 with a real page)."""
        check_url(url)
        asked, hops, notes = url, [], []
        for _ in range(MAX_REDIRECTS + 1):
            if not self.allowed(url, notes):
                raise FetchError(f"robots.txt of {urlsplit(url).hostname} forbids {url} "
                                 "(CBECWATCH_OBEY_ROBOTS=0 to ignore it)")
            response = self._send(url, params)
            location = response.headers.get("location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                hops.append((response.status_code, url))
                check_url(url)
                params = None  # the Location carries its own query
                continue
            final = str(httpx.URL(url).copy_merge_params(params)) if params else url
            return Fetched(asked, final, response.status_code, response.headers.get("content-type", ""),
                           response.content, hops, notes)
        raise FetchError(f"cannot fetch {asked}: more than {MAX_REDIRECTS} redirects (last to {url})")


def read_saved(path: Path, url: str | None = None) -> Fetched:
    """A saved page, as if fetched from *url* (its real address, for links and the entry)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if url:
        check_url(url)
    address = url or path.resolve().as_uri()
    return Fetched(address, address, 200, "", body, notes=[f"read from the saved file {path}"])
