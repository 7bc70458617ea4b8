"""A report of a new zone batch told in its own words, read from its lead (issue 17, batch 5).

Replies say 同意在…设立…综合试验区; reports rewritten from other languages say the same thing in any order
(综合试验区新增22个城市, 批准…等33个城市设立…, 在…这22个城市新设…, 在…等15个城市和地区新设…). Adding one wording
at a time did not generalise, so the rule here is structural: a sentence of the lead (the headline and the
first sentences) that has all of

- a count of places: N个城市 / N个地区 / N个城市和地区,
- the programme: 综合试验区 / 综试区,
- a verb of new designation: 新设, 新增, 增设, 批准, 同意, 获批, 确定, 列为, 公布, 再添, 扩围 …,

and no word of history (此前, 以来, 已设立, 曾, 先后, 累计, 目前, 覆盖, 至此 …) and no revocation (撤销,
取消 without a word of addition) announces a batch. Its places are those listed before the count in that
sentence, and those of a list sentence tied to the same count (新设的有：…，共15个城市和地区). The text read
here is the masked one: a cited 《title》 of an old reply counts for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .divisions import gazetteer
from .model import Place
from .places import PlaceFinder, cn_int, unique_places

_N = r"(\d{1,3}|[一二三四五六七八九十百]{1,5})"
_COUNT = re.compile(rf"{_N}\s*个\s*(?:城市|地区)(?:和地区)?")
_PROGRAMME = re.compile(r"综合试验区|综试区")
_NEW_VERB = re.compile(r"新设|新增|增设|新批|批准|同意|获批|新确定|确定|列为|公布|再添|扩围|扩容|新一批")
# The verb must be tied to the programme or to the count, not to another object of the sentence (…等10个城市
# 新增备案企业最多): 新设…综合试验区, 综试区新增22个城市, 在15个城市和地区新设, 批准…等33个城市设立…综试区.
_Z = r"[“”\"]?(?:跨境电商|跨境电子商务)?(?:综合试验区|综试区)"
_TIED = re.compile(rf"(?:新设|新增|增设|新批|再添|新一批|获批|列为|扩围|扩容)[^，,。；]{{0,6}}?{_Z}|"
                   rf"(?:综合试验区|综试区)[^，,。；]{{0,10}}?(?:新增|增设|再添|扩围|扩容|新设|获批)|"
                   rf"{_N}\s*个\s*(?:城市|地区)(?:和地区)?[^，,。；]{{0,4}}?(?:新设|获批)|"
                   rf"(?:批准|同意|确定|公布|决定)[^。；]{{0,400}}?(?:设立|新设|建设|列为)[^，,。；]{{0,8}}?{_Z}")
# Not yet designated: applications, plans and hopes (申报, 拟, 有望, 将推动).
_NOT_YET = re.compile(r"申报|申请|申建|争创|争取|有望|或将|拟|将推动|将新设|推荐|候选")
# A year said alone (2018年，国务院批准…): a report dates history that way, its own news by the day.
_YEAR_ALONE = re.compile(r"(?:19|20)\d\d\s*年(?!\s*\d{1,2}\s*月|度)")
_ADDITION = re.compile(r"新设|新增|增设|新批|再添")
_HISTORY = re.compile(r"此前|以来|已(?:经)?(?:设立|在|有|分|先后|确定|批准|获批)|已经|曾|先后|累计|目前|覆盖|至此|截至|"
                      r"总数|增至|达到|分[一二三四五六七八九十\d]{1,2}批|前[一二三四五六七八九十\d]{1,2}批|历批|早在")
_REVOKE = re.compile(r"撤销|取消|退出|不再保留|摘牌")
# A sentence about another policy that the zones' cities now get (零售进口政策适用范围…扩大到…): its subject is
# that policy, and the zones qualify its places.
_OTHER_POLICY = re.compile(r"适用范围|适用于|扩大(?:到|至)|从[^。；，,]{0,40}?个城市")
# Existing zones graded or cited as models (评估结果, 评为优秀, 最佳实践案例): the count is of zones already set up.
_GRADED = re.compile(r"评估|考核|评为|评选|优秀|良好|排名|排行|案例|实践|经验|做法|成效|典型|交易额|进出口额")
# Where the list of the batch's places begins, counted back from its count: the verb or 在 before it.
_LIST_START = re.compile(r"在|批准|同意|确定|把|将|包括|[：:]")
# A list sentence: 新设的有：…，共15个城市和地区 / 新增城市名单如下：… / 这22个城市是：…
_LIST_OPEN = re.compile(r"(?:新设|新增|增设|新批|本批|这批|此批|本次|此次|这次)[^。；：:]{0,16}?"
                        r"(?:有|是|为|包括|名单(?:如下|为)?|如下)\s*[：:]")
_DATELINE = re.compile(r"[\d\s年月日:：\-/.|]+(?:\s*\S{0,12})?")
_SENTENCE = re.compile(r"[^。！？!?\n]+")
_LEAD_SENTENCES = 4  # the headline and the lead's first sentences (a dateline is none)
_LIST_SENTENCES = 10  # a list sentence may follow the lead by a paragraph


@dataclass
class LeadBatch:
    count: int
    places: list[Place] = field(default_factory=list)


def _sentences(lines: Sequence[str]) -> list[str]:
    out: list[str] = []
    for ln in lines:
        out += [s.strip() for s in _SENTENCE.findall(ln) if len(s.strip()) >= 6 and not _DATELINE.fullmatch(s.strip())]
    return out


def _announces(sentence: str) -> re.Match[str] | None:
    """The count of the batch this sentence announces, or None."""
    if not _PROGRAMME.search(sentence) or _HISTORY.search(sentence):
        return None
    if _REVOKE.search(sentence) and not _ADDITION.search(sentence):
        return None  # 同意撤销…3个城市的综试区 is no addition
    if _NOT_YET.search(sentence) or _YEAR_ALONE.search(sentence):
        return None
    if _GRADED.search(sentence):
        return None  # 公布综试区考核评估结果，…等10个城市评为优秀: existing zones graded, none designated
    if _OTHER_POLICY.search(sentence):
        return None  # 政策适用范围从…扩大到新设综试区的22个城市: another programme reaches the zones
    counts = list(_COUNT.finditer(sentence))
    if not counts or not _TIED.search(sentence):
        return None
    # The count of the clause that carries the verb of addition (…在15个城市和地区新设，3个城市撤销).
    for m in counts:
        a = max(sentence.rfind(c, 0, m.start()) for c in "，,") + 1
        b = min((i for i in (sentence.find(c, m.end()) for c in "，,") if i >= 0), default=len(sentence))
        if _NEW_VERB.search(sentence, a, b) and not _REVOKE.search(sentence, a, b):
            return m
    return counts[0]


def _list_before(sentence: str, count: re.Match[str]) -> str:
    """The places written before the count (…在北京、…、义乌这22个城市 / 批准…等33个城市)."""
    head = sentence[:count.start()]
    starts = [m.end() for m in _LIST_START.finditer(head)]
    return head[starts[-1] if starts else 0:].rstrip("等这些共计全国 ")


def _list_sentence(sentence: str, n: int) -> str | None:
    """The list of a sentence tied to the batch's count, or opened as the new batch's list."""
    if _HISTORY.search(sentence):
        return None
    opened = _LIST_OPEN.search(sentence)
    if opened:
        rest = sentence[opened.end():]
        tail = _COUNT.search(rest)
        return rest[:tail.start()] if tail else rest
    colon = max(sentence.find("："), sentence.find(":"))
    if colon > 0:
        for m in _COUNT.finditer(sentence[:colon]):
            if cn_int(m.group(1)) == n:
                return sentence[colon + 1:]
    return None


def lead_batch(lines: Sequence[str]) -> LeadBatch | None:
    """The batch the lead of ``lines`` (masked text, headline first) announces, with its listed places."""
    sentences = _sentences(lines[:40])
    finder = PlaceFinder(gazetteer(), frozenset())
    for i, s in enumerate(sentences[:_LEAD_SENTENCES]):
        m = _announces(s)
        n = cn_int(m.group(1)) if m else None
        if not m or not n:
            continue
        spans = [_list_before(s, m)]
        for later in sentences[i + 1:_LIST_SENTENCES]:
            listed = _list_sentence(later, n)
            if listed:
                spans.append(listed)
                break
        places: list[Place] = []
        for span in spans:
            places += [p for _, p in finder.scan(span)[0]]
        # A later sentence that announces the same batch with its places (headline, then the lead).
        if not places:
            for later in sentences[i + 1:_LEAD_SENTENCES]:
                m2 = _announces(later)
                if m2 and cn_int(m2.group(1)) == n:
                    places = [p for _, p in finder.scan(_list_before(later, m2))[0]]
                    if places:
                        break
        return LeadBatch(n, unique_places(places))
    return None
