"""Building with the search index: one document per pathway, swapped in with the store."""

from __future__ import annotations

import shutil

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.build import build_knowledge_base
from gene_r1.knowledge_base.cli import kb_summary
from gene_r1.knowledge_base.index import index_document_count, index_file
from gene_r1.tools import search_pathways
from gene_r1.tools.context import KnowledgeBase


def test_the_index_holds_one_document_per_pathway(small_kb_home_indexed):
    summary = kb_summary(small_kb_home_indexed)

    assert summary["index"]["documents"] == summary["reactome"]["pathways"] + summary["wikipathways"]["pathways"]
    assert summary["index"]["documents"] == 10


def test_the_index_finds_a_pathway_by_its_meaning(small_kb_home_indexed):
    kb = KnowledgeBase.open(small_kb_home_indexed)

    hits = search_pathways("repair of mispaired DNA bases", k=1, kb=kb)

    assert [hit.pathway_id for hit in hits] in (["WP531"], ["R-HSA-5358508"])
    kb.close()


def test_an_unreadable_previous_index_is_rebuilt_from_scratch_with_a_warning(small_kb_home_indexed, small_kb_source,
                                                                              tmp_path):
    home = tmp_path / "home"
    shutil.copytree(small_kb_home_indexed, home)
    index_file(paths.index_dir(home)).write_bytes(b"this is not an index")

    report = build_knowledge_base(home, source_dir=small_kb_source, show_progress=False)

    assert report.index_documents == 10
    assert any("rebuilt from scratch" in w for w in report.warnings)
    assert index_document_count(paths.index_dir(home)) == 10


def test_building_without_index_drops_the_stale_one(small_kb_home_indexed, small_kb_source, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(small_kb_home_indexed, home)

    build_knowledge_base(home, source_dir=small_kb_source, with_index=False, show_progress=False)

    assert index_document_count(paths.index_dir(home)) == 0
