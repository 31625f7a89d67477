"""The agent judges like an analyst: it says when genes share no function, names each theme from strong
evidence, and every number in its verdict is quoted from the evidence or the null."""

from __future__ import annotations

import random
import re

import pytest

from gene_r1.agent.api import analyze
from gene_r1.agent.headline import MIN_SHARE_OF_BEST
from gene_r1.agent.state import NO_COHERENT_FUNCTION
from gene_r1.tools.formatting import fdr_text

RANDOM_TEN = ["OR1A1", "KRT1", "ALB", "INS", "MYH7", "TTN", "CD19", "GFAP", "NPHS1", "SFTPC"]
MITOSIS = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]
INTERFERON = ["ISG15", "IFIT1", "IFIT3", "MX1", "OAS1", "OAS2", "RSAD2", "IFI44L", "STAT1", "IRF7"]
HYPOXIA = ["VEGFA", "SLC2A1", "PGK1", "LDHA", "CA9", "BNIP3", "ADM", "ENO1", "ALDOA", "P4HA1", "NDRG1", "EGLN3"]
EXHAUSTION = ["PDCD1", "HAVCR2", "LAG3", "TIGIT", "CTLA4", "TOX", "ENTPD1", "CXCL13", "LAYN"]
CDK1_TRIPLE = ["CDK1", "CCNB1", "PLK1"]


@pytest.fixture(scope="module")
def context(agent_context):
    return agent_context


def chosen_candidate(analysis) -> dict:
    return next(c for c in analysis.candidates if c["number"] == analysis.chosen_number)


def test_ten_random_genes_have_no_coherent_function(context):
    analysis = analyze(RANDOM_TEN, context=context)
    assert analysis.verdict == "no coherent function"
    assert analysis.name == NO_COHERENT_FUNCTION
    assert analysis.coherence["coherence"] < 0.5
    assert all(theme["weak"] for theme in analysis.themes)
    assert "No coherent function" in analysis.coherence["summary"]


@pytest.mark.parametrize("genes", [MITOSIS, INTERFERON, HYPOXIA, EXHAUSTION, CDK1_TRIPLE],
                         ids=["mitosis", "interferon", "hypoxia", "exhaustion", "cdk1-ccnb1-plk1"])
def test_textbook_sets_are_coherent_and_their_headline_rests_on_strong_evidence(context, genes):
    analysis = analyze(genes, context=context)
    assert analysis.verdict in ("coherent", "partly coherent")
    chosen = chosen_candidate(analysis)
    assert chosen["fdr"] is not None and chosen["fdr"] <= 0.05
    lead = analysis.themes[0]
    assert chosen["pathway_id"] == lead["pathway_id"] and analysis.name == lead["name"]
    best_in_theme = max(len(r["overlap_genes"]) for r in analysis.evidence if r["pathway_id"] in lead["pathway_ids"])
    assert len(chosen["overlap_genes"]) >= MIN_SHARE_OF_BEST * best_in_theme
    assert chosen["pathway_id"] in {row["pathway_id"] for row in analysis.evidence}


@pytest.mark.parametrize(("genes", "weak_name"), [
    (INTERFERON, "Interferon Type I Signaling Pathways"),
    (CDK1_TRIPLE, "Phosphorylation of Emi1"),
], ids=["search-only-1-of-10", "one-reaction"])
def test_the_names_quoted_in_the_issue_no_longer_head_these_sets(context, genes, weak_name):
    assert analyze(genes, context=context).name != weak_name


def test_a_mixed_list_yields_each_theme_with_its_genes_and_the_rest_unexplained(context):
    kb = context.kb
    interferon = sorted(kb.store.pathway("R-HSA-909733").genes)[:40]
    cholesterol = sorted(kb.store.pathway("R-HSA-191273").genes)[:20]
    background = sorted(kb.enrichment_index.background(("reactome", "wikipathways")) - set(interferon)
                        - set(cholesterol))
    noise = random.Random(7).sample(background, 80)
    analysis = analyze(interferon + cholesterol + noise, context=context)
    themes = {t["name"]: t for t in analysis.themes}
    ifn = [t for name, t in themes.items() if re.search(r"interferon", name, re.I)]
    sterol = [t for name, t in themes.items() if re.search(r"cholesterol|sterol", name, re.I)]
    assert ifn and sterol, list(themes)
    assert len(set(ifn[0]["genes"]) & set(interferon)) >= 30
    assert len(set(sterol[0]["genes"]) & set(cholesterol)) >= 15
    assert analysis.verdict == "partly coherent"
    assert len(set(analysis.unexplained_genes) & set(noise)) >= 60


def quoted_numbers(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,]*(?:\.\d+)?(?:e-?\d+)?", text))


@pytest.mark.parametrize("genes", [RANDOM_TEN, MITOSIS, INTERFERON + ["LDLR", "HMGCR", "SQLE"]],
                         ids=["random", "mitosis", "interferon-plus"])
def test_every_number_in_the_verdict_words_is_quoted_from_its_fields(context, genes):
    analysis = analyze(genes, context=context)
    c = analysis.coherence
    allowed = {f"{c[k]}" for k in ("set_size", "covered_genes", "explained_genes", "null_draws", "null_reached",
                                     "null_set_size")}
    allowed |= {f"{c['set_size'] - c['explained_genes']}", f"{c['coherence']:.2f}", f"{c['name_confidence']:.2f}",
                f"{len(analysis.themes)}", "500", "0.5", "1"}  # the theme count; the stated cut-offs; "1 in N"
    for theme in analysis.themes:
        allowed |= {f"{len(theme['genes'])}", fdr_text(theme["best_fdr"], spec=".1e")}
        allowed |= quoted_numbers(theme["name"])
    said = " ".join([c["summary"], *c["reasons"]])
    assert quoted_numbers(said) <= {n for a in allowed for n in quoted_numbers(a)}, said
