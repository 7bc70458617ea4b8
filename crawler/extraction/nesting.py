"""Pages nested deeper than libxml2 will go: read, not silently cut.

libxml2 (lxml's parser, parsel's too) stops with a fatal "Excessive depth in document: 2048" error
at 2,048 open elements, even with ``huge_tree``; lxml's recovering HTML parser then returns the tree
built so far, so everything after that point — the rest of the notice, the text after the nesting —
is silently missing. Such a page is re-read with the markup below ``MAX_DEPTH`` levels removed (its
text kept, a line break where a block element was), which libxml2 parses whole.
"""

from __future__ import annotations

import re
from typing import Any

LIBXML_MAX_DEPTH = 2048  # xmlParserMaxDepth with XML_PARSE_HUGE (256 without)
MAX_DEPTH = 1000  # levels kept as elements when a page has to be flattened
_TAG = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9:-]*)([^>]*)>", re.S)
# Elements that have no end tag: they never open a level.
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr", "keygen", "command", "basefont", "frame", "isindex"))
_INLINE = frozenset(("a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
                     "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt",
                     "u", "var", "nobr"))


def cut_by_depth(root: Any) -> bool:
    """Whether the tree under ``root`` ends at libxml2's depth limit, i.e. parsing stopped there.

    After that fatal error the last element built is the one that was open deepest, so following
    last children from the root finds it in O(depth), without walking the tree."""
    if root is None:
        return False
    top = root
    while top.getparent() is not None:
        top = top.getparent()
    depth, el = 0, top
    while len(el):
        el = el[-1]
        depth += 1
        if depth >= LIBXML_MAX_DEPTH - 8:
            return True
    return False


def flatten(document: str, max_depth: int = MAX_DEPTH) -> str:
    """``document`` with every tag that would open or close a level deeper than ``max_depth`` removed:
    text stays, a block element's tag becomes a newline (so its text stays a line of its own)."""
    depth = 0
    out: list[str] = []
    last = 0
    for m in _TAG.finditer(document):
        closing, name = m.group(1), (m.group(2) or "").lower()
        if not name:  # a comment
            continue
        opens = not closing and name not in _VOID and not m.group(3).rstrip().endswith("/")
        if closing:
            drop = depth > max_depth
            depth = max(0, depth - 1)
        elif opens:
            depth += 1
            drop = depth > max_depth
        else:
            drop = False
        if drop:
            out.append(document[last:m.start()])
            out.append("" if name in _INLINE else "\n")
            last = m.end()
    if not out:
        return document
    out.append(document[last:])
    return "".join(out)
