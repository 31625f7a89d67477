"""Checking claims against the knowledge base (GeneAgent-style self-verification).

A claim is checked by finding pathways that match it (semantic search over pathway documents, restricted to
pathways that contain some of the genes) and asking whether those pathways significantly overlap the genes.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence

from agent.config import AgentConfig
from agent.evidence import is_significant, row_from_pathway
from agent.state import ClaimVerdict, EvidenceRow
from tools.formatting import fdr_text

# A gene-symbol-like token standing alone: not part of a complex or pathway name such as "APC/C" or "MCM2-7".
SYMBOL_PATTERN = re.compile(r"(?<![\w/:-])[A-Z][A-Z0-9]{1,9}(?:-[A-Z0-9]+)?(?![\w/:-])")
MIN_SUPPORTING_OVERLAP = 2


def matching_pathways(
    claim: str, genes: Sequence[str], kb, enrichment: dict[str, EvidenceRow], config: AgentConfig
) -> list[tuple[EvidenceRow, float]]:
    """Pathways similar to `claim` that contain some of `genes`, with their similarity, best first."""
    from tools import search_pathways

    hits = search_pathways(claim, k=config.search_k, genes=list(genes), kb=kb)
    matches = []
    for hit in hits:
        if hit.score < config.min_claim_similarity:
            continue
        pathway = kb.store.pathway(hit.pathway_id)
        if pathway is not None and pathway.source in config.sources:
            matches.append((row_from_pathway(pathway, genes, enrichment), float(hit.score)))
    return matches


def check_name(
    name: str, genes: Sequence[str], kb, enrichment: dict[str, EvidenceRow], config: AgentConfig
) -> ClaimVerdict:
    """Is there a pathway like `name` that significantly overlaps the genes?"""
    if not name.strip():
        return _verdict(name, "name", name, "not supported", "The model gave no process name.", [], [])
    matches = matching_pathways(name, genes, kb, enrichment, config)
    needed = min(MIN_SUPPORTING_OVERLAP, len(genes))
    significant = [
        row for row, _ in matches if is_significant(row, config.fdr_threshold) and len(row["overlap_genes"]) >= needed
    ]
    overlapping = [row for row, _ in matches if row["overlap_genes"]]
    if significant:
        best = min(significant, key=lambda row: row["fdr"])
        verdict, why = (
            "supported",
            (
                f"{best['name']} ({best['pathway_id']}) matches the name and overlaps {len(best['overlap_genes'])} "
                f"genes at FDR {best['fdr']:.2g}."
            ),
        )
        rows = significant
    elif overlapping:
        best = max(overlapping, key=lambda row: len(row["overlap_genes"]))
        verdict, why = (
            "partly supported",
            (
                f"{best['name']} ({best['pathway_id']}) matches the name and contains "
                f"{len(best['overlap_genes'])} of the genes, but not significantly (FDR {_fdr_text(best)})."
            ),
        )
        rows = overlapping
    else:
        verdict, why = (
            "not supported",
            ("No pathway matching the name contains these genes in Reactome or WikiPathways."),
        )
        rows = []
    supporting = sorted({g for row in rows for g in row["overlap_genes"]})
    return _verdict(name, "name", name, verdict, why, rows, supporting, [g for g in genes if g not in supporting])


def check_gene_roles(name: str, claimed: Sequence[str], name_verdict: ClaimVerdict) -> ClaimVerdict:
    """The reasoning says genes `claimed` act in `name`: which of them do the supporting pathways contain?"""
    supported = [g for g in claimed if g in set(name_verdict["supporting_genes"])]
    missing = [g for g in claimed if g not in supported]
    claim = f"{', '.join(claimed)} act in {name}"
    if claimed and len(supported) * 2 >= len(claimed) and name_verdict["verdict"] == "supported":
        verdict = "supported"
    elif supported:
        verdict = "partly supported"
    else:
        verdict = "not supported"
    why = f"{len(supported)} of {len(claimed)} genes are members of the pathways supporting the name" + (
        f"; not: {', '.join(missing)}." if missing else "."
    )
    return _verdict(claim, "genes", name, verdict, why, name_verdict["supporting_pathways"], supported, missing)


def mentioned_genes(text: str, genes: Sequence[str], known_symbols: Container[str]) -> tuple[list[str], list[str]]:
    """Gene symbols the text mentions: (those in the input set, known genes that are not in it).

    `known_symbols` holds upper-cased approved symbols (the tokens matched here are upper case)."""
    inside, outside = [], []
    wanted = set(genes)
    for token in dict.fromkeys(SYMBOL_PATTERN.findall(text)):
        if token in wanted:
            inside.append(token)
        elif token in known_symbols:
            outside.append(token)
    return inside, outside


def check_outside_genes(outside: Sequence[str]) -> ClaimVerdict:
    return _verdict(
        f"The reasoning names genes outside the input set: {', '.join(outside)}",
        "mentioned_genes",
        ", ".join(outside),
        "not supported",
        "These genes are not in the gene set; statements about them are not evidence for this set.",
        [],
        [],
        list(outside),
    )


def _fdr_text(row: EvidenceRow) -> str:
    return fdr_text(row["fdr"], missing="not tested")


def _verdict(claim, kind, about, verdict, why, rows, supporting, unsupported=()) -> ClaimVerdict:
    return ClaimVerdict(
        claim=claim,
        kind=kind,
        about=about,
        verdict=verdict,
        explanation=why,
        supporting_pathways=list(rows)[:5],
        supporting_genes=list(supporting),
        unsupported_genes=list(unsupported),
    )


def check_quoted_candidate(candidate: dict, genes: Sequence[str], kb) -> ClaimVerdict:
    """Re-derive a candidate the reasoning quotes from the store: does the pathway exist, under this name, and
    contain exactly the genes the reasoning says it does?"""
    claim = f"[{candidate['number']}] {candidate['name']} ({candidate['pathway_id']}) contains " \
            f"{len(candidate['overlap_genes'])} of the {len(genes)} genes"
    pathway = kb.store.pathway(candidate["pathway_id"])
    if pathway is None:
        return _verdict(claim, "evidence", candidate["pathway_id"], "not supported",
                        f"{candidate['pathway_id']} is not in the knowledge base.", [], [],
                        list(candidate["overlap_genes"]))
    members = set(pathway.genes)
    actual = sorted(g for g in genes if g in members)
    if actual == sorted(candidate["overlap_genes"]) and pathway.name == candidate["name"]:
        return _verdict(claim, "evidence", candidate["pathway_id"], "supported",
                        f"The knowledge base holds {pathway.id} with these {len(actual)} genes of the set.",
                        [], actual)
    return _verdict(claim, "evidence", candidate["pathway_id"], "not supported",
                    f"The knowledge base's {pathway.id} ({pathway.name}) holds {len(actual)} of the genes, "
                    "not what the reasoning says.", [], actual,
                    sorted(set(candidate["overlap_genes"]) - set(actual)))
