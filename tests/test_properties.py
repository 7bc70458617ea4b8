"""Hypothesis properties of the small parsers everything else trusts: document numbers, dates, the
settings and file parsers, and the subscriber filters. Each states a law over many generated inputs,
not one example; ``database=None`` keeps runs from writing a .hypothesis directory into the checkout."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appconfig.errors import ConfigError
from appconfig.files import check_sources, check_subscribers
from appconfig.schedules import check_schedule
from appconfig.settings import FALSE_WORDS, TRUE_WORDS, load_alert_settings, load_settings, parse_flag
from crawler.extraction.dates import parse_date
from crawler.extraction.docnumber import normalize
from storage.models_alerts import Event, Subscriber
from storage.subscribers import matches, place_stem

PROPERTY = settings(database=None, deadline=None, max_examples=150,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
CODES = ["国函", "国办发", "商财发", "财关税", "署税发", "税总发", "浙政发", "财税"]
BRACKETS = [("〔", "〕"), ("(", ")"), ("（", "）"), ("[", "]"), ("【", "】")]
SPACE = st.sampled_from(["", " ", "\u3000"])


# -- document numbers ----------------------------------------------------------------------------------
@PROPERTY
@given(st.sampled_from(CODES), st.integers(1990, 2030), st.integers(1, 9999), st.sampled_from(BRACKETS), SPACE,
       st.booleans())
def test_a_document_number_in_any_bracket_normalises_to_one_form(code: str, year: int, serial: int,
                                                                 brackets: tuple[str, str], space: str,
                                                                 di: bool) -> None:
    opening, closing = brackets
    written = f"{code}{space}{opening}{year}{closing}{space}{'第' if di else ''}{serial}号"
    assert normalize(written) == f"{code}〔{year}〕{serial}号"


@PROPERTY
@given(st.text(max_size=200))
def test_normalising_any_text_never_raises_and_is_idempotent(text: str) -> None:
    number = normalize(text)
    assert number is None or normalize(number) == number


# -- dates ---------------------------------------------------------------------------------------------
_DIGIT = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _DIGIT[tens] + "十")) + (_DIGIT[ones] if ones else "") \
        if n >= 10 else _DIGIT[n]


# Up to 2099: the metadata form (2100-01-01) reads only 19xx/20xx years, the 年月日 form up to 2100.
DATES = st.dates(min_value=dt.date(1949, 1, 1), max_value=dt.date(2099, 12, 31))


@PROPERTY
@given(DATES, st.sampled_from(["{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}", "{y}.{m}.{d}", "{y}/{m:02d}/{d:02d}",
                               "[{y}-{m:02d}-{d:02d}]", "{y} 年 {m} 月 {d} 日", "{y}-{m:02d}-{d:02d} 16:50"]))
def test_a_date_in_any_written_form_parses_to_itself(day: dt.date, form: str) -> None:
    assert parse_date(form.format(y=day.year, m=day.month, d=day.day)) == day


@PROPERTY
@given(DATES, st.sampled_from(["〇", "○", "零"]))
def test_a_chinese_numeral_date_parses_to_itself(day: dt.date, zero: str) -> None:
    year = "".join(_DIGIT[int(c)] for c in str(day.year)).replace("〇", zero)
    assert parse_date(f"{year}年{chinese_number(day.month)}月{chinese_number(day.day)}日") == day


@PROPERTY
@given(st.text(max_size=80))
def test_parsing_any_text_as_a_date_never_raises_and_stays_in_range(text: str) -> None:
    day = parse_date(text)
    assert day is None or dt.date(1949, 1, 1) <= day <= dt.date(2100, 12, 31)


# -- the settings and file parsers ------------------------------------------------------------------------
@PROPERTY
@given(st.text(max_size=12))
def test_a_flag_is_exactly_the_usual_words(word: str) -> None:
    known = word.strip().lower()
    if known in TRUE_WORDS | FALSE_WORDS:
        assert parse_flag(word) is (known in TRUE_WORDS)
    else:
        with pytest.raises(ValueError):
            parse_flag(word)


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


SETTING_NAMES = ["CBECWATCH_DOWNLOAD_DELAY", "CBECWATCH_RETRY_TIMES", "CBECWATCH_OBEY_ROBOTS", "CBECWATCH_QUIET_DAYS",
                 "CBECWATCH_MAX_PAGE_BYTES", "CBECWATCH_DISABLED_SOURCES", "CBECWATCH_CRAWL_SCHEDULE",
                 "CBECWATCH_SEND_WORKERS", "CBECWATCH_SMTP_URL", "CBECWATCH_DATABASE_URL", "CBECWATCH_QUIET_DAYS_GOVCN",
                 "CBECWATCH_SCHEDULE_GOVCN", "CBECWATCH_RETRY_MAX"]


@PROPERTY
@given(st.sampled_from(SETTING_NAMES), st.text(alphabet=st.characters(blacklist_categories=["Cs"],
                                                                    blacklist_characters="\x00"), max_size=30))
def test_any_value_of_a_setting_loads_or_is_one_config_error_line_naming_it(tmp_path_factory: Any, name: str,
                                                                            value: str) -> None:
    home = str(tmp_path_factory.getbasetemp() / "property-home")
    with environment(CBECWATCH_HOME=home, **{name: value}):
        try:
            load_settings()
            load_alert_settings()
        except ConfigError as exc:
            message = str(exc)
            assert name in message and "\n" not in message, message


@PROPERTY
@given(st.text(max_size=40))
def test_a_schedule_is_accepted_or_refused_with_a_value_error(spec: str) -> None:
    try:
        assert check_schedule(spec) == spec
    except ValueError as exc:
        assert str(exc).startswith("must be interval:SECONDS or cron:")


@PROPERTY
@given(st.floats(min_value=0.001, max_value=1e7))
def test_every_positive_interval_is_a_schedule(seconds: float) -> None:
    assert check_schedule(f"interval:{seconds}") == f"interval:{seconds}"


TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 30) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)
SUBSCRIBER_KEYS = st.sampled_from(["name", "email", "provinces", "admin", "digest_hour", "kinds", "mode", "lang",
                                   "webhook_url", "admn", "provnces"])
SOURCE_KEYS = st.sampled_from(["name", "agency", "template", "home", "lists", "rows", "datastore", "unit",
                               "page_size", "max_pages", "relies_on", "body", "rowz"])


@PROPERTY
@given(st.lists(st.dictionaries(SUBSCRIBER_KEYS, TOML_VALUES, max_size=6), max_size=3))
def test_any_subscriber_tables_are_read_whole_or_refused_in_one_line(tables: list[dict[str, Any]]) -> None:
    try:
        parsed = check_subscribers({"subscriber": tables}, "subscribers.toml")
    except ConfigError as exc:
        assert str(exc).startswith("subscribers.toml: ") and "\n" not in str(exc)
    else:  # nothing accepted is read as something else: a list stays a list, a flag a bool
        for table, entry in zip(tables, parsed.subscriber, strict=True):
            assert entry.provinces == table.get("provinces", []) and entry.admin is table.get("admin", False)


@PROPERTY
@given(st.lists(st.dictionaries(SOURCE_KEYS, TOML_VALUES, max_size=7), max_size=3))
def test_any_source_tables_are_read_whole_or_refused_in_one_line(tables: list[dict[str, Any]]) -> None:
    try:
        check_sources({"source": tables}, "sources.toml")
    except ConfigError as exc:
        assert str(exc).startswith("sources.toml: ") and "\n" not in str(exc)


# -- subscriber filters -----------------------------------------------------------------------------------
PROVINCES = ["北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
             "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
             "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
             "宁夏回族自治区", "新疆维吾尔自治区"]


def subscriber(**filters: Any) -> Subscriber:
    values = {"sources": [], "kinds": [], "provinces": [], "cities": [], "keywords": [], "active": True,
              "admin": False, "origin": "cli", **filters}
    return Subscriber(name="p", **values)


def event(**named: Any) -> Event:
    values = {"kind": "notice_new", "source": "govcn", "provinces": [], "cities": [], "admin": False,
              "baseline": False, "title": "关于跨境电子商务的通知", "doc_number": None, **named}
    return Event(**values)


@PROPERTY
@given(st.sampled_from(PROVINCES), st.sampled_from(PROVINCES), st.booleans())
def test_a_province_filter_matches_its_own_province_only(wanted: str, named: str, short: bool) -> None:
    written = place_stem(wanted) if short else wanted  # 浙江 or 浙江省
    assert matches(subscriber(provinces=[written]), event(provinces=[named])) is (wanted == named)


@PROPERTY
@given(st.lists(st.sampled_from(PROVINCES), max_size=3), st.lists(st.text(max_size=4), max_size=2))
def test_an_event_naming_no_place_passes_every_place_filter(wanted: list[str], cities: list[str]) -> None:
    assert matches(subscriber(provinces=wanted, cities=[c for c in cities if c]), event())


WORD = st.text(alphabet=st.characters(blacklist_categories=["Zs", "Cc", "Cs"]), min_size=1, max_size=6)


# Keywords without spaces: the title, number and text are searched joined by spaces (storage.subscribers).
@PROPERTY
@given(WORD, st.text(max_size=20), st.text(max_size=20))
def test_a_keyword_matches_exactly_when_the_notice_contains_it(keyword: str, before: str, after: str) -> None:
    title = before + after
    assert matches(subscriber(keywords=[keyword]), event(title=title)) is (keyword in title)
    assert matches(subscriber(keywords=[keyword]), event(title=before + keyword + after))


@PROPERTY
@given(st.sampled_from(PROVINCES), st.booleans(), st.booleans())
def test_baseline_paused_and_removed_subscribers_never_match(province: str, paused: bool, removed: bool) -> None:
    sub = subscriber(active=not paused, origin="removed" if removed else "cli")
    assert matches(sub, event(provinces=[province])) is (not paused and not removed)
    assert not matches(subscriber(), event(provinces=[province], baseline=True))
