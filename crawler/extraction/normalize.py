"""Text normalisation shared by every extractor step (one place, so each step sees the same characters).

We deliberately do NOT apply NFKC to the body: it would turn （） into () and ： into :, and place names
must be returned as written. Only ASCII-compatible full-width letters/digits and invisible characters
are folded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Full-width digits, Latin letters and %, which official texts mix freely with ASCII ones.
_FW = {cp: cp - 0xFEE0 for cp in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B))
       + list(range(0xFF41, 0xFF5B))}
_FW[0xFF05] = ord("%")
_FW[0xFF0E] = ord(".")
for _cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD):  # zero-width and soft hyphen: just drop
    _FW[_cp] = None
_FW[0x00A0] = ord(" ")
_FW[0x000D] = None
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Whitespace inside a line, including the ideographic space U+3000 used for indentation and label padding.
_WS = re.compile(r"[ \t\u3000\u2002-\u200a]+")

# Opening/closing bracket look-alikes around the year of a document number (domain.md §2.1).
_OPEN = "[［【﹝(（〔"
_CLOSE = "]］】﹞)）〕"
_YEAR_BRACKETS = re.compile(rf"[{re.escape(_OPEN)}]\s*((?:19|20)\d\d)\s*[{re.escape(_CLOSE)}]")

# Zero look-alikes in Chinese-numeral years (〇 U+3007 is the real one).
_ZEROS = str.maketrans({c: "〇" for c in "○零OoＯｏ0◯"})


def clean_text(text: str) -> str:
    text = text.translate(_FW).replace("\r", "\n")
    return _CONTROL.sub("", text)


def split_lines(text: str) -> list[str]:
    """Non-empty lines with inner runs of whitespace collapsed to one ASCII space."""
    out = []
    for raw in text.split("\n"):
        line = _WS.sub(" ", raw).strip()
        if line:
            out.append(line)
    return out


def squeeze(s: str) -> str:
    """Remove every kind of whitespace (for labels and short values such as document numbers)."""
    return "".join(s.split())


def label_key(label: str) -> str:
    """Normalise an info-table label: NFKC, no whitespace, no trailing colon, no 【】 (sources.md §1.6).

    ``'发文字号：'`` and ``'发 文 字 号:'`` both become ``'发文字号'``."""
    s = squeeze(unicodedata.normalize("NFKC", label))
    return s.strip("【】[]:：")


_COLON = re.compile("[:：﹕]")


def label_pairs(cells: Sequence[str]) -> dict[str, str]:
    """The label/value pairs of an info table's cells, in reading order.

    A cell "label：value" holds both; a cell "label：" takes the next cell as its value (gov.cn's
    ``table.bd1`` puts two such pairs in one row). The first value of a label wins.
    """
    info: dict[str, str] = {}
    index = 0
    while index < len(cells):
        parts = _COLON.split(cells[index], maxsplit=1)
        if len(parts) == 2:
            head, value = parts
            if not value.strip() and index + 1 < len(cells):
                index += 1
                value = cells[index]
            key = label_key(head)
            if key:
                info.setdefault(key, value.strip())
        index += 1
    return info


def normalize_year_brackets(s: str) -> str:
    """Fold every bracket variant around a 4-digit year to 〔〕, the standard of GB/T 9704."""
    return _YEAR_BRACKETS.sub(r"〔\1〕", s)


def fix_zeros(span: str) -> str:
    """Only for a Chinese-numeral date span: map zero look-alikes to 〇."""
    return span.translate(_ZEROS)
