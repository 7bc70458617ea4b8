"""robots.txt answers kept between runs (crawler/robots.py), RFC 9309 §2.3–2.4 semantics."""

from __future__ import annotations

from pathlib import Path

from crawler.robots import RobotsCache

DAY = 24 * 3600.0
RULES = b"User-agent: *\nDisallow: /private/\n"


def test_a_2xx_answer_is_reused_for_24_hours_and_then_asked_again(tmp_path: Path) -> None:
    cache = RobotsCache(tmp_path, DAY)
    cache.put("https", "www.gov.cn", 200, RULES, now=1000.0)
    assert cache.get("https", "www.gov.cn", now=1000.0 + DAY - 1) == RULES
    assert cache.get("https", "www.gov.cn", now=1000.0 + DAY + 1) is None


def test_a_4xx_answer_means_no_rules_and_a_5xx_answer_is_never_kept(tmp_path: Path) -> None:
    cache = RobotsCache(tmp_path, DAY)
    cache.put("https", "www.mofcom.gov.cn", 404, b"<html>not found</html>", now=0.0)
    assert cache.get("https", "www.mofcom.gov.cn", now=1.0) == b""
    cache.put("https", "www.customs.gov.cn", 503, RULES, now=0.0)
    assert cache.get("https", "www.customs.gov.cn", now=1.0) is None


def test_hosts_schemes_and_mirrors_do_not_share_entries(tmp_path: Path) -> None:
    real = RobotsCache(tmp_path, DAY)
    mirror = RobotsCache(tmp_path, DAY, mirror_url="http://127.0.0.1:8321")
    real.put("https", "www.gov.cn", 200, RULES, now=0.0)
    assert mirror.get("https", "www.gov.cn", now=1.0) is None
    assert real.get("http", "www.gov.cn", now=1.0) is None
    assert real.get("https", "sousuo.www.gov.cn", now=1.0) is None


def test_a_zero_limit_turns_the_cache_off(tmp_path: Path) -> None:
    cache = RobotsCache(tmp_path, 0)
    cache.put("https", "www.gov.cn", 200, RULES, now=0.0)
    assert cache.get("https", "www.gov.cn", now=0.0) is None
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_entry_is_fetched_again_not_trusted(tmp_path: Path) -> None:
    cache = RobotsCache(tmp_path, DAY)
    cache.put("https", "www.gov.cn", 200, RULES, now=0.0)
    (entry,) = tmp_path.iterdir()
    entry.write_text("{not json", "utf-8")
    assert cache.get("https", "www.gov.cn", now=1.0) is None
