"""The kind of notice (domain.md §2.6) and the programme it changes."""

from __future__ import annotations

import re

from .places import DATED_OR_COUNTED, ONE_ZONE_NEWS

KINDS = ("pilot_zone_batch", "retail_import_pilot", "positive_list", "tax_policy", "customs_announcement",
         "other")
PROGRAM = {
    "pilot_zone_batch": "cbec_comprehensive_pilot_zone",
    "retail_import_pilot": "cbec_retail_import_pilot",
    "positive_list": "cbec_retail_import_positive_list",
    "tax_policy": "cbec_retail_import_tax",
}
_RETAIL = re.compile(r"跨境电子商务零售进口|跨境电商零售进口")
# The operative clause of a batch reply, read in text whose citations are masked (a plan that cites the
# reply by its title, or 已经省政府同意, is no batch): 同意在…设立…综合试验区.
# 综试区 is the usual short form of 综合试验区 in reports; 同意新设27个…综试区 says the batch without 在.
_ZONE = r"(?:综合试验区|综试区|此类试验区|该类试验区)"  # 此类试验区: a report's second mention
_BATCH_CLAUSE = re.compile(r"(?:同意|决定|批准)[^。；]{0,40}?(?:在|设立)[^。；]{0,1200}?(?:设立|新设|建设)"
                           rf"[^。；]{{0,20}}?{_ZONE}|(?:同意|决定|批准|批复)[^。；]{{0,6}}(?:新设|增设)[^。；]{{0,20}}{_ZONE}|"
                           # …综合试验区 ends the object: not 同意设立…综合试验区工作联席会议
                           rf"同意设立[^。；，,]{{0,30}}?{_ZONE}(?=[，。；,;、\s]|$)|"
                           rf"{_ZONE}[^。；]{{0,12}}获批(?!之后|后|以来)|"
                           # a report's list header: 新设综合试验区的22个城市是：… / 新设的…综合试验区共46个城市和地区：
                           rf"(?:新设|新增|新批)[^。；：:]{{0,30}}?{_ZONE}[^。；：:]{{0,8}}?个(?:城市|地区)[^。；：:]{{0,6}}[：:]|"
                           # a report's own verbs: 我国新确定22个城市设立… / 中国又把24个城市列为…综合试验区
                           rf"新确定[^。；]{{0,8}}?个城市[^。；]{{0,4}}(?:设立|建设)[^。；]{{0,20}}?{_ZONE}|"
                           rf"(?:把|将)[^。；]{{0,8}}?个城市列为[^。；]{{0,20}}?{_ZONE}")
_RECAP = re.compile(r"先后|此前|截至|累计|已在|已先后|已批准|已获批|以来|之后")
_NEW = re.compile(r"新设|新批|新一批")
_SINCE = re.compile(r"\s*(?:以来|之后|后)")
# A plan or its cover notice recalls the batch that made its city a zone (2016年1月，国务院批复同意设立中国
# （郑州）跨境电子商务综合试验区): its own words say it is a plan, and a plan is no batch.
_PLAN = re.compile(r"制定本(?:实施)?方案|(?:实施|工作|行动|建设)方案[^。；]{0,12}印发给你们|结合本(?:市|省|区)实际|"
                   r"印发给你们，请认真")
