"""Dates said relative to the document's own date: 自明年1月1日起, 自下月起, and a lead's 12月6日 without a year.

A report or notice says them against its own date (its signature, its dateline, the site line, or the date of
the event it reports), so they are resolved only when such a date is known; a relative date with nothing to
count from is no date (returning a guess would put a wrong effective date into an alert).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from . import dates

# 自明年1月1日起…实施 / 从下月起施行 / 自次年起执行 / 自今年7月1日起，…调整: the verb may come later in the
# sentence (自明年1月1日起，上述政策将在北京、沈阳…等22个城市实施), so up to 60 characters of it are read.
_RELATIVE = re.compile(r"(?:自|从|于)\s*(?P<rel>明年|次年|下一年|今年|本年|下月|下个月|次月|本月)\s*"
                       r"(?:(?P<m>\d{1,2})\s*月)?\s*(?:(?P<d>\d{1,2})\s*日)?\s*(?:起|开始)"
                       r"[^。；]{0,60}?(?:施行|实施|执行|生效|实行|调整|启用|适用|新增|取消|提高)")
_NEXT_YEAR = ("明年", "次年", "下一年")
_THIS_YEAR = ("今年", "本年")
_NEXT_MONTH = ("下月", "下个月", "次月")


def relative_effective(text: str, base: dt.date | None) -> dt.date | None:
    """The first 自明年…起 / 自下月起 phrase of ``text`` counted from ``base`` (the document's own date)."""
    if base is None:
        return None
    m = next((m for m in _RELATIVE.finditer(text[:5000]) if not _of_cited(text, m.start())), None)
    if not m:
        return None
    rel, month, day = m.group("rel"), m.group("m"), m.group("d")
    if rel in _NEXT_MONTH or rel == "本月":
        y, mo = (base.year + (base.month == 12), base.month % 12 + 1) if rel in _NEXT_MONTH else (base.year, base.month)
        return dates.make_date(y, mo, int(day) if day else 1)
    year = base.year + 1 if rel in _NEXT_YEAR else base.year
    return dates.make_date(year, int(month) if month else 1, int(day) if day else 1)


def _of_cited(text: str, at: int) -> bool:
    """The phrase dates a document the sentence cites (《…》（…）自明年1月1日起执行), not this one."""
    sent_start = max(text.rfind("。", 0, at), text.rfind("\n", 0, at)) + 1
    return dates.cited(text, sent_start, at, None)


def last_date_before(text: str, limit: int = 5000) -> dt.date | None:
    """The last full date printed before the first relative phrase: the date of the event a report tells
    (商务部新闻发言人在2018年11月22日表示，…自明年1月1日起…), the nearest thing it has to a dateline."""
    m = _RELATIVE.search(text[:limit])
    if not m:
        return None
    found = [d for _, end, d in dates.iter_dates(text[: m.start()]) if end <= m.start()]
    return found[-1] if found else None


# 12月6日，海关总署发布跨境电商新监管方式: a lead that opens with a month and day and names who published.
# It may follow a source clause (据海关总署网站消息，12月6日…); 发布会 is a press conference, not a publication.
# It must start a sentence or clause (never a year's tail: 2016年12月6日 is read elsewhere); that is checked
# by hand on each match, as a lookbehind tried at every position made this the slowest pattern of a notice.
_BOUNDARY = "。！？，, \t\n"
_YEARLESS_LEAD = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[，,]?\s*"
                            r"[\u4e00-\u9fa5、]{0,30}?(?:正式|联合)?(发布|公布|印发|签发|下发)(?!会)")
# 中国政府25日发布消息 / 商务部24日公布: a lead with only the day, in the month of the report's dateline
# (a day later than the dateline's is of the month before). Its subject is short, and opens the sentence.
_DAY_ONLY_LEAD = re.compile(r"(?:^|(?<=[。！？\n]))[\u4e00-\u9fa5（）()]{2,14}?(\d{1,2})\s*日\s*(?:正式|联合)?"
                            r"(发布|公布|印发|签发|下发)(?!会)", re.M)
# A news page's stamp line: 2022-11-25 14:42:35 CRI / 2025-04-26 | 中国/政策 (a date first, then time or section).
_STAMP = re.compile(r"^\s*((?:19|20)\d\d)[-./](\d{1,2})[-./](\d{1,2})(?:\s|\||$)")
_ISSUE_VERBS = ("印发", "签发", "下发")
_VERBS = ("发布", "公布", *_ISSUE_VERBS)


def yearless_lead(lines: Sequence[str], title: str | None) -> tuple[dt.date | None, dt.date | None]:
    """(issue, publish) said by a lead's month and day, in the year of the report's own date (its dateline
    or site line, read only when a lead matches); a month and day later than that date is of the year
    before (a January report of a December notice)."""
    head = "\n".join(lines[:8])
    if not any(v in head for v in _VERBS):  # most notices: no such lead, and substring tests are cheap
        return None, None
    m = next((m for m in _YEARLESS_LEAD.finditer(head) if not m.start() or head[m.start() - 1] in _BOUNDARY), None)
    if not m:
        return _day_only_lead(head, lines, title)
    year_of = dates.dateline([ln for ln in lines[:9] if ln != title])
    if year_of is None:
        return None, None
    d = dates.make_date(year_of.year, int(m.group(1)), int(m.group(2)))
    if d is not None and d > year_of:
        d = dates.make_date(year_of.year - 1, int(m.group(1)), int(m.group(2)))
    return (d, None) if m.group(3) in _ISSUE_VERBS else (None, d)


def _day_only_lead(head: str, lines: Sequence[str], title: str | None) -> tuple[dt.date | None, dt.date | None]:
    m = _DAY_ONLY_LEAD.search(head)
    if not m:
        return None, None
    line = dates.dateline([ln for ln in lines[:9] if ln != title]) or _stamp(lines[:6])
    if line is None:
        return None, None
    day = int(m.group(1))
    month, year = (line.month, line.year) if day <= line.day else \
        ((line.month - 1, line.year) if line.month > 1 else (12, line.year - 1))
    d = dates.make_date(year, month, day)
    return (d, None) if m.group(2) in _ISSUE_VERBS else (None, d)


def _stamp(lines: Sequence[str]) -> dt.date | None:
    for ln in lines:
        m = _STAMP.match(ln)
        if m:
            return dates.make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None
