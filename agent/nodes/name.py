"""Node (with `--selection model`): the naming model writes the set's name from the judge's shortlist.

The model reads the genes with their full names and the judge's best six candidates (numbered, with overlap and
FDR: the prompt it was trained on, `agent.naming.naming_prompt`) and answers `Process: <name>`. The name stands only
when the naming rule finds it grounded (close to a significant candidate's name) and verification supports it on
the set's genes; otherwise the judge's pick stays, and the report says which and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gene_r1.agent.context import AgentContext
from gene_r1.agent.nodes.timing import timed
from gene_r1.agent.state import AgentState

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


@timed("name")
def write_name(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from gene_r1.agent.naming import load_rule, naming_shortlist
    from gene_r1.agent.naming import write_name as written_by_model
    from gene_r1.agent.verification import check_name
    from gene_r1.knowledge_base.gene_names import full_names

    context = runtime.context
    genes = state["genes"]
    shortlist = naming_shortlist(state.get("candidates", []))
    written = written_by_model(genes, shortlist, full_names(genes, context.kb.store), context.naming_model,
                               context.embed, load_rule(), context.config.fdr_threshold,
                               draft=state.get("naming_draft"))
    if written["taken"]:
        enrichment = {row["pathway_id"]: row for row in state.get("evidence", [])}
        verdict = check_name(written["name"], genes, context.kb, enrichment, context.config)
        written = {**written, "verdict": verdict}  # the verify node reports it, not checks it again
        if verdict["verdict"] != "supported":
            written |= {"taken": False,
                        "reason": f"verification found it {verdict['verdict']}: {verdict['explanation']}"}
    judgement = {**state.get("judgement", {}), "written": written}
    return {"judgement": judgement}
