from __future__ import annotations

import dataclasses
import random
import re

import numpy as np
import pytest
from scipy.stats import hypergeom

from gene_r1.tools import enrich, run_enrichment
from gene_r1.tools.context import KnowledgeBase
from gene_r1.tools.enrichment import EnrichmentIndex
from gene_r1.tools.errors import ToolInputError
from gene_r1.tools.stats import benjamini_hochberg
from tests.tools.conftest import CELL_CYCLE, MISMATCH, make_home, small_contents

MITOTIC = re.compile(r"cell cycle|mitotic|mitosis|APC/C|G2/M|M phase|spindle|kinetochore|checkpoint", re.I)


def gseapy_table(genes, gene_sets, background):
    import gseapy

    result = gseapy.enrich(list(genes), gene_sets={k: list(v) for k, v in gene_sets.items()},
                           background=set(background), outdir=None, no_plot=True, verbose=False)
    return result.results.set_index("Term")


def test_p_values_are_the_hypergeometric_upper_tail(small_kb):
    index = small_kb.enrichment_index
    genes = list(MISMATCH[:3]) + ["CDK1"]

    result = index.enrich(genes, max_results=None)

    population = len(index.background())
    assert result.background_size == population
    for hit in result.hits:
        expected = hypergeom.sf(hit.overlap - 1, population, hit.pathway_size, len(genes))
        assert hit.p_value == pytest.approx(expected, rel=1e-12)
        assert set(hit.overlap_genes) == set(genes) & set(index.gene_sets[hit.pathway_id])


def test_fdr_is_benjamini_hochberg_over_the_sets_that_share_a_gene(small_kb):
    result = small_kb.enrichment_index.enrich(["MLH1", "MSH2", "CDK1"], max_results=None)

    p = np.array([h.p_value for h in result.hits])
    assert result.sets_tested == len(result.hits) == 6  # 3 repair and 3 cell-cycle pathways
    m = len(p)
    expected = [min(1.0, min(p[j] * m / (np.sum(p <= p[j])) for j in range(m) if p[j] >= p[i])) for i in range(m)]
    assert [h.fdr for h in result.hits] == pytest.approx(expected, rel=1e-12)


def test_benjamini_hochberg_is_monotone_and_capped():
    adjusted = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.9, 0.5]))

    assert adjusted.tolist() == pytest.approx([0.05, 0.2 / 3, 0.2 / 3, 0.9, 0.625])
    assert benjamini_hochberg(np.array([])).size == 0


def test_hits_are_ranked_by_p_value(small_kb):
    hits = enrich(list(MISMATCH), kb=small_kb)

    assert hits[0].pathway_id == "R-HSA-5358508"  # all 5 genes, and nothing else
    assert [h.p_value for h in hits] == sorted(h.p_value for h in hits)


def test_odds_ratio_uses_the_haldane_anscombe_correction(small_kb):
    hit = enrich(["MLH1", "MSH2"], kb=small_kb)[0]
    n = small_kb.enrichment_index.enrich(["MLH1"]).background_size
    x, m, k = hit.overlap, hit.pathway_size, 2

    assert hit.odds_ratio == pytest.approx(((x + 0.5) * (n - m - k + x + 0.5)) / ((m - x + 0.5) * (k - x + 0.5)))


def test_exclude_ids_removes_sets_before_testing(small_kb):
    full = run_enrichment(list(MISMATCH), kb=small_kb, max_results=None)
    reduced = run_enrichment(list(MISMATCH), kb=small_kb, max_results=None, exclude_ids={"R-HSA-5358508", "WP531"})

    assert "R-HSA-5358508" not in {h.pathway_id for h in reduced.hits}
    assert reduced.sets_tested == full.sets_tested - 2
    assert reduced.background_size == full.background_size


def test_sources_restrict_the_libraries_and_the_background(small_kb):
    result = run_enrichment(list(CELL_CYCLE), ("wikipathways",), kb=small_kb, max_results=None)

    assert {h.source for h in result.hits} == {"wikipathways"}
    assert result.background_size == len(small_kb.enrichment_index.background(["wikipathways"]))
    assert set(result.outside_background) == {"MAD2L1", "CDC20"}  # in no WikiPathways set


def test_an_unknown_source_is_a_clear_error(small_kb):
    with pytest.raises(ToolInputError, match="kegg.*choose from reactome, wikipathways"):
        enrich(["CDK1"], ("kegg",), kb=small_kb)


def test_genes_outside_the_background_are_reported_not_tested(small_kb):
    result = run_enrichment(["MLH1", "MSH2", "NOPATH1"], kb=small_kb)

    assert result.tested_genes == ("MLH1", "MSH2")
    assert result.outside_background == ("NOPATH1",)


def test_unknown_symbols_are_reported_in_the_normalisation(small_kb):
    result = run_enrichment(["mlh1", "MSH2", "NOTAGENE"], kb=small_kb)

    assert result.normalisation.unknown == ("NOTAGENE",)
    assert result.tested_genes == ("MLH1", "MSH2")


