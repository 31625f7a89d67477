"""Node 3: the judge ranks the grounded candidates and, with the model's vote, chooses the name among them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gene_r1.agent.context import AgentContext
from gene_r1.agent.nodes.timing import timed
from gene_r1.agent.state import AgentState

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


def ranked_candidates(state: AgentState, context: AgentContext) -> list[dict]:
    from gene_r1.agent.candidates import candidate_pool
    from gene_r1.agent.judge import rank

    pool = candidate_pool(state.get("evidence", []), state.get("search_hits", []), context.config.pool_k)
    return rank(pool, len(state["genes"]), context.ranker, context.embed)


def judgement_update(ranked: list[dict], judgement) -> dict:
    return {
        "candidates": judgement.candidates if ranked else [],
        "judgement": {
            "chosen_number": judgement.chosen["number"] if judgement.chosen else None,
            "confidence": judgement.confidence,
            "method": judgement.method,
            "shown": judgement.shown,
            "model_seconds": round(judgement.model_seconds, 4),
        },
    }


@timed("judge")
def judge(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from gene_r1.agent.judge import judge_many

    context = runtime.context
    ranked = ranked_candidates(state, context)
    judgement = judge_many([(state["genes"], ranked)], context.ranker.settings, context.judge_model)[0]
    return judgement_update(ranked, judgement) | {"tool_calls": state.get("tool_calls", 0) + 1}


@dataclass(frozen=True)
class Explanation:
    """The model's explanation as written (`draft`), as sanitised (`sanitised`: its sentences whose numbers are all
    citations of shown candidates) and as shown (`text`): the sanitised draft when it is worth reading, else the
    code's explanation (`by_model` False)."""

    draft: str
    sanitised: str
    text: str
    by_model: bool


def explain_messages(genes: Sequence[str], offered: Sequence[dict], chosen: int) -> list[dict]:
    """The explanation's prompt: the judge's prompt over the `offered` candidates, its answer, and the request."""
    from gene_r1.agent.judge import judge_prompt
    from gene_r1.agent.prompts import EXPLAIN_PROMPT

    return judge_prompt(list(genes), list(offered)) + [
        {"role": "assistant", "content": f"Answer: {chosen}"},
        {"role": "user", "content": EXPLAIN_PROMPT.format(chosen=chosen)},
    ]


def explain_choice(genes: Sequence[str], candidates: Sequence[dict], chosen: int, shown: int, model,
                   tokens: int) -> Explanation:
    """The model explains why candidate `chosen` names the set, citing the `shown` best candidates by number; the
    text is sanitised so that it quotes no number of its own (`agent.reasoning.sanitise_explanation`). When nothing
    worth reading is left, the code's explanation is shown instead of nothing (`agent.reasoning.rendered_explanation`).
    """
    from gene_r1.agent.model import GenerationConfig
    from gene_r1.agent.reasoning import is_worth_reading, rendered_explanation, sanitise_explanation

    offered = list(candidates[:shown])
    draft = model.generate(explain_messages(genes, offered, chosen), GenerationConfig(max_new_tokens=tokens)).text
    sanitised = sanitise_explanation(draft, len(offered))
    if is_worth_reading(sanitised, genes, [c["name"] for c in offered]):
        return Explanation(draft, sanitised, sanitised, True)
    code = rendered_explanation(next(c for c in candidates if c["number"] == chosen))
    return Explanation(draft, sanitised, code, False)


@timed("explain")
def explain(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """On request only: `explain_choice` with the agent's model, for the judge's choice."""
    context = runtime.context
    chosen = state.get("judgement", {}).get("chosen_number")
    candidates = state.get("candidates", [])
    if not chosen or not candidates:
        return {"explanation": ""}
    written = explain_choice(state["genes"], candidates, chosen, context.ranker.settings.shown, context.model,
                             context.config.explain_tokens)
    return {"explanation": written.text}
