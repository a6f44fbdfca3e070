"""Five-field crontab expressions as APScheduler triggers: the one parser for the registry's
validation and the scheduler's jobs."""

from __future__ import annotations

import zoneinfo

from apscheduler.triggers.cron import CronTrigger

_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday_names(field: str) -> str:
    """crontab's day-of-week numbers (0 and 7 = Sunday) as names: APScheduler 3 reads numbers
    Monday-first, so `from_crontab("… 1")` would fire on Tuesdays."""
    def name(token: str) -> str:
        if not token.isdigit():
            return token
        if int(token) >= len(_CRON_DAYS):
            raise ValueError(f"day of week {token} is not 0-7")
        return _CRON_DAYS[int(token)]

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


def cron_trigger(expression: str, zone: zoneinfo.ZoneInfo | None = None) -> CronTrigger:
    """A standard five-field crontab expression (minute hour day month weekday, Sunday 0 or 7)
    as an APScheduler trigger; ValueError when it is not one."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} has {len(fields)} fields, not 5")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_weekday_names(weekday), timezone=zone or zoneinfo.ZoneInfo("UTC"))
