"""The enrichment index's rules that its statistics tests leave open: tie order, the background per source
selection, names, result limits, and what an empty test reports. Each was written for a mutant of
tools/enrichment_index.py that the other tests let survive (mutmut, issue 19)."""

from __future__ import annotations

import pytest

from gene_r1.tools.enrichment_index import LARGE_QUERY, EnrichmentIndex
from tests.tools.conftest import MISMATCH


def library(gene_sets: dict[str, set[str]], sources: dict[str, str], names: dict[str, str] | None = None):
    names = names if names is not None else {k: f"name of {k}" for k in gene_sets}
    return EnrichmentIndex(gene_sets, names, sources)


def test_hits_with_the_same_p_value_list_the_larger_overlap_first_then_by_id():
    index = library({"S1": {"A", "B"}, "S2": {"A", "B", "C", "D"}, "S3": {"E", "F"}},
                    {"S1": "x", "S2": "x", "S3": "x"})
    hits = index.enrich(list("ABCDEF"), max_results=None).hits  # the whole background: p = 1 for every set
    assert [(hit.pathway_id, hit.overlap, hit.p_value) for hit in hits] == [("S2", 4, 1.0), ("S1", 2, 1.0),
                                                                            ("S3", 2, 1.0)]


def test_the_background_follows_each_call_s_sources_even_after_another_selection_was_cached():
    index = library({"R1": {"A", "B", "C"}, "R2": {"C", "D"}, "W1": {"A", "X", "Y", "Z"}},
                    {"R1": "reactome", "R2": "reactome", "W1": "wikipathways"})
    only_reactome = index.enrich(["A", "C"], sources=["reactome"])
    everything = index.enrich(["A", "C"])
    only_wikipathways = index.enrich(["A", "C"], sources=["wikipathways"])
    assert (only_reactome.background_size, everything.background_size, only_wikipathways.background_size) == (4, 7, 4)
    assert index.background(["reactome"]) == frozenset("ABCD")
    assert only_wikipathways.outside_background == ("C",)


def test_from_store_reads_only_the_sources_asked_for(small_kb):
    index = EnrichmentIndex.from_store(small_kb.store, ("wikipathways",))
    assert set(index.sources) == {"wikipathways"}
    assert index.ids == ("WP179", "WP531", "WP534")


def test_each_hit_carries_its_set_s_name_and_a_set_without_one_is_named_by_its_id():
    index = library({"S1": {"A", "B"}, "S2": {"A", "C"}}, {"S1": "x", "S2": "x"}, names={"S1": "Mismatch repair"})
    names = {hit.pathway_id: hit.name for hit in index.enrich(["A", "B", "C"]).hits}
    assert names == {"S1": "Mismatch repair", "S2": "S2"}


def test_a_set_without_a_source_is_tested_under_no_source():
    index = EnrichmentIndex({"S1": {"A", "B"}}, {"S1": "one"}, {})
    assert [hit.source for hit in index.enrich(["A"]).hits] == [""]


def test_max_results_zero_gives_no_hits_but_still_tests_every_set(small_kb):
    result = small_kb.enrichment_index.enrich(list(MISMATCH), max_results=0)
    assert result.hits == () and result.sets_tested > 0


def test_a_query_with_no_gene_in_the_background_reports_an_empty_test():
    index = library({"S1": {"A", "B"}}, {"S1": "x"})
    result = index.enrich(["NOTAGENE", "XYZ9"])
    assert (result.hits, result.tested_genes, result.outside_background) == ((), (), ("NOTAGENE", "XYZ9"))
    assert (result.background_size, result.sets_tested) == (2, 0)
    assert result.notes == ("No query gene is in any tested gene set: nothing to test.",)


def test_a_query_of_exactly_the_large_size_gets_no_large_query_note_and_one_more_gene_does():
    genes = [f"G{i}" for i in range(LARGE_QUERY + 1)]
    index = library({"S1": set(genes[:3])}, {"S1": "x"})
    assert not any("large query" in note for note in index.enrich(genes[:LARGE_QUERY]).notes)
    assert any(note.startswith(f"{LARGE_QUERY + 1} genes is a large query") for note in index.enrich(genes).notes)


def test_a_single_tested_gene_is_noted_in_the_house_wording():
    index = library({"S1": {"A", "B"}}, {"S1": "x"})
    assert index.enrich(["A"]).notes == (
        "Only one gene was tested: over-representation of a single gene is weak evidence.",)


def test_no_sources_at_all_is_a_clear_error():
    index = library({"S1": {"A"}}, {"S1": "reactome"})
    with pytest.raises(ValueError, match=r"\(none given\)"):
        index.enrich(["A"], sources=[])
