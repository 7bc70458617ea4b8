"""Coordinates of zone places, for the /zones map and the GeoJSON export alike (one lookup, one answer).

cbecwatch ships no coordinates of its own and invents none. Two packaged data files are read:

- pyecharts (a dependency, MIT licence) ships ``datasets/city_coordinates.json``: name -> [longitude,
  latitude] for some 3,700 places. A place is found there only by its exact full name (杭州市).
- cpca (optional, MIT licence, ``pip install cpca``) ships ``resources/adcodes.csv``: 12-digit adcode,
  name, longitude, latitude for every prefecture and county. It fills what pyecharts lacks (阿拉山口市);
  a row is used only when its name is the place's own name: 雄安新区 and 海南全岛 carry their province's
  adcode, and a province's centre is not theirs.

A place neither file names exactly has no point (GeoJSON geometry null; listed under the map).
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import json
from pathlib import Path

COORDINATES_SOURCE = "cpca package data (resources/adcodes.csv, MIT licence)"
PYECHARTS_SOURCE = "pyecharts datasets/city_coordinates.json (MIT licence)"


def package_data_file(package: str, *parts: str) -> Path | None:
    """A data file inside an installed package, found without importing the package (cpca loads
    pandas, pyecharts its chart machinery), or None when the package or the file is missing."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    return path if path.is_file() else None


def pyecharts_file() -> Path | None:
    """pyecharts' data file, found without importing pyecharts."""
    return package_data_file("pyecharts", "datasets", "city_coordinates.json")


@functools.cache
def pyecharts_coordinates(path: Path | None = None) -> dict[str, tuple[float, float]]:
    """Name -> (longitude, latitude) of every well-formed entry of pyecharts' file (empty without it)."""
    path = path or pyecharts_file()
    if path is None:
        return {}
    found: dict[str, tuple[float, float]] = {}
    for name, value in json.loads(path.read_text("utf-8")).items():
        try:
            found[name] = (float(value[0]), float(value[1]))
        except (TypeError, ValueError, IndexError):
            continue  # a malformed entry gives no point, not a wrong one
    return found


def locate(name: str, adcode: str | None, cpca: Path | None = None) -> tuple[float, float, str] | None:
    """(longitude, latitude, data source) of the place, pyecharts first, then cpca (*cpca*: that data
    file, default the installed package's); ``None`` when neither names the place exactly."""
    found = pyecharts_coordinates().get(name)
    if found is not None:
        return found[0], found[1], PYECHARTS_SOURCE
    geometry = point(name, adcode, cpca if cpca is not None else cpca_table())
    if geometry is None:
        return None
    lon, lat = geometry["coordinates"]  # type: ignore[misc]
    return lon, lat, COORDINATES_SOURCE


def cpca_table() -> Path | None:
    """The data file of an installed cpca."""
    return package_data_file("cpca", "resources", "adcodes.csv")


@functools.cache
def _points(path: Path | None) -> dict[str, tuple[str, float, float]]:
    if path is None:
        return {}
    points: dict[str, tuple[str, float, float]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            try:
                points[row["adcode"][:6]] = (row["name"], float(row["longitude"]), float(row["latitude"]))
            except (KeyError, TypeError, ValueError):
                continue  # a malformed row gives no point, not a wrong one
    return points


def point(name: str, adcode: str | None, path: Path | None = None) -> dict[str, object] | None:
    """A GeoJSON Point from cpca's data for the place, or ``None`` when it has no trustworthy one."""
    found = _points(path if path is not None else cpca_table()).get(adcode or "")
    if found is None or found[0] != name:
        return None
    return {"type": "Point", "coordinates": [found[1], found[2]]}
