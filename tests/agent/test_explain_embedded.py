"""`--explain` with the shipped model and adapter never shows an empty or malformed explanation (slow: the real
SmolLM2-135M and the judge's adapter write 20 explanations)."""

from __future__ import annotations

import pytest

from gene_r1.agent.api import analyze
from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.agent.reasoning import is_worth_reading, quoted_numbers


def twenty_sets(kb) -> list[list[str]]:
    """Eight genes of each of the first 20 Reactome pathways of 15 to 40 genes, by id: real sets, chosen blindly."""
    sets = kb.enrichment_index.gene_sets
    chosen = [sorted(genes)[:8] for pid, genes in sorted(sets.items()) if pid.startswith("R-HSA-")
              and 15 <= len(genes) <= 40][:20]
    assert len(chosen) == 20
    return chosen


@pytest.mark.slow
def test_every_explanation_of_twenty_sets_is_readable_and_invents_no_number(agent_context):
    context = AgentContext(config=AgentConfig(home=agent_context.config.home, explain=True, explain_tokens=48),
                           kb_override=agent_context.kb)
    for genes in twenty_sets(agent_context.kb):
        result = analyze(genes, context=context)
        if not result.candidates:
            continue
        names = [c["name"] for c in result.candidates]
        assert is_worth_reading(result.explanation, result.genes, names), (genes, result.explanation)
        quoted = " ".join(result.genes + [c["name"] for c in result.candidates])
        assert set(quoted_numbers(result.explanation)) <= set(quoted_numbers(quoted)), result.explanation
