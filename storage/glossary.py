"""The vocabulary of cbecwatch in Chinese and English: notice kinds, programmes, agencies, event kinds,
customs supervision codes and rule figures (issue 14).

English forms follow the government's own English usage, reviewed against these pages (cited by
key in each table below so a reviewer can check one entry without reading them all):

* ``mofcom-2020``: english.mofcom.gov.cn/article/newsrelease/significantnews/202002/20200202934796.shtml
  — "Ministry of Commerce, the National Development and Reform Commission, the Ministry of Finance,
  the General Administration of Customs, the State Taxation Administration, and the State
  Administration for Market Regulation"; "cross-border e-commerce retail import pilots"; "bonded
  import for online shopping (Customs Supervision Model Code 1210)"; "the entire island of Hainan".
* ``scio-2021``: english.scio.gov.cn/pressroom/2021-03/23/content_77337882.htm — "comprehensive
  cross-border e-commerce pilot zones", "pilot program for cross-border e-commerce retail imports".
* ``scio-2022``: english.scio.gov.cn/topnews/2022-02/09/content_78036729.htm — "China's State
  Council has approved setting up more cross-border e-commerce pilot zones in 27 cities and regions".
* ``gacc-2020-75``: GACC's interpretation of Announcement No. 75 of 2020, as quoted in English at
  global.foodmate.net/news/show-6860.html — 9710 "cross-border e-commerce business-to-business direct
  export" ("CBEC B2B direct export"), 9810 "cross-border e-commerce export overseas warehouse".
* ``mof-2018``: the Ministry of Finance's 2018 statement (Xinhua, as at enread.com/news/business/108750.html)
  — "the limit on a single transaction will also be raised from 2,000 to 5,000 yuan", "annual quota".

Entries without a published English form are this project's descriptive translations and say so
(``"source": "descriptive"``); nothing here pretends to be an official title.
"""

from __future__ import annotations

from typing import Any

#: notice kinds of the extractor (crawler/extraction/kind.py) → (Chinese, English)
KINDS: dict[str, tuple[str, str]] = {
    "pilot_zone_batch": ("综合试验区批复", "pilot-zone approval"),
    "retail_import_pilot": ("零售进口试点", "retail-import pilot notice"),
    "positive_list": ("零售进口商品清单", "positive list"),
    "tax_policy": ("零售进口税收政策", "retail-import tax policy"),
    "customs_announcement": ("海关总署公告", "GACC announcement"),
    "other": ("其他", "other"),
}

#: programmes (the extractor's ``program`` and the registry's short keys) → (Chinese, English, source)
PROGRAMS: dict[str, tuple[str, str, str]] = {
    "cbec_comprehensive_pilot_zone": ("跨境电子商务综合试验区", "cross-border e-commerce comprehensive pilot zone",
                                      "scio-2021"),
    "cbec_zone": ("跨境电子商务综合试验区", "cross-border e-commerce comprehensive pilot zone", "scio-2021"),
    "cbec_retail_import_pilot": ("跨境电商零售进口试点", "cross-border e-commerce retail import pilot", "mofcom-2020"),
    "retail_import": ("跨境电商零售进口试点", "cross-border e-commerce retail import pilot", "mofcom-2020"),
    "cbec_retail_import_positive_list": ("跨境电子商务零售进口商品清单",
                                         "positive list of cross-border e-commerce retail imports", "descriptive"),
    "cbec_retail_import_tax": ("跨境电子商务零售进口税收政策", "tax policy on cross-border e-commerce retail imports",
                               "mof-2018"),
    "cbec_b2b_export_pilot": ("跨境电子商务企业对企业出口监管试点",
                              "cross-border e-commerce B2B export supervision pilot", "gacc-2020-75"),
    "customs_supervision_code": ("海关监管方式代码", "customs supervision mode code", "mofcom-2020"),
}

#: canonical agency names (crawler/extraction/agencies.py) → (English, abbreviation or None, source)
AGENCIES: dict[str, tuple[str, str | None, str]] = {
    "国务院": ("State Council", None, "scio-2022"),
    "国务院办公厅": ("General Office of the State Council", None, "descriptive"),
    "商务部": ("Ministry of Commerce", "MOFCOM", "mofcom-2020"),
    "商务部办公厅": ("General Office of the Ministry of Commerce", None, "descriptive"),
    "财政部": ("Ministry of Finance", "MOF", "mofcom-2020"),
    "海关总署": ("General Administration of Customs", "GACC", "mofcom-2020"),
    "国家税务总局": ("State Taxation Administration", "STA", "mofcom-2020"),
    "国家发展和改革委员会": ("National Development and Reform Commission", "NDRC", "mofcom-2020"),
    "国家市场监督管理总局": ("State Administration for Market Regulation", "SAMR", "mofcom-2020"),
    "工业和信息化部": ("Ministry of Industry and Information Technology", "MIIT", "descriptive"),
    "生态环境部": ("Ministry of Ecology and Environment", None, "descriptive"),
    "农业农村部": ("Ministry of Agriculture and Rural Affairs", None, "descriptive"),
    "国家质量监督检验检疫总局": ("General Administration of Quality Supervision, Inspection and Quarantine", "AQSIQ",
                         "descriptive"),
    "国家食品药品监督管理总局": ("China Food and Drug Administration", "CFDA", "descriptive"),
    "国家药品监督管理局": ("National Medical Products Administration", "NMPA", "descriptive"),
    "国家卫生健康委员会": ("National Health Commission", "NHC", "descriptive"),
    "中国人民银行": ("People's Bank of China", "PBOC", "descriptive"),
    "国家外汇管理局": ("State Administration of Foreign Exchange", "SAFE", "descriptive"),
    "国家邮政局": ("State Post Bureau", None, "descriptive"),
    "国家知识产权局": ("China National Intellectual Property Administration", "CNIPA", "descriptive"),
    "公安部": ("Ministry of Public Security", None, "descriptive"),
    "交通运输部": ("Ministry of Transport", None, "descriptive"),
    "科学技术部": ("Ministry of Science and Technology", None, "descriptive"),
    "司法部": ("Ministry of Justice", None, "descriptive"),
    "国家互联网信息办公室": ("Cyberspace Administration of China", "CAC", "descriptive"),
    "国家统计局": ("National Bureau of Statistics", None, "descriptive"),
}

