"""Node 1: normalise the input symbols (case, duplicates, previous symbols, aliases); report the rest."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from gene_r1.agent.context import AgentContext
from gene_r1.agent.nodes.timing import timed
from gene_r1.agent.state import AgentState

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


@timed("normalise")
def normalise(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from gene_r1.tools import normalise_genes
    from gene_r1.tools.genes import GeneInputError

    try:
        result = normalise_genes(state.get("input_genes", []), kb=runtime.context.kb)
    except GeneInputError as error:
        return {"genes": [], "unknown_genes": [], "error": str(error)}
    update = {
        "genes": list(result.genes),
        "mapped": [asdict(m) for m in result.mapped],
        "ambiguous": [{"input": item[0], "candidates": list(item[1])} for item in result.ambiguous],
        "unknown_genes": list(result.unknown),
        "duplicates": list(result.duplicates),
    }
    if not result.genes:
        update["error"] = (
            "None of the input symbols is a known human gene symbol "
            f"({len(result.unknown)} unknown, {len(result.ambiguous)} ambiguous)."
        )
    return update
