"""Coordinates for the GeoJSON export, from the ``cpca`` package's data when it is installed.

cpca (MIT licence, PyPI) ships ``cpca/resources/adcodes.csv``: 12-digit adcode, name, longitude,
latitude for every prefecture and county. It is optional (``pip install cpca``): cbecwatch ships no
coordinates of its own and invents none, so without it every point's geometry is null. A row is used
only when its name is the place's own name: 雄安新区 and 海南全岛 carry their province's adcode,
and a province's centre is not theirs.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
from pathlib import Path

COORDINATES_SOURCE = "cpca package data (resources/adcodes.csv, MIT licence)"


def package_data_file(package: str, *parts: str) -> Path | None:
    """A data file inside an installed package, found without importing the package (cpca loads
    pandas, pyecharts its chart machinery), or None when the package or the file is missing."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    return path if path.is_file() else None


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
    """A GeoJSON Point for the place, or ``None`` when no trustworthy coordinate is known."""
    found = _points(path if path is not None else cpca_table()).get(adcode or "")
    if found is None or found[0] != name:
        return None
    return {"type": "Point", "coordinates": [found[1], found[2]]}
