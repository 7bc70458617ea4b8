"""Readable diffs between two stored texts of a notice, good on Chinese.

Lines (paragraphs, 条) are compared with ``difflib``; a changed line paired with its replacement gets
in-line highlights from diff-match-patch over *words* — the line is cut with jieba and each word
mapped to one private-use character, diff-match-patch's own technique for word diffs — so a change
reads ``[-2000-]{+5000+}元`` or ``{+雄安新区、+}``, never half a word (``[-二-]{+三+}十``). The result is plain JSON,
stored with the revision event, and rendered by the channels (text with ``[-…-]{+…+}`` marks, HTML
with ``<del>``/``<ins>`` after escaping).
"""

from __future__ import annotations

import difflib
import logging
from typing import Any

from diff_match_patch import diff_match_patch

MAX_LINES = 300  # per diff; a rewritten notice is summarised, not mailed whole
MAX_CHARS = 20_000
CONTEXT = 1
# Below this share of shared characters a pair of lines is a rewrite: highlighting inside it would
# colour nearly everything and help nobody.
MIN_SIMILARITY = 0.3


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def words(text: str) -> list[str]:
    import jieba

    # jieba announces its dictionary load on stderr at INFO; `cbecwatch diff` output must stay clean.
    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text, HMM=False)


def _word_chunks(old: str, new: str) -> list[tuple[int, str]]:
    """diff-match-patch over words: each distinct word becomes one character, diffed, mapped back."""
    vocabulary: dict[str, str] = {}

    def encode(text: str) -> str:
        return "".join(vocabulary.setdefault(word, chr(0xF0000 + len(vocabulary))) for word in words(text))

    old_codes, new_codes = encode(old), encode(new)
    decode = {code: word for word, code in vocabulary.items()}
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0.5
    chunks = dmp.diff_main(old_codes, new_codes, False)
    dmp.diff_cleanupSemantic(chunks)
    return [(op, "".join(decode[c] for c in text)) for op, text in chunks]


def _inline(old: str, new: str) -> tuple[list[list[str]], list[list[str]]] | None:
    chunks = _word_chunks(old, new)
    shared = sum(len(text) for op, text in chunks if op == 0)
    if shared < MIN_SIMILARITY * max(len(old), len(new), 1):
        return None
    old_spans = [["=" if op == 0 else "-", text] for op, text in chunks if op <= 0]
    new_spans = [["=" if op == 0 else "+", text] for op, text in chunks if op >= 0]
    return old_spans, new_spans


def _replace_lines(old: list[str], new: list[str]) -> list[dict[str, Any]]:
    """Removed then added lines; pairs of similar lines carry in-line spans."""
    removed: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    for index in range(max(len(old), len(new))):
        before = old[index] if index < len(old) else None
        after = new[index] if index < len(new) else None
        spans = _inline(before, after) if before is not None and after is not None else None
        if before is not None:
            removed.append({"op": "-", "text": before, "spans": spans[0] if spans else [["-", before]]})
        if after is not None:
            added.append({"op": "+", "text": after, "spans": spans[1] if spans else [["+", after]]})
    return removed + added


def line_diff(old_text: str, new_text: str, *, from_version: int | None = None,
              to_version: int | None = None) -> dict[str, Any]:
    """The diff as JSON: hunks of lines (``op`` " ", "-", "+") with spans, counts and a unified text."""
    old, new = split_lines(old_text), split_lines(new_text)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    hunks: list[dict[str, Any]] = []
    added = removed = shown = chars = 0
    truncated = False
    for group in matcher.get_grouped_opcodes(CONTEXT):
        lines: list[dict[str, Any]] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend({"op": " ", "text": line, "spans": [["=", line]]} for line in old[i1:i2])
                continue
            removed += i2 - i1
            added += j2 - j1
            lines.extend(_replace_lines(old[i1:i2], new[j1:j2]))
        if truncated:
            continue  # keep counting changes, stop storing lines
        if shown + len(lines) > MAX_LINES or chars + sum(len(x["text"]) for x in lines) > MAX_CHARS:
            truncated = True
            continue
        shown += len(lines)
        chars += sum(len(x["text"]) for x in lines)
        first = group[0]
        hunks.append({"old_start": first[1] + 1, "new_start": first[3] + 1, "lines": lines})
    diff = {"from_version": from_version, "to_version": to_version, "added": added, "removed": removed,
            "truncated": truncated, "hunks": hunks}
    diff["text"] = render_text(diff)
    return diff


def render_text(diff: dict[str, Any]) -> str:
    """A unified-style text: ``-``/``+`` lines, changed phrases marked ``[-old-]`` and ``{+new+}``."""
    out: list[str] = []
    for hunk in diff.get("hunks", []):
        out.append(f"@@ 原第{hunk['old_start']}段 / 新第{hunk['new_start']}段 @@")
        for line in hunk["lines"]:
            if line["op"] == " ":
                out.append("  " + line["text"])
                continue
            marked = "".join(
                text if op == "=" else (f"[-{text}-]" if op == "-" else f"{{+{text}+}}")
                for op, text in line["spans"]
            ) if len(line["spans"]) > 1 else line["text"]
            out.append(f"{line['op']} {marked}")
    if diff.get("truncated"):
        out.append(f"… (diff cut short: {diff.get('removed', 0)} lines removed, {diff.get('added', 0)} added)")
    return "\n".join(out)


def fact_changes(old: Any, new: Any) -> dict[str, Any]:
    """Places and figures added, removed or changed between two versions (rows with their ``facts``);
    ``cbecwatch diff`` and the web page of a notice show them above the text diff."""
    def places(version: Any) -> dict[tuple[str, str], Any]:
        return {(f.kind, f.name): f for f in version.facts if f.kind in ("city", "removed_city")}

    def figures(version: Any) -> dict[str, Any]:
        return {f.name: f for f in version.facts if f.kind == "figure"}

    def value_of(fact: Any) -> str | None:
        return fact.value if fact is not None else None

    before, after = places(old), places(new)
    old_figures, new_figures = figures(old), figures(new)

    def shown(fact: Any) -> dict[str, Any]:
        return {"name": fact.name, "province": fact.province, "adcode": fact.adcode,
                "role": "designated" if fact.kind == "city" else "removed"}

    return {
        "places_added": [shown(after[key]) for key in after if key not in before],
        "places_removed": [shown(before[key]) for key in before if key not in after],
        "figures": [{"name": name, "old": old_figures[name].value if name in old_figures else None,
                     "new": new_figures[name].value if name in new_figures else None,
                     "unit": (new_figures.get(name) or old_figures[name]).unit}
                    for name in dict.fromkeys([*old_figures, *new_figures])
                    if value_of(old_figures.get(name)) != value_of(new_figures.get(name))],
    }
