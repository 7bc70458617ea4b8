"""Issue 17, batch 5: a report that announces a zone batch in its own words (batch_lead.py), by structure.

Every text here is SYNTHETIC: written for the test in the shape of a class of reports (rewritten from
foreign-language news), with other places, counts and wording than any bench/corpus document, so the
test checks the rule (count + programme + verb of addition in the lead, no history) and not one sentence.
"""

from __future__ import annotations

from result_helpers import city_names, figures_of

from crawler.extraction import extract


def test_a_headline_count_and_a_lead_list_before_the_count_designate_the_batch() -> None:
    text = "\n".join([
        "综试区名单再扩4个城市",
        "2031年03月02日",
        "国务院常务会议宣布，在洛阳、柳州、包头、赣州这4个城市新设跨境电商综合试验区。",
        "此前综试区共有10个，设在杭州、天津等沿海城市。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"洛阳", "柳州", "包头", "赣州"}
    assert figures_of(r)["zones_added"] == 4


def test_the_verb_after_the_list_and_the_count_still_announces_a_batch() -> None:
    text = "\n".join([
        "跨境电商综合试验区再添5个城市",
        "国务院3日批准湖南省岳阳市、江西省九江市、安徽省芜湖市等5个城市设立跨境电子商务综合试验区。",
        "此前国务院分3次批准杭州市、天津市等40个城市设立综试区。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"岳阳", "九江", "芜湖"}
    assert figures_of(r)["zones_added"] == 5


def test_a_list_sentence_tied_to_the_count_gives_the_rest_of_the_batch_and_revoked_places_stay_out() -> None:
    text = "\n".join([
        "综试区在4个城市新设，2个城市撤销",
        "政府发布消息，正式批准在岳阳市等4个城市新设跨境电子商务综合试验区。同时，原设在九江市、芜湖市的综试区予以撤销。",
        "新设的有：湖南省岳阳市，山东省日照市、德州市，甘肃省天水市，共4个城市。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"岳阳", "日照", "德州", "天水"}
    assert not {"九江", "芜湖"} & city_names(r.cities)


def test_a_recap_of_earlier_batches_in_the_lead_designates_nothing() -> None:
    text = "\n".join([
        "综试区建设成效显著",
        "截至目前，国务院已先后批准在岳阳、九江等60个城市设立跨境电子商务综合试验区，覆盖20个省份。",
        "各地综试区积极探索，形成了一批经验做法。"])
    r = extract(text, is_html=False)
    assert r.kind != "pilot_zone_batch"
    assert r.cities == []


def test_a_revocation_of_zones_is_no_batch() -> None:
    text = "\n".join([
        "国务院同意撤销2个城市的综试区",
        "国务院日前同意撤销九江、芜湖2个城市的跨境电子商务综合试验区。"])
    r = extract(text, is_html=False)
    assert r.kind != "pilot_zone_batch"
    assert r.cities == []


def test_another_policy_extended_to_the_new_zones_cities_is_no_batch() -> None:
    text = "\n".join([
        "据国务院常务会议消息，自2032年1月1日起，继续执行现行跨境电商零售进口政策。",
        "同时，政策适用范围从岳阳等8个城市扩大到新设跨境电商综试区的6个城市。"])
    r = extract(text, is_html=False)
    assert r.kind != "pilot_zone_batch"
    assert r.cities == []


def test_a_batch_recalled_after_the_lead_of_a_tax_report_is_context() -> None:
    text = "\n".join([
        "我国提高跨境网购限额",
        "据财政部消息，自2033年1月1日起，我国提高跨境电商零售进口的购买限额。",
        "单次交易限额由3000元提高至6000元。",
        "同时，更多商品纳入清单。",
        "今年5月，我国已确定7个城市新设跨境电子商务综合试验区，新政策也将适用于这些城市。"])
    r = extract(text, is_html=False)
    assert r.kind != "pilot_zone_batch"
    assert r.cities == []


def test_the_lead_count_is_the_batch_size_when_the_list_joins_items_with_he() -> None:
    text = "\n".join([
        "中国在9个城市和地区新设跨境电商综合试验区",
        "中国政府3日公布，在湖南省岳阳市和常德市、江西省九江市等9个城市和地区新设跨境电商综合试验区。"])
    r = extract(text, is_html=False)
    assert city_names(r.cities) == {"岳阳", "常德", "九江"}
    assert figures_of(r)["zones_added"] == 9


def test_a_report_of_a_published_reply_takes_the_places_of_its_title() -> None:
    text = "\n".join([
        "【3月2日 某报】国务院日前发布《关于同意在岳阳等8个城市和地区设立跨境电子商务综合试验区的批复》。"
        "至此，全国已有70个城市和地区设立了跨境电商综合试验区。",
        "此前中国已设62个综试区。"])
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch"
    assert city_names(r.cities) == {"岳阳"}
    assert figures_of(r)["zones_added"] == 8


def test_a_lead_with_only_the_day_dates_the_publication_in_the_month_of_the_page_stamp() -> None:
    text = "\n".join([
        "中国在9个城市和地区新设跨境电商综合试验区",
        "2034-06-04 09:12:10 某台",
        "中国政府3日公布，在湖南省岳阳市、江西省九江市等9个城市和地区新设跨境电商综合试验区。"])
    r = extract(text, is_html=False)
    assert str(r.publish_date) == "2034-06-03"


def test_a_day_later_than_the_stamp_is_of_the_month_before() -> None:
    text = "\n".join([
        "综试区新设9个城市",
        "2034-07-01 | 政策",
        "中国政府30日发布消息，正式批准在岳阳市等9个城市新设跨境电子商务综合试验区。"])
    assert str(extract(text, is_html=False).publish_date) == "2034-06-30"


def test_a_date_under_a_headline_and_its_section_lines_is_a_dateline_not_a_signature() -> None:
    text = "\n".join([
        "综试区新增4个城市",
        "(中国)",
        "某机构亚洲部",
        "2035年08月09日",
        "国务院常务会议宣布，在洛阳、柳州、包头、赣州这4个城市新设跨境电商综合试验区。"])
    assert extract(text, is_html=False).issue_date is None


def test_existing_zones_graded_or_cited_as_models_are_no_batch() -> None:
    for text in ("综试区评估结果出炉\n商务部公布2036年综试区考核评估结果，岳阳、九江、芜湖等10个城市综试区评为优秀。",
                 "综试区经验推广\n商务部确定岳阳、九江等12个城市的综试区案例为第一批最佳实践。"):
        r = extract(text, is_html=False)
        assert r.kind != "pilot_zone_batch", text
        assert r.cities == [], text


def test_dated_history_applications_hopes_and_verbs_of_other_objects_are_no_batch() -> None:
    for text in ("某市跨境电商发展报告\n2036年，国务院批准岳阳等9个城市设立跨境电子商务综合试验区，我市位列其中。",
                 "综试区名单\n第五批综试区共40个城市和地区，包括岳阳、九江等。",
                 "某省推进综试区建设\n省政府同意岳阳、九江等5个城市申报跨境电子商务综合试验区。",
                 "跨境电商周报\n全国150个综试区中，岳阳、九江等10个城市新增备案企业最多。",
                 "综试区扩围在即\n据悉，商务部将推动新设一批综试区，岳阳、九江等10个城市有望入选。"):
        r = extract(text, is_html=False)
        assert r.kind != "pilot_zone_batch", text
        assert r.cities == [], text
