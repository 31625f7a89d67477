"""Verdicts with degrees: a claim's name must match a pathway's (no substituted qualifier), and its pathways must cover
the genes about as well as what points elsewhere."""

from __future__ import annotations

import pytest

from gene_r1.agent.api import verify
from gene_r1.agent.state import EvidenceRow
from gene_r1.agent.verification import WeighedPathway, judge_claim, name_relation

REPAIR = ["MLH1", "MSH2", "MSH6", "PMS2", "EXO1", "POLD1", "PCNA", "RFC1"]
INTERFERON = ["ISG15", "IFIT1", "IFIT3", "MX1", "OAS1", "OAS2", "RSAD2", "IFI44L", "STAT1", "IRF7"]


# -- the lexical guard, on literal names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "name"),
    [
        ("Type I interferon signaling", "Type II Interferon Signaling"),
        ("Type I interferon signaling", "Interferon gamma signaling"),
        ("Type II interferon signaling", "Interferon alpha/beta signaling"),
        ("Base excision repair", "Nucleotide Excision Repair"),
        ("Nucleotide excision repair", "Base Excision Repair"),
        ("Base excision repair", "DNA Repair"),
        ("positive regulation of apoptotic process", "Negative regulation of apoptosis"),
        ("T cell activation", "B cell activation"),
        ("mitochondrial respiratory chain complex I assembly", "Complex II assembly"),
    ],
)
def test_a_substituted_qualifier_is_a_conflict(claim, name):
    assert name_relation(claim, name) == "conflict"


@pytest.mark.parametrize(
    ("claim", "name", "relation"),
    [
        ("Type I interferon signaling", "Interferon alpha/beta signaling", "same"),
        ("type I interferon-mediated signaling pathway", "Interferon alpha/beta signaling", "same"),
        ("Type II interferon signaling", "Interferon gamma signaling", "same"),
        ("cholesterol biosynthetic process", "Cholesterol biosynthesis", "same"),
        ("B cell receptor signaling pathway", "Signaling by the B Cell Receptor (BCR)", "narrower"),
        ("T cell receptor signaling pathway", "TCR signaling", "same"),
        ("Base excision repair", "PCNA-Dependent Long Patch Base Excision Repair", "narrower"),
        ("Type I interferon signaling", "Interferon Type I Signaling Pathways", "same"),
        ("DNA mismatch repair", "Mismatch Repair", "broader"),
        ("Type II interferon signaling", "Interferon Signaling", "broader"),
        ("p38MAPK cascade", "p38MAPK events", "broader"),
        ("apoptosis", "Programmed Cell Death", "unrelated"),
    ],
)
def test_added_or_dropped_words_and_synonyms_are_not_conflicts(claim, name, relation):
    assert name_relation(claim, name) == relation


# -- the verdict rule, on hand-made evidence ---------------------------------------------------------------------


def row(pathway_id: str, name: str, genes: list[str], fdr: float | None, size: int = 20) -> EvidenceRow:
    return EvidenceRow(pathway_id=pathway_id, source="reactome", name=name, overlap_genes=genes, pathway_size=size,
                       p_value=fdr, fdr=fdr, odds_ratio=None, kind="enrichment")


def weighed(claim: str, rows_and_similarity: list[tuple[EvidenceRow, float]]) -> list[WeighedPathway]:
    return [WeighedPathway(r, s, name_relation(claim, r["name"])) for r, s in rows_and_similarity]


GENES = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"]
MMR = row("R-1", "Mismatch Repair", GENES[:7], 1e-19)
BER = row("R-2", "Base Excision Repair", GENES[5:8], 1e-5)
NER = row("R-3", "Nucleotide Excision Repair", GENES[5:8], 1e-5)


def test_a_claim_whose_pathway_covers_as_many_genes_as_any_other_is_supported():
    check = judge_claim("Mismatch repair", GENES, weighed("Mismatch repair", [(MMR, 1.0), (BER, 0.6)]),
                        fdr_threshold=0.05)
    assert check.verdict["verdict"] == "supported" and check.stronger_alternative is None
    assert [r["pathway_id"] for r in check.verdict["supporting_pathways"]] == ["R-1"]


