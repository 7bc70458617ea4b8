"""A subscriber's place filters compare whole names, suffixes aside — never substrings."""

from __future__ import annotations

import pytest

from storage.models_alerts import Event, Subscriber
from storage.subscribers import matches, place_stem


def event(provinces: list[str], cities: list[str]) -> Event:
    return Event(kind="notice_new", dedup_key="k", admin=False, baseline=False, source="govcn", title="t",
                 provinces=provinces, cities=cities, data={})


def subscriber(**filters: list[str]) -> Subscriber:
    return Subscriber(name="s", active=True, admin=False, kinds=[], sources=[], provinces=filters.get("provinces", []),
                      cities=filters.get("cities", []), keywords=[])


@pytest.mark.parametrize(("written", "stored"), [
    ("浙江", "浙江省"), ("广西", "广西壮族自治区"), ("内蒙古", "内蒙古自治区"), ("新疆", "新疆维吾尔自治区"),
    ("杭州", "杭州市"), ("德宏", "德宏傣族景颇族自治州"), ("德宏州", "德宏傣族景颇族自治州"), ("广州", "广州市"),
    ("香港", "香港特别行政区"), ("大兴安岭", "大兴安岭地区"),
])
def test_a_short_name_means_the_full_one(written: str, stored: str) -> None:
    assert place_stem(written) == place_stem(stored)


def test_hainan_the_province_is_not_qinghais_hainan_prefecture() -> None:
    hainan = subscriber(provinces=["海南"])
    assert not matches(hainan, event(["青海省"], ["海南藏族自治州"]))
    assert matches(hainan, event(["海南省"], ["海口市"]))


def test_a_province_filter_is_never_a_substring_match() -> None:
    assert not matches(subscriber(provinces=["江"]), event(["江苏省"], ["苏州市"]))
    assert not matches(subscriber(cities=["州"]), event(["浙江省"], ["杭州市"]))
    assert matches(subscriber(cities=["苏州"]), event(["江苏省"], ["苏州市"]))


@pytest.mark.parametrize("args", [
    ("notices", "--source", "custom"), ("notices", "--city", "火星城"), ("notices", "--province", "杭州"),
    ("subscribers", "add", "x", "--email", "x@example.com", "--source", "mofcon"),
    ("subscribers", "add", "x", "--email", "x@example.com", "--city", "不存在市"),
])
def test_a_filter_naming_nothing_that_exists_is_refused(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.returncode == 2 and result.stderr.startswith("cbecwatch: unknown "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
