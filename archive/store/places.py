"""Regions and issuers in the archive: the `regions` table (from `archive.regions`), each
document's place columns and issuer row, and the issuers a portal declares."""

from __future__ import annotations

import dataclasses

import sqlite_utils

from archive.extract.capture import utc_now
from archive.extract.page import Extracted
from archive.regions.divisions import Division, divisions
from archive.regions.issuers import Issuer, issuer_of, place_of


@dataclasses.dataclass(frozen=True)
class PortalEntry:
    """What the archive keeps of a registry portal."""

    name: str
    title: str
    region: str | None = None
    issuers: tuple[str, ...] = ()


PLACE_COLUMNS = ("issuer_id", "division_code", "province", "prefecture", "county", "township", "region_status")


def fill_regions(db: sqlite_utils.Database) -> int:
    """(Re)write the `regions` table from the shipped divisions, in key order (a new archive's
    0.2 s); returns how many rows."""
    db.execute("DELETE FROM regions")
    rows = sorted((d.code, d.name, d.level, d.parent, d.full_name, d.successor) for d in divisions().by_code.values())
    db.conn.executemany("INSERT INTO regions (code, name, level, parent, full_name, successor) "
                        "VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def issuer_id(db: sqlite_utils.Database, issuer: Issuer, portal: str | None = None) -> int:
    """The id of `issuer`'s row, added when new (`portal`: the portal that declares it)."""
    names = divisions().lineage(divisions().get(issuer.region_code) if issuer.region_code else None)
    db.execute("INSERT OR IGNORE INTO issuers (name, level, region_code, full_name, province, prefecture, county, "
               "portal, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [issuer.name, issuer.level, issuer.region_code, issuer.full_name,
                names["province"], names["prefecture"], names["county"],
                portal, utc_now()])
    if portal is not None:
        db.execute("UPDATE issuers SET portal = ? WHERE COALESCE(region_code, '') = ? AND name = ?",
                   [portal, issuer.region_code or "", issuer.name])
    return db.execute("SELECT id FROM issuers WHERE COALESCE(region_code, '') = ? AND name = ?",
                      [issuer.region_code or "", issuer.name]).fetchone()[0]


def _portal_region(db: sqlite_utils.Database, portal: str) -> str | None:
    row = db.execute("SELECT region_code FROM portals WHERE name = ?", [portal]).fetchone()
    return row[0] if row else None


def place_row(db: sqlite_utils.Database, record: Extracted, portal: str) -> dict:
    """The place columns (PLACE_COLUMNS) of the document `record` makes, on `portal`."""
    return place_columns(db, record.region_code, record.metadata.publisher, record.title, portal)


def place_columns(db: sqlite_utils.Database, index_code: str | None, publisher: str | None, title: str | None,
                  portal: str) -> dict:
    """A document's place columns, its issuer added to `issuers` when new."""
    place = place_of(divisions(), index_code, publisher, title, _portal_region(db, portal))
    return {
        "issuer_id": issuer_id(db, place.issuer) if place.issuer else None,
        "division_code": place.division.code if place.division else None,
        **divisions().lineage(place.division),
        "region_status": place.status,
    }


def declare_issuers(db: sqlite_utils.Database, portal: str, region: str | None, names: tuple[str, ...]) -> None:
    """A portal's region and the issuers it declares (registry `region`, `issuers`)."""
    db.execute("UPDATE portals SET region_code = ? WHERE name = ?", [region, portal])
    within: Division | None = divisions().get(region) if region else None
    for name in names:
        issuer = issuer_of(name, divisions(), within)
        if issuer is not None:
            issuer_id(db, issuer, portal)


def place_documents(db: sqlite_utils.Database) -> int:
    """Place every document again (a migration, or new divisions data); returns how many."""
    rows = db.execute("SELECT id, region_code, publisher, title, portal FROM documents").fetchall()
    for document_id, code, publisher, title, portal in rows:
        columns = place_columns(db, code, publisher, title, portal)
        db.execute(f"UPDATE documents SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                   [*columns.values(), document_id])
    return len(rows)
