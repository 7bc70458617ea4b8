"""Issue 17, second round: classes that the batch-2 held-out documents showed the extractor had not
generalised (kind of reports without a clean header, wrapped citations, title genres, lead dates, repost
dates). Every text here is SYNTHETIC, written for the test in the shape of the documents of each class."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.extraction import extract
from crawler.extraction.citations import FILL, mask
from crawler.extraction.html_text import html_to_text
from crawler.extraction.normalize import reflow


def _names(places: list) -> list[str]:
    return [p.name for p in places]


# -- kind of a report without an official header ----------------------------------------------------

def test_a_report_leading_with_a_tax_change_is_tax_policy_though_it_mentions_the_list_later() -> None:
    text = "\n".join([  # SYNTHETIC: an explainer of a tax change that also recalls the list of the day before
        "跨境零售进口新规速览",
        "自2016年4月8日起，我国对跨境电商零售进口实行新的税收政策，商品不再按个人物品征收行邮税。",
        "单次交易限值由1000元提高至2000元。",
        "2016年4月7日，财政部等11个部门联合发布跨境电商零售进口商品正面清单。"])
    r = extract(text, is_html=False)
    assert r.kind == "tax_policy"
    assert r.effective_date == dt.date(2016, 4, 8)


def test_a_report_leading_with_the_list_is_still_a_positive_list() -> None:
    text = "\n".join([  # SYNTHETIC: the same two facts in the other order
        "正面清单发布",
        "财政部等11个部门联合发布跨境电商零售进口商品正面清单，共1142个税目。",
        "此前，单次交易限值由1000元提高至2000元。"])
    assert extract(text, is_html=False).kind == "positive_list"


def test_a_report_of_a_batch_in_short_words_designates_the_places_its_next_clause_lists() -> None:
    text = "\n".join([  # SYNTHETIC: 同意新设 without 在, 综试区, and 包括 opening the next clause
        "国务院再批一批跨境电商综试区",
        "国务院日前同意新设20个跨境电子商务综合试验区，包括扬州、镇江和喀什地区等地。",
        "综试区总数达到120个。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert _names(r.cities) == ["扬州市", "镇江市", "喀什地区"]


def test_new_goods_lines_listed_after_xinzeng_are_no_places() -> None:
    text = "\n".join([  # SYNTHETIC: 新增…，包括 naming goods: nothing to designate, and no batch
        "清单调整",
        "财政部等部门发布调整后的跨境电商零售进口商品清单，新增29个税目，包括滑雪用具、家用洗碟机等商品。"])
    r = extract(text, is_html=False)
    assert r.kind == "positive_list" and r.cities == []


# -- titles with a qualified genre word --------------------------------------------------------------

def test_an_implementation_opinion_is_titled_and_is_no_batch_though_it_cites_one() -> None:
    text = "\n".join([  # SYNTHETIC: a municipal 实施意见 whose opening cites the batch reply, wrapped
        "某市人民政府办公室",
        "关于加快推进跨境电子商务发展的实施意见",
        "某政办发〔2021〕46号",
        "各县（区）人民政府，各有关单位：",
        "为贯彻落实《国务院关于同意在雄安新区等46个城市和地区设立跨境电子商务综合试验区的批复》（国函〔2020〕47号）"
        "精神，全面推进我市综合试验区建设，提出如下意见。"])
    r = extract(text, is_html=False)
    assert r.title == "关于加快推进跨境电子商务发展的实施意见"
    assert r.kind == "other" and r.cities == [] and r.doc_number == "某政办发〔2021〕46号"


# -- a cited title or number wrapped over lines --------------------------------------------------------

def test_a_cited_title_and_number_wrapped_over_lines_are_masked_and_keep_the_lines() -> None:
    text = ("为贯彻落实《国务院关于同意在雄安新区等46\n个城市和地区设立跨境电子商务综合试验区的\n批复》（国函\n"
            "〔2020〕47号）精神，推进建设。")  # SYNTHETIC: a narrow gazette column
    masked = mask(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert "雄安" not in masked and "城市" not in masked and "47号" not in masked
    assert masked.split("\n")[0].endswith(FILL) and masked.endswith("精神，推进建设。")


def test_a_wrapped_cited_title_in_a_report_designates_nothing() -> None:
    text = "\n".join([  # SYNTHETIC: a report without an official title citing the reply over three lines
        "我市综试区建设提速",
        "为落实《国务院关于同意在雄安新区等46",
        "个城市和地区设立跨境电子商务综合试验区的",
        "批复》精神，我市出台多项支持措施，对企业给予补贴。"])
    r = extract(text, is_html=False)
    assert r.kind == "other" and r.cities == []


def test_an_opening_bracket_never_masks_past_a_full_stop() -> None:
    text = "本市将《加快发展。\n同意在扬州设立综合试验区》"  # SYNTHETIC: a stray 《 that a sentence ends
    assert "扬州" in mask(text)


# -- the date of a reprint site's own post -------------------------------------------------------------

def test_a_reprint_sites_own_post_date_is_no_publication_date() -> None:
    text = "\n".join([  # SYNTHETIC: a trade site carrying a reply under its own headline
        "27地获批新设跨境电商综合试验区",
        "浏览：5  作者：站点编辑  发布时间：2022-02-09  来源：本站",
        "国务院关于同意在某地设立跨境电子商务综合试验区的批复",
        "国函〔2022〕8号"])
    assert extract(text, is_html=False).publish_date is None


def test_a_publication_line_naming_the_issuer_as_source_still_dates_the_publication() -> None:
    text = "\n".join([  # SYNTHETIC: the issuer's own page
        "国家税务总局关于某事项的公告",
        "发布时间：2019-10-26 10:45  来源：国家税务总局",
        "现将有关事项公告如下：一、某事项。"])
    assert extract(text, is_html=False).publish_date == dt.date(2019, 10, 26)


def test_a_reprint_page_in_html_takes_no_visible_date_from_its_own_post_line() -> None:
    html = ("<html><body><div class='info'>发布时间：2022-02-09 来源：本站</div>"  # SYNTHETIC
            "<div class='x'><p>国务院关于同意在某地设立跨境电子商务综合试验区的批复</p></div></body></html>")
    assert "visible_date" not in html_to_text(html).meta
    own = html.replace("本站", "商务部")
    assert html_to_text(own).meta["visible_date"].strip() == "2022-02-09"


# -- a database card names its record under the site's name -----------------------------------------------

def test_a_database_card_of_the_list_is_a_positive_list() -> None:
    text = "\n".join([  # SYNTHETIC: a compliance database's record card
        "某某合规数据库",
        "跨境电子商务零售进口商品清单（2019年版）",
        "主管部门：财政部",
        "发布日期：2019-12-27",
        "实施日期：2020-01-01"])
    r = extract(text, is_html=False)
    assert r.kind == "positive_list" and r.effective_date == dt.date(2020, 1, 1)


def test_a_cited_list_title_in_the_opening_does_not_make_a_positive_list() -> None:
    text = "\n".join([  # SYNTHETIC: a report whose second line is a cited 《title》 only
        "跨境电商企业座谈会召开",
        "《跨境电子商务零售进口商品清单》",
        "会议交流了企业经营情况。"])
    assert extract(text, is_html=False).kind == "other"


# -- body selectors common on gov sites ----------------------------------------------------------------

_CHROME = ("<div class='side'>" + "".join(f"<p>相关链接第{i}条：某某政策解读与新闻汇编目录</p>" for i in range(12))
           + "</div>")


def test_the_body_is_read_from_div_arc_cont_and_zoomcon_not_the_larger_chrome() -> None:
    body = "<p>各省、自治区、直辖市：</p><p>现将跨境电子商务零售进口有关事项通知如下，请遵照执行。</p>"
    for holder in ("<div class='arc_cont'>{}</div>", "<div id='zoomcon'>{}</div>"):  # SYNTHETIC pages
        text = html_to_text(f"<html><body>{_CHROME}{holder.format(body)}</body></html>").text
        assert text.startswith("各省、自治区、直辖市：") and "相关链接" not in text


# -- number printed under its issuers; the verb 签发 -----------------------------------------------------

def test_a_year_and_serial_under_a_list_of_issuers_is_their_joint_announcements_number() -> None:
    issuers = ("财政部 发展改革委 工业和信息化部 农业部 商务部 海关总署 国家税务总局 质检总局 食品药品监管总局 "
               "濒管办 密码局")
    for header in ([issuers, "2016年第40号"], [issuers, "公告", "2016年第40号"],
                   ["财政部等11个部门", "公告", "2016年第40号"]):  # SYNTHETIC header layouts
        text = "\n".join(["关于公布跨境电子商务零售进口商品清单的公告", *header, "现将清单予以公布。"])
        assert extract(text, is_html=False).doc_number == "财政部等11部门公告2016年第40号", header


def test_a_bare_year_and_serial_under_no_issuers_is_no_number() -> None:
    text = "某市商务局关于某事的通知\n2016年第40号\n现将有关事项通知如下。"  # SYNTHETIC: a gazette issue, say
    assert extract(text, is_html=False).doc_number is None


def test_qianfa_in_a_reports_lead_dates_the_issue_and_gives_the_reported_number() -> None:
    text = ("海关总署发布零售进出口监管新规\n"  # SYNTHETIC
            "2018年11月8日，海关总署签发《关于跨境电子商务零售进出口商品有关监管事宜的公告》（海关总署公告2018年第194号），"
            "自2019年1月1日起施行。")
    r = extract(text, is_html=False)
    assert r.doc_number == "海关总署公告2018年第194号"
    assert r.issue_date == dt.date(2018, 11, 8) and r.publish_date is None
    assert r.effective_date == dt.date(2019, 1, 1)


def test_a_lead_opening_with_its_date_and_qianfa_dates_the_issue_not_the_publication() -> None:
    text = "某公告签发\n2018年11月8日，海关总署签发跨境电商零售进出口监管公告，明确有关事项。"  # SYNTHETIC
    r = extract(text, is_html=False)
    assert r.issue_date == dt.date(2018, 11, 8) and r.publish_date is None


# -- a batch of one zone in a report; a plan's name; history said with 以来 ---------------------------------

def test_a_report_that_one_citys_zone_was_approved_is_a_batch_of_that_city() -> None:
    text = "我市获批跨境电商综试区\n近日，国务院正式批复同意设立中国（运城）跨境电子商务综合试验区。"  # SYNTHETIC
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch" and _names(r.cities) == ["运城市"]


def test_the_same_approval_recalled_with_yilai_is_history() -> None:
    text = ("某市综试区运行一年\n去年3月国务院批复同意设立中国（运城）跨境电子商务综合试验区以来，"
            "运城综试区发展迅速。")  # SYNTHETIC
    r = extract(text, is_html=False)
    assert r.kind == "other" and r.cities == []


def test_a_plan_named_by_its_title_is_no_batch_though_it_recalls_the_approval() -> None:
    text = "\n".join([  # SYNTHETIC: a plan's name as title, no 关于, no 制定本方案
        "中国（运城）跨境电子商务综合试验区建设实施方案",
        "2020年4月，国务院批复同意设立中国（运城）跨境电子商务综合试验区。",
        "一、总体要求"])
    r = extract(text, is_html=False)
    assert r.kind == "other" and r.cities == []


# -- a report's subject in press words ---------------------------------------------------------------------

@pytest.mark.parametrize(("lead", "kind"), [  # SYNTHETIC leads, one per press phrasing
    ("自2022年3月1日起，跨境电商零售进口商品清单新增29项商品，包括滑雪用具、家用洗碟机等。", "positive_list"),
    ("财政部等八部门近日联合发文，进一步扩大跨境电商零售进口商品清单范围。", "positive_list"),
    ("我国调整扩大跨境电商零售进口清单，清单商品总数达1476个税目。", "positive_list"),
    ("三部门联合发文，明确跨境电子商务零售进口商品按照货物征收关税和进口环节增值税、消费税。", "tax_policy"),
    ("财政部、海关总署、税务总局发布公告，自2019年1月1日起，零售进口商品不再按个人物品征收行邮税。", "tax_policy"),
    ("海关总署近日发布公告，自2024年12月1日起取消跨境电商出口海外仓企业备案。", "customs_announcement"),
    # batch-3 shapes: a list "published", a new tax regime, the postal tax no longer applying, GACC's own voice
    ("我国周五公布了第二批通过跨境电商平台购买境外商品适用新税收政策的商品清单。", "positive_list"),
    ("三部门表示，将对跨境电子商务零售实施新的税收制度。新税制将于4月8日起施行。", "tax_policy"),
    ("此后，“行邮税”不再适用于这类购物。", "tax_policy"),
    ("为做好跨境电子商务零售进出口商品监管工作，现就海关监管事宜公告如下：", "customs_announcement"),
])
def test_a_reports_subject_is_read_from_its_press_words(lead: str, kind: str) -> None:
    assert extract(f"跨境电商新规速览\n{lead}", is_html=False).kind == kind


def test_a_joint_announcement_led_by_another_agency_is_no_customs_announcement() -> None:
    text = "退运商品新政\n财政部、海关总署、税务总局发布公告，对跨境电商出口退运商品的有关事项作出规定。"  # SYNTHETIC
    assert extract(text, is_html=False).kind != "customs_announcement"


def test_a_headline_that_says_new_tax_regime_goods_is_no_tax_clause() -> None:
    text = ("我国公布第二批适用新税制商品\n"  # SYNTHETIC: 新税制 in the headline, the list published in the lead
            "我国公布了第二批适用新税收政策的跨境电商商品清单，共151项。")
    assert extract(text, is_html=False).kind == "positive_list"


def test_a_text_opening_with_the_lists_name_is_the_list() -> None:
    text = ("跨境电子商务零售进口商品清单 ( 第二批 ) Updated April 2016 序号 No. 税则号列 Tariff Line 货品名称 "
            "1 02101900 干熏盐制的其他猪肉 2 02102000 干熏盐制的牛肉")  # SYNTHETIC: a flattened table
    assert extract(text, is_html=False).kind == "positive_list"


def test_a_provincial_joint_meeting_for_the_zones_is_no_batch() -> None:
    text = ("广东建立综试区联席会议制度\n"
            "省政府已同意设立某省跨境电子商务综合试验区工作联席会议，统筹协调两个综试区的建设。")
    r = extract(text, is_html=False)  # SYNTHETIC
    assert r.kind == "other" and r.cities == []


def test_the_batch_clause_ends_at_its_own_zone_not_a_later_mention() -> None:
    text = ("第六批综试区出炉\n2022年2月8日，国务院批准在27个城市和地区设立跨境电子商务综合试验区，"
            "此前全国已有综试区105个。")  # SYNTHETIC: 此前 after the clause is no recap of it
    assert extract(text, is_html=False).kind == "pilot_zone_batch"


# -- a month and day without a year take the dateline's year -------------------------------------------------

def test_a_yearless_effective_date_takes_the_year_of_the_reports_dateline() -> None:
    text = "\n".join([  # SYNTHETIC: a repost with its update line, the date said without a year
        "首页 > 新闻", "我国对跨境电商实施新税制", "更新时间：2016-03-25",
        "三部门周四表示，将对跨境电子商务零售实施新的税收制度。", "新税制将于4月8日起施行。"])
    r = extract(text, is_html=False)
    assert r.effective_date == dt.date(2016, 4, 8) and r.kind == "tax_policy"


def test_a_yearless_effective_date_without_a_dateline_is_no_date() -> None:
    text = "跨境电商购物税制调整\n上海——自4月8日起，中国跨境电商购物将适用新的税收制度。"  # SYNTHETIC
    assert extract(text, is_html=False).effective_date is None


def test_a_yearless_date_of_a_cited_document_is_not_this_ones() -> None:
    text = ("某市通知\n发布时间：2019-03-01\n根据《关于完善跨境电子商务零售进口税收政策的通知》自1月1日起执行的规定，"
            "做好有关工作。")  # SYNTHETIC
    assert extract(text, is_html=False).effective_date is None


# -- an interpretation's subject ---------------------------------------------------------------------------

def test_an_interpretation_takes_the_number_of_the_notice_its_title_names() -> None:
    text = ("跨境电子商务零售进口税收政策的通知解读\n"  # SYNTHETIC
            "依据三部门联合发布的《关于跨境电子商务零售进口税收政策的通知》（财关税〔2016〕18号），"
            "自2016年4月8日起，跨境电商零售进口商品不再适用行邮税。")
    assert extract(text, is_html=False).doc_number == "财关税〔2016〕18号"


def test_an_interpretation_citing_another_notice_as_basis_takes_no_number() -> None:
    text = ("跨境电子商务零售进口税收政策的通知解读\n"  # SYNTHETIC: the cited basis is a different document
            "依据《关于完善跨境电子商务零售进口监管有关工作的通知》（商财发〔2018〕486号），做好衔接。")
    assert extract(text, is_html=False).doc_number is None


# -- the retail-import regime continued in named cities ------------------------------------------------------

def test_the_regime_continued_in_cities_counted_with_a_qualifier_designates_them() -> None:
    text = ("商务部：明年起零售进口政策延续\n"  # SYNTHETIC
            "跨境电子商务零售进口政策将继续实施并加以完善。"
            "自明年1月1日起，上述政策将在北京、沈阳、南京、武汉等22个新设跨境电商综合试验区城市实施。")
    r = extract(text, is_html=False)
    assert r.kind == "retail_import_pilot"
    assert _names(r.cities) == ["北京市", "沈阳市", "南京市", "武汉市"]


def test_cities_counted_with_a_qualifier_in_a_recap_are_not_designated() -> None:
    text = ("零售进口政策延续\n跨境电子商务零售进口政策将继续实施。"  # SYNTHETIC
            "此前，该政策已在杭州、天津等15个跨境电商综合试验区城市实施。")
    assert extract(text, is_html=False).cities == []


def test_a_batch_report_naming_no_place_still_gives_the_batch_size() -> None:
    text = "第六批综试区出炉\n2022年2月8日，国务院批准在27个城市和地区设立跨境电子商务综合试验区。"  # SYNTHETIC
    r = extract(text, is_html=False)
    assert r.cities == [] and {f.name: f.value for f in r.figures}.get("zones_added") == 27


def test_a_recap_naming_no_place_gives_no_batch_size() -> None:
    text = "综试区建设\n截至目前，国务院已先后批准在165个城市和地区设立跨境电子商务综合试验区。"  # SYNTHETIC
    r = extract(text, is_html=False)
    assert "zones_added" not in {f.name for f in r.figures}


# -- hard-wrapped copies -------------------------------------------------------------------------------------

_BATCH_LEAD = ("国务院近日同意在廊坊市、沧州市、运城市、包头市、鞍山市、延吉市、同江市、蚌埠市、南平市、宁德市、"
               "萍乡市、新余市、宜春市、吉安市、枣庄市等33个城市和地区设立跨境电子商务综合试验区。")


def _wrapped(text: str, width: int) -> str:
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def test_a_designation_wrapped_at_a_fixed_width_reads_as_one_sentence() -> None:
    whole = extract("第七批综试区获批\n" + _BATCH_LEAD, is_html=False)  # SYNTHETIC
    wrapped = extract("第七批综试区获批\n" + _wrapped(_BATCH_LEAD, 18), is_html=False)
    assert _names(wrapped.cities) == _names(whole.cities) and len(whole.cities) == 15


def test_reflow_leaves_texts_whose_lines_are_paragraphs_alone() -> None:
    lines = ["关于某事项的通知", "各省：", "一、第一项要求的内容写在这一段里。",
             "二、第二项要求的内容写得更长一些也不会被并入上一段。", "三、第三项。", "某部",
             "2024年1月1日"]  # SYNTHETIC
    assert reflow(lines) == lines


def test_reflow_joins_only_full_width_lines_that_end_no_sentence() -> None:
    lines = ["标题", "一二三四五六七八九十一二三四五六七八", "九十。", "一二三四五六七八九十一二三四五六七八",
             "一二三四五六七八九十一二三四五六七八", "完。", "一二三四五六七八九十一二三四五六七。"]  # SYNTHETIC
    assert reflow(lines) == ["标题", "一二三四五六七八九十一二三四五六七八九十。",
                             "一二三四五六七八九十一二三四五六七八一二三四五六七八九十一二三四五六七八完。",
                             "一二三四五六七八九十一二三四五六七。"]
