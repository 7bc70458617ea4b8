"""Rule figures (limits in yuan, tax rates, list item counts) and customs supervision codes.

Every pattern is anchored on a fixed term and bounded ({0,N}), so the work stays linear on any input.
"""

from __future__ import annotations

import re

from .model import Figure

# Amounts in Arabic (5000, 2.6万, 26,000) or Chinese numerals (五千, 两万六千): see _yuan.
_CN_AMOUNT = "零〇一二三四五六七八九十百千万两"
_AMOUNT = rf"(?:人民币)?\s*(\d[\d,，]{{0,12}}(?:\.\d+)?|[{_CN_AMOUNT}]{{1,10}})\s*(万)?\s*元"
# 单次交易限值由人民币2000元提高至5000元 / 年度交易限值为人民币20000元
# Reports and press versions name the same limits in their own words: 单次交易限额, 单笔购物限额, 个人年度
# 跨境电商购物限额, 年度购买额度 (corpus tax-2018-49-cgtn-govcn); the official term is 交易限值.
_LIMIT_WORD = r"(?:交易|购物|购买|消费)?(?:限值|限额|额度|上限)"  # 单笔交易上限为5000元: press word
_LIMITS = (("single", rf"(?:单次|单笔){_LIMIT_WORD}|(?:单次|单笔)交易(?=\s*(?:人民币)?\s*\d)"),  # 限额由单次交易2000元…
           # 年度交易限值 / 全年额度 / 全年累计上限 / 每年购物限额
           ("annual", rf"(?:个人)?(?:年度|全年|每年)(?:累计)?(?:跨境电商|跨境)?{_LIMIT_WORD}"))
# What may stand between a limit's name and its value: never the next limit's name (单次交易限值为五千元，
# 年度交易限值由… must not give the single limit the annual one's change).
_NOT_TERM = r"(?:(?!限值|限额|额度|上限)[^。；])"
_VERB = r"(?:提高|调整|上调|提升|下调|降低|调高|放宽|增加|增|扩大|减少|降)(?:到|至|为)"
# 由每人每年20000元提高至26000元: a short qualifier may stand between 由 and the old value; 2000元提高至5000元
# right after the term (限额由单次交易2000元提高至5000元) is the same change without 由.
_QUALIFIER = r"(?:每人每年|每人每次|每人|每年|每次|每单|单次交易|单笔交易|年度|个人)?"
_CHANGE = re.compile(rf"^{_NOT_TERM}{{0,12}}?(?:(?:由|从)\s*{_QUALIFIER}|(?=\s*(?:人民币)?\s*\d))\s*{_AMOUNT}\s*{_VERB}"
                     rf"\s*{_AMOUNT}")
# 提高6000元至26000元: by how much, then to what
_RAISE_BY = re.compile(rf"^{_NOT_TERM}{{0,12}}?(?:提高|增加|上调)\s*{_AMOUNT}\s*(?:至|到)\s*{_AMOUNT}")
_RAISE = re.compile(rf"^{_NOT_TERM}{{0,12}}?{_VERB}\s*{_AMOUNT}")  # 提高至人民币8000元 (the old value unsaid)
_STATE = re.compile(rf"^{_NOT_TERM}{{0,8}}?(?:为|是|是指)\s*{_AMOUNT}")
_DIRECT = re.compile(rf"^\s*{_AMOUNT}")  # 单次交易限额5000元、年度交易限额26000元: the value right after the term
_BEFORE = re.compile(rf"{_AMOUNT}\s*$")
# Press words state a limit as the ceiling of one purchase or of a year's purchases, without 限值:
# 单次交易价值低于2000元 / 单次交易金额不超过5000元 / 一年内购物超过20000元 / 个人年度交易总额不超过26000元.
# Only with 单次/单笔 or a year's span before the value: 海外网购价值低于1000元 is an old parcel-tax threshold.
_CEILING_VERB = r"(?:低于|不超过|不高于|不得超过|超过|高于|在)"
_CEILINGS = {
    "single": re.compile(rf"(?:单次|单笔)(?:交易|购物|购买|消费)?(?:价值|金额|额)?\s*{_CEILING_VERB}\s*{_AMOUNT}"),
    "annual": re.compile(rf"(?:一年内|年度|每年|全年)[^。；，,\d]{{0,12}}?(?:交易|购物|购买|消费)(?:总额|金额|额)?"
                         rf"\s*{_CEILING_VERB}\s*{_AMOUNT}|"
                         # 每人每年最多人民币20,000元: the year's ceiling said with 最多 and no noun
                         rf"(?:每人每年|个人每年|每人全年)\s*(?:最多|最高|至多)\s*(?:可(?:购买|消费)?)?\s*{_AMOUNT}"),
}
# Tax rates: 关税税率暂设为0% / 按法定应纳税额的70%征收
_DUTY_RATE = re.compile(r"关税税率[^。；%]{0,12}?(\d{1,3}(?:\.\d+)?)\s*%")
_DUTY_RATE_FIRST = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*[%％]\s*(?:的)?关税税率")  # 暂按0%关税税率
_TAX_SHARE = re.compile(r"应纳税额的\s*(\d{1,3}(?:\.\d+)?)\s*%")
_PCT = r"(\d{1,3}(?:\.\d+)?)\s*[%％]"
# A rate changed in the document: 关税税率由10%调整为5% / 应纳税额的70%调整为…由70%降至60%.
_RATE_TERMS = (("customs_duty_rate_pct", r"关税税率"), ("vat_rate_pct", r"增值税税率"),
               ("consumption_tax_rate_pct", r"消费税税率"), ("tax_payable_share_pct", r"应纳税额"))
