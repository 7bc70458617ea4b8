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
# A report's lead: 自2019年1月1日起，我国调整…政策 (the verb further on); read only when nothing stricter is.
EFFECTIVE_LEAD = re.compile(rf"(?:自|从)\s*(?P<what>{_DATE_ANY})\s*起\s*[，,][^。；]{{0,30}}?"
                            r"(?:调整|实施|实行|执行|施行|提高|取消|启用|不再|改为|改征|扩大|延长|停止)")
# 实施日期：… / 启用时间:2020年7月1日 (a supervision code's start, as explainers print it).
EFFECTIVE_LABEL = re.compile(rf"(?:施行|实施|生效|执行|启用)(?:日期|时间)\s*[:：]\s*(?P<what>{_DATE_ANY})")
# A phrase right after a cited title (《…》（财关税〔2018〕49号）自2019年1月1日起执行) is that document's date.
_AFTER_CITED = re.compile(r"》\s*(?:[（(][^（()）]{0,40}[)）])?\s*(?:规定|明确)?\s*$")
_BASIS = re.compile(r"(?:根据|按照|依据|依照|参照|执行|落实)\s*《")
_SELF_REF = re.compile(r"本(?:通知|公告|办法|规定|决定|批复|意见|细则|清单)|上述|以上|前款")
_LINE_JUNK = re.compile(r"[\s()（）]")
_SENTENCE_END = re.compile(r"[。；;：:！？!?]")


def make_date(y: int, m: int, d: int) -> dt.date | None:
    """The date, or None for an impossible day or a year no notice of this monitor can carry."""
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
        return make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    # cn2an leaves a digit-by-digit year (二〇一八) alone in some versions: map digits ourselves.
    m = CHINESE_DATE.search(fix_zeros(span))
    if not m:
        return None
    year = int(m.group(1).translate(str.maketrans("〇一二三四五六七八九", "0123456789")))
    mm = ARABIC_DATE.search(cn2an.transform(f"2000年{m.group(2)}月{m.group(3)}日", "cn2an"))
    return make_date(year, int(mm.group(2)), int(mm.group(3))) if mm else None


def parse_date(s: str | None) -> dt.date | None:
    """Any single date string (text or metadata format)."""
    if not s:
        return None
    m = ARABIC_DATE.search(s) or META_DATE.search(s)
    if m:
        return make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
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
        # A date right under a headline (and its section or author lines), with the body after it, is the
        # report's dateline, not a signature; a cover notice's date after its own sentences
        # (现将…印发给你们。) is still the signature.
        if i <= 5 and i + 1 < len(lines) and not _SENTENCE_END.search("".join(lines[:i])):
            break
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


# A page line that says the page is the site's own post (浏览：2 作者：站点编辑 发布时间：… 来源：本站): its date
# is when the reprint went up, not when the notice it carries was published.
OWN_POST = re.compile(r"来源\s*[:：]\s*(?:本站|本网|本网站|原创)")


def labelled_date(lines: Sequence[str], labels: tuple[str, ...]) -> dt.date | None:
    """'成文日期：…' / '发文日期：…' printed as a line of the text (MOFCOM puts it inside the body); not on
    a line of a reprint site's own post (:data:`OWN_POST`)."""
    for line in lines[:40] + list(lines[-15:]):
        if OWN_POST.search(line):
            continue
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


def cited(text: str, sent_start: int, at: int, subject: str | None) -> bool:
    """The phrase at ``at`` states the date of a document the text cites as a basis, not its own: it
    follows a cited 《title》 directly, or its sentence cites one with 根据《…. The subject of a report
    (``subject``: its title) is not cited: its date is the report's."""
    before = text[sent_start:at]
    m = _AFTER_CITED.search(before)
    if m:
        title_start = before.rfind("《", 0, m.start() + 1)
        return not (subject and subject in before[title_start:])
    return bool(_BASIS.search(before)) and not _SELF_REF.search(before)


def effective(text: str, subject: str | None = None) -> tuple[str | None, dt.date | None]:
    """(rule, explicit date). rule: explicit / on_publication / on_issue / None.

    Prefer a phrase whose sentence refers to the notice itself (本通知…, 上述规定…); else the last one,
    which is where notices put it (the last article before 特此通知). A phrase that gives the date of a
    cited document (see :func:`cited`) is not this document's."""
    cands: list[tuple[bool, str, dt.date | None]] = []
    for rx in (EFFECTIVE, EFFECTIVE_LABEL):
        for m in rx.finditer(text):
            what = m.group("what")
            sent_start = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            if cited(text, sent_start, m.start(), subject):
                continue
            self_ref = bool(_SELF_REF.search(text, sent_start, m.start()))
            if what.endswith("之日"):
                rule = "on_issue" if what[:2] in ("印发", "发文", "下发") else "on_publication"
                cands.append((self_ref, rule, None))
            else:
                cands.append((self_ref, "explicit", parse_date(what)))
    if not cands:
        for m in EFFECTIVE_LEAD.finditer(text[:2000]):
            sent_start = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            if not cited(text, sent_start, m.start(), subject):
                return "explicit", parse_date(m.group("what"))
        return None, None
    chosen = next((c for c in reversed(cands) if c[0]), cands[-1])
    return chosen[1], chosen[2]


