"""The training evidence library: the same ranking as gseapy's ORA, and leakage control."""

from __future__ import annotations

import pytest

from gene_r1.training.benchmarks import load_benchmark
from gene_r1.training.evidence import EvidenceLibrary


@pytest.fixture(scope="module")
def library(shared_data):
    return EvidenceLibrary.from_source_dir(shared_data)


def test_library_holds_reactome_and_wikipathways(library):
    sources = {s.source for s in library.sets}
    assert sources == {"reactome", "wikipathways"} and len(library.sets) > 3000


def test_ranking_and_statistics_match_gseapy(library, shared_data):
    import gseapy

    gene_sets = {f"{s.id}": sorted(s.genes) for s in library.sets}
    background = set(library.genes)
    for case in load_benchmark(shared_data, "NeST")[:8]:
        ours = library.enrich(case.genes, max_results=3)
        table = gseapy.enrich(list(case.genes), gene_sets=gene_sets, background=background, outdir=None,
                              no_plot=True).results.sort_values(["Adjusted P-value", "P-value"])
        best = table.iloc[0]
        assert ours[0].fdr == pytest.approx(best["Adjusted P-value"], rel=1e-6)
        assert ours[0].p_value == pytest.approx(best["P-value"], rel=1e-6)
        assert ours[0].fdr == pytest.approx(table.iloc[0]["Adjusted P-value"])


def test_excluded_ids_are_not_tested(library):
    target = next(s for s in library.sets if s.id.startswith("R-HSA") and 10 <= len(s.genes) <= 30)
    assert library.enrich(target.genes, max_results=1)[0].pathway_id in library.leakage_ids(target.genes)
    hits = library.enrich(target.genes, exclude_ids=library.leakage_ids(target.genes, target.id), max_results=50)
    assert all(h.pathway_id != target.id and library.sets[library.by_id[h.pathway_id]].genes != target.genes
               for h in hits)


def test_leakage_ids_include_identical_gene_sets(library):
    duplicates = {}
    for s in library.sets:
        duplicates.setdefault(s.genes, []).append(s.id)
    ids = next(v for v in duplicates.values() if len(v) > 1)
    first = library.sets[library.by_id[ids[0]]]
    assert set(ids) <= library.leakage_ids(first.genes, first.id)


def test_unknown_genes_give_no_evidence(library):
    assert library.enrich(["NOT_A_GENE", "ALSO_NOT"]) == []