_RATE_CHANGE = re.compile(rf"[^。；%]{{0,20}}?(?:由|从)\s*(?:应纳税额的)?\s*{_PCT}\s*{_VERB}\s*{_PCT}")
# List sizes changed: 清单商品由1413个税目增至1476个 / 从1321项扩大到1413项.
_SIZE_CHANGE = re.compile(r"(?:由|从)\s*(\d{2,5})\s*(?:个|项)[^。；\d]{0,12}?" + _VERB + r"\s*(\d{2,5})\s*(?:个|项)")
# Positive list items: 共1142个8位税号 / 新增29项 / 删除1项 / 共计1413个税目
# Examples named before the count (…番茄汁等), bounded, never across a number, and never a tariff-line
# update (新增2022年税号115个, 删除失效税号80个 renumber lines, they add or remove no goods).
_LISTED = r"(?:(?!税号|税则)[^。；\d]){0,40}?"
# A count of goods, never of places (新增上海、福州…12个直属海关 adds customs districts, not 12 items).
_UNIT = (r"\s*(\d{1,5}|[一二三四五六七八九十百千零两]{1,6})\s*(?:个|项)(?!\s*(?:直属海关|海关|城市|地区|省|试点))"
         r"\s*(?:8位)?")
_ITEMS = (
    ("items_total", re.compile(rf"(?:共|共计|合计|总计)(?:包括|包含|涉及|有|计)?{_UNIT}(?:税号|税目|商品|税则号列)")),
    # 新增29项 / 增加了滑雪用具、家用洗碟机等29项商品
    # never 增加到1413个: a new total, not an addition
    ("items_added", re.compile(rf"(?:新增|增加|增列)(?!到|至)\s*(?:了)?{_LISTED}{_UNIT}(?:税号|税目|商品)?")),
    ("items_removed", re.compile(rf"(?:删除|删去|减少|调出)\s*(?:了)?{_LISTED}{_UNIT}")),
    # 将…63个税目商品纳入清单 / 63个税目商品将纳入清单 / 约63类商品纳入清单
    ("items_added", re.compile(r"(\d{1,5})\s*(?:个|项|类)\s*(?:8位)?\s*(?:税目|税号)?\s*(?:商品)?\s*(?:将|被|拟)?\s*"
                               r"纳入(?:清单|正面清单)")),
)
# The rule figures this module can report (their ``previous_X`` twins and the per-document counts
# items_added / items_removed aside): what ``cbecwatch facts --name`` accepts on an empty database.
RULE_FIGURES = (*(f"{key}_limit_yuan" for key, _ in _LIMITS), *(name for name, _ in _RATE_TERMS),
                "items_total", "return_window_days")
_RETURN = re.compile(
    r"(\d{1,3})\s*(?:天|日)\s*(?:内|以内)?[^。；]{0,10}退货|退货[^。；]{0,15}?(\d{1,3})\s*(?:天|日)")

_CODE = re.compile(r"(?<![\d.\-/〔［\[])(\d{4})(?![\d.\-/〕］\]])")  # never the year of 〔2014〕12号
_CODE_CONTEXT = re.compile(r"监管方式|方式代码|监管代码|代码|贸易方式")
_NOT_CODE_AFTER = re.compile(r"\s*(?:年|月|日|号|元|万|亿|个|项|%|公斤|千克|天|人|家|批|吨|米|次|件|条|美元)")
KNOWN_CODES = {"9610", "1210", "1239", "9710", "9810", "0110", "1233", "1234", "1039", "0139", "9639"}


