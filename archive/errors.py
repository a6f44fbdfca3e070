"""The exception tree of govarchive: every error raised on purpose is one of these.

    GovarchiveError
    ├── RegistryError        a portal registry cannot be used (bad TOML, key, regex, URL…)
    ├── ExtractionError      a fetched page or file cannot become a record   (url, reason)
    │   └── DecodeError      its bytes decode in no plausible charset
    ├── ArchiveError         the SQLite archive cannot be opened, read or written
    │   ├── SchemaError      its schema is not the one this version reads (run `govarchive migrate`)
    │   └── ArchiveLocked    another process held the write lock for longer than the write wait
    ├── SettingError         a `-s KEY=VALUE` crawl setting has a value its setting cannot take
    ├── SchedulerBusy        another scheduler already works on the database
    └── CrawlBusy            another process is crawling the portal

Errors about one page carry `url` and `reason` as attributes, so a caller records the reason
without cutting the URL off the message.
"""

from __future__ import annotations


class GovarchiveError(Exception):
    """Base class: every error govarchive raises on purpose."""


class RegistryError(GovarchiveError):
    """The portal registry is unreadable or invalid; the message names portal and key."""


class ExtractionError(GovarchiveError):
    """A page or file could not be turned into a document record."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason

    def __reduce__(self) -> tuple:   # pickled whole: extraction may run in a worker process
        return type(self), (self.url, self.reason)


class DecodeError(ExtractionError):
    """A page's bytes could not be decoded as UTF-8 or the GB family."""


class ArchiveError(GovarchiveError):
    """The archive database cannot be opened or written."""


class SchemaError(ArchiveError):
    """The archive's schema needs migrations this command does not apply (it only reads)."""


class ArchiveLocked(ArchiveError):
    """A write waited its bounded time for another process's write lock and gave up."""


class SettingError(GovarchiveError):
    """A crawl setting given on the command line cannot be used; the message names it."""


class SchedulerBusy(GovarchiveError):
    """Another scheduler already works on this database."""


class CrawlBusy(GovarchiveError):
    """Another process is crawling this portal into this database."""
