"""Crawl schedules: ``interval:SECONDS`` or ``cron:MIN HOUR DOM MON DOW`` (Asia/Shanghai time).

The settings check a schedule by building its trigger once, so a schedule the daemon could not run
is refused when the settings load, not at 3 a.m. when the daemon starts.
"""

from __future__ import annotations

import math
import re
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

CHINA = ZoneInfo("Asia/Shanghai")
SCHEDULE_FORM = "interval:SECONDS or cron:MIN HOUR DOM MON DOW"


def trigger_for(spec: str, jitter: float) -> BaseTrigger:
    """The APScheduler trigger of a schedule; ``ValueError`` saying what is wrong with it."""
    kind, _, value = spec.partition(":")
    if kind == "interval":
        try:
            seconds = float(value)
        except ValueError:
            raise ValueError(f"an interval is a number of seconds, got {value.strip()!r}") from None
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError(f"an interval is a positive number of seconds, got {value.strip()!r}")
        return IntervalTrigger(seconds=seconds, timezone=CHINA, jitter=int(jitter) or None)
    if kind != "cron":
        raise ValueError("it names neither interval nor cron")
    # from_crontab takes no jitter, so split the five fields ourselves.
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(f"a cron schedule has five fields (MIN HOUR DOM MON DOW), got {value!r}")
    minute, hour, day, month, day_of_week = fields
    day_of_week = crontab_weekdays(day_of_week)
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=CHINA,
                       jitter=int(jitter) or None)


def check_schedule(spec: str) -> str:
    """The schedule itself if the daemon can run it, else ``ValueError`` naming the form expected."""
    try:
        trigger_for(spec, 0)
    except (ValueError, TypeError, KeyError, IndexError) as exc:  # APScheduler's field parsers raise these
        raise ValueError(f"must be {SCHEDULE_FORM} ({exc})") from None
    return spec


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_weekdays(field: str) -> str:
    """Crontab counts weekdays from Sunday = 0 (or 7); APScheduler 3 from Monday = 0, and its
    ``from_crontab`` does not translate — "1-5" would mean Tuesday to Saturday. Use names instead."""
    def name(number: str) -> str:
        return _WEEKDAYS[int(number) % 8]

    parts = []
    for part in field.split(","):
        bounds, _, step = part.partition("/")
        if re.fullmatch(r"\d+-\d+", bounds):
            first, last = bounds.split("-")
            if int(first) == 0 and int(last) >= 1:  # "0-5": Sunday, then Monday to Friday
                parts.append("sun")
                first = "1"
            bounds = f"{name(first)}-{name(last)}" if first != last else name(first)
        elif bounds.isdigit():
            bounds = name(bounds)
        parts.append(bounds + (f"/{step}" if step else ""))
    return ",".join(parts)