def test_a_single_gene_is_tested_with_a_note(small_kb):
    result = run_enrichment(["MLH1"], kb=small_kb)

    assert result.hits and all(h.overlap == 1 for h in result.hits)
    assert any("one gene" in note for note in result.notes)


def test_only_unknown_genes_give_no_hits_and_say_why(small_kb):
    result = run_enrichment(["NOTAGENE", "XYZ9"], kb=small_kb)

    assert result.hits == ()
    assert "nothing to test" in result.notes[0]


def test_max_results_limits_the_hits(small_kb):
    assert len(enrich(list(CELL_CYCLE) + list(MISMATCH), kb=small_kb, max_results=2)) == 2


def test_an_explicit_universe_restricts_the_sets_like_gseapy():
    gene_sets = {"GO:1": {"A", "B", "C", "Z"}, "GO:2": {"B", "D", "E"}, "GO:3": {"F", "G"}}
    universe = [chr(c) for c in range(ord("A"), ord("T"))]  # A..S: Z is outside
    index = EnrichmentIndex(gene_sets, {k: k for k in gene_sets}, {k: "go" for k in gene_sets},
                            universe=universe)

    result = index.enrich(["A", "B", "F", "S"], max_results=None)
    reference = gseapy_table(["A", "B", "F", "S"], gene_sets, universe)

    assert result.background_size == len(universe)
    for hit in result.hits:
        row = reference.loc[hit.pathway_id]
        assert hit.p_value == pytest.approx(row["P-value"], rel=1e-9)
        assert hit.fdr == pytest.approx(row["Adjusted P-value"], rel=1e-9)
        assert hit.odds_ratio == pytest.approx(row["Odds Ratio"], rel=1e-9)
        assert row["Overlap"] == f"{hit.overlap}/{hit.pathway_size}"


@pytest.mark.slow
def test_mitotic_genes_rank_cell_cycle_pathways_first(real_kb):
    hits = enrich(list(CELL_CYCLE), kb=real_kb)

    assert MITOTIC.search(hits[0].name), hits[0].name
    assert sum(bool(MITOTIC.search(h.name)) for h in hits[:5]) >= 4, [h.name for h in hits[:5]]
    assert all(h.fdr < 1e-5 for h in hits[:5])


def _real_queries(kb):
    rng = random.Random(7)
    index = kb.enrichment_index
    big = [pid for pid in index.ids if len(index.gene_sets[pid]) >= 60]
    queries = [list(CELL_CYCLE), ["MLH1", "MSH2", "MSH6", "PMS2", "EXO1", "POLD1"]]
    for pid in rng.sample(big, 2):  # half from one pathway, half from the whole background
        members = sorted(index.gene_sets[pid])
        queries.append(rng.sample(members, 25) + rng.sample(index.genes, 25))
    return queries


@pytest.mark.slow
def test_fast_path_agrees_with_gseapy_on_real_pathways(real_kb):
    index = real_kb.enrichment_index
    gene_sets = {pid: index.gene_sets[pid] for pid in index.ids}
    background = index.background()

    for genes in _real_queries(real_kb):
        result = index.enrich(genes, max_results=None)
        reference = gseapy_table(genes, gene_sets, background)
        assert len(result.hits) == len(reference)
        ours = np.array([h.p_value for h in result.hits])
        theirs = reference.loc[[h.pathway_id for h in result.hits], "P-value"].to_numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-300)
        fdr = reference.loc[[h.pathway_id for h in result.hits], "Adjusted P-value"].to_numpy()
        np.testing.assert_allclose([h.fdr for h in result.hits], fdr, rtol=1e-9)
        # Same ranking up to ties: our top 20 are gseapy's 20 smallest p-values.
        top = result.hits[:20]
        smallest = np.sort(reference["P-value"].to_numpy())[: len(top)]
        np.testing.assert_allclose([h.p_value for h in top], smallest, rtol=1e-9, atol=1e-300)
        cutoff = top[-1].p_value * (1 + 1e-9)
        assert {h.pathway_id for h in top} <= set(reference.index[reference["P-value"] <= cutoff])


@pytest.mark.slow
def test_five_thousand_genes_are_handled(real_kb):
    genes = random.Random(3).sample(real_kb.enrichment_index.genes, 5000)

    result = run_enrichment(genes, kb=real_kb, max_results=None)

    assert result.sets_tested > 3000
    assert all(0.0 <= h.p_value <= 1.0 and 0.0 <= h.fdr <= 1.0 for h in result.hits)
    assert any("large query" in note for note in result.notes)


def test_a_knowledge_base_without_one_source_still_enriches_with_the_default_sources(tmp_path):
    contents = small_contents()
    reactome_only = dataclasses.replace(contents, pathways=[p for p in contents.pathways if p.source == "reactome"])
    kb = KnowledgeBase.open(make_home(tmp_path / "home", reactome_only))

    hits = enrich(list(MISMATCH), kb=kb)

    assert hits and {h.source for h in hits} == {"reactome"}
