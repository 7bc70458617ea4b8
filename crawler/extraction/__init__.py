"""Fact extraction from cross-border e-commerce policy notices (issue 4).

Importing this package is cheap: jieba, cn2an, lxml and the division data load on first use.

    from crawler.extraction import extract
    extract(text_or_html, url=..., publish_date=..., title=...).to_dict()
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import Extraction, Figure, Place

__all__ = ["EXTRACTOR_VERSION", "Extraction", "Figure", "Place", "extract", "warm_up"]

# Stored with every version's facts; raise it whenever extraction output can change, so that
# ``cbecwatch reparse`` users can tell which versions were read by an older extractor.
EXTRACTOR_VERSION = "2"  # 2: issue 17 (citations masked, customs districts, reprints, reports)


def extract(document: str, *, url: str | None = None, is_html: bool | None = None,
            publish_date: dt.date | None = None, title: str | None = None, root: Any = None) -> Extraction:
    """Extract the facts of one notice. ``is_html=None`` sniffs the input; ``publish_date``/``title`` are
    hints the crawler knows from the page or list (an info table's 发布日期 still wins over the hint).
    ``root``: the HTML document as :func:`crawler.extraction.tree.parse_html` parsed it (the crawler's
    ``response.selector.root``), to save parsing it again; the result is the same without it."""
    from .pipeline import extract as _extract

    return _extract(document, url=url, is_html=is_html, publish_date=publish_date, title=title, root=root)


def warm_up() -> None:
    """Load the division data and the jieba tokenizer now (about 1 s) instead of on the first notice."""
    from .divisions import gazetteer
    from .segment import tokenizer

    gazetteer()
    tokenizer()
