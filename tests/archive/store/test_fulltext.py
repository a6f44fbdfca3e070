"""The character-pair index: what it holds, that it finds what the trigram index and LIKE found
(an archive migrated to it answers every query as before), and how it answers common terms."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from archive.extract.capture import AttachmentCapture, PageCapture
from archive.extract.document import compose_document
from archive.extract.metadata import DisclosureMetadata
from archive.extract.page import Extracted
from archive.identity.keys import pairs, search_terms, text_keys
from archive.store import migrations, search
from archive.store.archive import Archive
from archive.store.fulltext import indexed_count

SENTENCES = ["坚持严格规范公正文明执法。", "全面推进依法行政，加强行政复议工作。", "深化政务公开，强化监管执法。",
             "落实法治政府建设第一责任人职责。", "开展《民法典》宣传进机关活动 2024 场次。", "推进ABC系统与OA平台整合。",
             "行政复议案件办结率达到100%。", "健全重大行政决策程序。", "法治 政府 建设稳步推进。"]


def test_pairs_of_each_run_of_letters_and_digits() -> None:
    assert pairs("法治政府建设") == "法治 治政 政府 府建 建设"
    assert pairs("推进OA平台，第3号") == "推进 进o oa a平 平台 第3 3号"   # lowercased; punctuation splits runs
    assert pairs("法 治") == "法 治"                                      # a run of one character is itself
    assert search_terms("报告", None) == ("报告", "")


def texts(count: int) -> list[tuple[str, str]]:
    rng = random.Random(3)
    return [(f"第{n}号{rng.choice(['法治政府建设年度报告', '工作总结', 'OA通知'])}",
             "".join(rng.choice(SENTENCES) for _ in range(rng.randrange(1, 8)))) for n in range(count)]


def queries(documents: list[tuple[str, str]]) -> list[str]:
    rng = random.Random(5)
    picked = set()
    for length in (2, 3, 4):
        while len([q for q in picked if len(q) == length]) < 25:
            title, text = rng.choice(documents)
            source = rng.choice([title, text])
            if len(source) > length:
                at = rng.randrange(len(source) - length)
                term = source[at:at + length]
                if term == term.strip():   # as a user types it
                    picked.add(term)
    return sorted(picked)


def old_search(db, term: str) -> set[int]:
    """What the trigram archive answered for one term: its index from 3 characters, LIKE below."""
    if len(term) >= 3:
        return {row[0] for row in db.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?",
                                             ['"' + term.replace('"', '""') + '"'])}
    like = "%" + term + "%"
    return {row[0] for row in db.execute("SELECT id FROM documents WHERE title LIKE ? OR text LIKE ?", [like, like])}


def test_an_archive_migrated_to_pairs_answers_every_query_as_before(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.db"
    documents = texts(300)
    with monkeypatch.context() as before:   # the schema before the change: trigram and its triggers
        names = [migration.name for migration in migrations.MIGRATIONS]
        before.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:names.index("pairs-index")])
        old = Archive.open(path)
        assert "pairs-index" not in old.migrated
        for n, (title, text) in enumerate(documents):
            old.db.execute("INSERT INTO documents (title, text, text_hash, portal, url, first_seen, last_seen) "
                           "VALUES (?, ?, ?, 'p', ?, '2025', '2025')", [title, text, str(n), f"http://x.example.gov.cn/{n}"])
        asked = queries(documents) + ["OA", "oa通知", "100%", "《民法典》", "法治 政府"]
        answered = {term: old_search(old.db, term) for term in asked}
        old.close()
    archive = Archive.open(path)
    try:
        assert archive.migrated[0] == "pairs-index" and indexed_count(archive.db) == len(documents)
        for term in asked:
            query = f'"{term}"' if " " in term else term
            result = archive.search(query, limit=len(documents))
            assert {hit.id for hit in result.hits} == answered[term], term
            assert result.total == len(answered[term]) and not result.more
            assert sorted(search.matching_ids(archive.db, search.parse_query(query))) == sorted(answered[term])
        assert any(len(term) == 2 and answered[term] for term in asked)   # the 2-character ones found some
    finally:
        archive.close()


def page(url: str, title: str, text: str, keys: bool) -> PageCapture:
    record = Extracted(url=url, title=title, text=text, metadata=DisclosureMetadata(), region_code=None,
                       report_year=None, extraction_method="trs", encoding="utf-8")
    return PageCapture("p", record, keys=text_keys(title, text) if keys else None)


def test_keys_computed_ahead_store_what_the_archive_computes_itself(tmp_path: Path) -> None:
    rows = []
    for keys in (True, False):
        archive = Archive.open(tmp_path / f"{keys}.db")
        for n, (title, text) in enumerate(texts(20)):
            archive.record_page(compose_document(page(f"http://x.example.gov.cn/{n}", title, text, keys)))
        rows.append((list(archive.db.query("SELECT id, text_hash, cluster_id FROM documents ORDER BY id")),
                     list(archive.db.query("SELECT * FROM minhashes ORDER BY document_id")),
                     [hit.id for hit in archive.search("行政复议", limit=50).hits]))
        archive.close()
    assert rows[0] == rows[1] and rows[0][2]


def test_a_term_in_more_documents_than_the_cap_is_answered_newest_first(archive: Archive,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "MATCH_CAP", 3)
    for n in range(5):
        archive.record_page(compose_document(page(f"http://x.example.gov.cn/{n}", f"报告{n}", "法治政府" + "行政复议" * n, True)))
    common = archive.search("法治", limit=2)
    assert common.more and common.total == 3 and [hit.url for hit in common.hits] == ["http://x.example.gov.cn/4", "http://x.example.gov.cn/3"]
    ranked = archive.search("行政复议 法治", limit=5)   # four documents, above the cap: not ranked either
    assert ranked.more
    rare = archive.search("复议行政", limit=5)         # in three documents: ranked, counted exactly
    assert not rare.more and rare.total == 3
    assert [hit.url for hit in rare.hits] == ["http://x.example.gov.cn/4", "http://x.example.gov.cn/3", "http://x.example.gov.cn/2"]   # bm25: most occurrences first


def test_a_page_holding_the_text_names_the_document_before_a_pointer_to_it(archive: Archive) -> None:
    text = "".join(SENTENCES)
    pointer = dataclasses.replace(page("http://x.example.gov.cn/pointer", "报告（PDF）", "详见附件。", False),
                                  attachments=(AttachmentCapture("http://x.example.gov.cn/r.pdf", "r.pdf", None, text, None),))
    archive.record_page(compose_document(pointer))
    archive.record_page(compose_document(page("http://x.example.gov.cn/body", "报告", text, True)))
    (title, url), = archive.db.execute("SELECT title, url FROM documents").fetchall()
    assert (title, url) == ("报告", "http://x.example.gov.cn/body")
    assert [hit.url for hit in archive.search("报告").hits] == ["http://x.example.gov.cn/body"]


def test_a_failed_write_in_a_batch_leaves_nothing_in_the_index(archive: Archive,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    archive.batch_writes()
    archive.record_page(compose_document(page("http://x.example.gov.cn/1", "报告一", "行政复议", True)))
    broken = compose_document(page("http://x.example.gov.cn/2", "报告二", "依法行政", True))
    with monkeypatch.context() as patch:   # the page's write fails after its document was indexed
        patch.setattr(archive, "_store_attachments", lambda *args: (_ for _ in ()).throw(OSError("disk")))
        with pytest.raises(OSError):
            archive.record_page(broken)
    archive.record_page(compose_document(page("http://x.example.gov.cn/3", "报告三", "政务公开", True)))   # may reuse rowid 2
    archive.commit()
    assert indexed_count(archive.db) == archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2
    assert archive.search("依法行政").total == 0
    assert [hit.url for hit in archive.search("政务公开").hits] == ["http://x.example.gov.cn/3"]
    assert archive.full_text_index_ok()
