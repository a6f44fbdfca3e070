"""Portal schedules as APScheduler triggers, and whether a portal is due."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger

from crawler.cron import cron_trigger
from crawler.registry import Portal


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
