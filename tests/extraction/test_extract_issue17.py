"""Issue 17: documents users really meet — citations, reports, customs districts, reprints, number
formats, dates and figures. Texts marked SYNTHETIC are written for the test around the shape of real
documents; the others are real official texts (tests/extraction/data/real-*.txt, cases.json)."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.extraction import extract
from crawler.extraction.citations import mask, subject
from crawler.extraction.dates import effective, english_metadata
from crawler.extraction.docnumber import doc_number, find_numbers
from crawler.extraction.figures import all_figures
from crawler.extraction.normalize import strip_noise, to_simplified


def _names(places: list) -> list[str]:
    return [p.name for p in places]


def _figs(text: str) -> dict[str, float]:
    return {f.name: f.value for f in all_figures(text)}


# -- class 1: cited text never designates; the subject of a report is not a citation -------------------

def test_a_plan_citing_a_batch_by_its_title_designates_nothing_and_keeps_its_own_number() -> None:
    text = "\n".join([  # SYNTHETIC, in the shape of the provincial plans citing 国函〔2016〕17号
        "天津市人民政府关于印发中国（天津）跨境电子商务综合试验区实施方案的通知",
        "津政发〔2016〕9号",
        "各区人民政府，市政府各委、局：",
        "根据《国务院关于同意在天津等12个城市设立跨境电子商务综合试验区的批复》（国函〔2016〕17号）精神，"
        "结合本市实际，制定本方案。",
        "天津市人民政府", "2016年5月20日"])
    r = extract(text, is_html=False)
    assert r.cities == [] and r.doc_number == "津政发〔2016〕9号" and r.kind == "other"


def test_a_basis_clause_without_brackets_and_a_table_of_contents_designate_nothing() -> None:
    text = "\n".join([  # SYNTHETIC
        "目录",
        "国务院关于同意在北京等22个城市设立跨境电子商务综合试验区的批复……3",
        "根据国务院关于同意在北京等22个城市设立跨境电子商务综合试验区的批复精神，推进综合试验区建设。"])
    assert extract(text, is_html=False).cities == []
    assert "北京" not in mask(text)


def test_a_recap_of_earlier_batches_designates_nothing() -> None:
    text = ("跨境电商综试区扩围\n截至目前，国务院已先后分五批在杭州、天津、上海等105个城市设立跨境电子商务综合试验区。"
            "自2015年杭州获批全国首个综试区以来，综试区已多轮扩围。")  # SYNTHETIC
    r = extract(text, is_html=False)
    assert r.cities == []


def test_a_report_takes_the_number_kind_and_date_of_the_notice_it_reports() -> None:
    text = ("三部门完善跨境电商零售进口税收政策\n"  # SYNTHETIC report of 财关税〔2018〕49号
            "财政部、海关总署、税务总局近日对外公布《关于完善跨境电子商务零售进口税收政策的通知》（财关税〔2018〕49号），"
            "将单次交易限值由人民币2000元提高至5000元，年度交易限值由人民币20000元提高至26000元。"
            "通知自2019年1月1日起执行。")
    r = extract(text, is_html=False)
    assert r.doc_number == "财关税〔2018〕49号" and r.kind == "tax_policy"
    assert r.effective_date == dt.date(2019, 1, 1)
    assert r.figure("single_limit_yuan") == 5000 and r.figure("previous_annual_limit_yuan") == 20000


def test_a_basis_is_not_a_subject_and_history_further_down_is_neither() -> None:
    assert subject("根据《关于完善跨境电子商务零售进口税收政策的通知》（财关税〔2018〕49号），制定本办法。") is None
    lead = ("2022年版清单主要调整\n一、由来\n正面清单限定了进口范围。"
            "2016年3月，三部门联合印发《关于x的通知》（财关税〔2016〕18号）。")
    assert subject(lead) is None


def test_a_report_of_a_batch_designates_the_places_its_operative_sentence_names() -> None:
    text = ("国务院批复同意新设12个综合试验区\n"  # SYNTHETIC
            "国务院日前印发《关于同意在天津等12个城市设立跨境电子商务综合试验区的批复》（以下简称《批复》），"
            "同意在天津市、上海市、重庆市、合肥市、郑州市、广州市、成都市、大连市、宁波市、青岛市、深圳市、苏州市"
            "12个城市设立跨境电子商务综合试验区。《批复》要求借鉴中国（杭州）跨境电子商务综合试验区的经验。")
    r = extract(text, is_html=False)
    assert r.kind == "pilot_zone_batch" and len(r.cities) == 12 and "杭州市" not in _names(r.cities)


def test_a_cited_documents_effective_date_is_not_this_documents() -> None:
    text = ("《关于完善跨境电子商务零售进口税收政策的通知》（财关税〔2018〕49号）自2019年1月1日起执行。"
            "为做好衔接，现通知如下。本通知自印发之日起施行。")
    assert effective(text) == ("on_issue", None)


# -- class 2: customs districts ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "在现有试点海关基础上，增加上海、福州、青岛、济南、武汉、长沙、拱北、湛江、南宁、重庆、成都、西安等12个直属海关"
    "开展跨境电商B2B出口监管试点。",
    "决定在北京、天津、南京、杭州、宁波、厦门、郑州、广州、深圳、黄埔海关开展跨境电子商务企业对企业出口监管试点。",
])
def test_customs_districts_are_reported_as_districts_never_as_cities(sentence: str) -> None:
    r = extract("海关总署公告2020年第92号\n" + sentence + "\n本公告自2020年9月1日起施行。", is_html=False)  # SYNTHETIC
    assert r.cities == [] and r.kind == "customs_announcement"
    assert len(r.customs_districts) in (10, 12) and all(d.endswith("海关") for d in r.customs_districts)
    assert ("拱北海关" in r.customs_districts) or ("黄埔海关" in r.customs_districts)
    assert r.to_dict()["customs_districts"] == r.customs_districts


# -- class 3: number formats ---------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "want"), [
    ("国函(2022)126号", "国函〔2022〕126号"), ("国函[2022]126号", "国函〔2022〕126号"),
    ("国函〔２０２２〕１２６号", "国函〔2022〕126号"), ("税委会公告2024年第17号", "税委会公告2024年第17号"),
    ("商务部公告二〇二六年第5号", "商务部公告2026年第5号"), ("商务部公告二〇二六年第五号", "商务部公告2026年第5号"),
    ("财政部等八个部门公告2022年第7号", "财政部等8部门公告2022年第7号"),
])
def test_document_numbers_in_every_printed_form(raw: str, want: str) -> None:
    assert [n for _, n in find_numbers(raw)] == [want]


def test_an_announcement_number_printed_under_its_list_of_issuers_takes_their_count() -> None:
    lines = ["关于公布跨境电子商务零售进口商品清单的公告",
             "财政部 发展改革委 工业和信息化部 农业部 商务部 海关总署 国家税务总局 质检总局 "
             "食品药品监管总局 濒管办 密码局",
             "公告2016年第40号", "为营造公平竞争的市场环境……"]
    assert doc_number(lines, lines[0], {}) == "财政部等11部门公告2016年第40号"


def test_a_number_split_over_two_header_lines_is_read_whole() -> None:
    assert doc_number(["关于x的批复", "国函〔2016〕", "17号", "正文。"], "关于x的批复", {}) == "国函〔2016〕17号"


# -- class 4: reprints ---------------------------------------------------------------------------------

def test_a_traditional_character_reprint_reads_like_the_simplified_original() -> None:
    text = ("國函〔2020〕47號\n商務部:\n一、同意在滿洲裡市、臺州市、德宏傣族景頗族自治州、烏魯木齊市等4個城市和地區設立"
            "跨境電子商務綜合試驗區。")  # SYNTHETIC excerpt in the reprint's characters
    r = extract(text, is_html=False)
    assert r.doc_number == "国函〔2020〕47号"
    assert _names(r.cities) == ["满洲里市", "台州市", "德宏傣族景颇族自治州", "乌鲁木齐市"]


def test_simplified_division_names_survive_the_conversion() -> None:
    assert to_simplified("吉林省乾安县") == "吉林省乾安县"


def test_emoji_pinyin_glosses_and_stray_spaces_do_not_break_a_place_list() -> None:
    assert strip_noise("湖南省☢️𓀅、廣東省👩🏽‍🔧👉🏽、關(guān)于") == "湖南省、廣東省、關于"
    text = "同意在大同市🚍、上 海市、吉林市🧊等3个城市设立跨境电子商务综合试验区。"  # SYNTHETIC
    assert _names(extract(text, is_html=False).cities) == ["大同市", "上海市", "吉林市"]


# -- class 5: dates ------------------------------------------------------------------------------------

def test_english_metadata_lines_give_issue_and_effective_dates() -> None:
    got = english_metadata(["Document Number: Announcement No. 8",
                            "Date Issued: 11-14-2022  Effective Date: 01-01-2023"])
    assert got == {"issue_date": dt.date(2022, 11, 14), "effective_date": dt.date(2023, 1, 1)}
    r = extract("关于x的公告\nDate Issued: 11-14-2022\n跨境电子商务零售进口……", is_html=False)
    assert r.issue_date == dt.date(2022, 11, 14)


# -- class 6: kind and relevance without a clean header ------------------------------------------------

def test_a_report_of_the_positive_list_is_a_positive_list() -> None:
    text = ("财政部公布新版跨境电商零售进口正面清单\n2019-12-27\n"  # SYNTHETIC
            "新清单于2019年12月27日发布，自2020年1月1日起施行。新清单共计1413个商品税号，较上一版新增92个。")
    r = extract(text, is_html=False)
    assert r.kind == "positive_list" and r.publish_date == dt.date(2019, 12, 27)
    assert r.effective_date == dt.date(2020, 1, 1) and r.figure("items_total") == 1413


def test_places_are_returned_only_for_a_relevant_designating_document() -> None:
    text = "关于开展文明城市评选的通知\n同意在天津市、上海市等2个城市开展文明城市试点。"  # SYNTHETIC, not cross-border
    r = extract(text, is_html=False)
    assert not r.relevant and r.cities == []


# -- class 7: figures ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "want"), [
    ("单次交易限值提高至人民币8000元。", {"single_limit_yuan": 8000}),
    ("单次交易限值为五千元，年度交易限值由两万元提高至二万六千元。",
     {"single_limit_yuan": 5000, "annual_limit_yuan": 26000, "previous_annual_limit_yuan": 20000}),
    ("年度交易限值提高6000元至26000元。", {"annual_limit_yuan": 26000}),
    ("关税税率由10%调整为5%；按法定应纳税额由70%调整为60%征收。",
     {"customs_duty_rate_pct": 5, "previous_customs_duty_rate_pct": 10, "tax_payable_share_pct": 60,
      "previous_tax_payable_share_pct": 70}),
    ("清单商品由1413个税目增至1476个，新增滑雪用具等29项商品，删除1项商品。",
     {"previous_items_total": 1413, "items_total": 1476, "items_added": 29, "items_removed": 1}),
    ("新增2022年税号115个，删除失效税号80个。", {}),
])
def test_figures_in_every_written_form(text: str, want: dict[str, float]) -> None:
    assert _figs(text) == want


def test_the_count_check_does_not_split_huhehaote_at_its_he() -> None:
    text = ("国务院关于同意在北京等22个城市设立跨境电子商务综合试验区的批复\n国函〔2018〕93号\n"
            "一、同意在北京市、呼和浩特市、沈阳市、长春市、哈尔滨市、南京市、南昌市、武汉市、长沙市、南宁市、海口市、"
            "贵阳市、昆明市、西安市、兰州市、厦门市、唐山市、无锡市、威海市、珠海市、东莞市、义乌市等22个城市设立"
            "跨境电子商务综合试验区。")  # the list of the batch-3 reply
    r = extract(text, is_html=False)
    assert len(r.cities) == 22 and r.zones_expected == 22 and r.warnings == []


def test_a_pilot_extended_to_named_cities_designates_them() -> None:
    text = ("跨境电商零售进口过渡期政策再延长一年\n"  # SYNTHETIC report of the 2017 executive meeting
            "国务院常务会议决定，将跨境电子商务零售进口监管过渡期政策再延长一年至2018年底，"
            "并扩大适用范围到合肥、成都、大连、青岛、苏州5个城市。")
    r = extract(text, is_html=False)
    assert r.kind == "retail_import_pilot"
    assert _names(r.cities) == ["合肥市", "成都市", "大连市", "青岛市", "苏州市"]


def test_a_report_of_new_customs_pilot_districts_is_a_customs_announcement_without_item_counts() -> None:
    text = ("跨境电商B2B出口试点再扩围\n海关总署近日发布公告，决定在现有试点海关基础上，新增上海、福州、青岛、济南、"
            "武汉、长沙、拱北、湛江、南宁、重庆、成都、西安12个直属海关开展跨境电商B2B出口监管试点。")  # SYNTHETIC
    r = extract(text, is_html=False)
    assert r.kind == "customs_announcement" and r.cities == [] and len(r.customs_districts) == 12
    assert r.figure("items_added") is None


def test_a_traditional_reprint_with_metadata_lines_reads_number_and_dates() -> None:
    text = ("海關總署公告2014年第57號（關於增列海關監管方式代碼的公告）\n"  # SYNTHETIC layout, official wording
            "發文機關：海關總署 發文字號：海關總署公告2014年第57號 發布日期：2014-07-30\n"
            "一、增列海關監管方式代碼「1210」，全稱「保稅跨境貿易電子商務」，簡稱「保稅電商」。\n"
            "二、本公告自2014年8月1日起施行。\n特此公告。\n海關總署\n2014年7月23日")
    r = extract(text, is_html=False)
    assert (r.doc_number, r.kind, r.customs_codes) == ("海关总署公告2014年第57号", "customs_announcement", ["1210"])
    assert (r.issue_date, r.publish_date, r.effective_date) == (dt.date(2014, 7, 23), dt.date(2014, 7, 30),
                                                                 dt.date(2014, 8, 1))


def test_a_plan_recalling_the_reply_that_made_its_city_a_zone_is_no_batch() -> None:
    text = ("各市人民政府：\n2016年1月，国务院批复同意设立中国（郑州）跨境电子商务综合试验区。"  # SYNTHETIC
            "为推进建设，结合本省实际，制定本实施方案。")
    r = extract(text, is_html=False)
    assert r.kind == "other" and r.cities == []


def test_a_report_naming_some_places_of_a_batch_designates_those_it_names() -> None:
    text = ("國務院新設跨境電商綜合試驗區\n國務院近日同意在鄂爾多斯、揚州等27個城市和地區設立跨境電子商務綜合試驗區，"
            "其中包括我省的寶雞。")  # SYNTHETIC, traditional characters as reprinted
    r = extract(text, is_html=False)
    assert _names(r.cities) == ["鄂尔多斯市", "扬州市", "宝鸡市"] and r.zones_expected == 27


@pytest.mark.parametrize(("raw", "want"), [
    ("国函 [2016] 17号", "国函〔2016〕17号"), ("海关总署2018年第194号公告", "海关总署公告2018年第194号"),
    ("署公告〔2014〕12号", "海关总署公告2014年第12号"), ("总署公告〔2014〕12号", "海关总署公告2014年第12号"),
])
def test_spaced_reversed_and_gacc_short_numbers(raw: str, want: str) -> None:
    assert [n for _, n in find_numbers(raw)] == [want]


def test_a_list_of_related_titles_designates_nothing() -> None:
    text = ("相关阅读\n"  # SYNTHETIC chrome
            "· 国务院关于同意在北京等22个城市设立跨境电子商务综合试验区的批复 2018-08-07\n"
            "· 国务院关于同意在雄安新区等46个城市和地区设立跨境电子商务综合试验区的批复 2020-05-06")
    r = extract(text, is_html=False)
    assert r.cities == [] and r.kind == "other"
