"""What the scheduler needs to know, from the command line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from crawler.process import KEEP_LOGS

DEFAULT_MAX_PARALLEL = 2
DEFAULT_RUN_TIMEOUT = 3 * 3600.0
DEFAULT_GRACE = 60.0


@dataclasses.dataclass(frozen=True)
class SchedulerConfig:
    registry: Path
    db: Path
    logs: Path                                  # per-run log files: logs/<portal>/<started>.log
    max_parallel: int = DEFAULT_MAX_PARALLEL    # portals crawling at the same time
    run_timeout: float = DEFAULT_RUN_TIMEOUT    # seconds before a crawl is stopped as `timeout`
    grace: float = DEFAULT_GRACE                # seconds a stopping crawl gets before it is killed
    keep_logs: int = KEEP_LOGS                  # log files kept per portal
    crawl_settings: dict[str, str] = dataclasses.field(default_factory=dict)
