"""Places a notice newly designates, revokes or exempts, from its operative clauses only (domain.md §2.4).

Salutation provinces, 杭州 cited as the model zone, customs districts and page chrome never reach
this module's spans: only the list between a designation trigger (同意在…设立, 将…纳入, 扩大至…, 增加…,
在…等N个城市…试点) and its verb is scanned. Naming rule: a full official name is returned as written
(天津市, 德宏傣族景颇族自治州); a short form is returned as the division's full name
(天津 -> 天津市, 德宏州 -> 德宏傣族景颇族自治州).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import customs
from .divisions import Gazetteer, Hit, gazetteer
from .model import Place
from .normalize import join_cjk
from .segment import token_boundaries

MAX_SENTENCE = 6000  # longer "sentences" are not operative clauses; bound the work on hostile input
_SENT_END = re.compile(r"[。；;！？!?]")
DELIMS = set("、，,；;和及与（()）“”\"'《》 ：:\n等")
_NUM = r"(\d{1,4}|[一二三四五六七八九十百零〇两]{1,6})"
# 等22个新设跨境电商综合试验区城市: the cities may carry a qualifier before the noun.
COUNT = re.compile(rf"等\s*{_NUM}\s*个\s*(?:城市|地区|直属海关|海关|试点城市|[\u4e00-\u9fa5]{{2,14}}?城市)")
_DESIGNATION_CONTEXT = re.compile(r"试验区|试点|示范区|综试区|跨境")
_UNRESOLVED_SHAPE = re.compile(r"[\u4e00-\u9fa5]{2,10}(?:市|地区|自治州|盟|新区|全岛|综合实验区)")
_NOT_A_PLACE = re.compile(r"城市|地区名|名称|所在|所有|各|试验区|保税|示范|中心|区域|海关|全部|有关|相关")
# A sentence opened as history (回顾此前：2018年…；2020年，试点扩大至…) recaps in each of its clauses.
_HISTORY_OPENING = re.compile(r"^[^，,：:；;。]{0,12}[：:]")
_FULL_STOP = re.compile(r"[。！？!?]")
_ITEM_SPLIT = re.compile(r"[、，,；;]")
# A list that recaps earlier batches (国务院先后在杭州、天津…设立, 截至目前已在…) designates nothing now.
_RECAP = re.compile(r"先后|此前|截至|累计|已在|已先后|已设立|已批准|已获批|至此|前[一二三四五六七八九十\d]{1,2}批|"
                    r"分[一二三四五六七八九十\d]{1,2}批|历批|以来")
_CUSTOMS_SPAN = re.compile(r"在([^在。；]{2,400}?海关)(?:开展|实施|启动|试点)")
# 扩大至 / 扩大适用范围到 / 增加 / 新增: the places follow the word.
# Not 新增城市将使试点覆盖上海、广州…: there 新增 is the subject of a sentence about what the batch does.
_EXTEND = re.compile(r"扩大(?:[^，。；]{0,6}?范围)?(?:至|到)|增加|新增(?![^，。；]{0,4}?(?:将|使|会|可|要))")
# A report lists the batch under a header: 新设综合试验区的22个城市是：… / 新设的…综合试验区共46个城市和地区：…
_LIST_HEADER = re.compile(rf"(?:新设|新增|新批|本批|新一批)[^。；：:]{{0,30}}?{_NUM}\s*个(?:城市|地区)(?:和地区)?"
                          r"\s*(?:是|为|有|包括|如下)?\s*[：:]")
# 国务院已批准在杭州设立中国(杭州)跨境电子商务综合试验区: 已批准 is a recap word, but a sentence that names
# one zone by its full name, with no year and no count, is the news of that zone (a recap dates or counts).
ONE_ZONE_NEWS = re.compile(r"已(?:经)?批准在[^。；，,\d]{1,16}?设立中国[（(][\u4e00-\u9fa5]{1,8}[)）]"
                           r"[^。；，,\d]{0,12}?综合试验区")
DATED_OR_COUNTED = re.compile(r"\d{4}\s*年|[\d一二三四五六七八九十]\s*个|先后|以来|截至|累计|此前|早在|曾|首个|首批")
_LEAD = 2  # sentences of the body that are a report's lead
_ADVERB_ONLY = re.compile(r"\s*(?:也|还|亦|同时|同样|均|都|并|且|也已|已)?(?:成功|正式)?\s*")
_APPROVED = re.compile(r"(?:获批|入选|入围|获准)(?!之后|后|以来|的|建设|设立)|"
                       # 海南三亚成为拟设立跨境电子商务综合试验区的城市之一: a report of one city in a batch
                       # (but never 成为首批…之一: the first batch is history in any report of a later one)
                       r"成为(?!首批|第一批)(?:拟|新一批|新设)?[^。；，,]{0,6}?(?:设立|建设)?[^。；，,]{0,14}?(?:综合试验区|综试区)"
                       r"(?:的)?(?:城市)?之一")
# A report naming some places of the batch it reports: …等27个城市和地区设立…，其中包括我省的宝鸡.
_AGREED_IN = re.compile(r"(?:同意|批准|决定)在")
_AMONG = re.compile(r"其中[^，,。；：]{0,6}?(?:包括|有)")  # 其中包括 / 其中浙江有5个城市：湖州、嘉兴…
# 包括内蒙古鄂尔多斯和江苏扬州在内的27个城市新设综试区 / 在包括江苏南通在内的50个城市开展…试点
_INCLUDING = re.compile(r"包括([^。；]{2,300}?)在内")
# 本批上榜的27个“新面孔”包括鄂尔多斯、扬州…等 (a report naming some places of the batch it reports)
# 这50个城市和海南全岛按照…开展: a place joined to the group just designated is designated with it.
_JOINED_TO_GROUP = re.compile(r"(?:这|上述|该|此)\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*个城市\s*"
                              r"(?:和|及|以及|与)([^，。；,]{2,12}?)(?=按照|依照|参照|均|可|即可|开展|实施|[，,])")
# 同意新设27个跨境电子商务综合试验区，包括鄂尔多斯、扬州…等地: 包括 may open the clause after the batch's.
_BATCH_INCLUDES = re.compile(r"(?:本批|这批|此批|此次|本次|新设|新批|新增|上榜|获批)[^。；，,]{0,20}?[，,]?\s*包括")
_CN_NUM = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9}


def cn_int(s: str) -> int | None:
    """Small Chinese or Arabic integer (counts such as 十五, 四十六, 一百零五)."""
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_NUM:
            cur = _CN_NUM[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


@dataclass
class PlaceResult:
    designated: list[Place] = field(default_factory=list)
    removed: list[Place] = field(default_factory=list)
    exempt: list[Place] = field(default_factory=list)
    customs_districts: list[str] = field(default_factory=list)
    expected: int | None = None


def _spans(sentence: str, carried: bool = False, lead: bool = False) -> list[tuple[str, int, int]]:
    """(role, start, end) spans of one sentence: designate / remove / exempt. ``carried``: the sentence
    before was about the zones, so a bare 我省邵阳市成功获批 designates too."""
    spans: list[tuple[str, int, int]] = []
    exempt_at = min((i for i in (sentence.find(k) for k in ("暂不适用", "不适用", "暂不实施")) if i >= 0),
                    default=-1)
    for kw in ("撤销", "取消"):
        i = sentence.find(kw)
        if i >= 0:
            j = min((k for k in (sentence.find(c, i) for c in "，,") if k >= 0), default=len(sentence))
            spans.append(("remove", i + len(kw), j))
    i = sentence.find("不再保留")
    if i >= 0:
        j = max(sentence.rfind("，", 0, i), sentence.rfind(",", 0, i)) + 1
        spans.append(("remove", j, i))
    designate: list[tuple[int, int]] = []
    if _DESIGNATION_CONTEXT.search(sentence):
        designate = [(a, b) for a, b in _designation_spans(sentence) if not _recap(sentence, a, b, lead)]
    elif carried:
        joined = [(m.start(1), m.end(1)) for m in _JOINED_TO_GROUP.finditer(sentence)]
        designate = [(a, b) for a, b in _approved_spans(sentence) + _batch_includes(sentence) + joined
                     if not _recap(sentence, a, b, lead)]
    for a, b in designate:
        role = "exempt" if exempt_at >= 0 and a < exempt_at else "designate"
        spans.append((role, a, b))
    if exempt_at >= 0 and not designate:
        spans.append(("exempt", 0, exempt_at))
    return spans


def _recap(sentence: str, a: int, b: int, lead_sentence: bool = False) -> bool:
    """The clause of the span (from the comma before it to its end) recaps earlier batches."""
    start = max(sentence.rfind("，", 0, a), sentence.rfind(",", 0, a)) + 1
    lead = max(0, a - 12)  # the trigger itself (同意在, 已在) sits just before the span
    end = min((i for i in (sentence.find("，", b), sentence.find(",", b)) if i >= 0), default=len(sentence))
    # Only in the lead: further down, 国务院已批准在杭州设立… recalls the first zone in a report of a later batch.
    if lead_sentence and ONE_ZONE_NEWS.search(sentence) and not DATED_OR_COUNTED.search(sentence):
        return False
    return bool(_RECAP.search(sentence, min(start, lead), end))  # …获批…以来 ends the clause


def _approved_spans(s: str) -> list[tuple[int, int]]:
    """Reports say a place 获批 (中国(郑州)跨境电子商务综合试验区日前正式获批, 我省邵阳市成功获批): the clause
    before the word. Not 获批之后/以来 (history) and not what was approved for it (获批建设 a bonded zone)."""
    out = []
    for m in _APPROVED.finditer(s):
        start = max(s.rfind("，", 0, m.start()), s.rfind(",", 0, m.start())) + 1
        if _ADVERB_ONLY.fullmatch(s[start:m.start()]):  # 所在地舟山，也获批…: the place is in the clause before
            start = max(s.rfind("，", 0, start - 1), s.rfind(",", 0, start - 1)) + 1
        out.append((start, m.start()))
    return out


def _batch_includes(s: str) -> list[tuple[int, int]]:
    out = []
    for m in _BATCH_INCLUDES.finditer(s):
        j = _find_any(s, ("。", "；"), m.end())
        out.append((m.end(), j if j >= 0 else len(s)))
    return out


def _find_any(s: str, words: Sequence[str], start: int = 0) -> int:
    return min((i for i in (s.find(w, start) for w in words) if i >= 0), default=-1)


def _designation_spans(s: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    m = _AGREED_IN.search(s)  # 同意在 / 批准在 (a report's word for the reply) / 决定在
    if m:
        j = _find_any(s, ("设立", "开展", "建设"), m.end())
        out.append((m.end(), j if j >= 0 else len(s)))
    i = s.find("同意设立")
    if i >= 0:
        j = s.find("跨境电子商务综合试验区", i)
        out.append((i + 4, j if j >= 0 else len(s)))
    j = _find_any(s, ("纳入", "列入"))
    if j >= 0:
        i = s.rfind("将", 0, j)
        if i >= 0:
            out.append((i + 1, j))
    out += _approved_spans(s)
    out += [(m.start(1), m.end(1)) for m in _INCLUDING.finditer(s)]
    out += [(m.start(1), m.end(1)) for m in _JOINED_TO_GROUP.finditer(s)]
    out += _batch_includes(s)
    out += [(m.end(), len(s)) for m in _LIST_HEADER.finditer(s)]
    for m in _AMONG.finditer(s):
        j = _find_any(s, ("，", ","), m.end())
        out.append((m.end(), j if j >= 0 else len(s)))
    for m in _EXTEND.finditer(s):
        j = _find_any(s, ("为", "作为", "开展", "实施", "，"), m.end())
        out.append((m.end(), j if j >= 0 else len(s)))
    m = _CUSTOMS_SPAN.search(s)  # 在北京、天津…黄埔海关开展…试点: only the last name carries 海关
    if m and not out:
        out.append((m.start(1), m.end(1)))
    m = COUNT.search(s)
    if m and not out:
        i = s.rfind("在", 0, m.start())
        if i >= 0:
            out.append((i + 1, m.end()))
    return out


class PlaceFinder:
    def __init__(self, gaz: Gazetteer, context_provinces: frozenset[str]) -> None:
        self.gaz = gaz
        self.ctx = context_provinces

    def _accept(self, span: str, hit: Hit, hits: list[Hit], bounds: list[set[int]]) -> bool:
        left_ok = hit.start == 0 or span[hit.start - 1] in DELIMS or any(h.end == hit.start for h in hits)
        right_ok = hit.end == len(span) or span[hit.end] in DELIMS or any(h.start == hit.end for h in hits)
        if left_ok and right_ok:
            return True
        # Not cleanly delimited: let jieba (with every division name as a word) say whether it is a word.
        if not bounds:
            bounds.append(token_boundaries(span))
        return hit.start in bounds[0] and hit.end in bounds[0]

    def place(self, surface: str, in_list: bool) -> Place | None:
        div, short, ambiguous = self.gaz.resolve(surface, self.ctx)
        if div is None:
            return None
        if div.level == "province" and not div.is_municipality:
            # A list of pilot cities names no provinces; 吉林 there is 吉林市.
            alt, _, amb2 = self.gaz.resolve(surface + "市", self.ctx) if in_list and short else (None, 0, 0)
            if alt is None:
                return None
            div, short, ambiguous = alt, True, bool(amb2)
        name = div.name if short else surface
        return Place(name, self.gaz.province_name(div), div.adcode, div.level, ambiguous)

    def scan(self, span: str) -> tuple[list[tuple[int, Place]], list[str]]:
        hits = self.gaz.scan(span)
        bounds: list[set[int]] = []
        found: list[tuple[int, Place]] = []
        customs: list[str] = []
        kept: list[Hit] = []
        for h in hits:
            if span.startswith("海关", h.end):
                customs.append(h.surface + "海关")
                continue
            if span.startswith("省", h.end) or not self._accept(span, h, hits, bounds):
                continue
            p = self.place(h.surface, in_list=True)
            if p is None:
                continue
            # 金华市义乌市: a parent written right before its child is not a place of the list.
            if kept and kept[-1].end == h.start and found and p.adcode and found[-1][1].adcode and \
                    p.adcode.startswith(found[-1][1].adcode.rstrip("0")[:4]):
                found.pop()
                kept.pop()
            kept.append(h)
            found.append((h.start, p))
        # List items with no gazetteer hit that still have the shape of a place name (a new zone type).
        pos = 0
        for item in _ITEM_SPLIT.split(span):
            start = span.find(item, pos)
            pos = start + len(item)
            bare = COUNT.sub("", item).strip()
            if bare.endswith("海关") and len(bare) <= 8:
                customs.append(bare)
                continue
            if any(start <= h.start < pos for h in hits):
                continue
            if _UNRESOLVED_SHAPE.fullmatch(bare) and not _NOT_A_PLACE.search(bare):
                found.append((start, Place(bare, None, None)))
        found.sort(key=lambda t: t[0])
        return found, customs


def expected_count(span: str, places: list[tuple[int, Place]]) -> int | None:
    m = COUNT.search(span)
    if not m:
        return None
    n = cn_int(m.group(1))
    if n is None:
        return None
    # 海南全岛和秦皇岛等15个城市 / …等50个城市和海南全岛: places outside the 等-group add to N.
    group_start = _last_conjunction(span, m.start()) + 1
    extra = sum(1 for off, _ in places if off < group_start or off > m.end())
    return n + extra


def _last_conjunction(span: str, end: int) -> int:
    """Offset of the last 和 before ``end`` that joins two groups, not one inside a name (呼和浩特)."""
    inside = [(h.start, h.end) for h in gazetteer().scan(span[:end])]
    i = span.rfind("和", 0, end)
    while i >= 0 and any(a <= i < b for a, b in inside):
        i = span.rfind("和", 0, i)
    return i


def unique_places(places: list[Place]) -> list[Place]:
    """The first place of each name, in order."""
    seen: set[str] = set()
    out = []
    for p in places:
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out


def _clauses(line: str) -> list[tuple[str, bool]]:
    """The line's sentences split at 。；, each with whether its full sentence opens as history."""
    out = []
    for full in _FULL_STOP.split(line):
        opening = _HISTORY_OPENING.match(full)
        history = bool(opening and _RECAP.search(opening.group(0)))
        out += [(part, history) for part in _SENT_END.split(full)]
    return out


