"""What a delivery says: the versioned JSON payload, and the mail (subject, text, HTML) made from it.

Everything a channel sends is built from the stored events, so a retry sends the same content under
the same key. A message is in its subscriber's language — ``zh`` (the default), ``en`` or ``both`` —
and worded by :mod:`scheduler.summaries`; the webhook payload carries both languages whatever the
subscriber reads (``summary`` per event, ``name_en`` beside every place), because a machine receiver
picks its own. Scraped text reaches HTML only through Jinja2 autoescaping, and links only when they
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

from scheduler.summaries import facts_line, summaries, summary, title_en
from storage.glossary import agency_name, event_label
from storage.models_alerts import Event
from storage.names_en import with_english

PAYLOAD_VERSION = 1
CHINA = ZoneInfo("Asia/Shanghai")
TEMPLATES = Path(__file__).with_name("templates")
LANGS = ("zh", "en", "both")
# Most telling first: the subject names the weightiest event of a message.
WEIGHT = ["pilot_places", "positive_list_changed", "figure_changed", "notice_new", "notice_revised", "source_broken",
          "source_recovered", "source_quiet", "delivery_dead"]
#: the words of the mail around the sentences, per language
WORDS = {
    "zh": {"alert": "cbecwatch 提醒", "digest": "cbecwatch 每日汇总", "beijing": "北京时间", "items": "条动态",
           "doc_number": "发文字号", "agencies": "发文机关", "published": "发布日期", "issued": "成文日期",
           "effective": "施行日期", "source": "来源", "original": "原文", "facts": "提取的事实",
           "all_facts": "查看全部事实", "diff": "修订内容（[-删除-] {+新增+}）", "truncated": "（差异过长，已截断）",
           "test": "cbecwatch 测试消息：通道工作正常。", "key": "消息编号",
           "footer": "由 cbecwatch 发送；退订请联系管理员（cbecwatch subscribers remove）。"},
    "en": {"alert": "cbecwatch alert", "digest": "cbecwatch daily digest", "beijing": "Beijing time",
           "items": "items", "doc_number": "Document number", "agencies": "Issued by", "published": "Published",
           "issued": "dated", "effective": "In force from", "source": "Source", "original": "Original",
           "facts": "Extracted facts", "all_facts": "All facts", "diff": "Changes ([-removed-] {+added+})",
           "truncated": "(diff too long, cut)", "test": "cbecwatch test message: the channel works.",
           "key": "Message", "footer": "Sent by cbecwatch; to unsubscribe ask the administrator "
           "(cbecwatch subscribers remove)."},
}
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


def _english_places(value: Any) -> Any:
    """Place lists with ``name_en``/``province_en`` beside each name (copies: the stored data stay as they are)."""
    return [with_english(p) if isinstance(p, dict) else p for p in value] if isinstance(value, list) else value


def _with_english(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: _english_places(v) if k in ("places", "removed") else v for k, v in data.items()}
    notice = out.get("notice")
    if isinstance(notice, dict) and isinstance(notice.get("facts"), dict):
        facts = {k: _english_places(v) if k in ("cities", "removed_cities") else v
                 for k, v in notice["facts"].items()}
        out["notice"] = dict(notice, facts=facts)
    return out


def event_payload(event: Event) -> dict[str, Any]:
    payload = {
        "id": event.id, "kind": event.kind, "admin": event.admin,
        "created_at": event.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "source": event.source, "title": event.title, "url": event.url, "doc_number": event.doc_number,
        "provinces": list(event.provinces or []), "cities": list(event.cities or []),
        # the event's own data never overrides the envelope (a notice's kind is ``notice_kind``)
        **{k: v for k, v in _with_english(event.data or {}).items() if k not in _ENVELOPE | {"summary"}},
    }
    payload["summary"] = summaries(payload)
    return payload


def build_payload(key: str, kind: str, subscriber: str, events: list[Event],
                  created_at: dt.datetime | None = None) -> dict[str, Any]:
    """The webhook body (schema ``cbecwatch.alert`` version 1, documented in the README)."""
    stamp = (created_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return {
        "type": f"cbecwatch.{kind}", "version": PAYLOAD_VERSION, "id": key,
        "created_at": stamp.isoformat().replace("+00:00", "Z"), "subscriber": subscriber,
        "events": [event_payload(e) for e in events],
    }


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language must be zh, en or both, got {lang!r}")
    return lang


def subject_for(kind: str, events: list[dict[str, Any]], created_at: dt.datetime, lang: str = "zh") -> str:
    """The subject names the weightiest event: by its title in Chinese, by its sentence in English
    (an English reader cannot use a Chinese title alone)."""
    if kind == "digest":
        day = created_at.astimezone(CHINA).date().isoformat()
        zh, en = f"每日汇总 {day}：{len(events)} 条动态", f"Daily digest {day}: {len(events)} items"
        return "[cbecwatch] " + {"zh": zh, "en": en}.get(lang, f"{zh} / {en}")
    if kind == "test":
        return {"en": "[cbecwatch] test message"}.get(lang, "[cbecwatch] 测试消息 (test message)")
    main = min(events, key=lambda e: WEIGHT.index(e["kind"]) if e["kind"] in WEIGHT else len(WEIGHT))
    title = one_line(main.get("title"), 80)
    number = f"（{one_line(main.get('doc_number'), 40)}）" if main.get("doc_number") else ""
    extra = f" 等{len(events)}项" if len(events) > 1 else ""
    zh = f"{event_label(main['kind'], 'zh')}{extra}：{title}{number}"
    en = (f"{event_label(main['kind'], 'en')}" + (f" (+{len(events) - 1} more)" if len(events) > 1 else "")
          + f": {one_line(main['summary']['en'], 140)}")
    if lang == "en":
        return "[cbecwatch] " + one_line(en, 180)
    if lang == "both":
        return "[cbecwatch] " + one_line(f"{zh} | {en}", 220)
    return f"[cbecwatch] {zh}"


@cache
def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["safe_link"] = safe_link
    env.globals.update(label=event_label, summary=summary, facts_line=facts_line, agency_name=agency_name,
                       title_en=title_en, words=WORDS)
    return env


def build_message(key: str, kind: str, subscriber: str, events: list[Event],
                  created_at: dt.datetime | None = None, lang: str = "zh") -> Message:
    created_at = created_at or dt.datetime.now(dt.UTC)
    payload = build_payload(key, kind, subscriber, events, created_at)
    langs = ["zh", "en"] if check_lang(lang) == "both" else [lang]
    context = {"payload": payload, "events": payload["events"], "kind": kind, "key": key, "langs": langs,
               "lang": lang, "local_time": created_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")}
    env = _templates()
    return Message(key=key, subject=subject_for(kind, payload["events"], created_at, lang),
                   text=env.get_template("alert.txt").render(context),
                   html=env.get_template("alert.html").render(context), payload=payload)
