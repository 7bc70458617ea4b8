"""Issuing agencies: title prefix, announcement-number prefix, signature block; canonical names.

Alias table: domain.md §2.3.

经国务院同意 never makes 国务院 an issuer: we only read the title's agency prefix, the number's prefix, the
signature block and the info table, never the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# short/old form -> canonical. Names mapping to themselves are listed so they are recognised at all.
ALIASES: dict[str, str] = {
    "国务院": "国务院", "国务院办公厅": "国务院办公厅", "国办": "国务院办公厅",
    "商务部": "商务部", "商务部办公厅": "商务部办公厅", "财政部": "财政部", "海关总署": "海关总署",
    "中华人民共和国海关总署": "海关总署", "署": "海关总署",
    "税务总局": "国家税务总局", "国家税务总局": "国家税务总局",
    "发展改革委": "国家发展和改革委员会", "国家发展改革委": "国家发展和改革委员会",
    "国家发展和改革委员会": "国家发展和改革委员会", "发改委": "国家发展和改革委员会",
    "市场监管总局": "国家市场监督管理总局", "国家市场监管总局": "国家市场监督管理总局",
    "国家市场监督管理总局": "国家市场监督管理总局",
    "工业和信息化部": "工业和信息化部", "工信部": "工业和信息化部",
    "环境保护部": "生态环境部", "生态环境部": "生态环境部",
    "农业部": "农业农村部", "农业农村部": "农业农村部",
    "质检总局": "国家质量监督检验检疫总局", "国家质检总局": "国家质量监督检验检疫总局",
    "国家质量监督检验检疫总局": "国家质量监督检验检疫总局",
    "食品药品监管总局": "国家食品药品监督管理总局", "国家食品药品监管总局": "国家食品药品监督管理总局",
    "国家食品药品监督管理总局": "国家食品药品监督管理总局",
    "新闻出版广电总局": "国家新闻出版广电总局", "国家新闻出版广电总局": "国家新闻出版广电总局",
    "濒管办": "中华人民共和国濒危物种进出口管理办公室",
    "国家濒管办": "中华人民共和国濒危物种进出口管理办公室",
    "中华人民共和国濒危物种进出口管理办公室": "中华人民共和国濒危物种进出口管理办公室",
    "密码局": "国家密码管理局", "国家密码管理局": "国家密码管理局",
    "公安部": "公安部", "文化部": "文化部", "文化和旅游部": "文化和旅游部",
    "卫生计生委": "国家卫生和计划生育委员会", "国家卫生计生委": "国家卫生和计划生育委员会",
    "卫生健康委": "国家卫生健康委员会", "国家卫生健康委": "国家卫生健康委员会",
    "国家卫生健康委员会": "国家卫生健康委员会",
    "药监局": "国家药品监督管理局", "国家药监局": "国家药品监督管理局",
    "国家药品监督管理局": "国家药品监督管理局",
    "林业局": "国家林业局", "国家林业局": "国家林业局", "国家林草局": "国家林业和草原局",
    "国家林业和草原局": "国家林业和草原局", "人民银行": "中国人民银行", "中国人民银行": "中国人民银行",
    "外汇局": "国家外汇管理局", "国家外汇局": "国家外汇管理局", "国家外汇管理局": "国家外汇管理局",
    "邮政局": "国家邮政局", "国家邮政局": "国家邮政局", "知识产权局": "国家知识产权局",
    "国家知识产权局": "国家知识产权局", "烟草局": "国家烟草专卖局", "国家烟草专卖局": "国家烟草专卖局",
    "交通运输部": "交通运输部", "科技部": "科学技术部", "科学技术部": "科学技术部", "司法部": "司法部",
    "网信办": "国家互联网信息办公室", "国家网信办": "国家互联网信息办公室",
    "国家互联网信息办公室": "国家互联网信息办公室", "银保监会": "中国银行保险监督管理委员会",
    "证监会": "中国证券监督管理委员会",
    # Issuers of announcements cited by number (税委会公告2024年第17号) that the table lacked.
    "国务院关税税则委员会": "国务院关税税则委员会", "关税税则委员会": "国务院关税税则委员会",
    "税委会": "国务院关税税则委员会", "国务院关税税则委": "国务院关税税则委员会",
    "国家移民管理局": "国家移民管理局", "国家市场监督管理总局办公厅": "国家市场监督管理总局办公厅",
    "海关总署办公厅": "海关总署办公厅", "财政部办公厅": "财政部办公厅", "国家税务总局办公厅": "国家税务总局办公厅",
    "国家数据局": "国家数据局", "中国民用航空局": "中国民用航空局", "民航局": "中国民用航空局",
    "国家铁路局": "国家铁路局", "国家外汇管理局综合司": "国家外汇管理局综合司",
    "统计局": "国家统计局", "国家统计局": "国家统计局",
}
# A token that is not in the table but looks like a body that issues documents.
_AGENCY_SHAPE = re.compile(r"[\u4e00-\u9fa5]{2,24}(?:部|委|委员会|总署|总局|局|署|办公室|办公厅|院|银行|会)")
_SEPARATORS = re.compile(r"[\s、，,]+")
_NOT_AGENCY = ("海关总署广东分署",)  # a branch that appears in salutations, never a joint issuer here


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def split_agencies(s: str) -> list[str] | None:
    """Split 'a b c' into agencies, or None when any part is not agency-shaped."""
    parts = [p for p in _SEPARATORS.split(s.strip()) if p]
    if not parts or len(parts) > 30:
        return None
    out = []
    for p in parts:
        if p in ALIASES or (_AGENCY_SHAPE.fullmatch(p) and p not in _NOT_AGENCY):
            out.append(canonical(p))
        else:
            return None
    return out


def is_agency_line(line: str) -> bool:
    return bool(line.strip()) and split_agencies(line) is not None


def from_title(title: str | None) -> list[str]:
    """'财政部 海关总署 税务总局关于…的通知' -> the three agencies; '国务院关于…' -> 国务院."""
    if not title:
        return []
    i = title.find("关于")
    if i <= 0:
        return []
    return split_agencies(title[:i]) or []


def from_number(doc_number: str | None) -> list[str]:
    """'海关总署公告2014年第12号' -> 海关总署; '财政部等11部门公告…' -> 财政部 (the lead)."""
    if not doc_number:
        return []
    m = re.match(r"(.+?)(?:等\d+个?部门)?公告", doc_number)
    if not m:
        return []
    return split_agencies(m.group(1)) or []


def from_signature(lines: Sequence[str], date_index: int | None) -> list[str]:
    """Lines above the signature date, while each is made of agency names (a joint notice uses several)."""
    if date_index is None:
        return []
    out: list[str] = []
    # The date line itself may carry the agency ("海关总署 2014年1月24日").
    i = date_index - 1
    while i >= 0 and date_index - i <= 12:
        parts = split_agencies(lines[i])
        if parts is None:
            break
        out[:0] = parts
        i -= 1
    return out


def merge(*sources: Iterable[str]) -> list[str]:
    """The first non-empty source, deduplicated in order (the signature is the most complete)."""
    for src in sources:
        seen: list[str] = []
        for a in src:
            if a and a not in seen:
                seen.append(a)
        if seen:
            return seen
    return []


def number_prefix_pattern() -> str:
    """Alternation of agency names, longest first, for the announcement-number prefix."""
    return "|".join(sorted((re.escape(a) for a in ALIASES if len(a) > 1), key=len, reverse=True))
