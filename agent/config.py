"""The agent's configuration: one dataclass, passed to the graph as its run context.

Each field may fall back to one documented environment variable, read here and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.store import EVIDENCE_SOURCES

SELECTION_RULES = ("judge", "ranker", "top_evidence")


@dataclass(frozen=True)
class AgentConfig:
    """What an analysis may use and how far it may go.

    home: the data home ($GENE_R1_HOME); None = the default.
    sources: pathway sources used as evidence (GO is the evaluation target, not evidence, unless listed).
    evidence_k: enrichment hits shown in reports; search_k: semantic-search hits gathered.
    pool_k: top enrichment hits offered as candidates (with the search hits) to the judge.
    max_tool_calls: hard bound on tool calls per gene set.
    fdr_threshold: an enrichment hit with FDR below it is significant.
    min_claim_similarity: a pathway found by search must be at least this similar to a claim to count for it.
    selection: how the final name is chosen among the grounded candidates: the "judge" (feature ranker + the
        model's vote), the "ranker" alone, or the "top_evidence" hit.
    judge_assets: directory of the feature ranker and the judge's settings (default: the shipped ones).
    explain: also ask the model for a short explanation citing candidates by number (`--explain`).
    explain_tokens: the explanation's token bound.
    offline: never download. (The knowledge base never downloads on first use anyway: it is built from
    `$GENE_R1_SOURCE_DIR` or the releases embedded in the package; only `gene-r1 kb update` fetches.)
    """

    home: Path | None = None
    sources: tuple[str, ...] = EVIDENCE_SOURCES
    evidence_k: int = 5
    pool_k: int = 15
    search_k: int = 5
    max_tool_calls: int = 12
    fdr_threshold: float = 0.05
    min_claim_similarity: float = 0.45
    selection: str = "judge"
    judge_assets: Path | None = None
    explain: bool = False
    explain_tokens: int = 96
    model: str | None = None
    adapter: str | None = None
    backend: str = "transformers"
    base_url: str | None = None
    offline: bool = False

    def __post_init__(self) -> None:
        if self.selection not in SELECTION_RULES:
            raise ValueError(f"selection must be one of {SELECTION_RULES}, not {self.selection!r}")
        if self.max_tool_calls < 1 or self.pool_k < 1 or self.explain_tokens < 1:
            raise ValueError("max_tool_calls, pool_k and explain_tokens must be at least 1")

    @classmethod
    def from_env(cls, **overrides) -> AgentConfig:
        """Defaults, then `GENE_R1_HOME`, `GENE_R1_MODEL`, `GENE_R1_ADAPTER`, `GENE_R1_BACKEND`,
        `GENE_R1_BASE_URL`, `GENE_R1_OFFLINE`, then explicit overrides (None values are ignored)."""
        values: dict = {}
        env = {
            "home": ("GENE_R1_HOME", Path),
            "model": ("GENE_R1_MODEL", str),
            "adapter": ("GENE_R1_ADAPTER", str),
            "backend": ("GENE_R1_BACKEND", str),
            "base_url": ("GENE_R1_BASE_URL", str),
            "offline": ("GENE_R1_OFFLINE", lambda value: value.lower() in ("1", "true", "yes")),
        }
        for name, (variable, convert) in env.items():
            if os.environ.get(variable):
                values[name] = convert(os.environ[variable])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
