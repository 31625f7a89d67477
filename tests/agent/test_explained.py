"""Which genes the evidence explains: only significant pathways that are specific enough count."""

from gene_r1.agent.explained import DEFAULT_MAX_PATHWAY_SIZE, explained_genes, explaining_rows
from tests.agent.report_fixtures import evidence_row

GENES = ["CDK1", "CCNB1", "PLK1", "COL1A1", "ALB"]


def test_a_gene_only_in_a_huge_pathway_stays_unexplained():
    evidence = [
        evidence_row("R-HSA-68886", "M Phase", 1e-9, ["CDK1", "CCNB1", "PLK1"], size=400),
        evidence_row("R-HSA-168256", "Immune System", 1e-3, ["CDK1", "COL1A1"], size=2161),
    ]
    split = explained_genes(GENES, evidence, fdr_threshold=0.05, max_pathway_size=500)
    assert split.explained == ("CDK1", "CCNB1", "PLK1")
    assert split.unexplained == ("COL1A1", "ALB")


def test_a_pathway_that_is_not_significant_explains_nothing():
    evidence = [evidence_row("R-HSA-1", "Small pathway", 0.2, ["ALB"], size=20)]
    assert explained_genes(["ALB"], evidence, fdr_threshold=0.05).unexplained == ("ALB",)


def test_search_hits_without_an_fdr_explain_nothing():
    evidence = [evidence_row("R-HSA-2", "Found by search", None, ["ALB"], kind="search", size=20)]
    assert explained_genes(["ALB"], evidence).unexplained == ("ALB",)


def test_without_a_cap_every_significant_pathway_explains():
    evidence = [evidence_row("R-HSA-168256", "Immune System", 1e-3, ["COL1A1"], size=2161)]
    assert explained_genes(["COL1A1"], evidence, max_pathway_size=None).explained == ("COL1A1",)


def test_genes_vouched_for_by_the_caller_count_as_explained_and_order_is_the_inputs():
    split = explained_genes(["ALB", "CDK1", "ALB"], [], also_explained=["ALB"])
    assert split.explained == ("ALB",) and split.unexplained == ("CDK1",)


def test_the_default_cap_admits_mid_sized_pathways_and_rejects_the_largest():
    rows = [
        evidence_row("a", "mid", 1e-5, ["X", "Z"], size=DEFAULT_MAX_PATHWAY_SIZE),
        evidence_row("b", "huge", 1e-5, ["Y", "Z"], size=DEFAULT_MAX_PATHWAY_SIZE + 1),
    ]
    assert [r["pathway_id"] for r in explaining_rows(rows)] == ["a"]


def test_a_pathway_sharing_a_single_gene_with_the_set_explains_nothing():
    rows = [evidence_row("a", "tiny drug pathway", 1e-2, ["ALB"], size=5),
            evidence_row("b", "mismatch repair", 1e-9, ["MLH1", "MSH2"], size=20)]
    split = explained_genes(["MLH1", "MSH2", "ALB"], rows)
    assert split.unexplained == ("ALB",)


def test_a_pathway_exactly_at_the_fdr_threshold_explains_its_genes():
    rows = [evidence_row("a", "mismatch repair", 0.05, ["MLH1", "MSH2"], size=20)]
    assert explained_genes(["MLH1", "MSH2"], rows, fdr_threshold=0.05).explained == ("MLH1", "MSH2")


def test_a_stricter_fdr_threshold_leaves_a_weaker_pathway_s_genes_unexplained():
    rows = [evidence_row("a", "mismatch repair", 0.03, ["MLH1", "MSH2"], size=20)]
    assert explained_genes(["MLH1", "MSH2"], rows, fdr_threshold=0.01).unexplained == ("MLH1", "MSH2")
    assert explained_genes(["MLH1", "MSH2"], rows).explained == ("MLH1", "MSH2")  # the default threshold, 0.05
