"""Evidence rows: enrichment and search hits as plain dicts the state, the prompt and reports share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gene_r1.agent.state import EvidenceRow


def row_from_enrichment(hit) -> EvidenceRow:
    return EvidenceRow(
        pathway_id=hit.pathway_id,
        source=hit.source,
        name=hit.name,
        overlap_genes=list(hit.overlap_genes),
        pathway_size=int(hit.pathway_size),
        p_value=float(hit.p_value),
        fdr=float(hit.fdr),
        odds_ratio=float(hit.odds_ratio),
        kind="enrichment",
    )


def row_from_pathway(pathway, genes: Iterable[str], enrichment: dict[str, EvidenceRow]) -> EvidenceRow:
    """A pathway found some other way (search), with its enrichment statistics when it was tested."""
    tested = enrichment.get(pathway.id)
    if tested is not None:
        return {**tested, "kind": "search"}
    members = set(pathway.genes)
    return EvidenceRow(
        pathway_id=pathway.id,
        source=pathway.source,
        name=pathway.name,
        overlap_genes=sorted(g for g in genes if g in members),
        pathway_size=len(members),
        p_value=None,
        fdr=None,
        odds_ratio=None,
        kind="search",
    )


def is_significant(row: EvidenceRow, fdr_threshold: float) -> bool:
    return row["fdr"] is not None and row["fdr"] <= fdr_threshold


def pathway_url(pathway_id: str) -> str:
    if pathway_id.startswith("R-"):
        return f"https://reactome.org/content/detail/{pathway_id}"
    if pathway_id.startswith("WP"):
        return f"https://www.wikipathways.org/pathways/{pathway_id}"
    if pathway_id.startswith("GO:"):
        return f"https://amigo.geneontology.org/amigo/term/{pathway_id}"
    return ""


def gather(
    genes: Sequence[str],
    kb,
    *,
    sources: Sequence[str],
    search_k: int,
    exclude_ids: Iterable[str] = (),
) -> tuple[list[EvidenceRow], list[EvidenceRow]]:
    """The agent's evidence engine: enrichment of `genes` (approved symbols), then semantic search around the
    strongest hit for pathways that contain the genes. Training and evaluation call this same function; they pass
    `exclude_ids` to hide the target pathway (and its near-duplicates) from the evidence."""
    from gene_r1.tools.enrichment import enrich
    from gene_r1.tools.search import search_pathways

    excluded = frozenset(exclude_ids)
    hits = enrich(list(genes), sources=sources, kb=kb, exclude_ids=excluded)
    evidence = [row_from_enrichment(hit) for hit in hits]
    search_rows: list[EvidenceRow] = []
    if evidence and search_k > 0:
        by_id = {row["pathway_id"]: row for row in evidence}
        found = search_pathways(evidence[0]["name"], k=search_k, genes=list(genes), kb=kb, exclude_ids=excluded,
                                sources=sources)
        for hit in found:
            pathway = kb.store.pathway(hit.pathway_id)
            if pathway is not None:
                search_rows.append(row_from_pathway(pathway, genes, by_id))
    return evidence, search_rows
