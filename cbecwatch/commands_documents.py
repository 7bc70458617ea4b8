"""How ``cbecwatch show`` prints the copies of a document (one per source) and where they differ."""

from __future__ import annotations

from typing import Any


def print_copies(copies: list[dict[str, Any]]) -> None:
    """One line per copy, then, for each other copy, what it says differently from this one."""
    if len(copies) < 2:
        return
    print(f"{'copies':>15}: {len(copies)} sources carry this document (first seen first)")
    for copy in copies:
        mark = "*" if copy["this"] else " "
        print(f"{mark}{copy['notice_id']:>14}: {copy['source']} {copy['url']} (first seen {copy['first_seen'][:19]})")
    for copy in copies:
        if copy["this"]:
            continue
        differences = copy["differences"]
        places = differences["places"]
        if not (differences["fields"] or differences["figures"] or places) and differences["same_text"]:
            print(f"\n--- {copy['source']} (notice {copy['notice_id']}): same title, number, dates, figures, "
                  "places and text ---")
            continue
        print(f"\n--- this copy → {copy['source']} (notice {copy['notice_id']}) ---")
        for name, (mine, theirs) in differences["fields"].items():
            print(f"{name:>15}: {mine or '—'} → {theirs or '—'}")
        for name, (mine, theirs) in differences["figures"].items():
            print(f"{'figure ' + name:>15}: {mine or '—'} → {theirs or '—'}")
        if places:
            print(f"{'places':>15}: only here: {', '.join(places['only_here']) or '—'}; "
                  f"only there: {', '.join(places['only_there']) or '—'}")
        if differences["same_text"]:
            print(f"{'text':>15}: identical")
            continue
        diff = differences["text_diff"]
        print(f"{'text':>15}: {diff['removed']} paragraphs only here, {diff['added']} only there")
        if diff["text"]:
            print(diff["text"])
