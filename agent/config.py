"""The agent's configuration: one dataclass, passed to the graph as its run context.

Each field may fall back to one documented environment variable, read here and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.store import EVIDENCE_SOURCES

SELECTION_RULES = ("consensus", "top_evidence", "model")


@dataclass(frozen=True)
class AgentConfig:
    """What an analysis may use and how far it may go.

    home: the data home ($GENE_R1_HOME); None = the default.
    sources: pathway sources used as evidence (GO is the evaluation target, not evidence, unless listed).
    evidence_k: enrichment hits shown to the model; search_k: semantic-search hits gathered.
    candidate_k: top evidence names that compete with the model's proposals for the final name.
    consensus_k: significant pathways the "consensus" rule weighs candidates against.
    max_revisions / max_tool_calls: hard loop bounds per gene set.
    fdr_threshold: an enrichment hit with FDR below it is significant.
    min_claim_similarity: a pathway found by search must be at least this similar to a claim to count for it.
    selection: how the final name is chosen ("consensus" of the evidence, the "top_evidence" name, or the "model").
    offline: never download; a missing knowledge base is then an error (unless `$GENE_R1_SOURCE_DIR` is set).
    """

    home: Path | None = None
    sources: tuple[str, ...] = EVIDENCE_SOURCES
    evidence_k: int = 5
    candidate_k: int = 3
    consensus_k: int = 20
    search_k: int = 5
    max_revisions: int = 1
    max_tool_calls: int = 12
    fdr_threshold: float = 0.05
    min_claim_similarity: float = 0.45
    selection: str = "consensus"
    max_new_tokens: int = 160
    model: str | None = None
    adapter: str | None = None
    backend: str = "transformers"
    base_url: str | None = None
    offline: bool = False

    def __post_init__(self) -> None:
        if self.selection not in SELECTION_RULES:
            raise ValueError(f"selection must be one of {SELECTION_RULES}, not {self.selection!r}")
        if self.max_revisions < 0 or self.max_tool_calls < 1:
            raise ValueError("max_revisions must be >= 0 and max_tool_calls >= 1")

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