# The subject of a report without an official header, from its operative text.
_LIST = r"(?:零售进口(?:商品)?清单|正面清单)"
_TEXT_KINDS = (
    # The list by any of its names (零售进口商品清单, 零售进口清单, 正面清单) with a verb that changes it:
    # 扩大…清单范围, 清单新增29项商品, 调整扩大跨境电商零售进口清单.
    # 公布了第二批…适用新税收政策的商品清单: a published 商品清单 is the list, whatever qualifies it.
    ("positive_list", re.compile(rf"(?:公布|发布|调整|优化|印发|扩大|更新|修订)[^。；]{{0,20}}{_LIST}|"
                                 rf"{_LIST}[^。；]{{0,10}}(?:公布|发布|调整|新增|增加|扩容|扩围|扩大)|"
                                 r"(?:公布|发布)了?[^。；]{0,40}?商品清单")),
    # A press version says it in its own words: 零售进口税收新政, 提高跨境电商零售进口的购买限额, 单次交易限额由…
    # 对跨境电商B2C零售进口实行新的税收政策 / 零售进口商品不再按个人物品征收行邮税
    ("tax_policy", re.compile(r"(?:调整|完善|出台|发布)[^。；]{0,12}零售进口税收(?:政策|新政)|"
                              r"零售进口[^。；]{0,6}(?:实行|实施|执行)[^。；]{0,6}税收(?:政策|新政)|"
                              r"(?:单次|单笔|年度)(?:交易|购物|购买)?(?:限值|限额)[^。；]{0,6}(?:由|提高|调整|为)|"
                              r"(?:提高|调整|上调)[^。；]{0,12}零售进口的?(?:交易|购物|购买)?(?:限值|限额)|"
                              r"零售进口[^。；]{0,12}不再[^。；]{0,8}征收行邮税|"
                              # 零售进口商品按照货物征收关税和进口环节增值税、消费税
                              r"零售进口[^。；]{0,16}按(?:照)?货物征收|"
                              # 对跨境电子商务零售实施新的税收制度 / 新税制将于…施行 / “行邮税”不再适用
                              r"跨境[^。；]{0,16}(?:实施|实行|适用|执行)新的?税收?(?:政策|制度|新政)|"
                              r"新税制[^。；]{0,8}(?:施行|实施|执行|生效)|"
                              r"行邮税[”\"]?不再适用")),
    # 零售进口监管过渡政策的适用范围扩大至… / 在包括南通在内的50个城市开展跨境电商零售进口试点
    # 跨境电子商务零售进口政策将继续实施: the regime continued (and so extended to the new cities)
    ("retail_import_pilot", re.compile(r"零售进口(?:监管)?(?:试点|过渡期|过渡政策|过渡性政策|政策)[^。；]{0,20}"
                                       r"(?:扩大|增加|新增|延长|延续|继续实施)|(?:扩大|增加)[^。；]{0,20}零售进口试点|"
                                       r"城市[^。；]{0,6}开展(?:跨境电商|跨境电子商务)零售进口试点|"
                                       # 跨境电商过渡期监管政策将扩大到…5个城市: the regime by its short name
                                       r"(?:跨境电商|跨境电子商务)[^。；]{0,8}过渡(?:期|性)?(?:监管)?政策[^。；]{0,20}"
                                       r"(?:扩大|延长|延续|继续实施)")),
    # 海关总署出台…监管改革措施 / 海关总署近日推出一系列政策改革: a report of an announcement without the word 公告
    # GACC's own: not 财政部、海关总署、税务总局发布公告, a joint announcement led by another agency.
    ("customs_announcement", re.compile(r"(?<![、，,和与及])海关总署[^。；]{0,12}(?:发布|印发)?公告|"
                                        r"增列[^。；]{0,10}监管方式代码|"
                                        # the announcing formula in GACC's own voice: 现就海关监管事宜公告如下
                                        r"现就[^。；]{0,12}海关[^。；]{0,12}公告如下|"
                                        r"海关总署[^。；]{0,6}(?:出台|推出|发布)[^。；]{0,20}监管[^。；]{0,4}(?:措施|改革)|"
                                        r"(?:直属海关|海关)[^。；]{0,20}(?:开展|实施)[^。；]{0,30}监管试点")),
)


# A report's lead and its subject's title (…海关总署于2024年12月15日印发 + 关于…的公告): an announcement GACC
# published alone (not 财政部、海关总署… jointly) is a customs announcement, number printed or not.
# Nothing between 海关总署 and its verb may name another issuer (海关总署 税务总局联合发布 is joint).
_GACC_REPORTED = re.compile(r"(?<![、和与及\s])海关总署[^、，,。；部委局署\s]{0,20}?(?:印发|发布|公布|出台)(?:了)?"
                            r"关于[^。；]{2,80}的公告$")


def classify(title: str | None, doc_number: str | None, text: str) -> str:
    """The kind from the title, the number and the opening of ``text`` (with cited text masked)."""
    t = title or ""
    n = doc_number or ""
    head = text[:3000]
    if "综合试验区" in t and ("批复" in t or "同意" in t or n.startswith("国函")):
        return "pilot_zone_batch"
    if "零售进口商品清单" in t or (re.search(r"部门公告", n) and "清单" in t):
        return "positive_list"
    if "零售进口税收政策" in t or (n.startswith("财关税") and _RETAIL.search(t + head)):
        return "tax_policy"
    if n.startswith("海关总署公告") or t.startswith("海关总署公告") or _GACC_REPORTED.search(t):
        return "customs_announcement"
    if _RETAIL.search(t) and ("试点" in t or "监管" in t):
        return "retail_import_pilot"
    if n.startswith("商财发") and _RETAIL.search(head):
        return "retail_import_pilot"
    if "海关" in t + n and re.search(r"监管方式代码|监管试点|监管事宜", t):
        return "customs_announcement"
    return "other"


