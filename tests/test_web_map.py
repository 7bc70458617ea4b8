"""The /zones map: points only from real coordinate data, projected inside the drawing."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbecwatch.web.zone_map import coordinates, zone_map


def zone(name: str, batch: int, adcode: str | None = None) -> dict[str, object]:
    return {"name": name, "batch": batch, "adcode": adcode, "province": None}


def test_cities_are_placed_from_pyecharts_data_and_unknown_ones_listed(tmp_path: Path) -> None:
    if not coordinates():
        pytest.skip("pyecharts (a dependency) is not installed")
    empty = tmp_path / "adcodes.csv"  # an empty cpca table: only pyecharts' data speaks
    empty.write_text("adcode,name,longitude,latitude\n", "utf-8")
    drawn = zone_map([zone("杭州市", 1), zone("天津市", 2), zone("雄安新区", 5, "130000")], cpca=empty)
    assert [p.name for p in drawn.points] == ["杭州市", "天津市"]
    assert [z["name"] for z in drawn.unplaced] == ["雄安新区"]  # not in the data: listed, never guessed
    hangzhou, tianjin = drawn.points
    assert 0 < hangzhou.x < drawn.width and 0 < hangzhou.y < drawn.height
    assert tianjin.y < hangzhou.y and hangzhou.colour != tianjin.colour  # north is up; batches differ
    assert [(batch, count) for batch, _, count in drawn.legend] == [(1, 1), (2, 1), (5, 0)]
    assert len(drawn.background) > 1000 and "MIT" in (drawn.source or "")


def test_cpca_data_fills_a_city_pyecharts_lacks(tmp_path: Path) -> None:
    if not coordinates():
        pytest.skip("pyecharts (a dependency) is not installed")
    assert "阿拉山口市" not in coordinates()
    table = tmp_path / "adcodes.csv"  # cpca's resources/adcodes.csv layout; SYNTHETIC values for the test
    table.write_text("adcode,name,longitude,latitude\n652700000000,博尔塔拉蒙古自治州,82.0,44.9\n"
                     "659009000000,阿拉山口市,82.5,45.2\n", "utf-8")
    drawn = zone_map([zone("阿拉山口市", 6, "659009")], cpca=table)
    assert [p.name for p in drawn.points] == ["阿拉山口市"] and not drawn.unplaced
    assert "cpca" in (drawn.source or "")
