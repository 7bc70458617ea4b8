"""Issue 17, the failure classes the first held-out split found (stop 19), each checked on its own.

Every text here is SYNTHETIC: written for the test in the shape of a bench/corpus dev document (named in
each test), never copied from it, so the test checks the class and not that one document.
"""

from __future__ import annotations

import datetime as dt

from crawler.extraction import extract
from crawler.extraction.dates import english_metadata
from crawler.extraction.figures import all_figures


def _figs(text: str) -> dict[str, float]:
    return {f.name: f.value for f in all_figures(text)}


# -- (a) a bilingual database copy: title, number and addressees on one line; English labels run together --

def test_a_title_run_into_its_own_bracketed_number_gives_the_document_number() -> None:
    # shape of reply-b7-2022-126-bilingual: ASCII brackets, nested, then the addressees on the same line
    text = "\n".join([
        "中英对照 批复.docx",
        "国务院关于同意在张家口等9个城市设立跨境电子商务综合试验区的批复(国函(2023)58号)河北省、山西省人民政府,"
        "商务部:你们关于设立跨境电子商务综合试验区的请示收悉。现批复如下:"])
    r = extract(text, is_html=False)
    assert r.doc_number == "国函〔2023〕58号"
    assert r.title == "国务院关于同意在张家口等9个城市设立跨境电子商务综合试验区的批复"
    assert r.kind == "pilot_zone_batch"


def test_a_number_cited_after_another_title_on_a_line_is_still_not_the_documents_own() -> None:
    text = "\n".join([  # a plan: the bracketed number follows a cited 《title》, not the plan's own title
        "某市跨境电商发展工作方案",
        "根据《国务院关于同意在张家口等9个城市设立跨境电子商务综合试验区的批复》(国函(2023)58号)精神,制定本方案。"])
    assert extract(text, is_html=False).doc_number is None


def test_english_metadata_labels_without_spaces_still_give_the_issue_date() -> None:
    line = "DocumentNumber:LetterNo.582023oftheStateCouncilDateIssued:03-09-2023EffectiveDate03-09-2023Status"
    got = english_metadata([line])
    assert got["issue_date"] == dt.date(2023, 3, 9) and got["effective_date"] == dt.date(2023, 3, 9)


# -- (b) customs districts named by a counted list, with no designation verb before it ---------------------

def test_a_counted_customs_list_without_a_designation_verb_gives_districts_and_no_cities() -> None:
    # shape of press-2020-09-b2b-12more: 自…起，A、B、C等N个新增试点海关对…实行
    text = ("跨境电商出口监管试点扩围\n自10月1日起，南昌、贵阳、兰州等8个新增试点海关对跨境电商出口企业实行"
            "一次登记、便捷通关等措施。")
    r = extract(text, is_html=False)
    assert set(r.customs_districts) == {"南昌海关", "贵阳海关", "兰州海关"}
    assert r.cities == []


def test_the_words_before_a_counted_customs_list_never_become_a_district() -> None:
    text = "海关总署公告\n决定在西宁海关、银川海关等2个直属海关开展跨境电商出口监管试点。"
    assert extract(text, is_html=False).customs_districts == ["西宁海关", "银川海关"]


# -- (c) a press version of a tax notice: its own words for the limits, the kind and the date -------------

def test_press_words_for_the_limits_give_the_limit_figures_and_the_tax_kind() -> None:
    # shape of tax-2018-49-cgtn-govcn: 购买限额, 购物限额, 交易限额 instead of 交易限值
    text = ("跨境网购限额再提高\n据财政部消息，自2030年1月1日起，我国提高跨境电商零售进口的购买限额。"
            "个人年度跨境电商购物限额由26000元提高至30000元，单次交易限额由5000元提高至8000元。"
            "同时，约40类商品将纳入清单。")
    r = extract(text, is_html=False)
    figs = {f.name: f.value for f in r.figures}
    assert (figs["annual_limit_yuan"], figs["previous_annual_limit_yuan"]) == (30000, 26000)
    assert (figs["single_limit_yuan"], figs["previous_single_limit_yuan"]) == (8000, 5000)
    assert figs["items_added"] == 40
    assert r.kind == "tax_policy" and r.effective_date == dt.date(2030, 1, 1)


