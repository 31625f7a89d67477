from __future__ import annotations

import pytest

from gene_r1.knowledge_base.store import KnowledgeBaseError
from gene_r1.tools import search_pathways
from gene_r1.tools.errors import ToolInputError
from gene_r1.tools.search import Lexicon, words


def test_search_finds_pathways_by_meaning_not_only_by_words(small_indexed_kb):
    hits = search_pathways("programmed cell death", k=3, kb=small_indexed_kb)

    assert hits[0].pathway_id == "R-HSA-109581"
    assert hits[0].name == "Apoptosis" and hits[0].source == "reactome"
    assert "Programmed cell death." in hits[0].snippet


def test_hits_are_ordered_by_score_and_limited_to_k(small_indexed_kb):
    hits = search_pathways("mismatch repair", k=4, kb=small_indexed_kb)

    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.pathway_id for h in hits[:2]} == {"R-HSA-5358508", "WP531"}


def test_genes_restrict_the_search_to_pathways_containing_them(small_indexed_kb):
    hits = search_pathways("DNA repair", k=10, genes=["PFKM"], kb=small_indexed_kb)

    assert {h.pathway_id for h in hits} == {"R-HSA-70171", "WP534"}  # the glycolysis pathways


def test_genes_are_normalised_before_filtering(small_indexed_kb):
    hits = search_pathways("cell death", k=10, genes=["p53"], kb=small_indexed_kb)

    assert {h.pathway_id for h in hits} == {"R-HSA-109581", "R-HSA-73894"}


def test_a_pathway_name_is_searched_with_its_stored_vector_without_loading_the_model(small_indexed_home, monkeypatch):
    from gene_r1.knowledge_base import embedding
    from gene_r1.tools.context import KnowledgeBase

    kb = KnowledgeBase.open(small_indexed_home)
    monkeypatch.setattr(embedding, "get_embedder", lambda *a: pytest.fail("the embedding model was loaded"))

    hits = search_pathways("Mismatch Repair", k=3, kb=kb)

    assert hits[0].pathway_id == "R-HSA-5358508"
    kb.close()


def test_dense_similarity_is_the_exact_cosine_of_query_and_document(small_indexed_kb):
    from gene_r1.knowledge_base.embedding import get_embedder

    index = small_indexed_kb.index
    query = get_embedder().encode(["repair of mispaired bases"])[0]

    hits = search_pathways("repair of mispaired bases", k=10, kb=small_indexed_kb)

    assert len(hits) == len(index)  # an exact scan: every document is a candidate
    for hit in hits:
        assert hit.similarity == pytest.approx(float(index.vectors[index.row_of[hit.pathway_id]] @ query), abs=1e-5)


def test_unknown_genes_leave_nothing_to_search(small_indexed_kb):
    assert search_pathways("apoptosis", genes=["NOTAGENE"], kb=small_indexed_kb) == []


def test_sources_and_excluded_ids_are_left_out(small_indexed_kb):
    hits = search_pathways("mismatch repair", k=10, kb=small_indexed_kb, sources=["wikipathways"],
                           exclude_ids={"WP531"})

    assert hits and all(h.source == "wikipathways" for h in hits)
    assert "WP531" not in {h.pathway_id for h in hits}


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_search_text_is_a_clear_error(small_indexed_kb, text):
    with pytest.raises(ToolInputError, match="empty"):
        search_pathways(text, kb=small_indexed_kb)


@pytest.mark.parametrize("k", [0, -1, 101, 2.5, True])
def test_k_out_of_range_is_a_clear_error(small_indexed_kb, k):
    with pytest.raises(ToolInputError, match="k must be"):
        search_pathways("apoptosis", k=k, kb=small_indexed_kb)


def test_search_without_an_index_says_how_to_build_it(small_kb):
    with pytest.raises(KnowledgeBaseError, match="gene-r1 kb build"):
        search_pathways("apoptosis", kb=small_kb)


def test_rare_query_words_weigh_more_in_name_coverage():
    from gene_r1.knowledge_base.store import Pathway

    pathways = [Pathway(f"P{i}", "reactome", name, ()) for i, name in enumerate(
        ["DNA Repair", "Mismatch Repair", "DNA Replication", "DNA Damage Bypass", "Repair of DNA", "Glycolysis"])]
    lexicon = Lexicon.from_pathways(pathways)
    query = words("DNA mismatch repair")

    assert lexicon.coverage(query, "P1") > lexicon.coverage(query, "P0") > lexicon.coverage(query, "P5") == 0.0


def test_words_drop_stop_words_and_plural_s():
    assert words("Signaling by Receptors of the Cells") == ["signaling", "receptor", "cell"]


@pytest.mark.slow
def test_dna_mismatch_repair_finds_reactomes_mismatch_repair_in_the_top_three(real_kb):
    hits = search_pathways("DNA mismatch repair", k=3, kb=real_kb)

    assert "R-HSA-5358508" in [h.pathway_id for h in hits], hits


@pytest.mark.slow
def test_real_search_with_genes_keeps_only_overlapping_pathways(real_kb):
    hits = search_pathways("cell cycle", k=10, genes=["MLH1"], kb=real_kb)

    assert hits
    assert all("MLH1" in real_kb.enrichment_index.gene_sets[h.pathway_id] for h in hits)