_LIST_NAME = re.compile(r"正面清单|零售进口商品清单")
_LIST_OPENING = re.compile(r"\s*(?:跨境电子商务|跨境电商)零售进口商品清单")
# The list's own table (an attachment copied without its heading): a header row with the tariff-line and
# goods-name columns and no rate column (a tariff commission's table prints 税率; the list has none).
_LIST_TABLE = re.compile(r"税则号列[^。；\n]{0,6}(?:中文)?(?:货品|商品)名称(?![^。；\n]{0,12}税率)")
# An official title: 关于…的通知/意见/公告…; a page heading 关于正面清单 ("about the list") is none.
_OFFICIAL_TITLE = re.compile(r"关于.{1,120}的(?:[\u4e00-\u9fa5]{0,4})(?:通知|批复|公告|意见|决定|函|办法|规定|"
                             r"通告|方案|措施|细则|规划|计划|报告|复函)")
_PLAN_TITLE = re.compile(r"(?:实施|工作|行动|建设|发展)(?:方案|意见|规划|计划)$|若干措施$|(?:管理|暂行)办法$")


def from_text(title: str | None, text: str, headlines: tuple[str, ...] = (), lead_batch: bool = False) -> str:
    """The kind of a document without an official header (a report, a newsletter, a reply's body), from
    its own operative text with citations masked: the positive list, a tax change, a pilot extension,
    or a batch (同意在…设立…综合试验区, …综合试验区获批), never a recap of earlier batches.
    ``lead_batch``: the lead announces a batch in its own words (count, programme, verb of addition).
    ``headlines``: the other headline lines of the opening; a database card prints the site's name
    first and the record's (跨境电子商务零售进口商品清单（2019年版）) under it."""
    t = title or ""
    head = text[:3000]
    # An official title said what it is, and so does a plan's name (…综合试验区建设实施方案): a plan
    # recalls the reply that made its city a zone, it is no batch. Its body's words do not count.
    # A short 关于X without a genre word is a page heading ("about"), not a title (kept for long ones,
    # whose genre word a wrapped or cut title may have lost).
    if _OFFICIAL_TITLE.search(t[:160]) or ("关于" in t[:40] and len(t) > 12) or _PLAN_TITLE.search(t):
        return "other"
    # The list itself: its name as title or headline, or as the text's first words (a table's copy).
    if _LIST_NAME.search(t) or any(_LIST_NAME.search(h) for h in headlines) or _LIST_OPENING.match(text) \
            or _LIST_TABLE.search(head):
        return "positive_list"
    if "零售进口税收政策" in t:
        return "tax_policy"
    # The lead announces a new batch (batch_lead.py): the report's subject, whatever it mentions further on.
    if lead_batch:
        return "pilot_zone_batch"
    for m in _BATCH_CLAUSE.finditer("" if _PLAN.search(head) else head):
        start = max(head.rfind("，", 0, m.start()), head.rfind("。", 0, m.start())) + 1
        # 国务院已批准在27个城市新设…: a recap word with 新设 reports the new batch, not an old one.
        # …综合试验区以来 / 之后: the clause looks back from a later time, whatever its verb.
        if _SINCE.match(head, m.end()):
            continue
        if not _RECAP.search(head, start, m.end()) or _NEW.search(head, start, m.end()):
            return "pilot_zone_batch"
        sentence = head[max(head.rfind("。", 0, m.start()), head.rfind("\n", 0, m.start())) + 1: m.end()]
        # Only in the lead (the text's first sentences): further down it recalls the first zone.
        lead = len(re.findall(r"[。！？\n]", head[:m.start()].strip())) < 3
        if lead and ONE_ZONE_NEWS.search(sentence) and not DATED_OR_COUNTED.search(sentence):
            return "pilot_zone_batch"
    # A report states its subject first; a second notice it mentions further on (the positive list
    # published the day before a tax change) is context. So the earliest operative clause decides.
    found = [(m.start(), kind) for kind, rx in _TEXT_KINDS if (m := rx.search(head))]
    return min(found)[1] if found else "other"


# 新版《跨境电子商务零售进口商品清单调整表》自2022年3月1日起正式实施: a report whose sentence puts the list
# itself into force is about that list (a cited basis is followed by its number or 精神, not by its start date).
_LIST_TAKES_EFFECT = re.compile(rf"《([^《》\n]{{0,30}}{_LIST}[^《》\n]{{0,8}})》\s*(?:自|从|于)\s*\d{{4}}\s*年"
                                r"\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:起)?\s*(?:正式)?(?:实施|施行|执行|生效)")


def list_taking_effect(text: str) -> str | None:
    """The title of the positive list the opening of ``text`` puts into force, if it does."""
    m = _LIST_TAKES_EFFECT.search(text[:3000])
    return m.group(1) if m else None


def program(kind: str, codes: list[str], text: str) -> str | None:
    if kind in PROGRAM:
        return PROGRAM[kind]
    if kind == "customs_announcement":
        if {"9710", "9810"} & set(codes) or "企业对企业" in text[:5000]:
            return "cbec_b2b_export_pilot"
        return "customs_supervision_code" if codes else None
    return None