def cn_number(s: str) -> int | None:
    """A Chinese-numeral integer up to the 万 (五千 -> 5000, 两万六千 -> 26000, 一万零五百 -> 10500)."""
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
    units = {"十": 10, "百": 100, "千": 1000}
    total = section = cur = 0
    for ch in s:
        if ch in digits:
            cur = digits[ch]
        elif ch in units:
            section += (cur or 1) * units[ch]
            cur = 0
        elif ch == "万":
            total += (section + cur) * 10000
            section = cur = 0
        else:
            return None
    return total + section + cur


def _count(s: str) -> int:
    return int(s) if s.isdigit() else cn_number(s) or 0


def _yuan(num: str, wan: str | None) -> int | float:
    if not num[0].isdigit():
        n = cn_number(num)
        return (n or 0) * (10000 if wan else 1)
    v = float(num.replace(",", "").replace("，", ""))
    if wan:
        v *= 10000
    return int(v) if v.is_integer() else v


def limits(text: str) -> list[Figure]:
    out: list[Figure] = []
    for key, term in _LIMITS:
        new = old = None
        for m in re.finditer(term, text):
            tail = text[m.end(): m.end() + 60]
            c = _CHANGE.search(tail)
            if c:
                old, new = _yuan(c.group(1), c.group(2)), _yuan(c.group(3), c.group(4))
                break
            r = _RAISE_BY.search(tail)
            if r and new is None:
                new = _yuan(r.group(3), r.group(4))
            r = _RAISE.search(tail)
            if r and new is None:
                new = _yuan(r.group(1), r.group(2))
            s = _STATE.search(tail) or _DIRECT.search(tail)
            if s and new is None:
                new = _yuan(s.group(1), s.group(2))
            b = _BEFORE.search(text[max(0, m.start() - 20): m.start()])
            if b and new is None:  # 超过5000元单次交易限值
                new = _yuan(b.group(1), b.group(2))
        if new is None and (c := _CEILINGS[key].search(text)):
            num, wan = c.group(1, 2) if c.group(1) is not None else c.group(3, 4)  # which alternative matched
            new = _yuan(num, wan)
        if new is not None:
            out.append(Figure(f"{key}_limit_yuan", new, "yuan"))
        if old is not None:
            out.append(Figure(f"previous_{key}_limit_yuan", old, "yuan"))
    return out


def rates(text: str) -> list[Figure]:
    out: list[Figure] = []
    changed: set[str] = set()
    for name, term in _RATE_TERMS:
        for t in re.finditer(term, text):
            c = _RATE_CHANGE.match(text, t.end(), t.end() + 60)
            if c:
                out += [Figure(name, _num(c.group(2)), "percent"),
                        Figure(f"previous_{name}", _num(c.group(1)), "percent")]
                changed.add(name)
                break
    # The value-first form is tried only when the term is there: its pattern starts at every digit.
    m = None if "customs_duty_rate_pct" in changed or "关税税率" not in text else (
        _DUTY_RATE.search(text) or _DUTY_RATE_FIRST.search(text))
    if m:
        out.append(Figure("customs_duty_rate_pct", _num(m.group(1)), "percent"))
    m = None if "tax_payable_share_pct" in changed else _TAX_SHARE.search(text)
    if m:
        out.append(Figure("tax_payable_share_pct", _num(m.group(1)), "percent"))
    return out


def items(text: str) -> list[Figure]:
    out = []
    size = _SIZE_CHANGE.search(text)
    if size:
        out.append(Figure("previous_items_total", int(size.group(1)), "items"))
    for name, rx in _ITEMS:
        m = rx.search(text)
        if any(f.name == name for f in out):
            continue
        if name == "items_total" and size and not m:
            out.append(Figure(name, int(size.group(2)), "items"))
        elif m:
            out.append(Figure(name, _count(m.group(1)), "items"))
    m = _RETURN.search(text)
    if m:
        out.append(Figure("return_window_days", int(m.group(1) or m.group(2)), "days"))
    return out


def _num(s: str) -> int | float:
    v = float(s)
    return int(v) if v.is_integer() else v


def customs_codes(text: str) -> list[str]:
    """4-digit supervision codes, only in a customs-code context (never years, amounts or numbers)."""
    out: list[str] = []
    for m in _CODE.finditer(text):
        code = m.group(1)
        if _NOT_CODE_AFTER.match(text, m.end()):
            continue
        window = text[max(0, m.start() - 20): m.end() + 12]
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        quoted = before in "“\"‘'（(" and after in "”\"’'）)"
        known_use = code in KNOWN_CODES and (quoted or any(w in window for w in ("模式", "进口", "出口")))
        if (_CODE_CONTEXT.search(window) or known_use) and code not in out:
            out.append(code)
    return out


def all_figures(text: str) -> list[Figure]:
    return limits(text) + rates(text) + items(text)
