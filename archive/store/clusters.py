"""Near-duplicate clusters in SQLite: signatures, LSH band keys, evidence and cluster merges.

Part of the store layer (called inside Archive's transactions). A lookup probes one band key
per band (a UNION of point lookups, which SQLite answers from the primary key whatever the
table's size) and verifies candidates against their stored signatures.
"""

from __future__ import annotations

import numpy as np
import sqlite_utils

from archive.identity.config import NearDupSettings
from archive.identity.minhash import MinHasher, from_blob, similarity, to_blob


class ClusterIndex:
    def __init__(self, db: sqlite_utils.Database, settings: NearDupSettings | None = None) -> None:
        self.db = db
        self.hasher = MinHasher(settings)
        self.settings = self.hasher.settings
        bands = " UNION ".join("SELECT document_id FROM lsh_bands WHERE band = ? AND key = ?"
                               for _ in range(self.settings.bands))
        self._candidates_sql = bands

    def candidates(self, signature: np.ndarray, exclude: int | None = None,
                   keys: list[int] | None = None) -> list[tuple[int, float]]:
        """(document id, estimated similarity) of indexed documents at or above the threshold;
        `keys`: the signature's band keys, when the caller has them."""
        args: list[int] = []
        for band, key in enumerate(keys or self.hasher.band_keys(signature)):
            args += [band, key]
        ids = [row[0] for row in self.db.execute(self._candidates_sql, args) if row[0] != exclude]
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self.db.execute(f"SELECT document_id, signature FROM minhashes WHERE document_id IN ({marks})",
                               ids).fetchall()
        # every candidate's signature compared in one array operation: a template shared by many
        # reports can make thousands of candidates, and one comparison at a time costs 13 us each
        others = from_blob(b"".join(blob for _, blob in rows)).reshape(len(rows), -1)
        scores = np.count_nonzero(others == signature, axis=1) / len(signature)
        scored = [(row[0], float(score)) for row, score in zip(rows, scores, strict=True)
                  if score >= self.settings.threshold]
        return sorted(scored, key=lambda x: (-x[1], x[0]))

    def add(self, document_id: int, text: str, hints: list[tuple[int, str]] = (),
            signature: np.ndarray | None = None) -> list[tuple[int, float, str]]:
        """Index a new document and put it in the cluster of what it resembles.

        `hints` are (document id, reason) pairs known to be the same report whatever the text
        (an earlier version of the page, the same 索引号 and publisher). Returns the evidence
        recorded in near_duplicates. `signature`: the text's, when computed ahead under the
        same index settings (`identity.keys`).
        """
        if signature is None:
            signature = self.hasher.signature(text)
        keys = self.hasher.band_keys(signature)
        evidence = [(other, score, "minhash") for other, score in self.candidates(signature, document_id, keys)]
        seen = {other for other, _, _ in evidence}
        for other, reason in hints:
            if other != document_id and other not in seen:
                evidence.append((other, self._similarity_to(signature, other), reason))
                seen.add(other)
        self.db.execute("INSERT OR REPLACE INTO minhashes (document_id, signature) VALUES (?, ?)",
                        [document_id, to_blob(signature)])
        self.db.conn.executemany("INSERT OR IGNORE INTO lsh_bands (band, key, document_id) VALUES (?, ?, ?)",
                            [(band, key, document_id) for band, key in enumerate(keys)])
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO near_duplicates (document_id, other_id, similarity, reason) VALUES (?, ?, ?, ?)",
            [(document_id, other, round(score, 4), reason) for other, score, reason in evidence])
        self._join_clusters(document_id, [other for other, _, _ in evidence])
        return evidence

    def remove(self, document_id: int) -> None:
        """Forget a document's signature and band keys (its evidence rows go with it).

        The keys are recomputed from the stored signature and deleted by primary key, so the
        band table needs no second index (which would double the cost of every insert)."""
        row = self.db.execute("SELECT signature FROM minhashes WHERE document_id = ?", [document_id]).fetchone()
        if row is not None:
            keys = self.hasher.band_keys(from_blob(row[0]))
            self.db.conn.executemany("DELETE FROM lsh_bands WHERE band = ? AND key = ? AND document_id = ?",
                                     [(band, key, document_id) for band, key in enumerate(keys)])
        self.db.execute("DELETE FROM minhashes WHERE document_id = ?", [document_id])
        self.db.execute("DELETE FROM near_duplicates WHERE document_id = ? OR other_id = ?",
                        [document_id, document_id])

    def _similarity_to(self, signature: np.ndarray, other: int) -> float:
        row = self.db.execute("SELECT signature FROM minhashes WHERE document_id = ?", [other]).fetchone()
        return similarity(signature, from_blob(row[0])) if row else 0.0

    def _join_clusters(self, document_id: int, others: list[int]) -> None:
        """One cluster for the document and everything it matched: the oldest cluster's id."""
        if not others:
            self.db.execute("UPDATE documents SET cluster_id = id WHERE id = ?", [document_id])
            return
        marks = ", ".join("?" for _ in others)
        clusters = sorted({row[0] for row in self.db.execute(
            f"SELECT COALESCE(cluster_id, id) FROM documents WHERE id IN ({marks})", others)})
        target = clusters[0]
        self.db.execute("UPDATE documents SET cluster_id = ? WHERE id = ?", [target, document_id])
        if len(clusters) > 1:
            rest = clusters[1:]
            self.db.execute(
                f"UPDATE documents SET cluster_id = ? WHERE cluster_id IN ({', '.join('?' for _ in rest)})",
                [target, *rest])
