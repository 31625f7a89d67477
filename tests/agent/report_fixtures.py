"""Hand-made analysis dicts in the shape of `agent.api.Analysis.to_dict()`, for report tests."""

from __future__ import annotations

INJECTION = "<img src=x onerror=alert(1)>"


def evidence_row(pathway_id, name, fdr, genes, *, p=None, kind="enrichment", source="reactome", size=50):
    return {
        "pathway_id": pathway_id,
        "source": source,
        "name": name,
        "overlap_genes": list(genes),
        "pathway_size": size,
        "p_value": p if p is not None else fdr,
        "fdr": fdr,
        "odds_ratio": None if fdr is None else 12.0,
        "kind": kind,
    }


def cell_cycle_analysis(**overrides) -> dict:
    """A mitotic set whose evidence comes unsorted, with a pathway found by both enrichment and search."""
    evidence = [
        evidence_row("R-HSA-69620", "Cell Cycle Checkpoints", 4.6e-07, ["BUB1", "MAD2L1", "CDC20"], p=1e-8),
        evidence_row("R-HSA-68886", "M Phase", 4.7e-09, ["CDK1", "CCNB1", "PLK1", "AURKA"], p=1e-10, size=400),
        evidence_row("WP179", "Cell cycle", 3.7e-11, ["CDK1", "CCNB1", "CCNA2", "BUB1"], source="wikipathways"),
        evidence_row(
            "R-HSA-1640170", "Cell Cycle", 4.7e-09, ["CDK1", "CCNB1", "PLK1", "AURKA", "BUB1"], p=2e-11, size=2000
        ),
        evidence_row("R-HSA-73894", "DNA Repair", 0.2, ["CDK1"], size=330),
        evidence_row("R-HSA-73894", "DNA Repair", 0.2, ["CDK1"], size=330, kind="search"),
        evidence_row("R-HSA-9999", "Mitotic spindle assembly found by search", None, ["AURKA"], kind="search"),
    ]
    result = {
        "id": "mitosis",
        "input_genes": ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20", "COL1A1"],
        "genes": ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20", "COL1A1"],
        "name": "Mitotic cell cycle",
        "confidence": 0.82,
        "confidence_explanation": "the model's name matches the top evidence",
        "chosen_from": "model",
        "choice_explanation": "closest to the significant pathways",
        "reasoning": "**Mitosis** genes: CDK1 and CCNB1 form MPF.",
        "evidence": evidence,
        "verdicts": [
            {
                "claim": "Mitotic cell cycle",
                "kind": "name",
                "about": "",
                "verdict": "supported",
                "explanation": "4 pathways agree",
                "supporting_pathways": [],
                "supporting_genes": ["CDK1", "CCNB1"],
                "unsupported_genes": [],
            }
        ],
        "unexplained_genes": ["COL1A1"],
        "unknown_genes": [],
        "mapped_genes": [],
        "ambiguous_genes": [],
        "candidates": [],
        "proposals": [],
        "timings": {},
        "error": "",
    }
    return result | overrides


def coherence(verdict="coherent", *, value=0.93, name_confidence=0.71, set_size=9, covered=8, explained=8,
              draws=1000, reached=0, summary=None, reasons=None) -> dict:
    """An `agent.state.Coherence` as the judge fills it (summary and reasons are code-rendered sentences)."""
    return {
        "verdict": verdict,
        "coherence": value,
        "name_confidence": name_confidence,
        "set_size": set_size,
        "covered_genes": covered,
        "explained_genes": explained,
        "null_set_size": set_size,
        "null_draws": draws,
        "null_reached": reached,
        "summary": summary if summary is not None else
        f"{covered} of {set_size} genes share Cell cycle; random {set_size}-gene sets reach this in {reached} of "
        f"{draws} draws.",
        "reasons": reasons if reasons is not None else
        [f"Cell cycle (WP179) covers {covered} of {set_size} genes at FDR 3.7e-11."],
    }


def theme(number, name, pathway_id, genes, *, pathway_ids=None, best_fdr=1e-10, name_confidence=0.7, weak=False):
    return {
        "number": number,
        "name": name,
        "pathway_id": pathway_id,
        "genes": list(genes),
        "pathway_ids": list(pathway_ids or [pathway_id]),
        "best_fdr": best_fdr,
        "name_confidence": name_confidence,
        "weak": weak,
    }


def candidate(number, row, probability=0.4) -> dict:
    """A numbered candidate carrying its evidence row, as `agent.candidates` builds it."""
    return {key: row[key] for key in ("name", "pathway_id", "source", "kind", "overlap_genes", "pathway_size",
                                      "p_value", "fdr")} | {
        "number": number, "enrichment_rank": number, "ranker_score": 1.0, "probability": probability}


