"""What the site emulators share: reading a site's ``notices.json`` and its body texts, templates."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent.parent / "templates"


@cache
def templates() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _read_cached(path: Path, parse: Callable[[str], Any]) -> Any:
    """Parse a data file once per modification: tests edit the files while the server runs, and
    re-reading them on every request made the mirror, not the crawler, the bottleneck of benchmarks."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = parse(path.read_text("utf-8"))
        return _cache[key]


_cache: dict[tuple[str, int, int], Any] = {}
_cache_lock = threading.Lock()


def _sorted_notices(raw: str) -> list[dict[str, Any]]:
    notices = json.loads(raw)
    return sorted(notices, key=lambda n: (n.get("publish_date", ""), n.get("id", "")), reverse=True)


def load_notices(root: Path, site: str) -> list[dict[str, Any]]:
    """The site's notices, newest first by ``publish_date``."""
    path = root / site / "notices.json"
    if not path.exists():
        return []
    return _read_cached(path, _sorted_notices)


def _paragraphs(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("# ")]


def body_paragraphs(root: Path, site: str, notice: dict[str, Any]) -> list[str]:
    """Body text of a notice: ``body`` (a file under the site directory) split into paragraphs."""
    return list(_read_cached(root / site / notice["body"], _paragraphs))


def body_text(root: Path, site: str, notice: dict[str, Any]) -> str:
    return "\n".join(body_paragraphs(root, site, notice))


def epoch_ms(day: str, hour: int = 9) -> int:
    stamp = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return int(stamp.timestamp() * 1000)


def modified_epoch(notice: dict[str, Any]) -> float | None:
    """Last-Modified of a detail page, from gov.cn-style ``YYYY-MM-DD-HH:mm:ss`` stamps."""
    stamp = notice.get("lastmodified") or notice.get("firstpublished")
    if not stamp:
        return None
    parsed = dt.datetime.strptime(stamp[:19], "%Y-%m-%d-%H:%M:%S")
    return parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()


def paginate(rows: list[dict[str, Any]], page: int, size: int) -> tuple[list[dict[str, Any]], int]:
    """The rows of 1-based *page* and the page count (at least 1: an empty list is one empty page)."""
    pages = max((len(rows) + size - 1) // size, 1)
    return rows[(page - 1) * size: page * size], pages


def page_epoch(notice: dict[str, Any]) -> float | None:
    """Last-Modified of a page from its ``pubtime`` (``YYYY-MM-DD HH:mm``, China time)."""
    stamp = notice.get("modified") or notice.get("pubtime") or notice.get("publish_date")
    if not stamp:
        return None
    parsed = dt.datetime.fromisoformat(stamp if len(stamp) > 10 else f"{stamp} 09:00")
    return parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()


def date_cn(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{year}年{int(month)}月{int(day)}日"


def render(template: str, **context: Any) -> str:
    return templates().get_template(template).render(**context)
