"""Machine-written dates of government pages (metas, JSON fields, list stamps).

All of them are China Standard Time; we return aware datetimes in Asia/Shanghai. Chinese-numeral
dates inside notice bodies are the extractor's business, not this module's.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")

# 2018-12-04-09:41:27 (gov.cn metas), 2018-12-04 09:41[:27], 2018.11.30, 2018/11/30, [2018-11-30],
# 2018年11月30日 and 2018年11月30日 09:30. A space before 日 belongs to 日 only: when it was
# consumed on its own, the optional time after it no longer matched and 17:03 became midnight.
_STAMP = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-./年]\s*(?P<m>\d{1,2})\s*[-./月]\s*(?P<d>\d{1,2})(?:\s*日)?"
    r"(?:[-\sT]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


def parse_china_datetime(value: str | None) -> dt.datetime | None:
    """Parse the first date(-time) in *value*; ``None`` when there is none or it is impossible."""
    if not value:
        return None
    match = _STAMP.search(value)
    if not match:
        return None
    parts = match.groupdict()
    try:
        return dt.datetime(
            int(parts["y"]), int(parts["m"]), int(parts["d"]),
            int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0), tzinfo=CHINA,
        )
    except ValueError:
        return None


def parse_china_date(value: str | None) -> dt.date | None:
    stamp = parse_china_datetime(value)
    return stamp.date() if stamp else None


def from_epoch_ms(value: int | str | None) -> dt.datetime | None:
    try:
        millis = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if millis <= 0:
        return None
    return dt.datetime.fromtimestamp(millis / 1000, tz=CHINA)
