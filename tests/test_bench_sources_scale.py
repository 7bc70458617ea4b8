"""Bench row 11 (scale with the number of sources) runs and its rows hold what they say; no speed asserted.

The sources are SYNTHETIC (bench/sources_mirror.py), served by the mirror on 127.0.0.1."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bench.sources_mirror import host_of, make_sources
from bench.sources_scale import Cycle, growth, measure
from crawler.declared import load_declared_sources


def test_each_synthetic_source_is_a_declared_source_on_a_host_of_its_own(tmp_path: Path) -> None:
    made = make_sources(tmp_path, 5, notices=2)
    declared = load_declared_sources(made.sources_file)
    assert [s.name for s in declared] == made.names
    assert len({s.lists[0].split("/")[2] for s in declared}) == 5
    assert "SYNTHETIC" in made.sources_file.read_text("utf-8")
    for i in range(1, 6):
        site = made.root / "static" / host_of(i) / "zwgk" / "tzgg"
        assert (site / "index.html").is_file() and len(list(site.glob("*/t*.html"))) == 2
    assert tomllib.loads(made.sources_file.read_text("utf-8"))["source"][0]["pagination"] == "none"


def cycle(n: int, requests: int, cpu: float) -> Cycle:
    return Cycle(n, requests, n, 0, cpu, cpu, n, {})


def test_growth_is_the_added_source_cost_of_the_last_step_over_the_first() -> None:
    linear = {10: cycle(10, 50, 12.0), 20: cycle(20, 100, 14.0), 40: cycle(40, 200, 18.0)}
    assert growth(linear) == {"requests": 1.0, "cpu_s": 1.0, "wall_s": 1.0}
    quadratic = {10: cycle(10, 50, 1.0), 20: cycle(20, 100, 4.0), 40: cycle(40, 200, 16.0)}
    assert growth(quadratic)["cpu_s"] == 2.0  # N²: 0.3 s per added source from 10 to 20, 0.6 s from 20 to 40
    assert growth({10: cycle(10, 50, 10.0), 20: cycle(20, 100, 10.0)})["cpu_s"] == 0.5  # two sizes: per source


@pytest.mark.slow
def test_the_quick_row_crawls_every_source_and_counts_its_requests(tmp_path: Path) -> None:
    rows = measure(quick=True, workdir=tmp_path, sizes=(2, 4), pg_url="")
    by_key = {r.key: r for r in rows}
    assert by_key["11a"].status == "ok" and by_key["11b"].status == "ok", [r.note for r in rows]
    first, second = by_key["11a"].details["cycles"], by_key["11b"].details["cycles"]
    for n in (2, 4):
        # robots.txt, the list page and 3 notices a host the first time; the list page alone (a 304) after
        assert (first[n]["requests"], first[n]["robots"], first[n]["ok_sources"]) == (5 * n, n, n)
        assert (second[n]["requests"], second[n]["bytes"], second[n]["ok_sources"]) == (n, 0, n)
        assert first[n]["cpu_s"] > 0 and first[n]["wall_s"] > 0
    assert set(by_key["11a"].details["growth"]) == {"requests", "cpu_s", "wall_s"}
    assert by_key["11a"].details["growth"]["requests"] == 1.0
    assert {r.key for r in rows if r.status == "skip"} == {"11c", "11e", "11g"}  # the daemon's part: full run only
