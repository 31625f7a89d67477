"""Records of the analyst judge's inputs for protocol cases: what coherence, the headline rule and name confidence
are fitted and measured on (`training/analyst_train.py`, `benchmarks/coherence.py`).

One record per case (a real, half or random version of a gene set): the genes tested, the set statistics and where
they fall in the random-set null, the ranked grounded candidates (with each name's cosine to the true name), and the
themes (pathway groups). Computing them once lets every rule and threshold be compared on the same evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict

import numpy as np


def case_record(case, context, null) -> dict:
    """Everything the analyst judge reads about one case, with the same engine the agent runs."""
    from gene_r1.agent.graph import build_prepare_graph
    from gene_r1.agent.nodes.assess import set_statistics_of
    from gene_r1.agent.nodes.judge import ranked_candidates
    from gene_r1.agent.themes import pathway_groups

    state = build_prepare_graph().invoke({"input_genes": list(case.genes)}, context=context)
    record = {"id": case.id, "version": case.version, "source": case.source, "true_name": case.name,
              "input_size": len(case.genes)}
    if state.get("error"):
        return record | {"error": state["error"], "tested": 0, "candidates": [], "groups": []}
    stats = set_statistics_of(state["genes"], context)
    tested = stats.tested
    reached, draws = null.reached(tested, stats.best_log_p)
    ranked = ranked_candidates(state, context)
    groups = pathway_groups(state["genes"], state.get("evidence", []), context.config.fdr_threshold)
    return record | {
        "genes": list(state["genes"]),
        "tested": tested,
        "stats": asdict(stats),
        "null_reached": reached,
        "null_draws": draws,
        "null_moments": null.moments(tested),
        "candidates": [{k: c[k] for k in ("number", "name", "pathway_id", "kind", "overlap_genes", "pathway_size",
                                          "p_value", "fdr", "enrichment_rank", "ranker_score")} for c in ranked],
        "groups": [{"pathway_ids": g.pathway_ids, "genes": list(g.genes), "best_p": g.best_p, "best_fdr": g.best_fdr,
                    "names": [r["name"] for r in g.rows], "overlaps": [len(r["overlap_genes"]) for r in g.rows],
                    "sizes": [r["pathway_size"] for r in g.rows], "p_values": [r["p_value"] for r in g.rows]}
                   for g in groups],
    }


def label_names(records: list[dict], embed: Callable[[list[str]], np.ndarray]) -> None:
    """`label` on every candidate and group pathway name: its cosine to the case's true name."""
    from gene_r1.training.judge_data import name_vectors

    vectors = name_vectors([c["name"] for r in records for c in r["candidates"]]
                           + [n for r in records for g in r["groups"] for n in g["names"]]
                           + [r["true_name"] for r in records if r["true_name"]], embed)
    for record in records:
        truth = vectors[record["true_name"]]
        for candidate in record["candidates"]:
            candidate["label"] = round(float(vectors[candidate["name"]] @ truth), 5)
        for group in record["groups"]:
            group["labels"] = [round(float(vectors[n] @ truth), 5) for n in group["names"]]


def build_records(cases: Sequence, context, *, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    null = context.enrichment_null
    records = []
    for i, case in enumerate(cases):
        records.append(case_record(case, context, null))
        if progress and (i + 1) % 50 == 0:
            progress(i + 1, len(cases))
    label_names(records, context.embed)
    return records


def by_version(records: Iterable[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for record in records:
        out.setdefault(record["version"], []).append(record)
    return out