# 新税制将于4月8日起施行: a month and day without a year (not a year's tail: 2016年4月8日 is read above).
_YEARLESS_EFFECTIVE = re.compile(r"(?<![\d年])(?:自|从|于)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起|开始)?\s*(?:正式)?"
                                 r"(?:施行|实施|执行|生效)")
# A report's dateline: 更新时间：2016-03-25, a date-only line, 新华社北京2021年3月22日电.
_DATELINE_LABEL = re.compile(r"(?:更新时间|发布时间|发布日期|发稿时间|时间|日期)\s*[:：]\s*(.{8,24})")
_DATELINE_WIRE = re.compile(r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*电")


def dateline(lines: Sequence[str]) -> dt.date | None:
    """The report's own date in its opening lines, if it prints one."""
    for line in lines[:8]:
        m = _DATELINE_LABEL.search(line) or _DATELINE_WIRE.search(line)
        d = parse_date(m.group(1)) if m else date_line(line) or (
            parse_date(line) if META_DATE.fullmatch(line.strip("[]【】 ")) else None)
        if d:
            return d
    return None


def yearless_effective(text: str, year: int | None, subject: str | None = None) -> dt.date | None:
    """自4月8日起施行 said by a report: the month and day take the year of its dateline (README of the
    corpus); none without a dateline, or when the phrase dates a cited document."""
    if year is None:
        return None
    for m in _YEARLESS_EFFECTIVE.finditer(text[:3000]):
        sent_start = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        if not cited(text, sent_start, m.start(), subject):
            return make_date(year, int(m.group(1)), int(m.group(2)))
    return None


# English metadata lines of bilingual reprints: "Date Issued: 11-14-2022", "Effective Date: 2023-01-01".
_EN_LABELS = (
    ("issue_date", r"date\s*(?:issued|of\s*issuance|of\s*issue|of\s*promulgation|signed)|issu(?:e|ing|ance)\s*date|"
                   r"promulgation\s*date|issued\s*on|promulgated\s*on"),
    ("effective_date", r"effective\s*date|date\s*(?:effective|of\s*effect(?:iveness)?|of\s*implementation)|"
                       r"implementation\s*date|effective\s*(?:on|from|as\s*of)"),
    ("publish_date", r"(?:release|publication|posting|published)\s*date|date\s*(?:released|published|posted)"),
)
# Law databases' bilingual copies often lose the spaces between words ("DateIssued:11-14-2022Effective…"),
# so the labels allow none between their words; the word pairs are specific enough not to match prose.
_LATIN_WORD = re.compile(r"[A-Za-z]{4}")
_EN_LINE = re.compile("|".join(f"(?P<{k}>{rx})" for k, rx in _EN_LABELS), re.I)
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                             "nov", "dec"))}
_NUMERIC = re.compile(r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})")
_WORDY = re.compile(r"(?:(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})|([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}))")


def english_date(value: str) -> dt.date | None:
    """11-14-2022 (month first, as these lines print it; day first when the first part exceeds 12),
    2022-11-14, 14 November 2022, Nov. 14, 2022."""
    m = _NUMERIC.search(value)
    if m:
        a, b, c = (int(x) for x in m.groups())
        if len(m.group(1)) == 4:
            return make_date(a, b, c)
        return make_date(c, b, a) if a > 12 else make_date(c, a, b)
    m = _WORDY.search(value)
    if m:
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        mm = _MONTHS.get(month[:3].lower())
        return make_date(int(year), mm, int(day)) if mm else None
    return None


def english_metadata(lines: Sequence[str]) -> dict[str, dt.date]:
    """issue_date / effective_date / publish_date from English label lines (several may share a line)."""
    out: dict[str, dt.date] = {}
    for line in list(lines[:40]) + list(lines[-15:]):
        if line.isascii() is False and not _LATIN_WORD.search(line):  # most lines of a notice: no English
            continue
        labels = list(_EN_LINE.finditer(line))
        for i, m in enumerate(labels):
            value = line[m.end(): labels[i + 1].start() if i + 1 < len(labels) else len(line)]
            d = english_date(value.lstrip(" :：-"))
            if d and m.lastgroup:
                out.setdefault(m.lastgroup, d)
    return out
