"""The naming prompt: the genes with their full names and the ranker's best candidates, for the model to write the
name in Gene-R1's format (`<think>` citing candidates by number, then `Process: <name>`).

Training (`training/naming_data.py`) and the agent build it here, so the model learns on exactly what it reads at run
time. 15 genes, not the judge's 20: each gene now carries its full name (about 8 tokens), and every prompt token is
paid for on a CPU; the pilot of issue 17 measured the model's names against the ranker's with the first 15 genes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

NAMING_GENES = 15
NAMING_SHOWN = 6  # the judge's shortlist: candidates [1]..[6]


def naming_prompt(genes: Sequence[str], shortlist: Sequence[dict], names: Mapping[str, str]) -> list[dict]:
    """The naming messages: at most NAMING_GENES symbols (those in the shown candidates first), each with its full
    name when `names` has one, and the numbered shortlist with overlaps and FDRs."""
    from gene_r1.agent.prompts import is_symbol, naming_messages

    shown = [{**c, "set_size": len(genes)} for c in shortlist]
    covered = {g for c in shortlist for g in c["overlap_genes"]}
    symbols = [g for g in genes if is_symbol(g)]
    chosen = ([g for g in symbols if g in covered] + [g for g in symbols if g not in covered])[:NAMING_GENES]
    return naming_messages(chosen, {g: names[g] for g in chosen if g in names}, shown)