def find_places(lines: Sequence[str], gaz: Gazetteer, context_provinces: frozenset[str]) -> PlaceResult:
    finder = PlaceFinder(gaz, context_provinces)
    res = PlaceResult()
    carried = False  # carried over paragraphs too: a report's next paragraph lists the batch (本批…包括)
    n_sentences = 0  # counted over the whole body: the lead is its first sentences
    for line in lines:
        for sentence, history in _clauses(join_cjk(line)):
            sentence = sentence[:MAX_SENTENCE]
            if not sentence.strip():  # what follows a line's last 。 carries nothing, and resets nothing
                continue
            spans = [sp for sp in _spans(sentence, carried, n_sentences < _LEAD)
                     if not (history and sp[0] == "designate")]
            n_sentences += 1
            before, carried = carried, bool(_DESIGNATION_CONTEXT.search(sentence))
            if carried or before:  # a counted customs list names pilot districts with or without a designation verb
                for span in customs.counted_lists(sentence):
                    res.customs_districts += customs.districts(span, known_only=True)
            for role, a, b in spans:
                span = sentence[a:b]
                if role == "designate" and customs.is_customs_list(span, sentence[b:b + 4]):
                    res.customs_districts += customs.districts(span)
                    continue
                found, districts = finder.scan(span)
                places = [p for _, p in found]
                if role == "designate":
                    res.designated += places
                    res.customs_districts += districts
                    n = expected_count(span, found)
                    if n is not None:
                        res.expected = (res.expected or 0) + n
                elif role == "remove":
                    res.removed += places
                else:
                    res.exempt += places
    res.removed = unique_places(res.removed)
    res.exempt = unique_places(res.exempt)
    gone = {p.name for p in res.removed} | {p.name for p in res.exempt}
    res.designated = [p for p in unique_places(res.designated) if p.name not in gone]
    res.customs_districts = list(dict.fromkeys(res.customs_districts))
    return res


