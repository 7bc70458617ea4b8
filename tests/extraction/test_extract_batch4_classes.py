"""Issue 17, the failure classes batch 4's held-out split found (stop 23), each checked on its own.

Every text here is SYNTHETIC: written for the test in the shape of a class of reports (the class, not a
bench/corpus document: other places, numbers and wording), so the test checks the rule and not one sentence.
"""

from __future__ import annotations

from result_helpers import city_names, figures_of

from crawler.extraction import extract

# -- 1. a report that lists a batch's places without 同意在…设立 --

def test_a_list_header_after_the_new_batch_designates_its_places() -> None:
    text = "\n".join([
        "综试区名单公布",
        "国务院常务会议决定，我国新确定4个城市设立跨境电子商务综合试验区。",
        "新设综合试验区的4个城市是：保定、洛阳、柳州和包头。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"保定", "洛阳", "柳州", "包头"}
    assert figures_of(r)["zones_added"] == 4


def test_a_list_header_with_a_count_and_cities_and_regions_designates_its_places() -> None:
    text = "\n".join([
        "某律所简报",
        "2030年5月6日，国务院印发《关于同意在保定等3个城市和地区设立跨境电子商务综合试验区的批复》。",
        "《批复》新设的跨境电子商务综合试验区共3个城市和地区：保定市、洛阳市和柳州市。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"保定", "洛阳", "柳州"}


def test_a_report_that_a_country_listed_n_cities_gives_the_batch_size_from_the_count() -> None:
    text = "\n".join([
        "又一批综试区",
        "为稳外贸，中国又把30个城市列为跨境电子商务综合试验区。",
        "据国务院发布的消息，新设试验区要复制推广成熟做法。",
        "新增城市包括河南洛阳和广西柳州。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"洛阳", "柳州"}
    assert figures_of(r)["zones_added"] == 30


def test_what_the_new_cities_will_do_names_no_designated_place() -> None:
    text = "\n".join([
        "又一批综试区",
        "中国又把30个城市列为跨境电子商务综合试验区。",
        "新增城市将使试点覆盖成都、武汉、西安等多数大城市。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert not r.cities


def test_one_zone_approved_by_its_full_name_is_the_news_of_that_zone() -> None:
    text = "\n".join([
        "洛阳设立跨境电商试验区",
        "国务院已批准在河南省洛阳设立中国(洛阳)跨境电子商务综合试验区。",
        "批复要求河南省人民政府支持试验区建设。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"洛阳"}


def test_a_dated_or_counted_approval_is_still_a_recap_of_an_earlier_batch() -> None:
    for lead in ("2015年，国务院已批准在河南省洛阳设立中国(洛阳)跨境电子商务综合试验区。",
                 "国务院已批准在洛阳等13个城市设立跨境电子商务综合试验区。"):
        r = extract("某市跨境电商发展情况\n" + lead + "\n本市将继续推进相关工作。", is_html=False)
        assert not r.cities, lead


def test_recaps_of_earlier_batches_in_a_report_designate_nothing() -> None:
    text = "\n".join([
        "跨境电商发展综述",
        "国务院2015年以来在13个城市设立的跨境电商综合试验区进展明显。",
        "目前试点已覆盖约105个城市，北京、上海等城市都设有试验区。"])
    r = extract(text, is_html=False)
    assert r.kind != "pilot_zone_batch"
    assert not r.cities


# -- 2. a customs report without a clean header: its subject is a 海关总署公告 --

def test_a_reported_customs_announcement_below_page_chrome_gives_kind_number_and_issue() -> None:
    text = "\n".join([
        "  • +86-10-12345678",
        "产品搜索",
        "关键词1",
        "“跨境电商B2B出口，是指境内企业通过跨境物流将货物运送至境外企业的贸易形式。”",
        "2031年3月9日，海关总署印发《关于调整跨境电子商务出口监管事项的公告》（海关总署公告2031年第12号），"
        "相关措施在全国推广。"])
    r = extract(text, is_html=False)
    assert r.kind == "customs_announcement"
    assert r.doc_number == "海关总署公告2031年第12号"
    assert str(r.issue_date) == "2031-03-09"


def test_a_gacc_announcement_reported_in_traditional_characters_without_its_number_is_customs() -> None:
    text = "\n".join([
        "熱門推薦_精品專區_每日更新_最新上架",
        "某博覽中心 2032年6月1日-3日",
        "跨境電商出口退貨政策解讀",
        "為促進外貿新業態發展，海關總署于2031年5月8日印發《關于優化跨境電商出口退貨監管的公告》，明確試點範圍。"])
    r = extract(text, is_html=False)
    assert r.kind == "customs_announcement"
    assert r.doc_number is None


def test_a_joint_announcement_reported_is_not_gacc_alone() -> None:
    text = "\n".join([
        "政策解读",
        "为促进外贸发展，财政部、海关总署于2031年5月8日印发《关于调整跨境电商零售进口税收的公告》，明确有关事项。"])
    assert extract(text, is_html=False).kind != "customs_announcement"


def test_an_announcement_named_as_the_rules_to_follow_is_a_basis_not_the_reports_number() -> None:
    text = "\n".join([
        "再增8个直属海关开展监管试点",
        "日前，海关总署对外发布《关于扩大某某监管试点范围的公告》。",
        "再增加大连、宁波等8个直属海关开展试点，试点有关事项按海关总署公告2030年第33号执行。",
        "海关总署公告2030年第33号即《关于开展某某监管试点的公告》。"])
    r = extract(text, is_html=False)
    assert r.kind == "customs_announcement"
    assert r.doc_number is None


def test_a_report_pages_own_publish_line_later_than_its_subject_is_not_the_notices_publication() -> None:
    text = "\n".join([
        "跨境电商出口退货政策解读",
        "发布时间:2032-04-02",
        "为促进外贸新业态发展，海关总署于2031年5月8日印发《关于优化跨境电商出口退货监管的公告》，明确试点范围。"])
    assert extract(text, is_html=False).publish_date is None


# -- 3. a magazine's report of the positive list: the sentence that puts the list into force --

def test_a_report_putting_the_positive_list_into_force_is_that_list_with_its_effective_date() -> None:
    text = "\n".join([
        "版权所有:某杂志社 未经授权禁止复制",
        "新版清单变化在哪里",
        "作者:张三",
        "财政部、商务部、海关总署等部门联合优化调整的新版《跨境电子商务零售进口商品清单》自2033年7月1日起正式实施。"
        "本文简要梳理这次清单调整的变化。"])
    r = extract(text, is_html=False)
    assert r.kind == "positive_list"
    assert str(r.effective_date) == "2033-07-01"


def test_a_plan_citing_the_list_by_its_number_is_not_the_list() -> None:
    text = "\n".join([
        "某市跨境电商发展工作方案",
        "根据《跨境电子商务零售进口商品清单》（财政部等8部门公告2022年第7号）精神，结合本市实际，制定本方案。"])
    assert extract(text, is_html=False).kind != "positive_list"


# -- 4. a newspaper lead that dates its subject by 昨天 under the paper's dateline --

def test_yesterday_in_a_newspaper_lead_is_the_day_before_its_dateline() -> None:
    text = "\n".join([
        "跨境电商新规出台",
        "2031-03-01 07:10:00 来源:某晚报",
        "昨天下午，财政部、海关总署和税务总局联合对外发布通知，调整跨境电子商务零售进口税收政策。"])
    assert str(extract(text, is_html=False).publish_date) == "2031-02-28"


def test_yesterday_said_of_something_other_than_a_publication_dates_nothing() -> None:
    text = "\n".join([
        "跨境电商新规出台",
        "2031-03-01 07:10:00 来源:某晚报",
        "昨天，记者走访了本市多家跨境电商企业。"])
    assert extract(text, is_html=False).publish_date is None


def test_a_list_header_of_an_earlier_batch_designates_nothing() -> None:
    text = "\n".join([
        "某市跨境电商发展情况",
        "此前新设综合试验区的4个城市是：保定、洛阳、柳州和包头，本市将学习其经验。"])
    assert not extract(text, is_html=False).cities


# -- a year's ceiling said with 最多 and no noun (每人每年最多人民币20,000元) --

def test_a_yearly_ceiling_said_with_at_most_is_the_annual_limit() -> None:
    from crawler.extraction.figures import all_figures

    figs = {f.name: f.value for f in all_figures("单次交易限值为人民币3,000元，每人每年最多人民币30,000元。")}
    assert figs["annual_limit_yuan"] == 30000 and figs["single_limit_yuan"] == 3000


def test_the_first_zone_recalled_further_down_a_report_of_a_later_batch_is_not_designated() -> None:
    text = "\n".join([
        "又一批综试区",
        "中国又把3个城市列为跨境电子商务综合试验区。",
        "新增城市包括河南洛阳和广西柳州。",
        "这一做法始于杭州。国务院已批准在浙江省杭州设立中国(杭州)跨境电子商务综合试验区，为各地积累了经验。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"洛阳", "柳州"}


def test_one_zone_approval_said_as_history_is_a_recap() -> None:
    r = extract("洛阳跨境电商发展\n此前，国务院已批准在河南省洛阳设立中国(洛阳)跨境电子商务综合试验区。", is_html=False)
    assert not r.cities


def test_yesterday_published_statistics_date_no_notice() -> None:
    text = "\n".join([
        "跨境电商进出口增长",
        "2031-03-01 07:10:00 来源:某晚报",
        "昨天，海关公布的数据显示，本市跨境电商进出口增长两成。"])
    assert extract(text, is_html=False).publish_date is None


def test_a_joint_announcement_with_space_separated_issuers_is_not_gacc_alone() -> None:
    for lead in ("财政部 海关总署 税务总局于2031年5月8日联合发布",
                 "海关总署 税务总局于2031年5月8日联合发布"):
        text = "政策解读\n为促进外贸发展，" + lead + "《关于调整跨境电商出口退运税收的公告》，明确有关事项。"
        assert extract(text, is_html=False).kind != "customs_announcement", lead
