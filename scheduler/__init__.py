"""Unattended crawling on each portal's cron schedule (APScheduler); built in its own issue."""
