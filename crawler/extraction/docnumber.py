"""发文字号: 国函〔2016〕17号, 海关总署公告2014年第12号, 财政部等11部门公告2016年第40号 (domain.md §2.1).

The document's own number is the one in its header (under the title, or run into it) or in its
signature block; bodies cite earlier documents as 《…》（number）, and those are never the document's.
The caller passes the lines with cited text masked (crawler.extraction.citations) for the last-resort
search of the opening. Forms read: any bracket around the year (〔〕 () [] 【】), a Chinese-numeral
year or serial (商务部公告二〇二六年第五号), the agency list printed on the line above a bare
公告2016年第40号, and a number broken over two lines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from .agencies import number_prefix_pattern, split_agencies
from .normalize import clean_text, normalize_year_brackets, squeeze

_YEAR = r"(?:19|20)\d\d"
BRACKETED = re.compile(
    rf"(?P<code>[\u4e00-\u9fa5]{{1,10}})\s?〔(?P<year>{_YEAR})〕\s*第?\s*(?P<serial>\d{{1,5}})\s*号")
ANNOUNCE = re.compile(rf"公告\s*(?P<year>{_YEAR})\s*年\s*第\s*(?P<serial>\d{{1,5}})\s*号")
# The same number written backwards, as reports and some reprints do: 海关总署2018年第194号公告.
REVERSED = re.compile(rf"(?<!\d)(?P<year>{_YEAR})\s*年\s*第\s*(?P<serial>\d{{1,5}})\s*号\s*公告")
_CN = "〇○零OoＯ一二三四五六七八九十百两"
_CN_ANNOUNCE = re.compile(rf"(?P<year>[{_CN}]{{4}})(?P<y>\s*年\s*第\s*)(?P<serial>[{_CN}\d]{{1,6}})(?P<h>\s*号)")
_DEPTS = r"等\s*(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})\s*个?\s*部门"
_PREFIX = re.compile(rf"(?:{number_prefix_pattern()})(?:{_DEPTS})?$")
_ISSUER_VERB = re.compile(r"(.{2,20}?)(?:于[^，。；,]{0,14}?)?(?:正式|联合)?(?:发布|公布|印发|出台|下发)了?(?:第)?$")
_LEAD_WORDS = re.compile(r"^(?:根据|按照|依据|参照|执行|详见|以及|见|即|和|及|与|或|并|的|由|对|将|在)+")
# 试点有关事项按海关总署公告2020年第75号执行: 按 alone names the rules to follow, a basis like 按照.
# 原2020年第75号公告里的…要求不再执行 / 该要求规定在…公告2020年第75号第四条: the former text, whose rules change.
_CITE_BEFORE = re.compile(r"(?:》\s*[（(]?|根据|按照|按|依据|依照|参照|详见|见|原|规定在|规定于|载于)\s*$")
# After the number (and its bracketed title, if any): an article of it, or what is in it (里/中的…要求).
_CITED_PART_AFTER = re.compile(r"\s*(?:公告)?\s*(?:[（(][^（()）\n]{0,80}[)）])?\s*"
                               r"(?:第[一二三四五六七八九十百\d]{1,4}[条款项]|里的?|中的|所附|附件|有关规定|相关规定|的有关|的规定)")
# 海关总署公告2020年第75号即《关于…的公告》: a number glossed by its title is one the text explains.
_GLOSSED_AFTER = re.compile(r"\s*(?:即|也就是|是指|指)\s*《")
_DIGITS = str.maketrans("〇○零OoＯ一二三四五六七八九", "000000123456789")
_BARE_ANNOUNCE = re.compile(rf"^(?:公告)?\s*({_YEAR})\s*年\s*第\s*(\d{{1,5}})\s*号$")


def _cn_int(s: str) -> int | None:
    from .places import cn_int

    return cn_int(s.replace("两", "二"))


def _arabic_announcements(text: str) -> str:
    """商务部公告二〇二六年第五号 -> 商务部公告2026年第5号, padded to the same length (offsets stay)."""
    def fix(m: re.Match[str]) -> str:
        year = m.group("year").translate(_DIGITS)
        serial = m.group("serial")
        n = int(serial) if serial.isdigit() else _cn_int(serial)
        if not year.isdigit() or n is None:
            return m.group(0)
        return year + m.group("y") + str(n).rjust(len(serial)) + m.group("h")

    return _CN_ANNOUNCE.sub(fix, text) if "年" in text else text


def _announce_prefix(text: str, start: int) -> tuple[str, int]:
    """The issuer written before 公告 at ``start``, normalised, and how many characters it took."""
    before = text[max(0, start - 30): start]
    m = _PREFIX.search(before.replace(" ", ""))
    # 海关总署发布了2020年第92号公告: the issuer is the verb's subject, with the number as its object.
    said = None if m else _ISSUER_VERB.search(before.replace(" ", ""))
    if said and _PREFIX.search(said.group(1)):
        return _PREFIX.search(said.group(1)).group(0), 0  # type: ignore[union-attr]
    if not m:
        # GACC's own short forms: 署公告〔2014〕12号, 总署公告〔2014〕12号.
        short = "总署" if before.endswith("总署") else "署" if before.endswith("署") else ""
        return ("海关总署", len(short)) if short else ("", 0)
    prefix = m.group(0)
    taken, chars = 0, 0  # walk back over the prefix as written (spaces inside it included)
    while chars < len(prefix) and taken < len(before):
        taken += 1
        chars += before[-taken] != " "
    if m.group("n"):  # one spelling of the joint issuers: 财政部等八个部门 -> 财政部等8部门
        n = m.group("n") if m.group("n").isdigit() else str(_cn_int(m.group("n")))
        prefix = prefix[: prefix.index("等")] + f"等{n}部门"
    return prefix, taken


def find_numbers(text: str) -> list[tuple[int, str]]:
    """Every document number in ``text`` as (offset, normalised form), in order."""
    if "号" not in text:  # every form ends in 号: most lines of a notice hold none, skip their normalising
        return []
    return list(_find_numbers(text))


@functools.lru_cache(maxsize=512)  # the header's lines are asked about several times per notice
def _find_numbers(text: str) -> tuple[tuple[int, str], ...]:
    text = _arabic_announcements(normalize_year_brackets(clean_text(text)))
    out: list[tuple[int, str]] = []
    for m in BRACKETED.finditer(text):
        code = _LEAD_WORDS.sub("", m.group("code"))
        if code.endswith("公告"):  # 海关总署公告〔2018〕194号: the announcement form, bracketed by a reprint
            at = m.start("code") + len(m.group("code")) - 2
            prefix, taken = _announce_prefix(text, at)
            out.append((at - taken, f"{prefix}公告{m.group('year')}年第{int(m.group('serial'))}号"))
        elif code:
            out.append((m.start(), f"{code}〔{m.group('year')}〕{m.group('serial')}号"))
    for rx in (ANNOUNCE, REVERSED):
        for m in rx.finditer(text):
            prefix, taken = _announce_prefix(text, m.start())
            out.append((m.start() - taken, f"{prefix}公告{m.group('year')}年第{int(m.group('serial'))}号"))
    out.sort()
    return tuple(out)


def _is_citation(text: str, offset: int, end: int | None = None) -> bool:
    if end is not None and (_GLOSSED_AFTER.match(text, end) or _CITED_PART_AFTER.match(text, end)):
        return True
    return bool(_CITE_BEFORE.search(text[max(0, offset - 8): offset]))


def _number_end(text: str, offset: int, num: str) -> int | None:
    """Where the number found at ``offset`` ends in ``text`` (its normalised form may differ in spaces)."""
    m = re.compile(r"[^\n]{0,40}?号").match(text, offset)
    return m.end() if m else None


def _expand_customs(num: str, customs_context: bool) -> str:
    # GACC metadata writes 公告〔2023〕199号 without the agency (sources.md §3.3).
    if num.startswith("公告") and customs_context:
        return "海关总署" + num
    return num


def normalize(raw: str, customs_context: bool = False) -> str | None:
    """Normalise one number string (metadata value); None when it holds no document number."""
    found = find_numbers(squeeze(raw))
    return _expand_customs(found[0][1], customs_context) if found else None


def _issuers_prefix(line: str) -> str:
    """The agency list printed above a bare announcement number, as the number's prefix:
    '财政部 发展改革委 … 密码局' -> '财政部等11部门', '商务部' -> '商务部'; '' when it is no agency list."""
    line = line.removesuffix("公告").strip()
    agencies = [a for a in re.split(r"[\s、，,]+", line) if a]
    if not agencies or split_agencies(line) is None:
        return ""
    return agencies[0] if len(agencies) == 1 else f"{agencies[0]}等{len(agencies)}部门"


def _number_line(lines: Sequence[str], i: int) -> str | None:
    """The number when line ``i`` is nothing but a number (or only completes one with the line above)."""
    bare = re.sub(r"[\s()（）]", "", lines[i])
    found = find_numbers(bare)
    if len(found) == 1 and len(bare) <= len(found[0][1]) + 4:
        num = found[0][1]
        if num.startswith("公告") and i > 0:
            return (_issuers_prefix(lines[i - 1]) + num) if _issuers_prefix(lines[i - 1]) else num
        return num
    m = _BARE_ANNOUNCE.match(bare)
    if not m or i == 0:
        return None
    above = lines[i - 1]
    if squeeze(above) == "公告" and i > 1:  # the issuers / 公告 / 2016年第40号, each on its own line
        above = lines[i - 2] + "公告"
    if above.endswith("公告"):  # 财政部等11部门公告 / 2016年第40号
        return f"{_issuers_before(above[:-2])}公告{m.group(1)}年第{int(m.group(2))}号"
    # A year and serial printed right under a list of issuers is their joint announcement's number, with
    # or without the word 公告 (the positive-list announcements print it so).
    prefix = _issuers_prefix(above)
    return f"{prefix}公告{m.group(1)}年第{int(m.group(2))}号" if prefix else None


def _issuers_before(line: str) -> str:
    """The issuers a line printed above 公告 names, as a number's prefix ('' when it names none):
    an agency list (财政部 发展改革委 …) or a written-out joint form (财政部等11个部门)."""
    return _issuers_prefix(line) or _announce_prefix(line + "公告", len(line))[0]


def _split_number(lines: Sequence[str], i: int) -> str | None:
    """A number broken over lines ``i`` and ``i + 1`` (国函〔2016〕 / 17号; 公告 / 2016年第40号 under the
    issuers, who then give it its prefix)."""
    if i + 1 >= len(lines) or find_numbers(lines[i]) or find_numbers(lines[i + 1]):
        return None
    joined = squeeze(lines[i] + lines[i + 1])
    found = find_numbers(joined)
    if len(found) == 1 and len(joined) <= len(found[0][1]) + 4:
        num = found[0][1]
        return (_issuers_before(lines[i - 1]) + num) if num.startswith("公告") and i > 0 else num
    return None


def doc_number(lines: Sequence[str], title: str | None, info: Mapping[str, str],
               customs_context: bool = False, masked: Sequence[str] | None = None) -> str | None:
    """The document's own number: metadata, a header line, the title, the signature block, then the
    first number of the opening that is not cited (``masked``: the lines with cited text blanked)."""
    for key in ("发文字号", "文号", "发文号"):
        if info.get(key):
            n = normalize(info[key], customs_context)
            if n:
                return _prefer_longer(n, title)
    top = [ln for ln in lines[:10] if ln != title]
    # 1. a header line that is nothing but a number (it sits under the title), or half of one.
    for i in range(len(top)):
        num = _number_line(top, i) or _split_number(top, i)
        if num:
            return _expand_customs(num, customs_context)
    # 2. customs put the number in the title.
    if title:
        # A long line taken for a title may cite another text's article (规定在…公告2020年第75号第四条).
        # (Not the words before it: 《title》(number) is how a title carries its own number.)
        found = [(o, n) for o, n in find_numbers(title)
                 if not ((e := _number_end(title, o, n)) is not None and _CITED_PART_AFTER.match(title, e))]
        if found:
            return _expand_customs(found[0][1], customs_context)
        # 2b. the number in brackets right after the title, on the title's own line (a copy that runs title,
        # number and addressees together). It is the document's own, though the masked text blanks it.
        for ln in lines[:10]:
            at = ln.find(title)
            if at >= 0 and len(title) >= 8:
                rest = ln[at + len(title):].lstrip()
                close = re.match(r"[（(][^（()）]{0,30}(?:[（(][^（()）]{0,8}[)）])?[^（()）]{0,12}[)）]", rest)
                found = find_numbers(close.group(0)) if close else []
                if found:
                    return _expand_customs(found[0][1], customs_context)
    # 3. a number line in the signature block (announcements printed with the number under the issuers).
    tail = list(lines[-8:]) if len(lines) > 10 else []
    for i in range(len(tail)):
        num = _number_line(tail, i)
        if num:
            return _expand_customs(num, customs_context)
    # 4. the first uncited number near the top (some reprints run title and number together).
    source = masked if masked is not None else lines
    header = [ln for ln in source[:8] if ln != title]
    head = normalize_year_brackets("\n".join(header))[:800]
    for off, num in find_numbers(head):
        if not _is_citation(head, off, _number_end(head, off, num)):
            return _expand_customs(num, customs_context)
    return None


def _prefer_longer(num: str, title: str | None) -> str:
    """Metadata may shorten 海关总署公告… to 公告…; the title's full form of the same number wins."""
    if title and num.startswith("公告"):
        for _, t in find_numbers(title):
            if t.endswith(num):
                return t
    return num

