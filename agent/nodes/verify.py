"""Node 4: verify what the user will read: the final name, each candidate the reasoning quotes, and (with
`--explain`) the genes the model's explanation names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gene_r1.agent.context import AgentContext
from gene_r1.agent.naming import taken_name
from gene_r1.agent.nodes.timing import timed
from gene_r1.agent.state import AgentState
from gene_r1.agent.verification import check_name, check_outside_genes, check_quoted_candidate, mentioned_genes

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


def quoted_candidates(state: AgentState) -> list[dict]:
    """The candidates the rendered reasoning quotes: the strongest enrichment hit, the choice, the runner-up."""
    candidates = state.get("candidates", [])
    judgement = state.get("judgement", {})
    shown = candidates[: judgement.get("shown") or len(candidates)]
    chosen = [c for c in candidates if c["number"] == judgement.get("chosen_number")]
    strongest = [c for c in candidates if c["enrichment_rank"] == 1]
    runner_up = sorted((c for c in shown if c not in chosen), key=lambda c: -c["probability"])[:1]
    quoted: dict[str, dict] = {}
    for candidate in strongest + chosen + runner_up:
        quoted.setdefault(candidate["pathway_id"], candidate)
    return list(quoted.values())


@timed("verify")
def verify(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    context = runtime.context
    genes = state["genes"]
    judgement = state.get("judgement", {})
    chosen = next((c for c in state.get("candidates", []) if c["number"] == judgement.get("chosen_number")), None)
    verdicts = []
    if chosen is not None:
        enrichment = {row["pathway_id"]: row for row in state.get("evidence", [])}
        written = taken_name(judgement)  # the model's name was verified where it was written
        verdicts.append(written["verdict"] if written else check_name(chosen["name"], genes, context.kb, enrichment,
                                                                       context.config))
        verdicts += [check_quoted_candidate(c, genes, context.kb) for c in quoted_candidates(state)]
    explanation = state.get("explanation", "")
    if explanation:
        _, outside = mentioned_genes(explanation, genes, context.kb.symbols.approved)
        if outside:
            verdicts.append(check_outside_genes(outside))
    return {"verdicts": verdicts, "tool_calls": state.get("tool_calls", 0) + 1}
