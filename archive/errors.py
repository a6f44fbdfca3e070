"""Exception tree for the archive package.

    GovarchiveError
    ├── RegistryError        a portal registry cannot be used (bad TOML, key, regex, URL…)
    ├── ExtractionError      a fetched page cannot become a record
    │   └── DecodeError      its bytes decode in no plausible charset
    └── ArchiveError         the SQLite archive cannot be opened or written
"""

from __future__ import annotations


class GovarchiveError(Exception):
    """Base class: every error govarchive raises on purpose."""


class RegistryError(GovarchiveError):
    """The portal registry is unreadable or invalid; the message names portal and key."""


class ExtractionError(GovarchiveError):
    """A page could not be turned into a document record."""


class DecodeError(ExtractionError):
    """A page's bytes could not be decoded as UTF-8 or the GB family."""


class ArchiveError(GovarchiveError):
    """The archive database cannot be opened or written."""
