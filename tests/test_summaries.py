"""One sentence per event kind, in Chinese and in English, with no raw field names (issue 14)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from scheduler.summaries import CHINESE_TITLE_ONLY, change_sentence, facts_line, summaries
from storage.glossary import AGENCIES, CUSTOMS_CODES, EVENT_KINDS, FIGURES, KINDS, PROGRAMS, code_name
from storage.models_alerts import EVENT_KINDS as STORED_KINDS

CITIES_2019 = ["石家庄市", "太原市", "赤峰市", "抚顺市", "珲春市", "绥芬河市", "徐州市", "南通市", "温州市", "绍兴市",
               "芜湖市", "福州市", "泉州市", "赣州市", "济南市", "烟台市", "洛阳市", "黄石市", "岳阳市", "汕头市",
               "佛山市", "泸州市", "海东市", "银川市"]
_RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|=\d|\d(?:zones|percent|yuan|items)\b")


def _notice(**extra: Any) -> dict[str, Any]:
    notice = {"id": 1, "title": "国务院关于同意在石家庄等24个城市设立跨境电子商务综合试验区的批复",
              "doc_number": "国函〔2019〕137号", "kind": "pilot_zone_batch", "program": "cbec_comprehensive_pilot_zone",
              "agencies": ["国务院"], "facts": {"cities": [], "figures": [], "customs_codes": []}}
    return notice | extra


def _place(name: str) -> dict[str, Any]:
    return {"name": name, "province": None, "adcode": None, "level": "prefecture"}


BATCH = {"kind": "pilot_places", "title": _notice()["title"], "doc_number": "国函〔2019〕137号", "notice": _notice(),
         "places": [_place(n) for n in CITIES_2019], "removed": [], "program": "cbec_comprehensive_pilot_zone",
         "notice_kind": "pilot_zone_batch"}
TAX = {"kind": "figure_changed", "title": "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知",
       "doc_number": "财关税〔2018〕49号",
       "notice": _notice(kind="tax_policy", agencies=["财政部", "海关总署", "国家税务总局"]),
       "changes": [{"name": "single_limit_yuan", "old": 2000, "new": 5000, "unit": "yuan", "basis": "stated"}]}
EVENTS = {
    "notice_new": {"kind": "notice_new", "title": "关于跨境电子商务零售进出口商品有关监管事宜的公告",
                   "doc_number": "海关总署公告2016年第26号",
                   "notice": _notice(kind="customs_announcement", agencies=["海关总署"],
                                     facts={"customs_codes": ["9610", "1210"]})},
    "notice_revised": {"kind": "notice_revised", "title": "某通知", "doc_number": None, "notice": _notice(),
                       "diff": {"from_version": 1, "to_version": 2, "removed": 1, "added": 2}},
    "pilot_places": BATCH,
    "figure_changed": TAX,
    "source_broken": {"kind": "source_broken", "source": "govcn", "status": "broken", "reason": "HTTP 503",
                      "consecutive_failures": 3},
    "source_recovered": {"kind": "source_recovered", "source": "govcn", "status": "ok"},
    "source_quiet": {"kind": "source_quiet", "source": "mofcom", "days": 40, "quiet_days": 30},
    "delivery_dead": {"kind": "delivery_dead", "subscriber": "ann", "channel": "email", "attempts": 8,
                      "error": "SMTP 550", "delivery_id": 12},
}


def test_a_pilot_zone_batch_reads_as_the_official_sentence_and_as_english_reports_write_it() -> None:
    text = summaries(BATCH)
    assert text["zh"] == "国务院批复同意在石家庄市等24个城市设立跨境电子商务综合试验区"
    assert text["en"].startswith("State Council approves 24 new cross-border e-commerce comprehensive pilot zones: "
                                 "Chifeng (赤峰市), Foshan (佛山市), Fushun (抚顺市), Fuzhou (福州市), ")
    assert "Hunchun (珲春市)" in text["en"] and text["en"].endswith("Yinchuan (银川市), Yueyang (岳阳市)")


def test_a_limit_change_reads_as_a_sentence_with_yuan_amounts() -> None:
    assert summaries(TAX) == {"zh": "单次交易限值由2000元提高至5000元",
                              "en": "Single-transaction limit raised from ¥2,000 to ¥5,000"}
    lowered = {"name": "customs_duty_rate_pct", "old": 20, "new": 0, "unit": "percent"}
    assert change_sentence(lowered, True) == "Customs duty rate lowered from 20% to 0%"
    assert change_sentence(lowered, False) == "关税税率由20%降低至0%"


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_every_event_kind_has_a_sentence_in_both_languages_without_raw_names(kind: str) -> None:
    text = summaries(EVENTS[kind])
    assert set(text) == {"zh", "en"} and all(text.values())
    for sentence in text.values():
        assert not _RAW.search(sentence), sentence
    assert re.search(r"[\u4e00-\u9fff]", text["zh"])


def test_an_english_sentence_never_invents_a_title() -> None:
    english = summaries(EVENTS["notice_new"])["en"]
    assert english.startswith("GACC publishes a new GACC announcement: "
                              "“关于跨境电子商务零售进出口商品有关监管事宜的公告” "
                              f"({CHINESE_TITLE_ONLY}; 海关总署公告2016年第26号)")
    assert "customs codes 9610 cross-border e-commerce retail, 1210 bonded e-commerce" in english
    official = dict(EVENTS["notice_new"], notice=_notice(title_en="Announcement on CBEC retail supervision"))
    assert "“Announcement on CBEC retail supervision”" in summaries(official)["en"]


def test_removed_places_and_a_retail_pilot_are_worded_for_what_they_are() -> None:
    event = {"kind": "pilot_places", "notice": _notice(kind="retail_import_pilot", agencies=["商务部", "财政部"]),
             "places": [_place("赤峰市")], "removed": [_place("珲春市")], "program": "cbec_retail_import_pilot",
             "notice_kind": "retail_import_pilot"}
    text = summaries(event)
    assert text["zh"] == "商务部、财政部将赤峰市纳入跨境电商零售进口试点；撤销珲春市的跨境电商零售进口试点"
    assert text["en"] == ("MOFCOM and MOF add 1 place to the cross-border e-commerce retail import pilot: "
                          "Chifeng (赤峰市); removed from the cross-border e-commerce retail import pilot: "
                          "Hunchun (珲春市)")


def test_facts_are_said_not_dumped() -> None:
    notice = {"facts": {"cities": [_place("赤峰市")], "customs_codes": ["9710", "9810"],
                        "figures": [{"name": "zones_added", "value": 4, "unit": "zones"},
                                    {"name": "customs_duty_rate_pct", "value": 0, "unit": "percent"},
                                    {"name": "previous_single_limit_yuan", "value": 2000, "unit": "yuan"}]}}
    english = facts_line(notice, "en")
    assert english == ("Places (1): Chifeng (赤峰市); Places added: 4; Customs duty rate: 0%; "
                       "Customs codes: 9710 B2B direct export, 9810 export to overseas warehouses")
    assert "zones_added" not in facts_line(notice, "zh") and "新增地区数：4" in facts_line(notice, "zh")


def test_the_glossary_covers_every_kind_the_code_knows() -> None:
    from crawler.extraction.agencies import ALIASES
    from crawler.extraction.figures import KNOWN_CODES
    from crawler.extraction.kind import KINDS as EXTRACTOR_KINDS
    from crawler.extraction.kind import PROGRAM

    assert set(KINDS) == set(EXTRACTOR_KINDS) and set(EVENT_KINDS) == set(STORED_KINDS)
    assert set(PROGRAM.values()) | {"cbec_b2b_export_pilot", "customs_supervision_code"} <= set(PROGRAMS)
    assert {"single_limit_yuan", "annual_limit_yuan", "customs_duty_rate_pct", "items_total"} <= set(FIGURES)
    assert {"9610", "1210", "9710", "9810"} <= set(CUSTOMS_CODES) <= KNOWN_CODES
    assert set(AGENCIES) <= set(ALIASES.values())
    abbreviations = [AGENCIES[a][1] for a in ("商务部", "海关总署", "财政部", "国家税务总局")]
    assert abbreviations == ["MOFCOM", "GACC", "MOF", "STA"]
    assert code_name("9610", "en") == "9610 cross-border e-commerce retail" and code_name("0110", "en") == "0110"


def test_every_figure_the_extractor_reports_has_a_label_in_both_languages() -> None:
    from crawler.extraction.figures import all_figures
    from storage.glossary import figure_name

    # synthetic: one sentence of each figure family, with the old values the document says it replaces
    text = ("将跨境电子商务零售进口商品的单次交易限值由人民币2000元提高至5000元，年度交易限值由人民币20000元提高至"
            "26000元。关税税率暂设为0%；进口环节增值税、消费税取消免征税额，暂按法定应纳税额的70%征收。"
            "清单共1413个税目，新增63个税目，删除2个税目。")
    names = {f.name for f in all_figures(text)}
    assert {"previous_single_limit_yuan", "previous_annual_limit_yuan"} <= names
    for name in names:
        zh, en = figure_name(name, "zh"), figure_name(name, "en")
        assert "_" not in zh and "_" not in en and zh != en, name
    assert figure_name("previous_annual_limit_yuan", "zh") == "原年度交易限值"
    assert figure_name("previous_annual_limit_yuan", "en") == "Previous annual transaction limit"