def test_a_claim_beaten_by_a_pathway_pointing_elsewhere_is_partly_supported_and_names_it():
    claim = "Base excision repair"
    check = judge_claim(claim, GENES, weighed(claim, [(MMR, 0.6), (BER, 1.0), (NER, 0.8)]), fdr_threshold=0.05)
    assert check.verdict["verdict"] == "partly supported"
    assert check.stronger_alternative["pathway_id"] == "R-1"
    assert "Mismatch Repair (R-1) covers 7 of 8 genes" in check.verdict["explanation"]
    assert [r["pathway_id"] for r in check.verdict["supporting_pathways"]] == ["R-2"]


def test_a_matching_pathway_that_is_not_significant_partly_supports():
    weak = row("R-4", "Base Excision Repair", GENES[:2], 0.3)
    check = judge_claim("Base excision repair", GENES, weighed("Base excision repair", [(weak, 1.0)]),
                        fdr_threshold=0.05)
    assert check.verdict["verdict"] == "partly supported" and "not significantly" in check.verdict["explanation"]


def test_a_claim_no_pathway_matches_is_not_supported_and_the_evidence_is_named():
    check = judge_claim("Fatty acid beta-oxidation", GENES, weighed("Fatty acid beta-oxidation", [(MMR, 0.3)]),
                        fdr_threshold=0.05)
    assert check.verdict["verdict"] == "not supported"
    assert check.stronger_alternative["pathway_id"] == "R-1" and "Mismatch Repair (R-1)" in check.verdict["explanation"]


def test_a_more_general_pathway_counts_only_when_nothing_as_specific_shares_genes():
    claim = "Type II interferon signaling"
    general = row("R-5", "Interferon Signaling", GENES, 1e-12, size=280)
    gamma = row("R-6", "Interferon gamma signaling", GENES[:3], 1e-5)
    alpha = row("R-7", "Interferon alpha/beta signaling", GENES[:7], 1e-17)
    check = judge_claim(claim, GENES, weighed(claim, [(general, 0.9), (gamma, 0.8), (alpha, 0.8)]),
                        fdr_threshold=0.05)
    assert check.verdict["verdict"] == "partly supported"
    assert [r["pathway_id"] for r in check.verdict["supporting_pathways"]] == ["R-6"]
    assert check.stronger_alternative["pathway_id"] == "R-7"


# -- the cases of issue 16, on the real knowledge base -----------------------------------------------------------


def pathway_names(rows: list[EvidenceRow]) -> list[str]:
    return [r["name"].lower() for r in rows]


def test_mismatch_repair_genes_support_a_mismatch_repair_claim(agent_context):
    result = verify("DNA mismatch repair", REPAIR, context=agent_context)
    assert result.verdict == "supported", result.explanation
    assert all("mismatch" in name for name in pathway_names(result.supporting_pathways))


@pytest.mark.parametrize("claim", ["Base excision repair", "Nucleotide excision repair"])
def test_an_excision_repair_claim_on_mismatch_repair_genes_names_mismatch_repair_as_stronger(agent_context, claim):
    result = verify(claim, REPAIR, context=agent_context)
    assert result.verdict in ("partly supported", "not supported"), result.explanation
    assert "mismatch repair" in result.stronger_alternative["name"].lower()
    assert result.stronger_alternative["name"] in result.explanation


def test_base_excision_repair_is_never_supported_by_a_nucleotide_excision_repair_pathway(agent_context):
    result = verify("Base excision repair", REPAIR, context=agent_context)
    assert not [name for name in pathway_names(result.supporting_pathways) if "nucleotide excision" in name]


def test_interferon_stimulated_genes_support_a_type_i_interferon_claim_through_alpha_beta_signaling(agent_context):
    result = verify("Type I interferon signaling", INTERFERON, context=agent_context)
    assert result.verdict == "supported", result.explanation
    assert "interferon alpha/beta signaling" in pathway_names(result.supporting_pathways)
    assert not {"interferon gamma signaling", "type ii interferon signaling"} & set(
        pathway_names(result.supporting_pathways))


def test_a_type_ii_interferon_claim_on_type_i_genes_is_not_supported_outright(agent_context):
    result = verify("Type II interferon signaling", INTERFERON, context=agent_context)
    assert result.verdict != "supported", result.explanation
    assert "interferon alpha/beta signaling" not in pathway_names(result.supporting_pathways)
