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
