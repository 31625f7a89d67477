"""gene-r1's agent: `from gene_r1 import analyze, verify` (the same as `from gene_r1.agent import ...`).

Attributes load lazily so that importing the package (the CLI does) pulls in neither LangGraph nor torch.
"""

from __future__ import annotations

__all__ = ["Analysis", "AgentConfig", "Verification", "analyze", "analyze_many", "batch", "rank_genes_groups",
           "verify"]


def __getattr__(name: str):
    if name in {"Analysis", "Verification", "analyze", "verify"}:
        from gene_r1.agent import api

        return getattr(api, name)
    if name in {"analyze_many", "batch", "rank_genes_groups"}:
        from gene_r1.agent import scverse

        return getattr(scverse, name)
    if name == "AgentConfig":
        from gene_r1.agent.config import AgentConfig

        return AgentConfig
    raise AttributeError(f"module 'gene_r1.agent' has no attribute {name!r}")
