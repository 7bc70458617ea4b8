"""The map of China on ``/zones``: an inline SVG drawn on the server, no script, no tiles, no CDN.

A zone city is drawn where :func:`cbecwatch.zone_points.locate` places it (pyecharts' city_coordinates.json
by exact full name, then the optional cpca data by adcode and exact name — the same points as
``cbecwatch zones --geojson``); one neither file names (雄安新区) is listed under the map instead, never
placed by guess. Every other place of pyecharts' file is drawn as a faint dot: together they give the
outline of the country without shipping boundary data.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbecwatch.zone_points import PYECHARTS_SOURCE as COORDINATES_SOURCE
from cbecwatch.zone_points import locate, pyecharts_coordinates

WEST, EAST, SOUTH, NORTH = 73.0, 135.5, 17.5, 54.0  # mainland China and Hainan; the projection's frame
WIDTH = 640
SCALE_X = math.cos(math.radians(36))  # equirectangular, true to scale at the country's middle latitude
HEIGHT = round(WIDTH * (NORTH - SOUTH) / ((EAST - WEST) * SCALE_X))
#: one colour per batch (readable on white, distinct for neighbours); batches past the list reuse them
PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#7f7f7f")


@functools.cache
def coordinates(path: Path | None = None) -> dict[str, tuple[float, float]]:
    """pyecharts' places inside the drawing's frame (the background dots)."""
    return {name: (lon, lat) for name, (lon, lat) in pyecharts_coordinates(path).items()
            if WEST <= lon <= EAST and SOUTH <= lat <= NORTH}


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
    table = coordinates()
    points, unplaced = [], []
    sources: list[str] = [COORDINATES_SOURCE] if table else []
    for zone in sorted(zones, key=lambda z: (z["batch"], z["name"])):
        found = locate(zone["name"], zone["adcode"], cpca)
        if found is None or not (WEST <= found[0] <= EAST and SOUTH <= found[1] <= NORTH):
            unplaced.append(zone)
            continue
        if found[2] not in sources:
            sources.append(found[2])
        points.append(MapPoint(zone["name"], zone["batch"], *project(found[0], found[1]), batch_colour(zone["batch"])))
    drawn: dict[int, int] = {}
    for p in points:
        drawn[p.batch] = drawn.get(p.batch, 0) + 1
    legend = [(batch, batch_colour(batch), drawn.get(batch, 0)) for batch in sorted({z["batch"] for z in zones})]
    # One dot per pixel is enough for the outline (and keeps the page small).
    background = sorted({(round(x), round(y)) for x, y in (project(*xy) for xy in table.values())})
    return ZoneMap(WIDTH, HEIGHT, background, points, unplaced, legend, "; ".join(sources) or None)
