"""Customs districts (直属海关) named as the areas of a customs pilot (issue 17, class 2).

海关总署公告2020年第92号 names 上海、福州、青岛…拱北…等12个直属海关, most without 海关 after each
name: the names are those of cities, but what they designate is a customs district, never a city. A
designation list is a customs list when its count noun is 直属海关/海关 or the list runs into 海关; its
items are then reported as districts (上海 -> 上海海关) and none of them as a place.
"""

from __future__ import annotations

import re

# The 42 customs districts directly under the GACC (海关总署直属海关), by their short names.
DISTRICTS = frozenset((
    "北京", "天津", "石家庄", "太原", "满洲里", "呼和浩特", "沈阳", "大连", "长春", "哈尔滨", "上海", "南京",
    "杭州", "宁波", "合肥", "福州", "厦门", "南昌", "青岛", "济南", "郑州", "武汉", "长沙", "广州", "黄埔",
    "深圳", "拱北", "汕头", "江门", "湛江", "南宁", "海口", "重庆", "成都", "贵阳", "昆明", "拉萨", "西安",
    "兰州", "西宁", "银川", "乌鲁木齐",
))
# 等12个直属海关, with words between the count and 海关 (等12个新增试点海关), or the district by its other
# name (等12个重点关区).
_COUNT_NOUN = re.compile(r"等\s*[\d一二三四五六七八九十]{1,3}\s*个\s*[\u4e00-\u9fa5]{0,6}?(?:直属海关|海关|关区)")
# A run of names joined by 、 (each may carry 海关) closed by such a count noun, wherever the sentence puts it:
# 自9月1日起，重庆、成都、长沙、上海等12个新增试点海关对…实行 has no designation verb before the list.
_COUNTED_LIST = re.compile(r"[\u4e00-\u9fa5]{2,6}(?:\s*[、，,和及与]\s*[\u4e00-\u9fa5]{2,6}){0,45}\s*"
                           + _COUNT_NOUN.pattern)
_ITEMS = re.compile(r"[、，,；;和及与\s]+")
_NOT_NAME = re.compile(r"[^\u4e00-\u9fa5]")


def is_customs_list(span: str, after: str) -> bool:
    """The list ``span`` (followed in its sentence by ``after``) names customs districts."""
    return bool(_COUNT_NOUN.search(span)) or span.rstrip().endswith("海关") or after.lstrip().startswith("海关")


def districts(span: str, known_only: bool = False) -> list[str]:
    """The districts of a customs list, each as '<name>海关' (拱北 -> 拱北海关). ``known_only``: only the 42
    直属海关 (a list found by its count noun alone may begin with the words before it: 决定在北京海关)."""
    body = _COUNT_NOUN.sub("", span)
    out = []
    for item in _ITEMS.split(body):
        name = _NOT_NAME.sub("", item)
        if name.endswith("直属海关"):
            name = name[:-4]
        name = name.removesuffix("海关").removesuffix("市")
        if known_only:
            name = next((name[i:] for i in range(len(name)) if name[i:] in DISTRICTS), name)
        if name in DISTRICTS or (not known_only and 2 <= len(name) <= 4 and item.strip().endswith("海关")):
            out.append(name + "海关")
    return out


def counted_lists(sentence: str) -> list[str]:
    """Every list of ``sentence`` closed by a customs count noun (…等12个直属海关), as its span."""
    if "等" not in sentence or ("海关" not in sentence and "关区" not in sentence):  # most sentences: skip the scan
        return []
    return [m.group(0) for m in _COUNTED_LIST.finditer(sentence)]
