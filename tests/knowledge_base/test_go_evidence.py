"""Gene Ontology as the opt-in evidence source "go": official files or the mirror, never in the default sources."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gene_r1.agent.commands import parse_sources
from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.knowledge_base import download, fetch, paths
from gene_r1.knowledge_base.build import build_knowledge_base
from gene_r1.knowledge_base.cli import app
from gene_r1.knowledge_base.go import go_gene_sets
from gene_r1.knowledge_base.go_official import load_official_go
from gene_r1.knowledge_base.store import EVIDENCE_SOURCES, KnowledgeBaseError, PathwayStore
from tests.knowledge_base.local_server import Route
from tests.knowledge_base.test_download import FAST, server, urls  # noqa: F401 (fixture)

GO_OFFICIAL = Path(__file__).parent / "data" / "go_official"
MITOTIC = {"CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20", "TP53", "BUB1B"}


@pytest.fixture
def source_with_go(small_kb_source, tmp_path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(small_kb_source, source)
    shutil.copytree(GO_OFFICIAL, source / "go")
    return source


def test_official_go_propagates_annotations_through_is_a_and_part_of():
    terms = load_official_go(GO_OFFICIAL / "go-basic.obo", GO_OFFICIAL / "goa_human.gaf.gz")

    assert terms["GO:0000278"].genes == MITOTIC  # its own genes and those of its part, the checkpoint
    assert terms["GO:0007049"].genes == MITOTIC
    assert terms["GO:0004672"].namespace == "MF"


def test_not_qualified_annotations_and_obsolete_terms_are_left_out():
    terms = load_official_go(GO_OFFICIAL / "go-basic.obo", GO_OFFICIAL / "goa_human.gaf.gz")

    assert "GAPDH" not in terms["GO:0006298"].genes
    assert "GO:0000001" not in terms


def test_go_gene_sets_are_what_the_evidence_source_holds(source_with_go):
    sets = go_gene_sets(source_with_go)

    assert sets["GO:0006298"] == {"MLH1", "MSH2", "MSH6", "PMS2", "EXO1"}
    assert "GO:0008150" in sets and all(i.startswith("GO:") for i in sets)


def test_a_build_with_go_stores_go_terms_and_enrichment_finds_them_only_when_asked(source_with_go, tmp_path):
    from gene_r1.tools.context import open_knowledge_base
    from gene_r1.tools.enrichment import enrich

    report = build_knowledge_base(tmp_path / "home", source_dir=source_with_go, with_go=True, with_index=False,
                                  show_progress=False)

    assert report.pathways["go"] == 7  # the CC root has no genes
    store = PathwayStore.open(paths.store_path(tmp_path / "home"))
    assert store.pathway("GO:0006298").source == "go"
    kb = open_knowledge_base(tmp_path / "home")
    genes = ["MLH1", "MSH2", "MSH6", "PMS2"]
    assert enrich(genes, sources=("reactome", "wikipathways", "go"), kb=kb)[0].pathway_id == "GO:0006298"
    assert all(hit.source != "go" for hit in enrich(genes, sources=EVIDENCE_SOURCES, kb=kb))


def test_search_with_go_among_the_sources_returns_indexed_pathways_only(source_with_go, tmp_path):
    from gene_r1.tools.context import open_knowledge_base
    from gene_r1.tools.search import search_pathways

    build_knowledge_base(tmp_path, source_dir=source_with_go, with_go=True, show_progress=False)

    hits = search_pathways("DNA mismatch repair", k=3, genes=["MLH1", "MSH2"],
                           sources=("reactome", "wikipathways", "go"), kb=open_knowledge_base(tmp_path))
    assert [h.pathway_id for h in hits] == ["WP531"]  # GO terms are enrichment evidence, not in the search index


def test_a_build_without_go_leaves_go_out_even_when_the_files_are_there(source_with_go, tmp_path):
    report = build_knowledge_base(tmp_path, source_dir=source_with_go, with_index=False, show_progress=False)

    assert "go" not in report.pathways


def test_with_go_and_no_go_files_is_a_clear_error(small_kb_source, tmp_path):
    with pytest.raises(KnowledgeBaseError, match="No Gene Ontology files.*--with-go --download"):
        build_knowledge_base(tmp_path, source_dir=small_kb_source, with_go=True, with_index=False,
                             show_progress=False)


def test_asking_for_go_evidence_from_a_kb_without_go_says_how_to_add_it(small_kb_home):
    context = AgentContext(config=AgentConfig(home=small_kb_home, sources=("reactome", "wikipathways", "go")))

    with pytest.raises(KnowledgeBaseError, match="kb build --with-go"):
        _ = context.kb


def test_the_sources_flag_is_parsed_and_checked():
    assert parse_sources("reactome, WikiPathways,go") == ("reactome", "wikipathways", "go")
    assert parse_sources(None) is None
    with pytest.raises(ValueError, match="choose a comma-separated list from reactome, wikipathways, go"):
        parse_sources("reactome,kegg")


def test_go_is_never_a_default_source():
    assert "go" not in AgentConfig().sources


def test_an_online_build_with_go_downloads_the_ontology_and_the_human_annotations(server, tmp_path,  # noqa: F811
                                                                                    monkeypatch):
    server.routes["/go/go-basic.obo"] = Route((GO_OFFICIAL / "go-basic.obo").read_bytes())
    server.routes["/go/goa_human.gaf.gz"] = Route((GO_OFFICIAL / "goa_human.gaf.gz").read_bytes())
    online = replace(urls(server), go_obo=f"{server.url}/go/go-basic.obo", go_gaf=f"{server.url}/go/goa_human.gaf.gz")
    monkeypatch.setattr(download, "SourceUrls", lambda: online)
    monkeypatch.setattr(fetch, "DOWNLOAD_POLICY", FAST)

    result = CliRunner().invoke(app, ["build", "--download", "--with-go", "--no-index", "-q", "--home", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "go 7 pathways" in result.output
    assert (paths.downloads_dir(tmp_path) / "goa_human.gaf.gz").is_file()
