"""Each document's sections (`archive.extract.sections`) as offsets into its text, in
`document_sections`; the `report_sections` view gives them with their text. Kept with the text:
written when a document is added or its text changes, removed with it."""

from __future__ import annotations

import sqlite_utils

from archive.extract.sections import split_sections

VIEW = """
    CREATE VIEW report_sections AS
    SELECT s.id, s.document_id, s.ordinal, s.heading, s.kind,
           substr(d.text, s.start + 1, s.end - s.start) AS text
    FROM document_sections s JOIN documents d ON d.id = s.document_id"""


def write_sections(db: sqlite_utils.Database, document_id: int, text: str) -> None:
    remove_sections(db, document_id)
    db.conn.executemany("INSERT INTO document_sections (document_id, ordinal, heading, kind, start, end) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [(document_id, s.ordinal, s.heading, s.kind, s.start, s.end) for s in split_sections(text)])


def remove_sections(db: sqlite_utils.Database, document_id: int) -> None:
    db.execute("DELETE FROM document_sections WHERE document_id = ?", [document_id])


def split_every_document(db: sqlite_utils.Database, chunk: int = 500) -> int:
    """Write the sections of every document again; returns how many documents."""
    count, last = 0, 0
    while rows := db.execute("SELECT id, text FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                             [last, chunk]).fetchall():
        for document_id, text in rows:
            write_sections(db, document_id, text)
        count, last = count + len(rows), rows[-1][0]
    return count
