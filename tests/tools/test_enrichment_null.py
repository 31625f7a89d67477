"""The random-set null: the same statistics for a user's set and for random draws, cached per knowledge base."""

from __future__ import annotations

import math

import numpy as np

from gene_r1.agent.coherence import SHIPPED_NULL_DIR
from gene_r1.agent.explained import explained_genes
from gene_r1.tools.enrichment_null import (
    EnrichmentNull,
    NullComputer,
    compute_null,
    index_digest,
    load_or_compute_null,
    set_statistics,
)
from tests.tools.conftest import CELL_CYCLE, GLYCOLYSIS, OTHER

SOURCES = ("reactome", "wikipathways")
INTERFERON = ["ISG15", "IFIT1", "IFIT3", "MX1", "OAS1", "OAS2", "RSAD2", "IFI44L", "STAT1", "IRF7"]
RANDOM_TEN = ["OR1A1", "KRT1", "ALB", "INS", "MYH7", "TTN", "CD19", "GFAP", "NPHS1", "SFTPC"]


def test_best_evidence_is_the_strongest_specific_pathway_sharing_two_genes(real_kb):
    index = real_kb.enrichment_index
    stats = set_statistics(index, INTERFERON, SOURCES)
    hits = index.enrich(INTERFERON, sources=SOURCES, max_results=None).hits
    best = min(h.p_value for h in hits if h.pathway_size <= 500 and h.overlap >= 2)
    assert math.isclose(stats.best_log_p, -math.log10(best), rel_tol=1e-9)


def test_connected_share_counts_genes_sharing_a_small_pathway_with_another(real_kb):
    from gene_r1.tools.enrichment_null import SMALL_SIZE

    index = real_kb.enrichment_index
    genes = INTERFERON + RANDOM_TEN
    tested = [g for g in genes if g in index.gene_index]
    small = [index.gene_sets[sid] for j, sid in enumerate(index.ids)
             if len(index.gene_sets[sid]) <= SMALL_SIZE and index.sources[j] in SOURCES]
    mates = [g for g in tested if any(g in members and len(members & set(tested)) >= 2 for members in small)]
    assert set_statistics(index, genes, SOURCES).connected_fraction == len(mates) / len(tested)


def test_explained_share_agrees_with_the_report_rule_on_all_hits(real_kb):
    index = real_kb.enrichment_index
    for genes in (INTERFERON, RANDOM_TEN, list(CELL_CYCLE)):
        hits = index.enrich(genes, sources=SOURCES, max_results=None)
        rows = [{"fdr": h.fdr, "pathway_size": h.pathway_size, "overlap_genes": list(h.overlap_genes)}
                for h in hits.hits]
        split = explained_genes(list(hits.tested_genes), rows)
        stats = set_statistics(index, genes, SOURCES)
        assert stats.explained_fraction == len(split.explained) / len(hits.tested_genes)


def test_genes_outside_the_background_are_not_part_of_the_statistics(real_kb):
    index = real_kb.enrichment_index
    assert set_statistics(index, INTERFERON + ["NOTAGENE1"], SOURCES) == set_statistics(index, INTERFERON, SOURCES)
    assert set_statistics(index, ["NOTAGENE1"], SOURCES).best_log_p == 0.0


def test_random_draws_are_statistics_of_random_sets_of_that_size(small_kb):
    computer = NullComputer(small_kb.enrichment_index, SOURCES)
    best, explained, connected = computer.draw(5, 50, np.random.default_rng(1))
    assert best.shape == explained.shape == connected.shape == (50,)
    assert ((explained >= 0) & (explained <= 1)).all() and ((connected >= 0) & (connected <= 1)).all()
    coherent = set_statistics(small_kb.enrichment_index, list(GLYCOLYSIS[:5]), SOURCES, computer)
    assert coherent.best_log_p > np.median(best)
    assert coherent.explained_fraction == 1.0 and coherent.connected_fraction == 1.0


def test_reached_counts_draws_at_least_as_strong_at_the_nearest_size():
    null = EnrichmentNull(np.array([5, 10, 20]), [np.array([1.0, 2.0, 3.0])] * 3, [np.zeros(3)] * 3,
                          [np.zeros(3)] * 3, "x")
    assert null.reached(9, 2.0) == (2, 3)
    assert null.reached(9, 3.5) == (0, 3)
    assert null.nearest(14) == 1 and null.nearest(15) == 2 and null.nearest(500) == 2


def test_the_null_is_cached_beside_the_knowledge_base_and_reused(small_kb, tmp_path, monkeypatch):
    import gene_r1.tools.enrichment_null as module

    monkeypatch.setattr(module, "SIZE_GRID", (2, 4))
    calls = []
    original = module.compute_null
    monkeypatch.setattr(module, "compute_null", lambda *a, **k: calls.append(1) or original(*a, sizes=(2, 4), **k))
    first = load_or_compute_null(small_kb.enrichment_index, SOURCES, tmp_path / "null")
    second = load_or_compute_null(small_kb.enrichment_index, SOURCES, tmp_path / "null")
    assert len(calls) == 1
    assert first.digest == second.digest
    assert all((a == b).all() for a, b in zip(first.best_log_p, second.best_log_p, strict=True))


def test_the_null_is_deterministic_given_the_seed(small_kb):
    a = compute_null(small_kb.enrichment_index, SOURCES, sizes=(3, 6), seed=4)
    b = compute_null(small_kb.enrichment_index, SOURCES, sizes=(3, 6), seed=4)
    assert all((x == y).all() for x, y in zip(a.best_log_p, b.best_log_p, strict=True))


def test_a_different_knowledge_base_gets_a_different_null_key(small_kb, real_kb):
    assert index_digest(small_kb.enrichment_index, SOURCES) != index_digest(real_kb.enrichment_index, SOURCES)


def test_the_shipped_null_belongs_to_the_embedded_releases(real_kb):
    """The built test KB holds the same Reactome and WikiPathways releases as the embedded snapshot."""
    digest = index_digest(real_kb.enrichment_index, SOURCES)
    assert (SHIPPED_NULL_DIR / f"null-{digest}.npz").is_file(), "regenerate the shipped null (see docs/coherence.md)"


def test_filler_genes_are_drawn_from_the_background(small_kb):
    computer = NullComputer(small_kb.enrichment_index, SOURCES)
    background = {small_kb.enrichment_index.genes[i] for i in computer.background}
    assert set(OTHER[:20]) <= background and "NOPATH1" not in background
