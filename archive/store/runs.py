"""What one crawl run did: `RunCounts`, defined once and iterated wherever counts are kept or shown."""

from __future__ import annotations

import dataclasses


def _count(one: str, many: str | None = None, summary: bool = False) -> int:
    """A run count: its label reads after the number ("1 list page", "3 list pages"; `many`
    defaults to `one`); `summary` counts appear in the one-line summary of several runs."""
    return dataclasses.field(default=0, metadata={"one": one, "many": many or one, "summary": summary})


@dataclasses.dataclass(frozen=True)
class RunCounts:
    """The counts of one crawl run, in the order they are printed; each is a crawl_runs column."""

    list_pages: int = _count("list page", "list pages", summary=True)
    listed: int = _count("detail link listed", "detail links listed")
    detail_pages: int = _count("detail page", "detail pages", summary=True)
    documents_new: int = _count("document archived", "documents archived", summary=True)
    duplicates: int = _count("duplicate merged", "duplicates merged", summary=True)
    clustered: int = _count("near-duplicate clustered", "near-duplicates clustered", summary=True)
    errors: int = _count("failure", "failures", summary=True)
    unchanged: int = _count("unchanged")
    skipped: int = _count("not due")
    refused: int = _count("refused by robots.txt")
    not_modified: int = _count("not modified")
    withdrawn: int = _count("withdrawn")
    requests: int = _count("request", "requests")
    response_bytes: int = _count("byte", "bytes")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in dataclasses.fields(cls))

    @classmethod
    def from_row(cls, row: dict) -> RunCounts:
        return cls(**{name: int(row[name] or 0) for name in cls.names()})

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)

    def labelled(self, summary_only: bool = False, headings: bool = False) -> list[tuple[str, int]]:
        """(label, value) in order, what a person reads: the label in the number the value
        takes ("1 failure", "2 failures"), or always plural as `headings` ("failures: 1")."""
        return [(field.metadata["many" if headings or value != 1 else "one"], value)
                for field in dataclasses.fields(self) if field.metadata["summary"] or not summary_only
                for value in (getattr(self, field.name),)]

    def __add__(self, other: RunCounts) -> RunCounts:
        return RunCounts(**{name: getattr(self, name) + getattr(other, name) for name in self.names()})


class RunStatus:
    """How a run ended (crawl_runs.status)."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"
    BLOCKED = "blocked"      # the column's start page is an anti-bot challenge


class FailureKind:
    """What a recorded failure was fetching (crawl_errors.kind)."""

    LIST = "list page"
    DETAIL = "detail page"
    ATTACHMENT = "attachment"
    RUN = "run"              # the run itself (its process died without closing it)


def describe_failure(kind: str, reason: str) -> str:
    """A failure as a person reads it: detail pages bare, the others named (`attachment: HTTP 404`)."""
    return reason if kind == FailureKind.DETAIL else f"{kind}: {reason}"
