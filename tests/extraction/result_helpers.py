"""Readers of an extraction result shared by the behaviour tests (imported as a sibling module)."""

from __future__ import annotations

from typing import Any


def city_names(places: list[Any]) -> set[str]:
    """The places' names without a trailing 市 (as the corpus compares them)."""
    return {p.name.removesuffix("市") for p in places}


def figures_of(result: Any) -> dict[str, float]:
    """name -> value of the result's figures."""
    return {f.name: f.value for f in result.figures}
