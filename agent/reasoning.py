"""The reasoning a user reads, written by code from the evidence: the model cites, the code quotes.

Every count, FDR, gene and pathway id below comes from an evidence row; the model's only contributions are its
choice (a candidate number, with a probability) and, on request, an explanation from which any number that is not a
citation of a shown candidate is removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gene_r1.tools import formatting

_CITATION = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
MAX_GENES_QUOTED = 12


def fdr_text(value: float | None) -> str:
    return formatting.fdr_text(value, missing="not tested", spec=".1e")


def genes_text(genes: Sequence[str]) -> str:
    shown = ", ".join(genes[:MAX_GENES_QUOTED])
    return shown + (f" and {len(genes) - MAX_GENES_QUOTED} more" if len(genes) > MAX_GENES_QUOTED else "")


def candidate_text(candidate: dict, set_size: int) -> str:
    """`[n] Name (ID): k of N genes (G1, G2, ...), FDR x` — quoted from the candidate's evidence row."""
    stats = f"{len(candidate['overlap_genes'])} of {formatting.count_text(set_size, 'gene')}"
    if candidate["overlap_genes"]:
        stats += f" ({genes_text(candidate['overlap_genes'])})"
    kind = "enrichment FDR " + fdr_text(candidate["fdr"]) if candidate["fdr"] is not None else "found by search"
    return f"[{candidate['number']}] {candidate['name']} ({candidate['pathway_id']}): {stats}, {kind}"


def render_reasoning(genes: Sequence[str], evidence: Sequence[dict], candidates: Sequence[dict],
                     judgement: dict, fdr_threshold: float) -> str:
    """The step-by-step reasoning: evidence, candidates, choice. Numbers only from the evidence and the judge."""
    if not candidates:
        return ("No Reactome or WikiPathways pathway shares genes with this set, so no grounded name can be "
                "offered.")
    by_number = {c["number"]: c for c in candidates}
    significant = [row for row in evidence if row["fdr"] is not None and row["fdr"] <= fdr_threshold]
    strongest = next((c for c in candidates if c["enrichment_rank"] == 1), None)
    are = "is" if len(significant) == 1 else "are"
    lines = [f"- Evidence: {formatting.count_text(len(significant), 'Reactome/WikiPathways pathway')} {are} enriched "
             f"at FDR <= {fdr_threshold:g} among the {formatting.count_text(len(evidence), 'strongest hit')} kept."]
    if strongest is not None:
        lines[-1] += " The strongest is " + candidate_text(strongest, len(genes)) + "."
    searched = sum(1 for c in candidates if c["kind"] == "search")
    shown = judgement.get("shown") or len(candidates)
    lines.append(f"- Candidates: {formatting.count_text(len(candidates), 'grounded name')} "
                 f"({formatting.count_text(len(candidates) - searched, 'enrichment hit')}, "
                 f"{formatting.count_text(searched, 'search hit')}), ranked by the feature ranker; the best {shown} "
                 f"{'was' if shown == 1 else 'were'} judged.")
    chosen = by_number.get(judgement.get("chosen_number"))
    if chosen is not None:
        who = ("the model's vote combined with the ranker" if judgement.get("method") == "ranker+model"
               else "the feature ranker (the model was not consulted)")
        lines.append(f"- Choice, by {who} among the strongest theme's significant pathways that cover about as "
                     "many of the set's genes as its best one: " + candidate_text(chosen, len(genes))
                     + f"; judge probability {chosen['probability']:.2f}.")
        preferred = by_number.get(judgement.get("ranker_choice"))
        if preferred is not None and preferred["number"] != chosen["number"]:
            lines.append("- Not chosen: the ranker alone preferred " + candidate_text(preferred, len(genes))
                         + ", which is weaker evidence than a headline needs.")
        others = sorted((c for c in candidates[:shown] if c["number"] != chosen["number"]),
                        key=lambda c: -c["probability"])
        if others:
            lines[-1] += (f" Runner-up: [{others[0]['number']}] {others[0]['name']} "
                          f"(probability {others[0]['probability']:.2f}).")
    else:
        lines.append("- Choice: none. No candidate names a coherent theme of these genes, so no name is claimed.")
    return "\n".join(lines)


def sanitise_explanation(text: str, shown: int, max_sentences: int = 3) -> str:
    """Keep the sentences whose only numbers are citations [n] of shown candidates (1..shown); drop the rest."""
    kept = []
    for sentence in _SENTENCE.split(" ".join(text.split())):
        if not sentence:
            continue
        citations = [int(n) for n in _CITATION.findall(sentence)]
        bare = _NUMBER.findall(_CITATION.sub("", sentence))
        if bare or any(not 1 <= n <= shown for n in citations):
            continue
        kept.append(sentence)
        if len(kept) == max_sentences:
            break
    return " ".join(kept)


def is_worth_reading(explanation: str, genes: Sequence[str] = (), names: Sequence[str] = ()) -> bool:
    """A sanitised explanation a biologist can read: it cites a candidate, has a few words that are not markup, and
    says something specific — one of the set's `genes` or a word of a candidate's name in `names`, when given (the
    undertrained model writes "</candidates> </ways>" or "[1] names the genes together better than the others")."""
    words = re.findall(r"[A-Za-z]{2,}", _CITATION.sub("", explanation))
    if not _CITATION.search(explanation) or len(words) < 5 or "<" in explanation or repeats_itself(explanation):
        return False
    if not genes and not names:
        return True
    said = {w.lower() for w in re.findall(r"[A-Za-z0-9-]+", explanation)}
    specific = {g.lower() for g in genes} | {w.lower() for n in names for w in re.findall(r"[A-Za-z]{4,}", n)}
    return bool(said & (specific - _PLAIN_WORDS))


def repeats_itself(explanation: str) -> bool:
    """Whether a sentence comes back with only its citations changed: the undertrained model's loop ("[2] names the
    genes together better than the other genes. [1] names the genes together better than the other genes.")."""
    sentences = [" ".join(_CITATION.sub("", s).lower().split()) for s in _SENTENCE.split(explanation) if s.strip()]
    return len(set(sentences)) < len(sentences)


_PLAIN_WORDS = {"genes", "gene", "process", "pathway", "pathways", "with", "from", "signaling", "signalling", "other",
                "others", "together", "names", "better", "than", "cell", "cells", "human", "activity"}


def rendered_explanation(chosen: dict) -> str:
    """The code's explanation, shown when the model's is not worth reading: the chosen candidate and the set's genes
    it holds, quoted from the evidence."""
    genes = list(chosen.get("overlap_genes", []))
    held = (", ".join(genes[:-1]) + f" and {genes[-1]}") if len(genes) > 1 else (genes[0] if genes else "")
    holds = f"holds {held} of this set" if held else "is the judge's pick"
    return (f"[{chosen['number']}] {chosen['name']} {holds}: the judge's name for the strongest theme. (Written by "
            "code: the model's explanation did not pass the check that it cites a candidate, names a gene of the set "
            "or a word of a shown candidate, quotes no number of its own and does not repeat itself.)")


def quoted_numbers(text: str) -> list[str]:
    """Every number in `text` outside candidate citations (for checks that nothing was invented)."""
    return _NUMBER.findall(_CITATION.sub("", text))
