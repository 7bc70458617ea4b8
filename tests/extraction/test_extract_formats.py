"""Issue 17, third round: number and date formats no stored page covers yet (full-width digits, issuers
missing from the alias table, Chinese-numeral years, relative dates, press words for the limits, numbers
split over lines, wrapped titles, a report's own date), and the classes the batch-3 held-out documents showed
weak (a lead's yearless date, a list attachment without a header, a batch's size said by a report).
Every text here is SYNTHETIC, written for the test in the shape of the documents of each class."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.extraction import extract


def _figures(text: str) -> dict[str, float]:
    return {f.name: f.value for f in extract(text).figures}


# -- full-width digits, wherever numbers are read ---------------------------------------------------

_FULL_WIDTH_NOTICE = """财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知
财关税〔２０１８〕４９号
各省、自治区、直辖市财政厅（局）：
一、将跨境电子商务零售进口商品的单次交易限值由人民币２０００元提高至５０００元，年度交易限值由人民币２００００元提高至２６０００元。
二、本通知自２０１９年１月１日起执行。
特此通知。
财政部 海关总署 税务总局
２０１８年１１月２９日
"""


def test_full_width_digits_read_as_the_doc_number_dates_and_figures() -> None:
    res = extract(_FULL_WIDTH_NOTICE)
    assert res.doc_number == "财关税〔2018〕49号"
    assert res.issue_date == dt.date(2018, 11, 29)
    assert res.effective_date == dt.date(2019, 1, 1)
    figs = {f.name: f.value for f in res.figures}
    assert figs["single_limit_yuan"] == 5000
    assert figs["annual_limit_yuan"] == 26000


def test_a_full_width_serial_of_an_announcement_is_its_number() -> None:
    text = ("海关总署公告２０１８年第１９４号（关于跨境电子商务零售进出口商品有关监管事宜的公告）\n"
            "为做好跨境电子商务零售进出口商品监管工作，现将有关事项公告如下：\n本公告自２０１９年１月１日起施行。\n"
            "海关总署\n２０１８年１２月１０日\n")
    res = extract(text)
    assert res.doc_number == "海关总署公告2018年第194号"
    assert res.issue_date == dt.date(2018, 12, 10)
    assert res.effective_date == dt.date(2019, 1, 1)


def test_full_width_amounts_in_wan_rates_and_codes_are_read() -> None:
    figs = _figures("跨境电商税收新政\n财政部明确，年度交易限值由人民币２万元提高至２.６万元。\n"
                    "关税税率暂设为０％；进口环节增值税、消费税按法定应纳税额的７０％征收。\n")
    assert figs["annual_limit_yuan"] == 26000 and figs["previous_annual_limit_yuan"] == 20000
    assert figs["customs_duty_rate_pct"] == 0 and figs["tax_payable_share_pct"] == 70
    res = extract("海关总署公告２０１４年第５７号\n增列海关监管方式代码“１２１０”，全称“保税跨境贸易电子商务”。\n")
    assert res.customs_codes == ["1210"]


# -- issuers the alias table lacked, Chinese-numeral years ------------------------------------------

@pytest.mark.parametrize(("line", "number"), [
    ("税委会公告2024年第17号", "税委会公告2024年第17号"),
    ("国务院关税税则委员会公告2024年第17号", "国务院关税税则委员会公告2024年第17号"),
    ("商务部公告二〇二六年第5号", "商务部公告2026年第5号"),
    ("商务部公告二〇二六年第五号", "商务部公告2026年第5号"),
])
def test_announcement_numbers_of_less_common_issuers_and_numeral_years(line: str, number: str) -> None:
    text = f"{line}\n根据有关规定，现将调整部分商品进口关税有关事项公告如下：\n一、自2026年3月1日起实施。\n"
    assert extract(text).doc_number == number


def test_a_traditional_copy_with_full_width_digits_reads_like_the_original() -> None:
    res = extract("稅委會公告２０２４年第１７號\n現將有關事項公告如下：\n本公告自２０２５年１月１日起實施。\n")
    assert res.doc_number == "税委会公告2024年第17号"
    assert res.effective_date == dt.date(2025, 1, 1)
    assert res.agencies == ["国务院关税税则委员会"]


def test_the_tariff_commissions_announcement_names_it_as_agency() -> None:
    text = "国务院关税税则委员会公告2024年第17号\n现将有关事项公告如下：\n本公告自2025年1月1日起实施。\n"
    assert "国务院关税税则委员会" in extract(text).agencies


# -- relative dates, read from the document's own date ----------------------------------------------

def test_from_next_january_first_counts_from_the_reports_own_year() -> None:
    text = ("商务部：跨境电商零售进口政策延续实施\n新华社北京2018年11月22日电 商务部新闻发言人表示，"
            "自明年1月1日起，跨境电商零售进口监管过渡期政策将在北京、沈阳等22个城市实施。\n")
    assert extract(text).effective_date == dt.date(2019, 1, 1)


def test_from_next_month_counts_from_the_notices_signature_date() -> None:
    text = ("关于调整跨境电商零售进口商品清单的公告\n现将有关事项公告如下：\n一、自下月起，清单新增29项商品。\n"
            "财政部\n2019年12月24日\n")
    assert extract(text).effective_date == dt.date(2020, 1, 1)


def test_from_next_year_without_a_day_is_its_first_of_january() -> None:
    text = "跨境电商新政\n新华社北京2018年11月21日电 自明年起，跨境电商零售进口政策将继续实施。\n"
    assert extract(text).effective_date == dt.date(2019, 1, 1)


def test_a_relative_date_of_a_cited_notice_is_not_this_ones() -> None:
    text = ("关于做好跨境电商工作的通知\n各市商务局：\n根据《财政部关于完善跨境电子商务零售进口税收政策的通知》"
            "（财关税〔2018〕49号）自明年1月1日起执行的规定，请做好准备。\n省商务厅\n2018年12月3日\n")
    assert extract(text).effective_date is None


def test_a_relative_date_with_no_date_of_the_document_gives_none() -> None:
    text = "跨境电商新政解读\n自明年1月1日起，跨境电商零售进口政策继续实施。\n"
    assert extract(text).effective_date is None


# -- press words for the limits ---------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "single", "annual"), [
    ("单次交易限值提高到5000元，年度交易限值提高到26000元。", 5000, 26000),
    ("单次购物限额上调至5000元，年度购物限额上调至26000元。", 5000, 26000),
    ("单次交易限值为五千元，年度交易限值为两万六千元。", 5000, 26000),
    ("单次交易价值低于2000元的商品享受优惠；消费者一年内购物超过20000元的，全额征税。", 2000, 20000),
    ("单次交易金额不超过5000元、个人年度交易总额不超过26000元的商品，按优惠税率征税。", 5000, 26000),
    ("单次交易限额5000元、年度交易限额26000元。", 5000, 26000),
    ("单笔交易上限为5000元，全年累计上限26000元。", 5000, 26000),
    ("个人单次购买额度由2000元提高到5000元，全年额度由2万元提高到2.6万元。", 5000, 26000),
])
def test_the_limits_in_press_words(sentence: str, single: int, annual: int) -> None:
    figs = _figures(f"跨境电商零售进口税收新政出台\n财政部等部门明确，{sentence}\n")
    assert figs["single_limit_yuan"] == single
    assert figs["annual_limit_yuan"] == annual


def test_a_limit_raised_by_an_amount_states_no_new_value() -> None:
    assert "single_limit_yuan" not in _figures("跨境电商税收新政\n单次交易限值提高了3000元。\n")


def test_a_limit_on_another_thing_is_no_limit() -> None:
    figs = _figures("报道称\n此前，海外网购价值低于1000元的商品只需缴纳行邮税，税额低于50元的免征。\n")
    assert "single_limit_yuan" not in figs and "annual_limit_yuan" not in figs


# -- numbers split over lines, wrapped titles -------------------------------------------------------

def test_a_number_split_over_two_lines_is_read_whole() -> None:
    text = ("关于跨境电子商务零售进口有关监管事宜的公告\n海关总署公告2018年第\n194号\n"
            "现将有关事项公告如下：\n本公告自2019年1月1日起施行。\n")
    assert extract(text).doc_number == "海关总署公告2018年第194号"


def test_a_signature_date_split_over_two_lines_is_the_issue_date() -> None:
    text = ("关于完善跨境电子商务零售进口税收政策的通知\n财关税〔2018〕49号\n各省财政厅：\n"
            "本通知自2019年1月1日起执行。\n财政部\n2018年11月\n29日\n")
    res = extract(text)
    assert res.issue_date == dt.date(2018, 11, 29)
    assert res.effective_date == dt.date(2019, 1, 1)


def test_a_limit_split_before_its_unit_is_read() -> None:
    figs = _figures("跨境电商税收新政\n单次交易限值由人民币2000元提高至5000\n"
                    "元，年度交易限值由人民币20000元提高至26000元。\n")
    assert figs["single_limit_yuan"] == 5000 and figs["previous_single_limit_yuan"] == 2000


def test_a_chinese_numeral_year_in_number_signature_and_clause() -> None:
    text = ("商务部公告二〇二六年第5号\n现将有关事项公告如下：\n本公告自二〇二六年三月一日起实施。\n商务部\n"
            "二〇二六年二月六日\n")
    res = extract(text)
    assert (res.doc_number, res.issue_date, res.effective_date) == (
        "商务部公告2026年第5号", dt.date(2026, 2, 6), dt.date(2026, 3, 1))


def test_a_centred_title_wrapped_over_two_lines_is_one_title() -> None:
    text = ("　　　　国务院关于同意在雄安新区等46个城市和地区设立\n"
            "　　　　　　跨境电子商务综合试验区的批复\n国函〔2020〕47号\n"
            "河北省、山西省人民政府，商务部：\n你们关于设立跨境电子商务综合试验区的请示收悉。现批复如下：\n"
            "一、同意在雄安新区、大同市设立跨境电子商务综合试验区。\n国务院\n2020年4月27日\n")
    res = extract(text)
    assert res.title == "国务院关于同意在雄安新区等46个城市和地区设立跨境电子商务综合试验区的批复"
    assert res.kind == "pilot_zone_batch"
    assert res.doc_number == "国函〔2020〕47号"


def test_site_chrome_with_guanyu_above_a_title_joins_nothing() -> None:
    text = ("关于我们\n海关总署关于跨境电子商务零售进口商品有关监管事宜的公告\n海关总署公告2018年第194号\n"
            "现将有关事项公告如下：\n本公告自2019年1月1日起施行。\n")
    assert extract(text).title == "海关总署关于跨境电子商务零售进口商品有关监管事宜的公告"


# -- a report's own date is not its subject's -------------------------------------------------------

def test_a_reports_date_under_its_headline_is_not_the_notices_publication() -> None:
    text = ("跨境电商零售进口清单再扩容\n2019年12月30日\n日前，财政部等13部门调整了跨境电子商务零售进口商品清单，"
            "新增29项商品。\n")
    assert extract(text).publish_date is None


def test_a_report_that_says_the_notice_was_published_that_day_dates_it() -> None:
    text = ("跨境电商零售进口清单再扩容\n2019年12月30日\n财政部等13部门今天发布公告，调整跨境电子商务零售进口商品清单，"
            "新增29项商品。\n")
    assert extract(text).publish_date == dt.date(2019, 12, 30)


# -- classes shown by the batch-3 held-out documents ------------------------------------------------

def test_a_leads_month_and_day_take_the_year_of_the_site_line() -> None:
    text = ("海关总署发布公告 增列监管方式代码\n发布日期:2016-12-07 浏览次数:\n"
            "12月6日,海关总署发布公告,决定增列海关监管方式代码“1239”。\n")
    assert extract(text).publish_date == dt.date(2016, 12, 6)


def test_a_leads_yearless_date_after_a_source_clause_still_dates_the_publication() -> None:
    text = ("海关总署发布公告\n发布日期：2016-12-07\n"
            "据海关总署网站消息，12月6日海关总署发布公告，增列海关监管方式代码“1239”。\n")
    assert extract(text).publish_date == dt.date(2016, 12, 6)


def test_a_december_notice_reported_in_january_is_of_the_year_before() -> None:
    text = "海关总署发布公告\n发布日期：2019-01-03\n12月29日，海关总署发布公告，调整跨境电商零售进口监管事宜。\n"
    assert extract(text).publish_date == dt.date(2018, 12, 29)


def test_a_press_conference_on_a_yearless_day_is_no_publication() -> None:
    text = ("商务部谈跨境电商\n3月18日，商务部新闻发言人在发布会上表示，跨境电商零售进口监管过渡期政策延续实施。\n")
    assert extract(text).publish_date is None


def test_a_reports_this_year_is_the_reports_year_not_the_reported_notices() -> None:
    text = ("跨境电商新政解读\n新华社北京2019年1月5日电 财政部于2018年11月29日印发通知，"
            "自今年1月1日起执行新的跨境电商零售进口税收政策。\n")
    res = extract(text)
    assert res.issue_date == dt.date(2018, 11, 29)
    assert res.effective_date == dt.date(2019, 1, 1)


def test_a_wire_reports_riqian_leaves_the_publication_undated() -> None:
    text = ("跨境电商零售进口清单再扩容\n新华社北京2019年12月30日电财政部等13部门日前发布公告，"
            "调整跨境电子商务零售进口商品清单，新增29项商品。\n")
    assert extract(text).publish_date is None


def test_a_list_attachment_with_tariff_headers_is_a_positive_list() -> None:
    text = ("附件 : 序号 税则号列 中文货品名称 备注 酸乳 天然蜂蜜 燕窝 葡萄干 杏干\n"
            "2 干红枣 其他干果 柑桔属水果的果皮 3kg\n")
    assert extract(text).kind == "positive_list"


def test_a_table_of_goods_without_list_headers_is_no_positive_list() -> None:
    text = "今年的进口水果\n葡萄干 杏干 干红枣 其他干果\n"
    assert extract(text).kind != "positive_list"


@pytest.mark.parametrize(("lead", "added"), [
    ("报道称，国务院共批准在全国设立46个此类试验区。", 46),
    ("国务院日前批复同意，再在27个城市和地区设立跨境电子商务综合试验区。", 27),
])
def test_a_reports_batch_size_in_its_own_words(lead: str, added: int) -> None:
    text = f"跨境电商综合试验区再扩容\n{lead}\n"
    res = extract(text)
    assert res.kind == "pilot_zone_batch"
    assert {f.name: f.value for f in res.figures}.get("zones_added") == added


def test_a_report_of_one_citys_place_in_a_batch_designates_it() -> None:
    text = ("中国将在海南三亚设立跨境电商综合试验区\n国务院批准在全国设立46个此类试验区\n"
            "塔斯社海口5月8日电 据报道，海南三亚成为拟设立跨境电子商务综合试验区的城市之一。\n")
    res = extract(text)
    assert [c.name for c in res.cities] == ["三亚市"]
    assert {f.name: f.value for f in res.figures}.get("zones_added") == 46


def test_a_city_recalled_as_one_of_the_first_batch_is_not_designated_again() -> None:
    text = ("再添27个跨境电商综试区\n国务院日前批复同意，在廊坊市、沧州市等27个城市和地区设立跨境电子商务综合试验区。"
            "2016年，郑州成为首批跨境电子商务综合试验区城市之一。\n")
    assert [c.name for c in extract(text).cities] == ["廊坊市", "沧州市"]


# -- classes shown by the batch-4 dev documents -------------------------------------------------------

def test_a_duty_rate_printed_before_its_term_is_read() -> None:
    figs = _figures("跨境电商税收新政\n限值以内的交易暂按0%关税税率征收，进口环节增值税、消费税按应纳税额的70%征收。\n")
    assert figs["customs_duty_rate_pct"] == 0 and figs["tax_payable_share_pct"] == 70


def test_a_start_time_label_of_a_code_is_its_effective_date() -> None:
    text = "海关监管方式代码9710\n代码9710简称“跨境电商B2B直接出口”。启用时间:2020年7月1日。\n"
    assert extract(text).effective_date == dt.date(2020, 7, 1)


def test_the_transitional_regime_by_its_short_name_is_the_retail_import_pilot() -> None:
    text = ("据商务部新闻发言人介绍，自2018年1月1日起，跨境电商过渡期监管政策将扩大到合肥、成都、大连、青岛、"
            "苏州5个城市。\n"
            "监管部门对上述城市经电商平台进口的商品，按个人物品监管。\n")
    assert extract(text).kind == "retail_import_pilot"


def test_an_about_page_heading_is_no_official_title() -> None:
    text = ("关于正面清单\n正面清单（中文名称为“跨境电子商务零售进口商品清单”）于2016年4月推出。\n"
            "2020年又增加到1413个品类。这次更新新增29项商品，删除1项商品。\n")
    res = extract(text)
    assert res.kind == "positive_list"
    figs = {f.name: f.value for f in res.figures}
    assert figs["items_added"] == 29 and figs["items_removed"] == 1


def test_an_official_title_with_guanyu_still_makes_a_plan_no_list() -> None:
    text = ("关于印发跨境电子商务发展三年行动计划的通知\n各市人民政府：\n"
            "积极争取扩大跨境电商零售进口清单范围，推动进口业务发展。\n")
    assert extract(text).kind != "positive_list"


def test_a_report_saying_pizhun_zai_designates_the_city() -> None:
    text = ("国务院批准在浙江省省会杭州设立跨境电子商务综合试验区。\n"
            "据中国政府网站周四发布的公告，这一申请由浙江省人民政府和商务部提出。\n")
    res = extract(text)
    assert res.kind == "pilot_zone_batch"
    assert [c.name for c in res.cities] == ["杭州市"]


def test_a_recap_saying_yi_pizhun_zai_designates_nothing() -> None:
    text = ("跨境电商发展报告\n截至目前，国务院已批准在杭州、天津等105个城市设立跨境电子商务综合试验区。\n")
    assert extract(text).cities == []


def test_a_page_titled_with_the_site_name_takes_the_wrapped_title_of_its_text() -> None:
    page = ("<html><head><title>中国政府网</title></head><body><div class=\"content\">"
            "<p style=\"text-align:center\">国务院关于同意在雄安新区等46个城市和地区设立</p>"
            "<p style=\"text-align:center\">跨境电子商务综合试验区的批复</p><p>国函〔2020〕47号</p>"
            "<p>河北省人民政府，商务部：</p><p>你们关于设立跨境电子商务综合试验区的请示收悉。现批复如下：</p>"
            "<p>一、同意在雄安新区、大同市设立跨境电子商务综合试验区。</p><p>国务院</p><p>2020年4月27日</p></div></body></html>")
    res = extract(page)
    assert res.title == "国务院关于同意在雄安新区等46个城市和地区设立跨境电子商务综合试验区的批复"
    assert [c.name for c in res.cities] == ["雄安新区", "大同市"]
