"""Portal schedules as APScheduler triggers, and whether a portal is due."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from crawler.registry import Portal


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday_names(field: str) -> str:
    """crontab's day-of-week numbers (0 and 7 = Sunday) as names: APScheduler 3 reads numbers
    Monday-first, so `from_crontab("… 1")` would fire on Tuesdays."""
    def name(token: str) -> str:
        return _CRON_DAYS[int(token)] if token.isdigit() else token

    parts = []
    for part in field.split(","):
        value, slash, step = part.partition("/")
        if "-" in value:
            first, last = value.split("-", 1)
            value = f"{name(first)}-{name(last)}"
        else:
            value = name(value)
        parts.append(value + (slash + step if slash else ""))
    return ",".join(parts)


def cron_trigger(expression: str, zone: zoneinfo.ZoneInfo) -> CronTrigger:
    """A standard five-field crontab expression as an APScheduler trigger."""
    minute, hour, day, month, weekday = expression.split()
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_weekday_names(weekday), timezone=zone)


def portal_trigger(portal: Portal) -> BaseTrigger | None:
    """The portal's cron schedule in its time zone, or'ed with its season schedule if any."""
    if portal.schedule is None:
        return None
    zone = zoneinfo.ZoneInfo(portal.timezone)
    regular = cron_trigger(portal.schedule, zone)
    if portal.season is None:
        return regular
    return OrTrigger([regular, cron_trigger(portal.season.crontab, zone)])


def is_due(trigger: BaseTrigger, last_success: dt.datetime | None, now: dt.datetime) -> bool:
    """True when a scheduled slot has passed since the last successful run (or there was none).

    However many slots were missed (the machine was off), this says "run once".
    """
    if last_success is None:
        return True
    next_slot = trigger.get_next_fire_time(None, last_success)
    return next_slot is not None and next_slot <= now


def parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
