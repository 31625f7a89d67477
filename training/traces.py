"""Grounded reasoning traces composed from real evidence: the completions of the reasoning stage.

A trace walks through the strongest evidence (which genes share which pathway, how enriched), then says whether
one pathway names the set's function, or whether the name has to generalise beyond them, and ends in the format
`agent.parsing.parse_answer` reads. The decision uses the true name (known when building data, never at inference):
it is what the model has to learn to judge from the evidence alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from gene_r1.tools.formatting import fdr_text
from gene_r1.tools.thresholds import SIGNIFICANT_FDR
from gene_r1.training.evidence import Hit

KEEP_SIMILARITY = 0.75  # an evidence name this close to the true name "names the function"
RELATED_SIMILARITY = 0.45  # below this the evidence does not describe the function
SHOWN_ITEMS = 2
SHOWN_GENES = 3


def answer_lines(name: str, confidence: float) -> str:
    return f"Process: {name}\nConfidence: {confidence:.2f}"


def _describe(number: int, hit: Hit, total: int) -> str:
    return f"[{number}] {hit.name}: {len(hit.overlap_genes)} of {total} genes, FDR {fdr_text(hit.fdr)}."


def confidence_for(best_similarity: float, best_fdr: float | None) -> float:
    """How sure the answer may be: high when a significant pathway names the function, low without evidence."""
    significant = best_fdr is not None and best_fdr <= SIGNIFICANT_FDR
    if best_similarity >= KEEP_SIMILARITY and significant:
        return 0.9
    if best_similarity >= RELATED_SIMILARITY:
        return 0.7 if significant else 0.55
    return 0.4


def grounded_trace(genes: Sequence[str], hits: Sequence[Hit], target: str,
                   similarities: Sequence[float]) -> tuple[str, dict]:
    """The completion for one example and what it decided (`keep`, `generalise` or `own_knowledge`)."""
    best = max(range(len(hits)), key=lambda i: similarities[i]) if hits else None
    best_similarity = similarities[best] if best is not None else 0.0
    shown = sorted(set(range(min(SHOWN_ITEMS, len(hits)))) | ({best} if best is not None else set()))
    lines = [_describe(i + 1, hits[i], len(genes)) for i in shown]
    covered = {g for hit in hits for g in hit.overlap_genes}
    outside = len([g for g in genes if g not in covered])
    if outside and hits:
        lines.append(f"{outside} genes are in none of them.")
    if best is not None and best_similarity >= KEEP_SIMILARITY:
        decision = "keep"
        lines.append(f"[{best + 1}] names their shared function: {target}.")
    elif best is not None and best_similarity >= RELATED_SIMILARITY:
        decision = "generalise"
        lines.append(f"[{best + 1}] is closest, but the genes together point to {target}.")
    else:
        decision = "own_knowledge"
        lines.append(f"The pathways do not capture what the genes share; their known roles point to {target}.")
    confidence = confidence_for(best_similarity, hits[best].fdr if best is not None else None)
    text = "<think>\n" + "\n".join(lines) + "\n</think>\n" + answer_lines(target, confidence)
    return text, {"decision": decision, "best_item": None if best is None else best + 1,
                  "best_similarity": round(float(best_similarity), 3), "confidence": confidence}


def plain_trace(genes: Sequence[str], target: str) -> str:
    """The task-alignment completion (no evidence in the prompt): a short thought and the name."""
    head = ", ".join(genes[:SHOWN_GENES])
    return (f"<think>\n{head} and the other genes of this set act together in {target}.\n</think>\n"
            + answer_lines(target, 0.6))


def knowledge_answer(gene: str, names: Sequence[str]) -> str:
    """The knowledge warm-up completion: the pathways and processes a gene belongs to."""
    return f"{gene} takes part in: " + "; ".join(names) + "."