def test_the_single_limit_never_takes_the_annual_limits_change_in_press_words() -> None:
    figs = _figs("单次交易限额为5000元，年度交易限额由20000元提高至26000元。")
    assert figs["single_limit_yuan"] == 5000 and "previous_single_limit_yuan" not in figs


def test_a_lead_that_says_from_a_date_it_no_longer_levies_gives_the_effective_date_and_kind() -> None:
    # shape of tax-2016-hktdc-brief
    text = ("三部门联合发布跨境电子商务零售进口税收新政。自2031年5月1日起，跨境电商零售进口商品不再征收行邮税，"
            "改为征收进口关税、进口环节增值税和消费税。")
    r = extract(text, is_html=False)
    assert r.effective_date == dt.date(2031, 5, 1) and r.kind == "tax_policy"


# -- (d) a retail-import expansion report: history is no designation; the lead's date and verb ------------

def test_a_sentence_opened_as_history_designates_in_none_of_its_clauses() -> None:
    # shape of press-2021-03-22-retail-expansion: 回顾此前：…；2020年，试点进一步扩大至…及海南全岛
    text = ("六部门再扩大跨境电商零售进口试点\n"
            "通知明确，将跨境电商零售进口试点扩大至所有综合保税区所在城市。"
            "回顾此前：2018年，试点城市为天津等37个城市；2020年，试点进一步扩大至86个城市及海南全岛。")
    r = extract(text, is_html=False)
    assert r.cities == [] and r.kind == "retail_import_pilot"


def test_the_same_clause_without_the_history_opening_still_designates() -> None:
    text = "六部门扩大跨境电商零售进口试点\n通知明确，试点进一步扩大至海南全岛。"
    assert [c.name for c in extract(text, is_html=False).cities] == ["海南全岛"]


def test_a_year_less_lead_date_takes_the_datelines_year_and_yinfa_dates_the_issue() -> None:
    text = ("中新网2032年6月10日电 商务部等6部门6月3日联合印发《关于扩大跨境电商零售进口试点的通知》，"
            "进一步扩大试点。")
    r = extract(text, is_html=False)
    assert r.issue_date == dt.date(2032, 6, 3) and r.publish_date is None


def test_a_lead_that_publishes_dates_the_publication_not_the_issue() -> None:
    text = "2033年4月2日，财政部等11个部门联合公布《跨境电子商务零售进口商品清单》，共包括1200个8位税号商品。"
    r = extract(text, is_html=False)
    assert r.publish_date == dt.date(2033, 4, 2) and r.issue_date is None


def test_a_month_and_day_after_the_dateline_are_no_date_of_that_year() -> None:
    text = "中新网2032年1月5日电 商务部等6部门12月28日联合印发《关于扩大跨境电商零售进口试点的通知》。"
    assert extract(text, is_html=False).issue_date is None


# -- further classes found on the new dev documents (batch 2) -----------------------------------------------

def test_places_a_report_names_with_baokuo_zainei_are_designated() -> None:
    # shape of press-b6-2022-diplomatic
    text = ("北京，2034年3月1日电 国务院已批准在20个城市和地区新设跨境电商综合试验区。\n"
            "据国务院发布的消息，包括河北邢台和山东聊城在内的20个城市新设综试区，将复制推广前八批综试区的经验做法。")
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch" and sorted(c.name for c in r.cities) == ["聊城市", "邢台市"]


def test_the_next_paragraph_listing_the_batch_designates_its_places() -> None:
    # shape of press-b6-2022-trad-partial: the list sits in the paragraph after the batch sentence
    text = ("国务院日前批复同意在邢台等20个城市和地区设立跨境电子商务综合试验区。这是综试区第9次扩围。\n"
            "本批上榜的20个“新面孔”包括邢台、聊城、曲靖等。\n"
            "2015年3月，中国（杭州）跨境电子商务综合试验区获批设立，此后综试区逐批扩围。")
    r = extract(text, is_html=False)
    assert sorted(c.name for c in r.cities) == ["曲靖市", "聊城市", "邢台市"]


