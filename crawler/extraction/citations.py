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

import re
from dataclasses import dataclass

from .docnumber import find_numbers

FILL = "\ue000"  # a private-use character: no delimiter, no place name, no digit
_TITLE = re.compile(r"《[^《》\n]{1,240}》")
# （国函〔2016〕17号） / （财政部等11部门公告2016年第40号） / （以下简称《批复》）
_BRACKET_CITE = re.compile(
    r"[（(][^（()）\n]{0,40}?(?:〔\s*(?:19|20)\d\d\s*〕|[\[［(（]\s*(?:19|20)\d\d\s*[\]］)）]|公告\s*(?:19|20)\d\d\s*年)"
    r"[^（()）\n]{0,30}[)）]|[（(]\s*以下(?:简称|称)[^（()）\n]{0,40}[)）]")
_BASIS_WORD = r"(?:根据|按照|依据|依照|遵照|参照|对照|借鉴|贯彻落实|贯彻|落实|执行)"
# A basis clause without brackets: 根据国务院关于同意在…的批复精神， (up to the clause's end).
_BASIS_CLAUSE = re.compile(rf"{_BASIS_WORD}[^，,。；;\n]{{0,200}}?(?:的(?:批复|通知|公告|意见|决定|复函|函)"
                           r"(?:精神|要求|规定|部署)?|精神|要求)")
# A line that is nothing but a document title (a table of contents, a list of related documents).
_TITLE_LINE = re.compile(r"^[\d\s.、．（()）一二三四五六七八九十]*(?:[\u4e00-\u9fa5、，\s]{0,60})?关于.{1,150}?"
                         r"的(?:批复|通知|公告|意见|决定|复函|函|办法|规定)[\s.…·\-—\d()（）〔〕年月日号第]*$")
_PUBLISH_BEFORE = re.compile(r"(?:印发|公布|发布|出台|下发|发出|颁布|推出|公开)(?:了)?\s*$")
_BASIS_BEFORE = re.compile(rf"{_BASIS_WORD}\s*$")


def _blank(s: str) -> str:
    return FILL * len(s)


def mask(text: str) -> str:
    """``text`` with cited titles' contents, bracketed citations, basis clauses and title lines blanked."""
    out = _TITLE.sub(lambda m: "《" + _blank(m.group(0)[1:-1]) + "》", text)
    out = _BRACKET_CITE.sub(lambda m: _blank(m.group(0)), out)
    out = _BASIS_CLAUSE.sub(lambda m: _blank(m.group(0)), out)
    lines = out.split("\n")
    for i, ln in enumerate(lines):
        if "。" not in ln and len(ln) <= 200 and _TITLE_LINE.match(ln.strip()):
            lines[i] = _blank(ln)
    return "\n".join(lines)


@dataclass(frozen=True)
class Subject:
    """The one notice a report is about: its title (without 《》) and number when printed after it."""

    title: str
    number: str | None


def subject(text: str, limit: int = 3000) -> Subject | None:
    """The first notice the opening of ``text`` reports as published (…发布《关于…的通知》（number）),
    never one it cites as a basis. None when there is none."""
    head = text[:limit]
    for m in _TITLE.finditer(head):
        before = head[max(0, m.start() - 12): m.start()]
        if not _PUBLISH_BEFORE.search(before) or _BASIS_BEFORE.search(before):
            continue
        title = m.group(0)[1:-1]
        if "关于" not in title and "清单" not in title:  # a book or a plan's name, not a notice
            continue
        after = head[m.end(): m.end() + 40]
        number = None
        b = re.match(r"\s*[（(]([^（()）]{1,40})[)）]", after)
        if b:
            found = find_numbers(b.group(1))
            number = found[0][1] if found else None
        return Subject(title, number)
    return None
