"""Nodes 3 and 5: the model proposes a name over the genes and the evidence; after a failed verification
it revises once or twice, seeing the verdicts."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.evidence import prompt_items
from agent.nodes.timing import timed
from agent.state import AgentState, ClaimVerdict, Proposal

MAX_PROMPT_GENES = 30


def proposal_messages(state: AgentState, config) -> list[dict]:
    """The evidence-conditioned Gene-R1 prompt; with verdicts of an earlier round, a revision request."""
    from agent.prompts import REVISION_PROMPT, format_evidence, format_verdicts, task_messages

    # The same evidence block as the training data: the top enrichment hits only.
    rows = (state.get("evidence") or [])[: config.evidence_k]
    evidence = format_evidence(prompt_items(rows)) if rows else None
    messages = task_messages(prompt_genes(state), evidence=evidence)
    previous = [p for p in state.get("proposals", []) if p["origin"] == "model"]
    if previous and state.get("verdicts"):
        messages.append({"role": "assistant", "content": previous[-1]["raw"]})
        messages.append(
            {"role": "user", "content": REVISION_PROMPT.format(verdicts=format_verdicts(state["verdicts"]))}
        )
    return messages


def prompt_genes(state: AgentState) -> list[str]:
    """At most MAX_PROMPT_GENES genes, those the evidence names first: a 5,000-gene list fits no prompt, and short
    prompts are what the adapter was trained on (at most 15 genes) and what a CPU can prefill quickly."""
    genes = state["genes"]
    if len(genes) <= MAX_PROMPT_GENES:
        return list(genes)
    in_evidence = {g for row in state.get("evidence", [])[:10] for g in row["overlap_genes"]}
    ranked = [g for g in genes if g in in_evidence] + [g for g in genes if g not in in_evidence]
    return ranked[:MAX_PROMPT_GENES]


def proposal_from_text(text: str, round_: int) -> Proposal:
    from agent.parsing import parse_answer

    parsed = parse_answer(text)
    return Proposal(
        name=(parsed.name or "").strip(),
        origin="model",
        round=round_,
        confidence=parsed.confidence,
        reasoning=parsed.reasoning,
        followed_format=parsed.followed_format,
        raw=text,
    )


@timed("propose")
def propose(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from agent.model import GenerationConfig

    context = runtime.context
    round_ = len([p for p in state.get("proposals", []) if p["origin"] == "model"])
    messages = proposal_messages(state, context.config)
    generation = context.model.generate(messages, GenerationConfig(max_new_tokens=context.config.max_new_tokens))
    update: dict = {"proposals": [proposal_from_text(generation.text, round_)]}
    if round_ > 0:
        update["revisions"] = state.get("revisions", 0) + 1
    return update


def needs_revision(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    """Revise when the model's latest name is not supported, the evidence points elsewhere, and the bounds
    allow it; otherwise report."""
    config = runtime.context.config
    name_verdicts: list[ClaimVerdict] = [v for v in state.get("verdicts", []) if v["kind"] == "name"]
    unsupported = not name_verdicts or name_verdicts[0]["verdict"] == "not supported"
    within_bounds = (
        state.get("revisions", 0) < config.max_revisions and state.get("tool_calls", 0) < config.max_tool_calls
    )
    return "propose" if unsupported and within_bounds and state.get("evidence") else "report"
