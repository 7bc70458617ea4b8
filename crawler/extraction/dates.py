"""Dates of a notice: 成文日期 (signed), 发布日期 (posted), 施行日期 (effective). domain.md §2.2.

Chinese-numeral dates (二〇一八年七月二十四日, with the zero look-alikes ○ O 零) are converted with cn2an
on the date-shaped span only, never on the whole text, so numbers in names and amounts are left alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence

from .normalize import fix_zeros

_CN_DIGIT = "〇○零Oo0Ｏ◯一二三四五六七八九"
ARABIC_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CHINESE_DATE = re.compile(rf"([{_CN_DIGIT}]{{4}})\s*年\s*([一二三四五六七八九十]{{1,3}})\s*月\s*"
                          r"([一二三四五六七八九十]{1,3})\s*日")
# Metadata formats: 2018-12-04-09:41:27 (gov.cn), 2014-01-24 16:50, 2018.11.30, [2021-03-22], 2016年01月15日.
META_DATE = re.compile(r"((?:19|20)\d\d)\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
_DATE_ANY = (rf"(?:\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日"
             rf"|[{_CN_DIGIT}]{{4}}年[一二三四五六七八九十]{{1,3}}月[一二三四五六七八九十]{{1,3}}日)")
EFFECTIVE = re.compile(rf"(?:自|从|于)\s*(?P<what>{_DATE_ANY}|(?:发布|公布|印发|发文|公告|下发|颁布)之日)"
                       r"\s*(?:起|开始)?\s*(?:正式)?(?:施行|实施|执行|生效)")
EFFECTIVE_LABEL = re.compile(rf"(?:施行|实施|生效|执行)日期\s*[:：]\s*(?P<what>{_DATE_ANY})")
_SELF_REF = re.compile(r"本(?:通知|公告|办法|规定|决定|批复|意见|细则|清单)|上述|以上|前款")
_LINE_JUNK = re.compile(r"[\s()（）]")


def _mk(y: int, m: int, d: int) -> dt.date | None:
    if not 1949 <= y <= 2100:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def chinese_date(span: str) -> dt.date | None:
    import cn2an  # local: 0.2 s import, needed only for numeral dates

    try:
        converted = cn2an.transform(fix_zeros(span), "cn2an")
    except Exception:  # cn2an raises plain ValueError/KeyError on odd spans; a date we cannot read is None
        return None
    m = ARABIC_DATE.search(converted)
    if m:
        return _mk(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    # cn2an leaves a digit-by-digit year (二〇一八) alone in some versions: map digits ourselves.
    m = CHINESE_DATE.search(fix_zeros(span))
    if not m:
        return None
    year = int(m.group(1).translate(str.maketrans("〇一二三四五六七八九", "0123456789")))
    mm = ARABIC_DATE.search(cn2an.transform(f"2000年{m.group(2)}月{m.group(3)}日", "cn2an"))
    return _mk(year, int(mm.group(2)), int(mm.group(3))) if mm else None


def parse_date(s: str | None) -> dt.date | None:
    """Any single date string (text or metadata format)."""
    if not s:
        return None
    m = ARABIC_DATE.search(s) or META_DATE.search(s)
    if m:
        return _mk(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = CHINESE_DATE.search(s)
    return chinese_date(m.group(0)) if m else None


def iter_dates(text: str) -> Iterator[tuple[int, int, dt.date]]:
    for rx in (ARABIC_DATE, CHINESE_DATE):
        for m in rx.finditer(text):
            d = parse_date(m.group(0))
            if d:
                yield m.start(), m.end(), d


def date_line(line: str) -> dt.date | None:
    """A line that is only a date (the signature's date line), allowing spaces and brackets around it."""
    bare = _LINE_JUNK.sub("", line)
    if len(bare) > 20:
        return None
    m = ARABIC_DATE.fullmatch(bare) or CHINESE_DATE.fullmatch(bare)
    return parse_date(m.group(0)) if m else None


def signature_date(lines: Sequence[str], is_agency_line: object) -> tuple[dt.date | None, int | None]:
    """The 成文日期 under the signature: the last date-only line (or "agency … date" line) near the end."""
    start = max(0, len(lines) - 25)
    for i in range(len(lines) - 1, start - 1, -1):
        d = date_line(lines[i])
        if d:
            return d, i
        m = ARABIC_DATE.search(lines[i]) or CHINESE_DATE.search(lines[i])
        if m and m.end() >= len(lines[i].rstrip()) - 1 and callable(is_agency_line) \
                and is_agency_line(lines[i][: m.start()]):
            d = parse_date(m.group(0))
            if d:
                return d, i
    return None, None


def labelled_date(lines: Sequence[str], labels: tuple[str, ...]) -> dt.date | None:
    """'成文日期：…' / '发文日期：…' printed as a line of the text (MOFCOM puts it inside the body)."""
    for line in lines[:40] + list(lines[-15:]):
        for lab in labels:
            i = line.find(lab)
            if i >= 0:
                d = parse_date(line[i + len(lab): i + len(lab) + 24])
                if d:
                    return d
    return None


def first_meta_date(meta: Mapping[str, str], keys: Sequence[str]) -> dt.date | None:
    for k in keys:
        d = parse_date(meta.get(k))
        if d:
            return d
    return None


def effective(text: str) -> tuple[str | None, dt.date | None]:
    """(rule, explicit date). rule: explicit / on_publication / on_issue / None.

    Prefer a phrase whose sentence refers to the notice itself (本通知…, 上述规定…); else the last one,
    which is where notices put it (the last article before 特此通知)."""
    cands: list[tuple[bool, str, dt.date | None]] = []
    for rx in (EFFECTIVE, EFFECTIVE_LABEL):
        for m in rx.finditer(text):
            what = m.group("what")
            sent_start = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            self_ref = bool(_SELF_REF.search(text, sent_start, m.start()))
            if what.endswith("之日"):
                rule = "on_issue" if what[:2] in ("印发", "发文", "下发") else "on_publication"
                cands.append((self_ref, rule, None))
            else:
                cands.append((self_ref, "explicit", parse_date(what)))
    if not cands:
        return None, None
    chosen = next((c for c in reversed(cands) if c[0]), cands[-1])
    return chosen[1], chosen[2]
