"""Text normalisation shared by every extractor step (one place, so each step sees the same characters).

We deliberately do NOT apply NFKC to the body: it would turn （） into () and ： into :, and place names
must be returned as written. Only ASCII-compatible full-width letters/digits and invisible characters
are folded.
"""

from __future__ import annotations

import functools
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


# -- reprints: traditional characters and injected noise (issue 17, classes 4) -------------------------

_CONVERTER = None
_CJK = "\u3400-\u9fff\uf900-\ufaff"


def _converter():  # type: ignore[no-untyped-def]
    """OpenCC's t2s converter, loaded on first use (importing the package stays cheap)."""
    global _CONVERTER
    if _CONVERTER is None:
        import opencc

        _CONVERTER = opencc.OpenCC("t2s")
    return _CONVERTER


@functools.cache
def _protected_names() -> dict[str, str]:
    """Division names OpenCC would alter although they are simplified already (乾安县 -> 干安县): the
    altered form -> the official one, to undo the change after converting."""
    from .divisions import gazetteer

    conv = _converter()
    out = {}
    for name in gazetteer().names():
        altered = conv.convert(name)
        if altered != name and len(name) > 1:
            out[altered] = name
    return out


def to_simplified(text: str) -> str:
    """Traditional characters -> simplified (財關稅 -> 财关税, 試驗區 -> 试验区), so that every later step
    and every returned name reads like the simplified original. A simplified text comes back unchanged
    except for the rare characters t2s maps although they are simplified too; division names among
    them are restored."""
    if not text or text.isascii():
        return text
    converted = _converter().convert(text)
    if converted == text:
        return text
    for altered, name in _protected_names().items():
        if altered in converted:
            converted = converted.replace(altered, name)
    return converted


# Injected by reprint sites, never part of an official text: emoji and other pictographs (So), modifier
# symbols such as skin tones (Sk, beyond ASCII), private-use and unassigned code points, variation
# selectors and tag characters, and letters of historic scripts outside the CJK planes (𓀅).
_NOISE_CATEGORIES = frozenset(("So", "Sk", "Co", "Cn", "Cs"))
_KEEP_SYMBOLS = frozenset("※○●◎□■△▲☆★√×")  # list markers official texts do use


def _is_noise(ch: str) -> bool:
    cp = ord(ch)
    if cp < 0x80 or ch in _KEEP_SYMBOLS:
        return False
    if 0xFE00 <= cp <= 0xFE0F or 0xE0000 <= cp <= 0xE01EF or cp in (0x20E3, 0x200D):
        return True
    if cp > 0xFFFF and not 0x20000 <= cp <= 0x3FFFF:  # supplementary planes other than CJK extensions
        return True
    return unicodedata.category(ch) in _NOISE_CATEGORIES


# Pinyin glosses some converters insert after a character: 關(guān)于, 試驗區(qū).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_GLOSS = re.compile(rf"(?<=[{_CJK}])\((?=[a-zü]*[{_TONED}])[a-zü{_TONED}]{{1,7}}\)")


@functools.cache
def _noise_pattern() -> re.Pattern[str]:
    """One character class of every noise character (built once, ~30 ms): a regex pass over a page is
    some hundred times faster than a test per character."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF or not _is_noise(chr(cp)):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    ranges += [(0x10000, 0x1FFFF), (0x40000, 0x10FFFF)]  # supplementary planes other than CJK extensions
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{body}]+")


def strip_noise(text: str) -> str:
    """Drop emoji and the like (see above) and pinyin glosses; everything else, punctuation included, stays."""
    if text.isascii():
        return text
    text = _PINYIN_GLOSS.sub("", text)
    return _noise_pattern().sub("", text)


_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])")


def join_cjk(s: str) -> str:
    """Remove spaces between two Chinese characters (上 海 -> 上海): for place lists only, where a space
    is never part of a name. Agency lines keep theirs (财政部 海关总署 separates two issuers)."""
    return _SPACE_IN_CJK.sub("", s)


# -- hard-wrapped copies (a PDF's text layer, an OCR page, a fixed-width repost) -----------------------

_SENTENCE_END = ("。", "！", "？", "：", "；", ":", ";", "!", "?")


def reflow(lines: list[str]) -> list[str]:
    """Lines broken at a fixed width rejoined into their paragraphs, so that a sentence (a designation,
    a cited title, a number) reads whole. A copy is hard-wrapped when most of its long lines have one
    length (the width, ±1 for a narrow digit or punctuation mark); a line that fills the width and does
    not end a sentence then continues on the next. Texts whose lines are paragraphs come back unchanged."""
    long = [len(ln) for ln in lines if len(ln) >= 16]
    if len(long) < 4:
        return lines
    counts: dict[int, int] = {}
    for n in long:
        counts[n] = counts.get(n, 0) + 1
    width = max(counts, key=lambda n: (counts.get(n - 1, 0) + counts[n] + counts.get(n + 1, 0), n))
    near = sum(counts.get(n, 0) for n in (width - 1, width, width + 1))
    if near < 4 or near < 0.5 * len(long):
        return lines
    out: list[str] = []
    joining = False
    for ln in lines:
        if joining:
            out[-1] += ln
        else:
            out.append(ln)
        joining = len(ln) >= width - 1 and not ln.endswith(_SENTENCE_END)
    return out


# A number or date broken at a line end (2018年11月 / 29日 under the signature, 海关总署公告2018年第 / 194号):
# the head ends with a year, month, 第 or a bracketed year, the tail starts with the digits that complete it.
_SPLIT_HEAD = re.compile(r"(?:\d\s*[年月]|第|[〔［\[(（]\s*\d{4}\s*[〕］\])）])\s*$")
_SPLIT_TAIL = re.compile(r"^\s*\d{1,4}\s*[月日号]")


def join_split_numbers(lines: list[str]) -> list[str]:
    """Lines rejoined where a number or date was split over them, so every reader sees it whole."""
    out: list[str] = []
    for ln in lines:
        if out and _SPLIT_TAIL.match(ln) and _SPLIT_HEAD.search(out[-1]):
            out[-1] += ln.lstrip()
        else:
            out.append(ln)
    return out
