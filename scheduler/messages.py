"""What a delivery says: the versioned JSON payload, and the mail (subject, text, HTML) made from it.

Everything a channel sends is built from the stored events, so a retry sends the same content under
the same key. Scraped text reaches HTML only through Jinja2 autoescaping, and links only when they
are http(s) — a notice URL such as ``javascript:…`` is shown as text, never as a link.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from storage.models_alerts import Event

PAYLOAD_VERSION = 1
CHINA = ZoneInfo("Asia/Shanghai")
TEMPLATES = Path(__file__).with_name("templates")
LABELS = {
    "notice_new": "新文件", "notice_revised": "文件修订", "pilot_places": "新增试点地区",
    "figure_changed": "规则数值变化", "source_broken": "来源失效", "source_recovered": "来源恢复",
}
# Most telling first: the subject names the weightiest event of a message.
WEIGHT = ["pilot_places", "figure_changed", "notice_new", "notice_revised", "source_broken", "source_recovered"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Message:
    key: str
    subject: str
    text: str
    html: str
    payload: dict[str, Any]


def safe_link(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def one_line(text: str | None, limit: int = 120) -> str:
    """A header-safe line: no CR/LF or other controls (no header injection), bounded length."""
    clean = _CONTROL.sub(" ", text or "").strip()
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


_ENVELOPE = frozenset({"id", "kind", "admin", "created_at", "source", "title", "url", "doc_number", "provinces",
                       "cities"})


def event_payload(event: Event) -> dict[str, Any]:
    return {
        "id": event.id, "kind": event.kind, "admin": event.admin,
        "created_at": event.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "source": event.source, "title": event.title, "url": event.url, "doc_number": event.doc_number,
        "provinces": list(event.provinces or []), "cities": list(event.cities or []),
        # the event's own data never overrides the envelope (a notice's kind is ``notice_kind``)
        **{k: v for k, v in (event.data or {}).items() if k not in _ENVELOPE},
    }


def build_payload(key: str, kind: str, subscriber: str, events: list[Event],
                  created_at: dt.datetime | None = None) -> dict[str, Any]:
    """The webhook body (schema ``cbecwatch.alert`` version 1, documented in the README)."""
    stamp = (created_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return {
        "type": f"cbecwatch.{kind}", "version": PAYLOAD_VERSION, "id": key,
        "created_at": stamp.isoformat().replace("+00:00", "Z"), "subscriber": subscriber,
        "events": [event_payload(e) for e in events],
    }


def subject_for(kind: str, events: list[Event], created_at: dt.datetime) -> str:
    if kind == "digest":
        day = created_at.astimezone(CHINA).date().isoformat()
        return f"[cbecwatch] 每日汇总 {day}：{len(events)} 条动态"
    if kind == "test":
        return "[cbecwatch] 测试消息 (test message)"
    main = min(events, key=lambda e: WEIGHT.index(e.kind) if e.kind in WEIGHT else len(WEIGHT))
    title = one_line(main.title, 80)
    number = f"（{one_line(main.doc_number, 40)}）" if main.doc_number else ""
    extra = f" 等{len(events)}项" if len(events) > 1 else ""
    return f"[cbecwatch] {LABELS.get(main.kind, main.kind)}{extra}：{title}{number}"


@cache
def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["safe_link"] = safe_link
    env.globals["labels"] = LABELS
    return env


def build_message(key: str, kind: str, subscriber: str, events: list[Event],
                  created_at: dt.datetime | None = None) -> Message:
    created_at = created_at or dt.datetime.now(dt.UTC)
    payload = build_payload(key, kind, subscriber, events, created_at)
    context = {"payload": payload, "events": payload["events"], "kind": kind, "key": key,
               "local_time": created_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")}
    env = _templates()
    return Message(key=key, subject=subject_for(kind, events, created_at),
                   text=env.get_template("alert.txt").render(context),
                   html=env.get_template("alert.html").render(context), payload=payload)
