"""A private jieba Tokenizer with every division name loaded as a user word (tag ns).

Why a private instance: the global ``jieba.dt`` is shared with whatever else runs in the process, and its
cache file lands in the system temp dir with mode 0600 (stack.md §5.5). Ours lives in
``$CBECWATCH_HOME/cache/`` and is created on first use only: importing crawler.extraction loads no jieba.

What jieba is used for: deciding whether a gazetteer hit that is not cleanly delimited (by 、，和 … or the
edge of a list) is a word of its own. 中山市场 holds the surface 中山市 but segments as 中山/市场, so
the hit is rejected; 长春新区 segments as one word, so 长春 inside it is not a hit.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_TOKENIZER: Any = None


def cache_dir() -> Path:
    home = os.environ.get("CBECWATCH_HOME") or "~/.local/share/cbecwatch"
    return Path(home).expanduser() / "cache"


def tokenizer() -> Any:
    """The shared private Tokenizer; built once (about 1 s), then read-only (add_word takes no lock)."""
    global _TOKENIZER
    if _TOKENIZER is not None:
        return _TOKENIZER
    with _LOCK:
        if _TOKENIZER is None:
            _TOKENIZER = _build()
    return _TOKENIZER


def _build() -> Any:
    import jieba

    from .divisions import gazetteer

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    d = cache_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
        tk.tmp_dir = str(d)
        tk.cache_file = str(d / "jieba.cbecwatch.cache")
    except OSError:
        pass  # read-only home: jieba then just rebuilds its prefix dictionary each start
    tk.initialize()
    # Division names as words with a frequency high enough to win over their parts (襄阳/市 -> 襄阳市).
    for name in sorted(set(gazetteer().names())):
        tk.add_word(name, freq=max(1000, tk.FREQ.get(name, 0)), tag="ns")
    return tk


def token_boundaries(text: str) -> set[int]:
    """Offsets in ``text`` where a jieba token starts or ends.

    HMM is off: 7x faster, and the division names loaded as words are what matters here."""
    bounds = {0}
    pos = 0
    for tok in tokenizer().cut(text, HMM=False):
        pos += len(tok)
        bounds.add(pos)
    return bounds
