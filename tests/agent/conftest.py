"""Agent fixtures: a real knowledge base built from ../shared/data and the tiny real model."""

from __future__ import annotations

import pytest

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext

MITOSIS = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]
MISMATCH_REPAIR = ["MLH1", "MSH2", "MSH6", "PMS2", "MSH3", "EXO1"]


@pytest.fixture(scope="session")
def agent_config(built_kb_home, tiny_model_dir) -> AgentConfig:
    return AgentConfig(home=built_kb_home, model=str(tiny_model_dir), explain_tokens=24)


@pytest.fixture(scope="session")
def agent_context(agent_config) -> AgentContext:
    return AgentContext(config=agent_config)


def run_node(node, state: dict, context: AgentContext) -> dict:
    """A node on a hand-made state, outside any graph."""
    from langgraph.runtime import Runtime

    return node(state, Runtime(context=context))