def coherent_cell_cycle_analysis(**overrides) -> dict:
    """The mitotic set with a verdict, one theme and numbered candidates, the chosen one ([2], "Mitotic Prometaphase")
    absent from the evidence rows, as when the judge picks a pathway ranked below those kept for the report."""
    base = cell_cycle_analysis()
    prometaphase = evidence_row("R-HSA-68877", "Mitotic Prometaphase", 2.1e-06, ["CDK1", "CCNB1", "PLK1", "BUB1"],
                                size=200)
    candidates = [candidate(1, base["evidence"][2]), candidate(2, prometaphase, 0.5),
                  candidate(3, base["evidence"][0], 0.1)]
    result = base | {
        "name": "Mitotic Prometaphase",
        "candidates": candidates,
        "chosen_number": 2,
        "verdict": "coherent",
        "coherence": coherence(),
        "name_confidence": 0.71,
        "themes": [theme(1, "Mitotic Prometaphase", "R-HSA-68877",
                         ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"],
                         pathway_ids=["WP179", "R-HSA-68877", "R-HSA-69620"], best_fdr=3.7e-11)],
    }
    return result | overrides


INTERFERON = ["ISG15", "IFIT1", "IFIT3", "MX1", "OAS1", "STAT1", "IRF7"]
CHOLESTEROL = ["HMGCR", "HMGCS1", "MVK", "FDFT1", "SQLE"]
NOISE = ["KRT1", "TTN", "GFAP"]


def mixed_analysis(**overrides) -> dict:
    """Interferon + cholesterol + noise: partly coherent, two themes, the noise genes unexplained."""
    genes = INTERFERON + CHOLESTEROL + NOISE
    ifn = evidence_row("R-HSA-909733", "Interferon alpha/beta signaling", 8.3e-18, INTERFERON, size=70)
    chol = evidence_row("R-HSA-191273", "Cholesterol biosynthesis", 2.2e-12, CHOLESTEROL, size=25)
    result = cell_cycle_analysis() | {
        "id": "mixed",
        "input_genes": genes,
        "genes": genes,
        "name": ifn["name"],
        "evidence": [ifn, chol],
        "candidates": [candidate(1, ifn, 0.6), candidate(2, chol, 0.3)],
        "chosen_number": 1,
        "verdicts": [],
        "unexplained_genes": NOISE,
        "verdict": "partly coherent",
        "name_confidence": 0.64,
        "coherence": coherence("partly coherent", value=0.58, name_confidence=0.64, set_size=len(genes),
                               covered=len(INTERFERON), explained=len(INTERFERON) + len(CHOLESTEROL),
                               summary="7 of 15 genes share Interferon alpha/beta signaling and 5 share Cholesterol "
                               "biosynthesis; 3 are not explained.",
                               reasons=["2 themes cover 12 of 15 genes."]),
        "themes": [theme(1, ifn["name"], ifn["pathway_id"], INTERFERON, best_fdr=8.3e-18, name_confidence=0.64),
                   theme(2, chol["name"], chol["pathway_id"], CHOLESTEROL, best_fdr=2.2e-12, name_confidence=0.52)],
    }
    return result | overrides


def random_analysis(**overrides) -> dict:
    """Ten unrelated genes: no coherent function, the closest theme listed weak."""
    genes = ["OR1A1", "KRT1", "ALB", "INS", "MYH7", "TTN", "CD19", "GFAP", "NPHS1", "SFTPC"]
    metabolism = evidence_row("R-HSA-1430728", "Metabolism", 0.03, ["ALB", "INS"], size=2000)
    result = cell_cycle_analysis() | {
        "id": "random",
        "input_genes": genes,
        "genes": genes,
        "name": "No coherent function",
        "evidence": [metabolism],
        "candidates": [candidate(1, metabolism, 0.2)],
        "chosen_number": None,
        "verdicts": [],
        "unexplained_genes": genes,
        "verdict": "no coherent function",
        "name_confidence": 0.0,
        "coherence": coherence("no coherent function", value=0.04, name_confidence=0.0, set_size=10, covered=2,
                               explained=0, draws=1000, reached=412,
                               summary="No specific function covers these 10 genes: the best pathway covers 2, "
                               "and 412 of 1000 random 10-gene sets do as well.",
                               reasons=["The strongest FDR, 0.03, is reached by 412 of 1000 random sets."]),
        "themes": [theme(1, "Metabolism", "R-HSA-1430728", ["ALB", "INS"], best_fdr=0.03, name_confidence=0.05,
                         weak=True)],
    }
    return result | overrides
