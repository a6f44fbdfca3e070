"""`govarchive worker` and `ingest`, and `crawl --redis`: crawling on many machines through
Redis (crawler/distributed.py), with one process writing the archive."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.errors import GovarchiveError
from crawler.process import run_log_path
from govarchive.cli_common import DB_OPTION, EXIT_FAILED, LOGS_OPTION, fail, load_portals, open_archive
from govarchive.output import plural

REDIS_OPTION = click.option("--redis", "redis_url", required=True, metavar="URL", envvar="GOVARCHIVE_REDIS",
                            help="The round's Redis server, e.g. redis://127.0.0.1:6379/0 (env GOVARCHIVE_REDIS).")


def plan_redis_round(redis_url: str, names: tuple[str, ...], config: Path, db_path: Path,
                     settings: dict[str, str], shards: int) -> None:
    """`govarchive crawl --redis`: publish a round of the selected portals and say what to run."""
    from crawler.distributed import connect, plan_round   # Scrapy and Redis: only when asked for

    portals = load_portals(config, names)
    archive = open_archive(db_path)
    try:
        plan = plan_round(connect(redis_url), archive, list(portals), config.read_text(encoding="utf-8"),
                          shards, settings)
    except GovarchiveError as exc:
        fail(str(exc))
    finally:
        archive.close()
    click.echo(f"round {plan.token}: {plural(len(portals), 'portal')} over {plural(shards, 'shard')} "
               f"({', '.join(f'{shard}: {len(plan.portals_of(shard))}' for shard in range(shards))})")
    click.echo(f"  workers: govarchive worker --redis {redis_url} --shard N   (N = 0 … {shards - 1})")
    click.echo(f"  archive: govarchive ingest --redis {redis_url} --db {db_path}")


@click.command()
@REDIS_OPTION
@click.option("--shard", required=True, type=click.IntRange(0), help="Which shard of the round to crawl (0, 1, …).")
@LOGS_OPTION
def worker(redis_url: str, shard: int, logs_dir: Path | None) -> None:
    """Crawl one shard of the round `govarchive crawl --redis` planned.

    Requests wait in Redis (scrapy-redis's scheduler and duplicate filter), so a worker that
    dies can be started again and goes on; every page goes to Redis for `govarchive ingest`.
    The portals of one host are all in one shard: politeness per host holds across workers.
    Exit code 0 when the crawl ran to its end, 1 when it failed, 2 when there is no round.
    """
    from crawler.distributed import run_worker

    log_path = run_log_path(logs_dir or Path("logs"), f"worker-{shard}")
    try:
        plan, code = run_worker(redis_url, shard, log_path)
    except GovarchiveError as exc:
        fail(str(exc))
    names = plan.portals_of(shard)
    click.echo(f"shard {shard} of round {plan.token}: {plural(len(names), 'portal')} crawled"
               + (f", scrapy exited with {code} (log {log_path})" if code else f" (log {log_path})"))
    sys.exit(0 if code == 0 else EXIT_FAILED)


@click.command()
@REDIS_OPTION
@DB_OPTION
@click.option("--idle", default=1.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds to wait for an item before committing what came and reporting progress.")
def ingest(redis_url: str, db_path: Path, idle: float) -> None:
    """Store the round's pages in the archive: the only process that writes it.

    Opens a run per portal of the round, stores every item the workers send (in batches, as a
    local crawl does), closes each portal's run when its worker is done, and exits when all
    are, deleting the round from Redis. Started again after a crash, it goes on with the same
    runs. Exit code 0 when every run is ok, 1 when one is not, 2 when there is no round.
    """
    from crawler.distributed import connect, current_plan
    from crawler.ingest import RoundIngest

    archive = open_archive(db_path)
    try:
        client = connect(redis_url)
        plan = current_plan(client)
        round_ingest = RoundIngest(client, archive, plan)
        click.echo(f"ingesting round {plan.token} ({plural(len(plan.portals), 'portal')}) into {db_path}", err=True)

        shown: list[tuple[int, int]] = []

        def progress(state) -> None:
            if shown[-1:] != [(state.items, state.finished)]:   # when something moved
                shown.append((state.items, state.finished))
                click.echo(f"  … {state.items:,} items, {state.finished}/{state.portals} portals done", err=True)

        round_ingest.run(idle, progress)
        runs = [archive.run_by_token(plan.token, name) for name in plan.portals]
    except GovarchiveError as exc:
        fail(str(exc))
    finally:
        archive.close()
    for run in runs:
        click.echo(f"  {run['portal']}: {run['status']} — {plural(run['documents_new'], 'new document')}, "
                   f"{plural(run['detail_pages'], 'detail page')}, {plural(run['errors'], 'failure')}")
    sys.exit(0 if all(run["status"] == "ok" for run in runs) else EXIT_FAILED)


COMMANDS = (worker, ingest)
__all__ = ["COMMANDS", "plan_redis_round"]