def city_names(surface: str, gaz: Gazetteer | None = None) -> list[str]:
    """The names under which notices may store the place a user wrote as *surface* (for queries).

    Mirrors :meth:`PlaceFinder.place`: a full name is stored as written and a short form as the
    division's full name, so 杭州 and 杭州市 both mean 杭州市; a province other than a municipality is
    read as its namesake city, as in a list of pilot cities (吉林 -> 吉林市). Where a surface fits
    several divisions every one is kept: a query should find them all rather than guess. The
    surface itself always stays, for places the extractor kept unresolved.
    """
    gaz = gaz or gazetteer()
    surface = unicodedata.normalize("NFKC", surface).strip()
    if not surface:
        return []
    names = [surface]
    for div in gaz.full.get(surface, []) + gaz.alias.get(surface, []):
        if div.level == "province" and not div.is_municipality:
            names += [city.name for city in gaz.full.get(surface + "市", [])]
        else:
            names.append(div.name)
    return list(dict.fromkeys(names))


def province_names(surface: str, gaz: Gazetteer | None = None) -> list[str]:
    """Province names as the place index stores them (浙江 -> 浙江省, 天津 -> 天津市, 广西 -> 广西壮族自治区)."""
    gaz = gaz or gazetteer()
    surface = unicodedata.normalize("NFKC", surface).strip()
    if not surface:
        return []
    names = [surface] + [div.name for div in gaz.full.get(surface, []) + gaz.alias.get(surface, [])
                         if div.level == "province"]
    return list(dict.fromkeys(names))
