"""发文字号: 国函〔2016〕17号, 海关总署公告2014年第12号, 财政部等11部门公告2016年第40号 (domain.md §2.1).

Header line and metadata beat numbers found in the body: bodies cite earlier documents as 《…》（number）.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .agencies import number_prefix_pattern
from .normalize import normalize_year_brackets, squeeze

_YEAR = r"(?:19|20)\d\d"
BRACKETED = re.compile(
    rf"(?P<code>[\u4e00-\u9fa5]{{1,10}})〔(?P<year>{_YEAR})〕\s*第?\s*(?P<serial>\d{{1,5}})\s*号")
ANNOUNCE = re.compile(rf"公告\s*(?P<year>{_YEAR})\s*年\s*第\s*(?P<serial>\d{{1,5}})\s*号")
_PREFIX = re.compile(rf"(?:{number_prefix_pattern()})(?:等\d{{1,2}}个?部门)?$")
_LEAD_WORDS = re.compile(r"^(?:根据|按照|依据|参照|执行|详见|以及|见|即|和|及|与|或|并|的|由|对|将|在)+")
_CITE_BEFORE = re.compile(r"(?:》\s*[（(]?|根据|按照|依据|参照|详见|见)\s*$")


def _announce_prefix(text: str, start: int) -> str:
    m = _PREFIX.search(text[max(0, start - 30): start].replace(" ", ""))
    return m.group(0) if m else ""


def find_numbers(text: str) -> list[tuple[int, str]]:
    """Every document number in ``text`` as (offset, normalised form), in order."""
    text = normalize_year_brackets(text)
    out: list[tuple[int, str]] = []
    for m in BRACKETED.finditer(text):
        code = _LEAD_WORDS.sub("", m.group("code"))
        if code.endswith("公告"):  # 海关总署公告〔2018〕194号: the announcement form, bracketed by a reprint
            at = m.start("code") + len(m.group("code")) - 2
            prefix = _announce_prefix(text, at)
            out.append((at - len(prefix), f"{prefix}公告{m.group('year')}年第{int(m.group('serial'))}号"))
        elif code:
            out.append((m.start(), f"{code}〔{m.group('year')}〕{m.group('serial')}号"))
    for m in ANNOUNCE.finditer(text):
        prefix = _announce_prefix(text, m.start())
        out.append((m.start() - len(prefix), f"{prefix}公告{m.group('year')}年第{int(m.group('serial'))}号"))
    out.sort()
    return out


def _is_citation(text: str, offset: int) -> bool:
    return bool(_CITE_BEFORE.search(text[max(0, offset - 8): offset]))


def _expand_customs(num: str, customs_context: bool) -> str:
    # GACC metadata writes 公告〔2023〕199号 without the agency (sources.md §3.3).
    if num.startswith("公告") and customs_context:
        return "海关总署" + num
    return num


def normalize(raw: str, customs_context: bool = False) -> str | None:
    """Normalise one number string (metadata value); None when it holds no document number."""
    found = find_numbers(squeeze(raw))
    return _expand_customs(found[0][1], customs_context) if found else None


def doc_number(lines: Sequence[str], title: str | None, info: Mapping[str, str],
               customs_context: bool = False) -> str | None:
    for key in ("发文字号", "文号", "发文号"):
        if info.get(key):
            n = normalize(info[key], customs_context)
            if n:
                return _prefer_longer(n, title)
    header = [ln for ln in lines[:8] if ln != title]
    # 1. a header line that is nothing but a number (it sits under the title).
    for ln in header:
        bare = re.sub(r"[\s()（）]", "", ln)
        found = find_numbers(bare)
        if len(found) == 1 and len(bare) <= len(found[0][1]) + 4:
            return _expand_customs(found[0][1], customs_context)
    # 2. customs put the number in the title.
    if title:
        found = find_numbers(title)
        if found:
            return _expand_customs(found[0][1], customs_context)
    # 3. the first uncited number near the top (some reprints run title and number together).
    head = normalize_year_brackets("\n".join(header))[:800]
    for off, num in find_numbers(head):
        if not _is_citation(head, off):
            return _expand_customs(num, customs_context)
    return None


def _prefer_longer(num: str, title: str | None) -> str:
    """Metadata may shorten 海关总署公告… to 公告…; the title's full form of the same number wins."""
    if title and num.startswith("公告"):
        for _, t in find_numbers(title):
            if t.endswith(num):
                return t
    return num
