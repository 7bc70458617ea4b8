"""File entry point for `cbecwatch extract PATH [--url URL] --json` (wired by the CLI package)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crawler.encoding import decode_page

_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "hz-gb-2312"}


def decode_document(data: bytes, source: str | None = None) -> str:
    """UTF-8 if it decodes; else the declared <meta charset>; the GB family always as GB18030 (a superset).
    A declared charset that is unknown or no text encoding (``rot13``) falls back to the detected one,
    with one warning line naming ``source``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    m = _CHARSET.search(data[:8192])
    name = m.group(1).decode("ascii", "ignore").lower() if m else "gb18030"
    if name in _GB_FAMILY:
        name = "gb18030"
    return decode_page(data, name, source)


def run(path: str, url: str | None = None) -> dict[str, Any]:
    from . import extract

    p = Path(path)
    text = decode_document(p.read_bytes(), url or str(p))
    suffix = p.suffix.lower()
    is_html = True if suffix in (".html", ".htm", ".shtml", ".xhtml") else False if suffix == ".txt" else None
    return extract(text, url=url, is_html=is_html).to_dict()
