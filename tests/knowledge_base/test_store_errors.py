"""A missing, corrupt or outdated store file is a clear `KnowledgeBaseError`, never a sqlite traceback."""

from __future__ import annotations

import sqlite3

import pytest

from knowledge_base import paths
from knowledge_base.store import KnowledgeBaseError, PathwayStore


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
