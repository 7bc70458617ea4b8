"""One sentence per event, in Chinese and in English: what mail subjects and bodies, webhook
``summary`` objects and the CLI say (issue 14).

Input is an event as :func:`scheduler.messages.event_payload` shows it (the stored event data of
``storage/events.py``), so a retry words a message exactly as the first attempt did. Nothing here
shows a raw field name or unit code to a person (``zones_added=4zones`` was the old body): figures,
customs codes, programmes and agencies are named through :mod:`storage.glossary`, places through
:mod:`storage.names_en`. An English sentence never invents the English title of a notice: unless
the data carry an official ``title_en``, it says "Chinese title only".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from storage.glossary import agency_short, code_name, event_label, figure_name, kind_name, program_name
from storage.names_en import bilingual, place_name_en

LANGS = ("zh", "en")
#: places an English sentence lists by name; the rest are counted ("… and 30 more")
MAX_LISTED = 40
CHINESE_TITLE_ONLY = "Chinese title only"
_CITY_LEVELS = {"prefecture", "county", None}


def summaries(event: Mapping[str, Any]) -> dict[str, str]:
    """``{"zh": …, "en": …}`` for one event payload."""
    return {lang: summary(event, lang) for lang in LANGS}


def summary(event: Mapping[str, Any], lang: str) -> str:
    kind = event.get("kind")
    writer = _WRITERS.get(str(kind))
    if writer is None:  # a kind newer than this module: its label and title, never a bare key
        return f"{event_label(str(kind), lang)}: {event.get('title') or ''}".strip()
    return writer(event, lang == "en")


# -- pieces ------------------------------------------------------------------------------------------
def _notice(event: Mapping[str, Any]) -> Mapping[str, Any]:
    notice = event.get("notice")
    return notice if isinstance(notice, Mapping) else {}


def _actor(event: Mapping[str, Any], en: bool) -> str:
    agencies = [str(a) for a in _notice(event).get("agencies") or []]
    if not agencies:
        return ""
    if not en:
        return "、".join(agencies)
    names = [agency_short(a) for a in agencies]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _verb(event: Mapping[str, Any], verb: str) -> str:
    """"approves" for one agency, "approve" for several (MOFCOM and MOF add …)."""
    if len(_notice(event).get("agencies") or []) > 1:
        return verb
    return verb + ("es" if verb.endswith(("sh", "ch", "s", "x")) else "s")


def title_en(event: Mapping[str, Any]) -> str:
    """How an English line names the notice: its official English title when known, else the Chinese
    title marked as such (no machine translation is passed off as the title)."""
    official = _notice(event).get("title_en") or event.get("title_en")
    if official:
        return f"“{official}”"
    title = event.get("title") or _notice(event).get("title") or ""
    number = event.get("doc_number") or _notice(event).get("doc_number")
    return f"“{title}” ({CHINESE_TITLE_ONLY}" + (f"; {number})" if number else ")")


def _title_zh(event: Mapping[str, Any]) -> str:
    title = event.get("title") or _notice(event).get("title") or ""
    number = event.get("doc_number") or _notice(event).get("doc_number")
    return f"《{title}》" + (f"（{number}）" if number else "")


def _names(places: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(p["name"]) for p in places if isinstance(p, Mapping) and p.get("name")]


def english_list(names: Sequence[str]) -> str:
    """Chifeng (赤峰市), Foshan (佛山市), …: alphabetical by English name, as English reports list them."""
    ordered = sorted(names, key=lambda n: (place_name_en(n) or n).lower())
    shown = [bilingual(n) for n in ordered[:MAX_LISTED]]
    rest = len(ordered) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def _count_word_zh(places: Sequence[Mapping[str, Any]]) -> str:
    return "城市" if all(p.get("level") in _CITY_LEVELS for p in places) else "城市和地区"


def amount(value: Any, unit: str | None, en: bool) -> str:
    """¥5,000 / 5000元; 9.1% / 9.1%; 1,413 tariff lines / 1413项; 30 days / 30天."""
    number = f"{value:,}" if isinstance(value, int | float) and en else str(value)
    if unit == "yuan":
        return f"¥{number}" if en else f"{number}元"
    if unit == "percent":
        return f"{number}%"
    if unit == "items":
        return f"{number} tariff lines" if en else f"{number}项"
    if unit == "days":
        return f"{number} days" if en else f"{number}天"
    return number


def change_sentence(change: Mapping[str, Any], en: bool) -> str:
    """单次交易限值由2000元提高至5000元 / Single-transaction limit raised from ¥2,000 to ¥5,000."""
    name, unit, old, new = str(change.get("name")), change.get("unit"), change.get("old"), change.get("new")
    up = isinstance(old, int | float) and isinstance(new, int | float) and new > old
    if en:
        verb = "raised" if up else "lowered" if isinstance(old, int | float) else "set"
        origin = f" from {amount(old, unit, True)}" if old is not None else ""
        return f"{figure_name(name, 'en')} {verb}{origin} to {amount(new, unit, True)}"
    verb = "提高至" if up else "降低至" if isinstance(old, int | float) else "调整为"
    origin = f"由{amount(old, unit, False)}" if old is not None else ""
    return f"{figure_name(name, 'zh')}{origin}{verb}{amount(new, unit, False)}"


def facts_line(notice: Mapping[str, Any], lang: str) -> str:
    """The extracted facts of a notice as a reader would say them (places, rule figures, codes)."""
    facts = notice.get("facts") if isinstance(notice.get("facts"), Mapping) else {}
    en = lang == "en"
    parts: list[str] = []
    cities = _names(facts.get("cities") or [])
    if cities:
        parts.append(f"Places ({len(cities)}): {english_list(cities)}" if en else
                     f"地区（{len(cities)}）：{'、'.join(cities)}")
    for figure in facts.get("figures") or []:
        name = str(figure.get("name") or "")
        if name.startswith("previous_"):
            continue  # the value before a change: the change sentence says it ("raised from ¥2,000 …")
        value = amount(figure.get("value"), figure.get("unit"), en)
        parts.append(f"{figure_name(name, lang)}{': ' if en else '：'}{value}")
    codes = [str(c) for c in facts.get("customs_codes") or []]
    if codes:
        parts.append(("Customs codes: " if en else "监管方式代码：") + (", " if en else "、").join(
            code_name(c, lang) for c in codes))
    return ("; " if en else "；").join(parts)


# -- one writer per event kind ------------------------------------------------------------------------
def _notice_new(event: Mapping[str, Any], en: bool) -> str:
    notice = _notice(event)
    actor = _actor(event, en)
    kind = notice.get("kind")
    if en:
        what = kind_name(kind, "en") if kind and kind != "other" else "notice"
        head = f"{actor} {_verb(event, 'publish')} a new {what}" if actor else f"New {what}"
        line = f"{head}: {title_en(event)}"
    else:
        line = f"{actor}发布{_title_zh(event)}" if actor else f"新文件{_title_zh(event)}"
    codes = [str(c) for c in (notice.get("facts") or {}).get("customs_codes") or []]
    if codes:
        line += ("; customs codes " + ", ".join(code_name(c, "en") for c in codes)) if en else (
            "，涉及监管方式代码" + "、".join(code_name(c, "zh") for c in codes))
    return line


def _notice_revised(event: Mapping[str, Any], en: bool) -> str:
    diff = event.get("diff") if isinstance(event.get("diff"), Mapping) else {}
    old, new = diff.get("from_version"), diff.get("to_version")
    removed, added = diff.get("removed", 0), diff.get("added", 0)
    if en:
        return (f"Notice revised: {title_en(event)} — version {old} → {new}, {removed} paragraphs removed, "
                f"{added} added")
    return f"{_title_zh(event)}已修订：第{old}版→第{new}版，删除{removed}段，新增{added}段"


def _pilot_places(event: Mapping[str, Any], en: bool) -> str:
    places = [p for p in event.get("places") or [] if isinstance(p, Mapping)]
    removed = [p for p in event.get("removed") or [] if isinstance(p, Mapping)]
    program = event.get("program") or _notice(event).get("program")
    kind = event.get("notice_kind") or _notice(event).get("kind")
    actor = _actor(event, en)
    names, gone = _names(places), _names(removed)
    programme = program_name(program, "en" if en else "zh") or ("pilot programme" if en else "试点")
    if en:
        parts = []
        if names:
            if kind == "pilot_zone_batch":
                what = f"{len(names)} new {programme}{'s' if len(names) > 1 else ''}"
                verb = _verb(event, "approve") if actor else "approves"
            else:
                what = f"{len(names)} place{'s' if len(names) > 1 else ''} to the {programme}"
                verb = _verb(event, "add") if actor else "adds"
            parts.append(f"{actor or 'China'} {verb} {what}: {english_list(names)}")
        if gone:
            parts.append(f"{'R' if not parts else 'r'}emoved from the {programme}: {english_list(gone)}")
        return "; ".join(parts)
    parts = []
    if names:
        where = names[0] + (f"等{len(names)}个{_count_word_zh(places)}" if len(names) > 1 else "")
        if kind == "pilot_zone_batch":
            parts.append(f"{actor}{'批复' if actor == '国务院' else ''}同意在{where}设立{programme}")
        else:
            parts.append(f"{actor}将{where}纳入{programme}")
    if gone:
        parts.append(f"撤销{gone[0]}" + (f"等{len(gone)}地" if len(gone) > 1 else "") + f"的{programme}")
    return "；".join(parts)


def _figure_changed(event: Mapping[str, Any], en: bool) -> str:
    changes = [c for c in event.get("changes") or [] if isinstance(c, Mapping)]
    return ("; " if en else "；").join(change_sentence(c, en) for c in changes)


def _source_status(event: Mapping[str, Any], en: bool) -> str:
    source, status, reason = event.get("source"), event.get("status"), event.get("reason")
    failures = event.get("consecutive_failures") or 0
    if event.get("kind") == "source_broken":
        if en:
            return f"Source {source} is broken ({failures} failed runs in a row)" + (f": {reason}" if reason else "")
        return f"来源 {source} 已失效（连续失败 {failures} 次）" + (f"：{reason}" if reason else "")
    if en:
        return f"Source {source} has recovered (last run: {status})"
    return f"来源 {source} 已恢复（最近一次：{status}）"


def _source_quiet(event: Mapping[str, Any], en: bool) -> str:
    source, days, expected = event.get("source"), event.get("days"), event.get("quiet_days")
    if en:
        return (f"Source {source} has found no new notice for {days} days (expected at least one every "
                f"{expected} days): the site may have moved its notices")
    return f"来源 {source} 已 {days} 天无新文件（预期 {expected} 天内至少一篇），网站可能已改版"


def _delivery_dead(event: Mapping[str, Any], en: bool) -> str:
    who, channel, attempts, error = (event.get("subscriber"), event.get("channel"), event.get("attempts"),
                                     event.get("error"))
    if en:
        return (f"A {channel} message to {who} failed {attempts} times and will not be retried: {error} "
                f"(cbecwatch deliveries --retry {event.get('delivery_id')})")
    return (f"发给 {who} 的 {channel} 消息失败 {attempts} 次，已停止重试：{error}"
            f"（cbecwatch deliveries --retry {event.get('delivery_id')}）")


def _registry_conflict(event: Mapping[str, Any], en: bool) -> str:
    number = event.get("doc_number") or event.get("shipped_title") or "?"
    missing, extra = event.get("missing") or [], event.get("extra") or []
    if en:
        parts = [f"missing {', '.join(place_name_en(n) for n in missing)}" if missing else "",
                 f"extra {', '.join(place_name_en(n) for n in extra)}" if extra else ""]
        told = "; ".join(p for p in parts if p) or "different places"
        return (f"The crawled copy of {number} names other places than the shipped registry ({told}); "
                "the shipped list is kept until checked")
    parts = [f"缺少{'、'.join(missing)}" if missing else "", f"多出{'、'.join(extra)}" if extra else ""]
    told = "；".join(p for p in parts if p) or "地区不同"
    return f"抓取的{number}所列地区与内置名单不符（{told}），暂保留内置名单待核对"


def _codes(lines: Sequence[Any], en: bool, limit: int = 10) -> str:
    """33042000 眼用化妆品, …: the first codes of a change with their descriptions."""
    shown = [f"{r.get('hs_code')} {r.get('description') or ''}".strip()
             for r in lines[:limit] if isinstance(r, Mapping)]
    return (", " if en else "、").join(shown) + ((" …" if en else "等") if len(lines) > limit else "")


def _positive_list_changed(event: Mapping[str, Any], en: bool) -> str:
    counts = event.get("counts") if isinstance(event.get("counts"), Mapping) else {}
    added, removed, changed = (list(event.get(k) or []) for k in ("added", "removed", "changed"))
    n_added, n_removed, n_changed = (counts.get(k, len(v)) for k, v in
                                     (("added", added), ("removed", removed), ("changed", changed)))
    total, since = counts.get("total"), event.get("applies_from")
    if en:
        parts = [f"{n_added} tariff line{'s' if n_added != 1 else ''} added ({_codes(added, True)})" if n_added else "",
                 f"{n_removed} removed ({_codes(removed, True)})" if n_removed else "",
                 f"{n_changed} changed ({_codes(changed, True)})" if n_changed else ""]
        told = "; ".join(p for p in parts if p)
        return (f"Cross-border e-commerce retail import positive list changed by {title_en(event)}: {told}; "
                f"{total} tariff lines from {since}")
    parts = [f"新增{n_added}个税号（{_codes(added, False)}）" if n_added else "",
             f"删除{n_removed}个（{_codes(removed, False)}）" if n_removed else "",
             f"调整{n_changed}个（{_codes(changed, False)}）" if n_changed else ""]
    told = "，".join(p for p in parts if p)
    return f"{_title_zh(event)}调整跨境电子商务零售进口商品清单：{told}；自{since}起共{total}个税号"


_WRITERS = {
    "notice_new": _notice_new, "notice_revised": _notice_revised, "pilot_places": _pilot_places,
    "figure_changed": _figure_changed, "source_broken": _source_status, "source_recovered": _source_status,
    "source_quiet": _source_quiet, "delivery_dead": _delivery_dead, "registry_conflict": _registry_conflict,
    "positive_list_changed": _positive_list_changed,
}
