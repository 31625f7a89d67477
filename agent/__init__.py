"""gene-r1's agent: `from agent import analyze, verify`.

Attributes load lazily so that importing the package (the CLI does) pulls in neither LangGraph nor torch.
"""

from __future__ import annotations

__all__ = ["Analysis", "AgentConfig", "Verification", "analyze", "analyze_many", "rank_genes_groups", "verify"]


def __getattr__(name: str):
    if name in {"Analysis", "Verification", "analyze", "verify"}:
        from agent import api

        return getattr(api, name)
    if name in {"analyze_many", "rank_genes_groups"}:
        from agent import scverse

        return getattr(scverse, name)
    if name == "AgentConfig":
        from agent.config import AgentConfig

        return AgentConfig
    raise AttributeError(f"module 'agent' has no attribute {name!r}")
