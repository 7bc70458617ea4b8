"""Is a notice about cross-border e-commerce? A weighted keyword score in [0, 1] plus a flag.

Cheap on purpose (substring counts, no segmentation): the crawler calls it on every page it lists.
"""

from __future__ import annotations

import math
import re

THRESHOLD = 0.5
# (term, weight). Specific programme names weigh more than generic trade words.
TERMS: tuple[tuple[str, float], ...] = (
    ("跨境电子商务", 3.0), ("跨境电商", 3.0), ("跨境贸易电子商务", 3.0),
    ("综合试验区", 1.5), ("综试区", 1.5), ("零售进口", 2.0), ("零售出口", 1.5), ("零售进出口", 2.0),
    ("正面清单", 2.0), ("零售进口商品清单", 3.0), ("网购保税", 2.0), ("直购进口", 2.0), ("保税", 0.5),
    ("海外仓", 1.5), ("企业对企业出口", 1.5), ("监管方式代码", 1.0), ("个人物品", 0.5), ("单次交易限值", 2.0),
)
_CODES = re.compile(r"(?<!\d)(?:9610|1210|1239|9710|9810)(?!\d)")
_MAX_BODY = 200_000  # relevance needs the opening of a text, not all of a 2 MB page


def relevance_score(title: str, text: str) -> tuple[float, bool]:
    title = title or ""
    body = (text or "")[:_MAX_BODY]
    raw = 0.0
    for term, w in TERMS:
        if term in title:
            raw += 3 * w
        n = body.count(term)
        if n:
            raw += w * (1 + math.log(n))  # diminishing returns: one notice repeats its subject a lot
    codes = len(_CODES.findall(body)) + len(_CODES.findall(title))
    if codes:
        raw += 1.5 * (1 + math.log(codes))
    score = 1 - math.exp(-raw / 6)
    return round(score, 3), score >= THRESHOLD
