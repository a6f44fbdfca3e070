"""Re-extraction's writes: an archived page's record replaced by a newer extractor's (part of
`Archive`, whose helpers it uses; `govarchive reextract` calls it)."""

from __future__ import annotations

from archive.errors import ArchiveError
from archive.extract.document import PageDocument
from archive.identity.hashing import text_hash
from archive.store import fulltext
from archive.store.report_sections import remove_sections
from archive.store.document_rows import METADATA_COLUMNS, metadata_row
from archive.store.writing import write_transaction


class Reextraction:
    """Mixed into Archive: needs its `db`, `clusters` and document helpers."""

    def replace_page_record(self, page: PageDocument) -> bool:
        """Re-extraction of an archived page: put the new record in place of the old one.

        Unlike a crawl (where new text at a URL is a new document), the old text came from an
        older extractor, so the document is corrected in place, or the page joins the document
        that already has the new text. Returns True when anything the analyst sees changed.
        """
        url, capture = page.url, page.capture
        with write_transaction(self.db):
            known = self.db.execute("SELECT document_id FROM pages WHERE url = ?", [url]).fetchone()
            if known is None:
                raise ArchiveError(f"{url}: not an archived page")
            old_id = known[0]
            before = self._document_view(old_id)
            digest = text_hash(page.text)
            other = self.db.execute("SELECT id FROM documents WHERE text_hash = ? AND id != ?",
                                    [digest, old_id]).fetchone()
            sharers = self.db.execute("SELECT COUNT(*) FROM pages WHERE document_id = ?", [old_id]).fetchone()[0]
            owner = self.db.execute("SELECT url FROM documents WHERE id = ?", [old_id]).fetchone()[0] == url
            if other is not None:
                new_id = other[0]
                self._merge_metadata(new_id, page.record, page.portal)
            elif before["text_hash"] == digest and not owner:
                new_id = old_id  # a repost of an unchanged text: it may only complete the metadata
                self._merge_metadata(old_id, page.record, page.portal)
            elif before["text_hash"] != digest and sharers > 1:
                row = self.db.execute("SELECT first_seen, last_seen FROM documents WHERE id = ?", [old_id]).fetchone()
                new_id = self._insert_document(page, digest, row[0])
                self.db.execute("UPDATE documents SET last_seen = ? WHERE id = ?", [row[1], new_id])
                self._index_new_document(new_id, page, None)
            else:
                new_id = old_id  # the page the document was first seen at: correct it in place
                record = page.record
                row = {"title": record.title, "text": page.text, "text_hash": digest,
                       **metadata_row(self.db, record, page.portal),
                       "report_year": record.report_year, "extraction_method": record.extraction_method}
                self._rewrite_document(old_id, page, row)
                if before["text_hash"] != digest:
                    self.clusters.remove(old_id)
                    self._index_new_document(old_id, page, None)
            self.db.execute("UPDATE pages SET document_id = ?, page_text = ? WHERE url = ?",
                            [new_id, page.page_text, url])
            self._store_attachments(capture.portal, url, new_id, capture.attachments)
            if new_id != old_id:
                heir = self.db.execute(
                    "SELECT url, portal FROM pages WHERE document_id = ? ORDER BY first_seen, url LIMIT 1",
                    [old_id]).fetchone()
                if heir is None:  # no page holds the old text any more
                    self.db.execute("UPDATE attachments SET document_id = ? WHERE document_id = ?",
                                    [new_id, old_id])
                    self.db.execute("UPDATE page_versions SET document_id = ? WHERE document_id = ?",
                                    [new_id, old_id])
                    self.db.execute("UPDATE documents SET previous_id = NULL WHERE previous_id = ?", [old_id])
                    self.clusters.remove(old_id)
                    fulltext.remove(self.db, old_id)
                    remove_sections(self.db, old_id)
                    self.db.execute("DELETE FROM documents WHERE id = ?", [old_id])
                else:  # the old text lives on at its other pages: one of them now stands for it
                    self.db.execute("UPDATE documents SET url = ?, portal = ? WHERE id = ? AND url = ?",
                                    [heir[0], heir[1], old_id, url])
            return new_id != old_id or self._document_view(new_id) != before

    def _document_view(self, document_id: int) -> dict:
        columns = ("text_hash", "title", "extraction_method", "report_year", "region_code",
                   "metadata_json", "dates_inconsistent", *METADATA_COLUMNS)
        row = self.db.execute(f"SELECT {', '.join(columns)} FROM documents WHERE id = ?",
                              [document_id]).fetchone()
        return dict(zip(columns, row, strict=True))
