"""The long-running scheduler: one APScheduler job per portal, batches of the portals due
together (CrawlBatcher), catch-up, clean shutdown."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor as RunPool
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler

from archive.store.archive import Archive
from crawler.process import close_abandoned_runs
from crawler.registry import Portal
from scheduler.batcher import CrawlBatcher
from scheduler.config import SchedulerConfig
from scheduler.jobs import CrawlJob
from scheduler.timing import is_due, parse_time, portal_trigger

logger = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class SchedulerService:
    """Runs each portal's crawl on its schedule. A runner that crawls batches (`runner.batch`,
    as CrawlJob does) gets the portals that fall due together in one call — one crawl process;
    any other `runner(portal)` is called for each portal, at most max_parallel at a time."""

    def __init__(self, config: SchedulerConfig, portals: tuple[Portal, ...],
                 runner: Callable[[Portal], Any] | None = None,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.config = config
        self.portals = portals
        self.runner = runner or CrawlJob(config)
        self.clock = clock
        self.refused: list[str] = []  # job ids refused because their previous run was still going
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(config.max_parallel)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=dt.timezone.utc)
        self.scheduler.add_listener(self._on_refused, EVENT_JOB_MAX_INSTANCES)
        batch = getattr(self.runner, "batch", None)
        self.batcher = CrawlBatcher(batch, workers=config.max_parallel) if batch is not None else None
        self._stopping = threading.Event()

    def _on_refused(self, event: JobExecutionEvent) -> None:
        logger.warning("portal %s: previous crawl still running, this slot is skipped", event.job_id)
        self.refused.append(event.job_id)

    def _submit(self, portal: Portal) -> None:
        """A portal's slot has come: into the forming batch, unless it is waiting or running."""
        if not self.batcher.submit(portal):
            logger.warning("portal %s: previous crawl still running, this slot is skipped", portal.name)
            self.refused.append(portal.name)

    def add_jobs(self) -> list[Job]:
        jobs = []
        slot = self._submit if self.batcher is not None else self.runner
        for portal in self.portals:
            trigger = portal_trigger(portal)
            if trigger is None:
                logger.info("portal %s has no schedule: not scheduled", portal.name)
                continue
            jobs.append(self.scheduler.add_job(slot, trigger, args=[portal], id=portal.name,
                                               name=f"crawl {portal.name}", replace_existing=True))
        return jobs

    def due_portals(self) -> list[Portal]:
        """Portals whose last successful run is older than their latest scheduled slot."""
        now = self.clock()
        archive = Archive.open(self.config.db)
        try:
            due = []
            for portal in self.portals:
                trigger = portal_trigger(portal)
                if trigger is None:
                    continue
                last = parse_time(archive.portal_activity(portal.name, now.isoformat())["last_success"])
                if is_due(trigger, last, now):
                    due.append(portal)
            return due
        finally:
            archive.close()

    def start(self) -> None:
        """Create the jobs, start the scheduler and run each overdue portal once (catch-up)."""
        archive = Archive.open(self.config.db)
        try:
            for run in close_abandoned_runs(archive):
                logger.warning("run %s of %s was left running by pid %s: closed as interrupted",
                               run["id"], run["portal"], run["pid"])
        finally:
            archive.close()
        jobs = {job.id: job for job in self.add_jobs()}
        self.scheduler.start()
        for portal in self.due_portals():
            logger.info("portal %s is overdue: running it now", portal.name)
            jobs[portal.name].modify(next_run_time=self.clock())

    def trigger_now(self, name: str) -> None:
        self.scheduler.get_job(name).modify(next_run_time=self.clock())

    def stop(self) -> None:
        """Start no more runs; give running crawls `grace` seconds, then stop them."""
        self.scheduler.pause()
        closer = getattr(self.runner, "closed", None)
        if closer is not None:
            closer.set()  # runs already queued for a worker thread do not start either
        stopper = getattr(self.runner, "stop", None)
        timer = threading.Timer(self.config.grace, stopper.set) if stopper is not None else None
        if timer is not None:
            timer.start()
        self.scheduler.shutdown(wait=True)
        if self.batcher is not None:
            self.batcher.shutdown()   # waits for the running batch, stopped when the grace is over
        if timer is not None:
            timer.cancel()

    def run_forever(self) -> None:
        """Block until SIGTERM or SIGINT, then stop cleanly."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self._stopping.set())
        self.start()
        logger.info("scheduler started with %d portal jobs", len(self.scheduler.get_jobs()))
        self._stopping.wait()
        logger.info("stopping: no new crawls; running ones get %.0fs to finish", self.config.grace)
        self.stop()

    def run_once(self) -> list[Any]:
        """Run every portal that is due now and return: all in one crawl process when the
        runner crawls batches (CrawlJob does), else at most max_parallel at a time."""
        due = self.due_portals()
        if self.batcher is not None:
            return self.runner.batch(due) if due else []
        with RunPool(max_workers=self.config.max_parallel) as pool:
            return [result for result in pool.map(self.runner, due) if result is not None]
