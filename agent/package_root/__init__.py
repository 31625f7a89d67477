"""gene-r1: what a list of genes does, from Reactome and WikiPathways evidence, checked claim by claim.

`import gene_r1` is the public API: `gene_r1.analyze`, `gene_r1.verify`, `gene_r1.batch` (a GMT, DE table or marker
file), `gene_r1.analyze_many` (a dict of sets) and `gene_r1.rank_genes_groups` (scanpy's markers in an AnnData).

This file is the `gene_r1` package itself. The repository keeps its four folders at the top (agent/, tools/,
training/, knowledge_base/); pyproject's `package-dir` installs them as `gene_r1.agent`, `gene_r1.tools`,
`gene_r1.training` and `gene_r1.knowledge_base`, so a wheel adds one top-level name to site-packages and a user's own
`tools/` or `agent/` folder cannot shadow ours. Attributes load lazily: importing the package pulls in neither
LangGraph nor torch.
"""

from __future__ import annotations

__all__ = ["Analysis", "AgentConfig", "Verification", "analyze", "analyze_many", "batch", "rank_genes_groups",
           "verify"]


def __getattr__(name: str):
    if name in __all__:
        from gene_r1 import agent

        return getattr(agent, name)
    raise AttributeError(f"module 'gene_r1' has no attribute {name!r}")
