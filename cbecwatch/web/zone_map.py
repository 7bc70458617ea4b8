"""The map of China on ``/zones``: an inline SVG drawn on the server, no script, no tiles, no CDN.

Coordinates come from the pyecharts package's ``datasets/city_coordinates.json`` (MIT licence,
maintained on PyPI; name -> [longitude, latitude] for some 3,700 Chinese places). A zone city is drawn
only when that file has its exact full name (杭州市, 德宏傣族景颇族自治州); one it lacks (雄安新区) is
listed under the map instead, never placed by guess — unless the optional cpca package (MIT), which
``cbecwatch zones --geojson`` reads, has it by adcode and exact name. Every other place of the file is drawn as a faint
dot: together they give the outline of the country without shipping boundary data.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COORDINATES_SOURCE = "pyecharts datasets/city_coordinates.json (MIT licence)"
WEST, EAST, SOUTH, NORTH = 73.0, 135.5, 17.5, 54.0  # mainland China and Hainan; the projection's frame
WIDTH = 640
SCALE_X = math.cos(math.radians(36))  # equirectangular, true to scale at the country's middle latitude
HEIGHT = round(WIDTH * (NORTH - SOUTH) / ((EAST - WEST) * SCALE_X))
#: one colour per batch (readable on white, distinct for neighbours); batches past the list reuse them
PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#7f7f7f")


def coordinates_file() -> Path | None:
    """pyecharts' data file, found without importing pyecharts."""
    from cbecwatch.zone_points import package_data_file

    return package_data_file("pyecharts", "datasets", "city_coordinates.json")


@functools.cache
def coordinates(path: Path | None = None) -> dict[str, tuple[float, float]]:
    path = path or coordinates_file()
    if path is None:
        return {}
    found: dict[str, tuple[float, float]] = {}
    for name, value in json.loads(path.read_text("utf-8")).items():
        try:
            lon, lat = float(value[0]), float(value[1])
        except (TypeError, ValueError, IndexError):
            continue  # a malformed entry gives no point, not a wrong one
        if WEST <= lon <= EAST and SOUTH <= lat <= NORTH:
            found[name] = (lon, lat)
    return found


def project(lon: float, lat: float) -> tuple[float, float]:
    x = (lon - WEST) / (EAST - WEST) * WIDTH
    y = (NORTH - lat) / (NORTH - SOUTH) * HEIGHT
    return round(x, 1), round(y, 1)


@dataclass(frozen=True)
class MapPoint:
    name: str
    batch: int
    x: float
    y: float
    colour: str


@dataclass(frozen=True)
class ZoneMap:
    width: int
    height: int
    background: list[tuple[float, float]]
    points: list[MapPoint]
    unplaced: list[dict[str, Any]]
    legend: list[tuple[int, str, int]]  # batch, colour, places drawn
    source: str | None


def batch_colour(batch: int) -> str:
    return PALETTE[(batch - 1) % len(PALETTE)]


def zone_map(zones: list[dict[str, Any]], cpca: Path | None = None) -> ZoneMap:
    """The map of *zones* (rows of ``storage.queries.zone_rows``), coloured by batch; *cpca* is the
    cpca data file (default: the installed package's, if any)."""
    from cbecwatch.zone_points import COORDINATES_SOURCE as CPCA_SOURCE
    from cbecwatch.zone_points import cpca_table, point

    table = coordinates()
    cpca = cpca or cpca_table()  # the optional cpca data of `zones --geojson` fills what pyecharts lacks (襄阳市)
    points, unplaced = [], []
    used_cpca = False
    for zone in sorted(zones, key=lambda z: (z["batch"], z["name"])):
        found = table.get(zone["name"])
        if found is None and cpca is not None:
            geometry = point(zone["name"], zone["adcode"], cpca)
            if geometry is not None:
                found, used_cpca = tuple(geometry["coordinates"]), True  # type: ignore[assignment]
        if found is None:
            unplaced.append(zone)
            continue
        points.append(MapPoint(zone["name"], zone["batch"], *project(*found), batch_colour(zone["batch"])))
    drawn: dict[int, int] = {}
    for p in points:
        drawn[p.batch] = drawn.get(p.batch, 0) + 1
    legend = [(batch, batch_colour(batch), drawn.get(batch, 0)) for batch in sorted({z["batch"] for z in zones})]
    # One dot per pixel is enough for the outline (and keeps the page small).
    background = sorted({(round(x), round(y)) for x, y in (project(*xy) for xy in table.values())})
    sources = [COORDINATES_SOURCE] if table else []
    if used_cpca:
        sources.append(CPCA_SOURCE)
    return ZoneMap(WIDTH, HEIGHT, background, points, unplaced, legend, "; ".join(sources) or None)
