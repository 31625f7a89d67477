"""A missing, corrupt or outdated store file is a clear `KnowledgeBaseError`, never a sqlite traceback."""

from __future__ import annotations

import sqlite3

import pytest

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.store import KnowledgeBaseError, PathwayStore


def test_a_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="gene-r1 kb build"):
        PathwayStore.open(tmp_path / "pathways.sqlite")


def test_a_corrupt_store_says_it_is_unreadable(tmp_path):
    path = tmp_path / "pathways.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)

    with pytest.raises(KnowledgeBaseError, match="unreadable"):
        PathwayStore.open(path)


def test_a_file_that_is_not_a_database_says_it_is_unreadable(tmp_path):
    path = tmp_path / "pathways.sqlite"
    path.write_text("hello")

    with pytest.raises(KnowledgeBaseError, match="unreadable"):
        PathwayStore.open(path)


def test_a_store_of_another_schema_version_asks_for_a_rebuild(small_kb_home, tmp_path):
    old = tmp_path / "old.sqlite"
    old.write_bytes(paths.store_path(small_kb_home).read_bytes())
    with sqlite3.connect(old) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")

    with pytest.raises(KnowledgeBaseError, match="schema version 0.*Rebuild"):
        PathwayStore.open(old)


def test_the_store_counts_what_it_holds(small_kb_home):
    store = PathwayStore.open(paths.store_path(small_kb_home))

    assert store.count_pathways("reactome") == 7
    assert store.count_aliases() == sum(len(rows) for rows in store.aliases().values())


def garble_pages(path) -> None:
    content = bytearray(path.read_bytes())
    page = int.from_bytes(content[16:18], "big")
    content[3 * page : 6 * page] = b"\x5a" * (3 * page)  # a few pages after the schema: tables and indexes
    path.write_bytes(bytes(content))


def test_the_integrity_check_runs_once_per_version_of_the_file_and_again_after_a_rewrite(small_kb_home, tmp_path):
    store = tmp_path / "pathways.sqlite"
    store.write_bytes(paths.store_path(small_kb_home).read_bytes())
    mark = tmp_path / ".pathways.sqlite.checked"

    PathwayStore.open(store).close()
    checked = mark.read_text()
    PathwayStore.open(store).close()  # the mark matches: no second check
    garble_pages(store)

    assert mark.read_text() == checked
    with pytest.raises(KnowledgeBaseError, match="unreadable"):
        PathwayStore.open(store)  # rewritten: checked again, and refused


def test_a_check_mark_that_cannot_be_written_leaves_the_store_usable(small_kb_home, tmp_path):
    store = tmp_path / "pathways.sqlite"
    store.write_bytes(paths.store_path(small_kb_home).read_bytes())
    (tmp_path / ".pathways.sqlite.checked").mkdir()  # as in a read-only home: the mark cannot be written

    for _ in range(2):
        opened = PathwayStore.open(store)
        assert opened.count_pathways("reactome") == 7
        opened.close()