#: event kinds (storage/models_alerts.py) → (Chinese label, English label)
EVENT_KINDS: dict[str, tuple[str, str]] = {
    "notice_new": ("新文件", "New notice"),
    "notice_revised": ("文件修订", "Notice revised"),
    "pilot_places": ("新增试点地区", "Pilot places"),
    "figure_changed": ("规则数值变化", "Rule changed"),
    "positive_list_changed": ("进口商品清单调整", "Positive list changed"),
    "source_broken": ("来源失效", "Source broken"),
    "source_recovered": ("来源恢复", "Source recovered"),
    "source_quiet": ("来源长期无新文件", "Source quiet"),
    "delivery_dead": ("投递失败", "Delivery failed"),
    "registry_conflict": ("试点名单冲突", "Registry conflict"),
}

#: customs supervision mode codes → (Chinese short name, English short name, source)
CUSTOMS_CODES: dict[str, tuple[str, str, str]] = {
    "9610": ("跨境贸易电子商务", "cross-border e-commerce retail", "gacc-2020-75"),
    "1210": ("保税跨境贸易电子商务", "bonded e-commerce", "mofcom-2020"),
    "1239": ("保税跨境贸易电子商务A", "bonded e-commerce A", "gacc-2020-75"),
    "9710": ("跨境电子商务企业对企业直接出口", "B2B direct export", "gacc-2020-75"),
    "9810": ("跨境电子商务出口海外仓", "export to overseas warehouses", "gacc-2020-75"),
}

#: rule figures (crawler/extraction/figures.py) → (Chinese, English)
FIGURES: dict[str, tuple[str, str]] = {
    "single_limit_yuan": ("单次交易限值", "Single-transaction limit"),
    "annual_limit_yuan": ("年度交易限值", "Annual transaction limit"),
    "customs_duty_rate_pct": ("关税税率", "Customs duty rate"),
    "tax_payable_share_pct": ("进口环节增值税、消费税征收比例", "Share of import VAT and consumption tax collected"),
    "items_total": ("清单税目总数", "Tariff lines on the list"),
    "items_added": ("新增税目", "Tariff lines added"),
    "items_removed": ("删除税目", "Tariff lines removed"),
    "return_window_days": ("退货期限", "Return window"),
    "zones_added": ("新增地区数", "Places added"),
}


def kind_name(kind: str | None, lang: str) -> str:
    zh, en = KINDS.get(kind or "", (kind or "", kind or ""))
    return en if lang == "en" else zh


def program_name(program: str | None, lang: str) -> str | None:
    if not program:
        return None
    zh, en, _ = PROGRAMS.get(program, (program, program.replace("_", " "), ""))
    return en if lang == "en" else zh


def agency_name(agency: str, lang: str) -> str:
    """商务部 → Ministry of Commerce (MOFCOM) in English; an agency not in the table keeps its Chinese name."""
    if lang != "en":
        return agency
    found = AGENCIES.get(agency)
    if found is None:
        return agency
    english, short, _ = found
    return f"{english} ({short})" if short else english


def agency_short(agency: str) -> str:
    """The shortest English form for a sentence: MOFCOM, GACC, State Council; else the Chinese name."""
    found = AGENCIES.get(agency)
    if found is None:
        return agency
    return found[1] or found[0]


def event_label(kind: str, lang: str) -> str:
    zh, en = EVENT_KINDS.get(kind, (kind, kind))
    return en if lang == "en" else zh


def code_name(code: str, lang: str) -> str:
    """9610 → "9610 cross-border e-commerce retail"; an unknown code stays a bare number."""
    found = CUSTOMS_CODES.get(code)
    if found is None:
        return code
    return f"{code} {found[1] if lang == 'en' else found[0]}"


def figure_name(name: str, lang: str) -> str:
    """single_limit_yuan → 单次交易限值 / Single-transaction limit; previous_single_limit_yuan (the value a
    document says it replaces) → 原单次交易限值 / Previous single-transaction limit."""
    base = name.removeprefix("previous_")
    if base != name and base in FIGURES:
        zh, en = FIGURES[base]
        return f"Previous {en[0].lower()}{en[1:]}" if lang == "en" else f"原{zh}"
    zh, en = FIGURES.get(name, (name, name.replace("_", " ")))
    return en if lang == "en" else zh


def as_dict() -> dict[str, Any]:
    """The whole glossary as JSON-able data (for documentation and for API clients)."""
    return {"kinds": KINDS, "programs": PROGRAMS, "agencies": AGENCIES, "event_kinds": EVENT_KINDS,
            "customs_codes": CUSTOMS_CODES, "figures": FIGURES}