def test_baokuo_in_a_recap_designates_nothing() -> None:
    text = ("跨境电商综试区发展回顾\n截至目前，已设立的综试区包括杭州、天津在内的165个城市和地区。"
            "本市将加快跨境电商发展。")
    assert extract(text, is_html=False).cities == []


def test_a_transition_policy_extended_to_named_cities_is_a_retail_import_pilot() -> None:
    # shape of press-2017-12-07-transition-5cities
    text = ("商务部：跨境电商零售进口监管过渡政策适用范围扩大\n"
            "商务部新闻发言人表示，自2035年1月1日起，跨境电子商务零售进口监管过渡政策的适用范围扩大至"
            "洛阳、株洲2个城市。")
    r = extract(text, is_html=False)
    assert r.kind == "retail_import_pilot" and sorted(c.name for c in r.cities) == ["株洲市", "洛阳市"]
    assert r.effective_date == dt.date(2035, 1, 1)


def test_a_place_joined_to_the_group_just_designated_is_designated_with_it() -> None:
    # shape of press-2020-01-retail-50cities-nantong
    text = ("六部门扩大跨境电商零售进口试点\n"
            "六部门联合印发通知，在包括江苏盐城在内的40个城市开展跨境电商零售进口试点。\n"
            "通知要求，这40个城市和海南全岛按照现行监管政策，开展网购保税进口业务。\n"
            "至此，试点已覆盖126个城市（地区）和海南全岛。")
    r = extract(text, is_html=False)
    assert r.kind == "retail_import_pilot" and sorted(c.name for c in r.cities) == ["海南全岛", "盐城市"]


def test_a_report_naming_its_provinces_places_after_qizhong_designates_them() -> None:
    # shape of press-b5-2020-zhejiang-chinadaily: 其中浙江有5个城市：…
    text = ("浙江综试区再扩容\n国务院近日批复同意在全国30个城市和地区设立跨境电子商务综合试验区，"
            "其中浙江有2个城市：绍兴和温州。")
    assert sorted(c.name for c in extract(text, is_html=False).cities) == ["温州市", "绍兴市"]


def test_a_place_in_the_clause_before_ye_huopi_is_the_one_approved() -> None:
    text = ("浙江综试区再扩容\n国务院近日批复同意在全国30个城市和地区设立跨境电子商务综合试验区。"
            "自由贸易试验区所在地舟山，也获批开展跨境电商零售进口业务。")
    assert [c.name for c in extract(text, is_html=False).cities] == ["舟山市"]


def test_limits_with_a_qualifier_before_the_old_value_or_the_term_after_xiane_are_read() -> None:
    # shape of tax-2018-meeting-diacron
    figs = _figs("享受优惠政策的商品限额由单次交易3000元提高至6000元，年度交易限值由每人每年26000元提高至30000元。")
    assert (figs["single_limit_yuan"], figs["previous_single_limit_yuan"]) == (6000, 3000)
    assert (figs["annual_limit_yuan"], figs["previous_annual_limit_yuan"]) == (30000, 26000)


def test_districts_counted_as_guanqu_in_the_sentence_after_the_pilot_are_districts() -> None:
    # shape of customs-2024-measures-udfspace
    text = ("海关总署出台跨境电商出口监管改革措施\n三是扩大出口拼箱货物“先查验后装运”试点。"
            "南宁、昆明等6个重点关区将试行这一模式。")
    r = extract(text, is_html=False)
    assert r.kind == "customs_announcement" and set(r.customs_districts) == {"南宁海关", "昆明海关"}
    assert r.cities == []


def test_a_lead_opening_with_its_date_and_the_publishers_dates_the_publication() -> None:
    text = "2036年2月6日，财政部、海关总署、国家税务总局发布跨境电商出口退运商品税收政策。"
    r = extract(text, is_html=False)
    assert r.publish_date == dt.date(2036, 2, 6) and r.issue_date is None


def test_a_signature_date_above_a_publication_note_is_no_publication_date() -> None:
    text = "\n".join(["某市人民政府关于加快跨境电商发展的通知", "各区人民政府：", "现将有关事项通知如下。",
                      "某市人民政府", "2036年3月1日", "（此件公开发布）"])
    r = extract(text, is_html=False)
    assert r.issue_date == dt.date(2036, 3, 1) and r.publish_date is None
