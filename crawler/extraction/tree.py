"""BeautifulSoup's text semantics over an lxml tree, without building a soup.

Pages used to be turned into text with BeautifulSoup, which builds a Python object per node: that
was 80 % of the extractor's time on a crawled page (and 30 % of the spider's), although the page
had already been parsed by lxml for the spider's selectors. :class:`PageTree` reads that lxml tree
once into a flat, document-order sequence of open / text / close events and answers what the
readers ask — elements by name, the text of an element, a subtree removed — the way bs4 answered,
so that the text, and the content hash taken over it, stays what it was:

* strings are the runs of text between two pieces of markup, like bs4's (an lxml ``text`` or
  ``tail``), and a removed element leaves the text before and after it as two strings;
* a string of nothing but ASCII whitespace is stored as one space or one newline, as bs4 does,
  except inside ``pre``/``textarea``;
* text anywhere inside ``script``, ``style``, ``template``, ``rt`` or ``rp`` is of that element's
  own kind (bs4's "string containers"), and comments are comments: neither is main text.

tests/test_html_tree.py compares the two on every stored page and on generated markup.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import etree

from .nesting import cut_by_depth, flatten

OPEN, CLOSE, TEXT = 0, 1, 2
MAIN = ""  # the kind of ordinary text
COMMENT = "#comment"
CONTAINER_TAGS = frozenset(("rt", "rp", "style", "script", "template"))
PRESERVE_TAGS = frozenset(("pre", "textarea"))
_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"  # bs4's
_BLANKS = " \t\n\r"  # libxml2's
DOCUMENT: Any = object()  # stands for the whole document, above the top-level elements


def parse_html(document: str) -> Any:
    """The root element of ``document`` parsed by lxml's HTML parser (what bs4 fed its soup from).

    Like parsel (Scrapy's ``response.selector``) but for one thing: only ASCII whitespace is stripped
    from the ends, not every Unicode space, nor NULs — they are text to libxml2 and can change the
    tree. :func:`same_as_parsel` says when the two parse the very same input. A page nested deeper than
    libxml2 goes is read flattened (:mod:`crawler.extraction.nesting`); :func:`was_flattened` says so."""
    root = _parse(document)
    if cut_by_depth(root):  # the rest of the page was dropped: read it again flattened
        root = _parse(flatten(document))
        root.set(FLATTENED, "1")
    return root


def _parse(document: str) -> Any:
    from lxml.html import HTMLParser

    data = document.strip(_BLANKS).encode("utf-8") or b"<html/>"
    parser = HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:  # nothing but markup libxml2 drops (a lone end tag, a form feed)
        root = None
    return root if root is not None else etree.fromstring(b"<html/>", parser=parser)


FLATTENED = "data-cbecwatch-flattened"  # set on the root of a page read by :func:`flatten`


def was_flattened(root: Any) -> bool:
    return root is not None and root.get(FLATTENED) == "1"


def same_as_parsel(document: str) -> bool:
    """Whether parsel's tree of ``document`` (stripped of all whitespace at its ends and of NULs) is
    :func:`parse_html`'s: then the spider's tree can stand in for parsing the page again."""
    return "\x00" not in document and document.strip() == document.strip(_BLANKS)


def classes(el: Any) -> list[str]:
    """The class list as bs4 splits it (on any whitespace)."""
    return (el.get("class") or "").split()


_SIMPLE_SELECTOR = re.compile(r"([a-zA-Z][\w-]*)?((?:[.#][\w-]+)*)")
_SELECTOR_PART = re.compile(r"([.#])([\w-]+)")


@dataclass(frozen=True)
class SimpleSelector:
    """A CSS selector of one element with no combinators or attributes: ``div.a.b#c``, ``.x``, ``h1``."""

    tag: str | None
    classes: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    def matches(self, el: Any) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.classes and not set(self.classes) <= set(classes(el)):
            return False
        return all(el.get("id") == ident for ident in self.ids)


@cache
def simple_selector(query: str) -> SimpleSelector | None:
    """``"div.a.b#c"`` -> ``SimpleSelector("div", ("a", "b"), ("c",))``; None for anything more."""
    m = _SIMPLE_SELECTOR.fullmatch(query.strip())
    if not m or not query.strip():
        return None
    parts = _SELECTOR_PART.findall(m.group(2) or "")
    return SimpleSelector((m.group(1) or "").lower() or None, tuple(v for k, v in parts if k == "."),
                          tuple(v for k, v in parts if k == "#"))


class PageTree:
    """A read-only view of an lxml document; :meth:`remove` hides a subtree without touching lxml's."""

    def __init__(self, root: Any, *, with_siblings: bool = True) -> None:
        """``root``: the document's root element; with ``with_siblings=False``, any element, read as
        if it were a document of its own (a fragment: no ancestors, no siblings)."""
        kinds: list[int] = []
        nodes: list[Any] = []  # the element (open/close) or the element holding the string (text)
        values: list[str] = []  # tag name (open/close) or the string (text)
        marks: list[str] = []  # the kind of a string: MAIN, COMMENT or the container tag's name
        span: dict[Any, tuple[int, int]] = {}

        def text(value: str | None, owner: Any, kind: str, preserve: bool) -> None:
            if not value:
                return
            if not preserve and not value.strip(_ASCII_SPACES):
                value = "\n" if "\n" in value else " "
            kinds.append(TEXT)
            nodes.append(owner)
            values.append(value)
            marks.append(kind)

        # lxml hangs what a page has around its root element (comments, a second <html>) off its siblings.
        top = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()] \
            if with_siblings else [root]
        # The kind of text and whether whitespace is kept, inside each open element (and above them all).
        kind_of, keep_of, parents = [MAIN], [False], [None]
        for node in top:
            if not isinstance(node.tag, str):  # a comment or processing instruction (HTML makes PIs comments)
                text(node.text, None, COMMENT, False)
                text(node.tail, None, MAIN, False)
                continue
            for event, el in etree.iterwalk(node, events=("start", "end", "comment", "pi")):
                if event == "start":
                    tag = el.tag
                    span[el] = (len(kinds), -1)
                    kinds.append(OPEN)
                    nodes.append(el)
                    values.append(tag)
                    marks.append(MAIN)
                    inner = tag if tag in CONTAINER_TAGS else kind_of[-1]
                    keep = keep_of[-1] or tag in PRESERVE_TAGS
                    text(el.text, el, inner, keep)
                    kind_of.append(inner)
                    keep_of.append(keep)
                    parents.append(el)
                elif event == "end":
                    kind_of.pop()
                    keep_of.pop()
                    parents.pop()
                    span[el] = (span[el][0], len(kinds))
                    kinds.append(CLOSE)
                    nodes.append(el)
                    values.append(el.tag)
                    marks.append(MAIN)
                    if parents[-1] is not None or with_siblings:  # a fragment ends where its element ends
                        text(el.tail, parents[-1], kind_of[-1], keep_of[-1])
                else:
                    text(el.text, parents[-1], COMMENT, keep_of[-1])
                    text(el.tail, parents[-1], kind_of[-1], keep_of[-1])
        self.kinds, self.nodes, self.values, self.marks, self.span = kinds, nodes, values, marks, span
        self.opens = [i for i, k in enumerate(kinds) if k == OPEN]  # where the elements start, in order
        self.removed: set[Any] = set()
        self._removed_spans: list[tuple[int, int]] = []  # sorted: a range query is a bisection, not a sort
        self._index: dict[tuple[str, str], list[int]] | None = None

    @classmethod
    def parse(cls, document: str) -> PageTree:
        return cls(parse_html(document))

    # -- structure ---------------------------------------------------------------------------------
    def remove(self, el: Any) -> None:
        """bs4's ``decompose()``/``extract()``: the subtree is gone, the text around it stays."""
        if el not in self.removed:
            self.removed.add(el)
            if el in self.span:
                insort(self._removed_spans, self.span[el])

    def alive(self, el: Any) -> bool:
        """Still in the document: neither it nor an ancestor was removed."""
        while el is not None:
            if el in self.removed:
                return False
            el = el.getparent()
        return True

    def _ranges(self, el: Any, inclusive: bool = False) -> list[tuple[int, int]]:
        """The event ranges [start, stop) of ``el``'s subtree (inside it, or with its open and close
        events) that are not in a removed subtree."""
        if el is DOCUMENT:
            start, stop = 0, len(self.kinds)
        else:
            start, stop = self.span[el]
            start, stop = (start, stop + 1) if inclusive else (start + 1, stop)
        if not self.removed:
            return [(start, stop)]
        # Only what was removed inside: a subtree that is itself cut off keeps its content, as in bs4.
        # The removed spans are kept sorted, so this costs the removals inside, not all of them (a page
        # of many removed blocks asked for the text of each block was quadratic).
        spans = self._removed_spans
        own = self.span[el] if el is not DOCUMENT else None
        dead: list[tuple[int, int]] = []
        for k in range(bisect_left(spans, (start, -1)), len(spans)):
            a, b = spans[k]
            if a >= stop:
                break
            if (a, b) == own:
                continue
            if not dead or a > dead[-1][1]:  # nested ranges are inside the previous one
                dead.append((a, b))
        out = []
        for a, b in dead:  # b is the close event: the range goes on after it
            if a > start:
                out.append((start, a))
            start = max(start, b + 1)
        if start < stop:
            out.append((start, stop))
        return out

    def elements(self, within: Any = DOCUMENT, names: Collection[str] | None = None, *,
                 into_templates: bool = True) -> Iterator[Any]:
        """Elements below ``within`` (not itself) in document order, like bs4's ``find_all``; with
        ``into_templates=False`` like soupsieve's ``select``, which does not look inside a ``template``
        (its content is not part of the document)."""
        opens, nodes, values, span = self.opens, self.nodes, self.values, self.span
        for start, stop in self._ranges(within):
            j = bisect_left(opens, start)
            while j < len(opens) and opens[j] < stop:
                i = opens[j]
                if names is None or values[i] in names:
                    yield nodes[i]
                if not into_templates and values[i] == "template":
                    j = bisect_left(opens, span[nodes[i]][1], j)
                    continue
                j += 1

    def find(self, name: str, within: Any = DOCUMENT) -> Any:
        return next(self.elements(within, (name,)), None)

    def select(self, selector: SimpleSelector) -> Iterator[Any]:
        """soupsieve's ``select`` of a simple selector: matching elements in document order, outside
        removed subtrees and ``template`` contents."""
        names = (selector.tag,) if selector.tag is not None else None
        return (el for el in self.elements(names=names, into_templates=False) if selector.matches(el))

    def first(self, selector: SimpleSelector) -> Any:
        """The first element in the document (outside removed subtrees) that *selector* matches, from
        an index built on first use instead of a walk of the tree per question."""
        if self._index is None:
            index: dict[tuple[str, str], list[int]] = {}
            for i in self.opens:
                el = self.nodes[i]
                index.setdefault(("tag", self.values[i]), []).append(i)
                for name in set(classes(el)):
                    index.setdefault(("class", name), []).append(i)
                if el.get("id") is not None:
                    index.setdefault(("id", el.get("id")), []).append(i)
            self._index = index
        key = ("id", selector.ids[0]) if selector.ids else ("class", selector.classes[0]) if selector.classes \
            else ("tag", selector.tag)
        alive = self._ranges(DOCUMENT) if self.removed else None
        alive_starts = [a for a, _ in alive] if alive is not None else []
        for i in self._index.get(key, ()):  # type: ignore[arg-type]
            if not selector.matches(self.nodes[i]):
                continue
            if alive is None:
                return self.nodes[i]
            k = bisect_right(alive_starts, i) - 1  # the one live range that can hold i
            if k >= 0 and i < alive[k][1]:
                return self.nodes[i]
        return None

    # -- text --------------------------------------------------------------------------------------
    def strings(self, within: Any = DOCUMENT, kinds: Collection[str] | None = None) -> Iterator[tuple[str, Any]]:
        """``(string, element holding it)`` below ``within``; every kind when ``kinds`` is None."""
        marks, values, nodes, events = self.marks, self.values, self.nodes, self.kinds
        for start, stop in self._ranges(within):
            for i in range(start, stop):
                if events[i] == TEXT and (kinds is None or marks[i] in kinds):
                    yield values[i], nodes[i]

    def _own_kind(self, el: Any) -> tuple[str]:
        """What bs4's ``get_text`` collects: the element's own container kind, else main text."""
        tag = None if el is DOCUMENT else el.tag
        return (tag,) if tag in CONTAINER_TAGS else (MAIN,)

    def text(self, el: Any = DOCUMENT, separator: str = "") -> str:
        """bs4's ``get_text(separator)``."""
        return separator.join(s for s, _ in self.strings(el, self._own_kind(el)))

    def words(self, el: Any) -> str:
        """``" ".join(el.get_text(" ").split())``: the element's text on one line."""
        return " ".join(" ".join(s for s, _ in self.strings(el, self._own_kind(el))).split())

    def block_text(self, el: Any, blocks: Collection[str]) -> str:
        """Main text with a newline before and after every element named in ``blocks`` (``el`` too)."""
        kinds, values, marks = self.kinds, self.values, self.marks
        parts = []
        for start, stop in self._ranges(el, inclusive=True):
            for i in range(start, stop):
                if kinds[i] == TEXT:
                    if marks[i] == MAIN:
                        parts.append(values[i])
                elif values[i] in blocks:
                    parts.append("\n")
        return "".join(parts)
