"""Cited text versus the document's own text (issue 17, class 1).

A plan, a notice, a table of contents or a press report names earlier documents: by their title in 《》
(根据《国务院关于同意在天津等12个城市设立…的批复》（国函〔2016〕17号）精神), by a bracketed number, in a
basis clause without brackets (根据国务院…的批复精神), or as a title line of a list. None of that text
designates a place or gives the document its number, so :func:`mask` blanks it out (same length, so
offsets stay valid) before the places, the kind and the number are read.

One cited document is different: the *subject* of a press report or newsletter (…对外公布《关于…的通知》
（财关税〔2018〕49号）). Its facts are the report's facts; :func:`subject` finds it. Subject and basis are
told apart by the words before the 《: a verb of publication (印发, 公布, 发布 …) introduces the subject,
a basis word (根据, 按照, 依据 …) a basis.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .agencies import number_prefix_pattern
from .docnumber import find_numbers

FILL = "\ue000"  # a private-use character: no delimiter, no place name, no digit
_TITLE = re.compile(r"《[^《》\n]{1,240}》")
# A cited title wrapped over lines (a gazette's narrow column, an OCR page): never a full stop inside.
_WRAPPED_TITLE = re.compile(r"《[^《》。！？]{1,240}》")
# （国函〔2016〕17号） / （财政部等11部门公告2016年第40号） / （以下简称《批复》）
# A citation wrapped over two lines (（国函 / 〔2020〕47号）) is still one: no full stop inside, though.
_BRACKET_CITE = re.compile(
    r"[（(][^（()）。]{0,40}?(?:〔\s*(?:19|20)\d\d\s*〕|[\[［(（]\s*(?:19|20)\d\d\s*[\]］)）]|公告\s*(?:19|20)\d\d\s*年|"
    r"(?:19|20)\d\d\s*年\s*第\s*\d{1,5}\s*号\s*公告)"
    r"[^（()）。]{0,30}[)）]|[（(]\s*以下(?:简称|称)[^（()）。]{0,40}[)）]")
_BASIS_WORD = r"(?:根据|按照|依据|依照|遵照|参照|对照|借鉴|贯彻落实|贯彻|落实|执行)"
# A basis clause without brackets: 根据国务院关于同意在…的批复精神， (up to the clause's end).
_BASIS_CLAUSE = re.compile(rf"{_BASIS_WORD}[^，,。；;\n]{{0,200}}?(?:的(?:批复|通知|公告|意见|决定|复函|函)"
                           r"(?:精神|要求|规定|部署)?|精神|要求)")
# A line that is nothing but a document title (a table of contents, a list of related documents).
_BULLETS = "·•●▪◆■□>\\-—"
_TITLE_LINE = re.compile(rf"^[\d\s.、．（()）一二三四五六七八九十{_BULLETS}]*(?:[\u4e00-\u9fa5、，\s]{{0,60}})?"
                         r"关于.{1,150}?"
                         r"的(?:批复|通知|公告|意见|决定|复函|函|办法|规定)[\s.…·\-—\d()（）〔〕年月日号第]*$")
_PUBLISH_BEFORE = re.compile(r"(?:印发|签发|公布|发布|出台|下发|发出|颁布|推出|公开)(?:了)?\s*$")
_BASIS_BEFORE = re.compile(rf"{_BASIS_WORD}\s*$")


def _blank(s: str) -> str:
    return FILL * len(s)


def _blank_keep_lines(s: str) -> str:
    return "\n".join(_blank(part) for part in s.split("\n"))


def mask(text: str) -> str:
    """``text`` with cited titles' contents, bracketed citations, basis clauses and title lines blanked.
    Line breaks stay where they are, so the masked text splits into the same lines."""
    out = _WRAPPED_TITLE.sub(lambda m: "《" + _blank_keep_lines(m.group(0)[1:-1]) + "》", text)
    out = _BRACKET_CITE.sub(lambda m: _blank_keep_lines(m.group(0)), out)
    out = _BASIS_CLAUSE.sub(lambda m: _blank(m.group(0)), out)
    lines = out.split("\n")
    for i, ln in enumerate(lines):
        if "。" not in ln and len(ln) <= 200 and _TITLE_LINE.match(ln.strip()):
            lines[i] = _blank(ln)
    return "\n".join(lines)


@dataclass(frozen=True)
class Subject:
    """The one notice a report is about: its title (without 《》), its number when printed after it, the
    words before it in its sentence (who published it, and when), and the date of that sentence."""

    title: str
    number: str | None
    lead: str = ""
    date: dt.date | None = None
    is_notice: bool = True  # False for a plan or a book: its date still dates the report, nothing else
    issued: bool = False  # the lead's verb is 印发 (the notice's issue), not 公布/发布 (its publication)


_SENTENCES = re.compile(r"[^。！？\n]+")
_LEAD_SENTENCES = 3  # a report names its subject in its lead, not in a background section further down
_CJK = re.compile(r"[\u4e00-\u9fa5]")
_SECTION = re.compile(r"\s*(?:[一二三四五六七八九十]{1,3}\s*、|\d{1,2}\s*[.、．])")
_DATE_WORDS = re.compile(r"\d+\s*[年月日号]")  # an advert's 2026年6月23日-25日 is no prose either
_PROSE_MIN = 12  # Chinese characters: a headline or a sentence has this many, a chrome line rarely
_AFTER_PUBLISH = re.compile(r"^\s*(?:正式|近日|日前)?(?:发布|印发|签发|公布|出台|下发)")
_RECAP = re.compile(r"先后|此前|曾|以来|已经?印发|已经?发布")
# 财政部、发展改革委…等11个部门 / 财政部等11部门: the issuers of a joint announcement named in the lead.
_JOINT = re.compile(rf"({number_prefix_pattern()})(?:、[\u4e00-\u9fa5]{{2,16}}){{0,20}}?"
                    r"等\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*个?\s*部门")


def _number(bracket: str, lead: str) -> str | None:
    """The number printed in brackets after the subject's title. 2016年第40号公告 is the announcement
    form written backwards; its issuers come from the lead (财政部…等11个部门联合公布)."""
    found = find_numbers(bracket)
    if not found:
        return None
    number = found[0][1]
    joint = _JOINT.search(lead)
    if number.startswith("公告") and joint:  # the issuers are in the lead, not in the brackets
        n = joint.group(2) if joint.group(2).isdigit() else str(_cn_int(joint.group(2)))
        return f"{joint.group(1)}等{n}部门{number}"
    return number


_ISSUE_VERB = re.compile(r"(?:联合|正式)?(?:印发|签发|下发)(?:了)?\s*$")
# The date said right before the verb: 商务部等6部门3月18日联合印发《…》 under a dateline 中新网2021年3月22日电.
_VERB_DATE = re.compile(r"(?:(?P<y>(?:19|20)\d\d)\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*"
                        r"(?:[，,]?\s*[\u4e00-\u9fa5、]{0,40}?)?(?:联合|正式)?(?:印发|签发|下发|发布|公布|出台)(?:了)?\s*$")


def _verb_date(lead: str) -> dt.date | None:
    """The date of the lead's verb; a month and day without a year take the year of the date line before
    them (a report's dateline), and only when that does not put them after it."""
    from .dates import iter_dates

    m = _VERB_DATE.search(lead)
    if not m:
        return None
    if m.group("y"):
        year = int(m.group("y"))
    else:
        earlier = [d for start, _, d in iter_dates(lead) if start < m.start()]
        if not earlier:
            return None
        year = earlier[-1].year
    try:
        d = dt.date(year, int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    if not m.group("y") and earlier and d > earlier[-1]:
        return None
    return d


def _cn_int(s: str) -> int | None:
    from .places import cn_int

    return cn_int(s)


def subject(text: str, limit: int = 3000) -> Subject | None:
    """The notice the lead of ``text`` reports as published (…发布《关于…的通知》（number）, 《…》发布),
    never one it cites as a basis or recalls as history. None when there is none."""
    from .dates import iter_dates

    k = 0
    for sm in _SENTENCES.finditer(text[:limit]):
        if k >= _LEAD_SENTENCES:
            return None
        sentence = sm.group(0)
        # Page chrome above a report (a phone number, 产品搜索, a 发布时间 line, an advert's dates) is no
        # sentence of the report: only prose counts towards the lead.
        # A section heading (一、…的由来) counts though short: past it the report is in its body, not its lead.
        # The headline (the first line) and a sentence closed by a full stop count whatever their length.
        closed = text[sm.end(): sm.end() + 1] in "。！？" and sm.end() < len(text)
        k += (sm.start() == 0 or closed or bool(_SECTION.match(sentence))
              or len(_CJK.findall(_DATE_WORDS.sub("", sentence))) >= _PROSE_MIN)
        for m in _TITLE.finditer(sentence):
            before = sentence[max(0, m.start() - 12): m.start()]
            after = sentence[m.end(): m.end() + 50]
            published = _PUBLISH_BEFORE.search(before) or _AFTER_PUBLISH.match(after)
            if not published or _BASIS_BEFORE.search(before) or _RECAP.search(sentence[: m.start()]):
                continue
            title = m.group(0)[1:-1]
            lead = sentence[: m.start()]
            b = re.match(r"\s*[（(]([^（()）]{1,40})[)）]", after)
            number = _number(b.group(1), lead) if b else None
            dated = [d for start, _, d in iter_dates(sentence) if start < m.start() or _AFTER_PUBLISH.match(after)]
            notice = "关于" in title or "清单" in title  # else a plan's or a book's name
            issued = bool(_ISSUE_VERB.search(lead)) or bool(re.match(r"\s*[（(][^（()）]{0,40}[)）]\s*印发", after))
            # An issue is dated only by the date said with its verb; a dateline dates the report, not the issue.
            date = _verb_date(lead) or (dated[0] if dated and not issued else None)
            return Subject(title, number if notice else None, lead, date, notice, issued)
    return None


_INTERPRETS = re.compile(r"^(?:《)?(?:关于)?(?P<stem>.{6,80}?)(?:》)?(?:的)?(?:政策)?解读$")


def interpreted_number(text: str, title: str | None, limit: int = 3000) -> str | None:
    """An interpretation (…的通知解读, 《…》解读) is about the document its title names: that document's
    number, printed after its 《title》 in the text, is the interpretation's subject's, even when the
    sentence introduces it as a basis (依据《…》（财关税〔2016〕18号）)."""
    m = _INTERPRETS.match((title or "").strip())
    if not m:
        return None
    stem = m.group("stem").removeprefix("关于")
    for t in _TITLE.finditer(text[:limit]):
        if stem not in t.group(0):
            continue
        b = re.match(r"\s*[（(]([^（()）]{1,40})[)）]", text[t.end(): t.end() + 50])
        found = find_numbers(b.group(1)) if b else []
        if found:
            return found[0][1]
    return None
