"""The agent's configuration: one dataclass, passed to the graph as its run context.

Each field may fall back to one documented environment variable, each with one reader: `GENE_R1_HOME` is read by
`knowledge_base.paths.data_home`, the model's variables by `agent.model_types.model_env`; `from_env` asks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gene_r1.knowledge_base.store import EVIDENCE_SOURCES
from gene_r1.tools.thresholds import SIGNIFICANT_FDR

SELECTION_RULES = ("judge", "ranker", "top_evidence", "model")


@dataclass(frozen=True)
class AgentConfig:
    """What an analysis may use and how far it may go.

    home: the data home ($GENE_R1_HOME): its knowledge base, and the embedded model's converted copy; None = the
        default.
    sources: pathway sources used as evidence (GO is the evaluation target, not evidence, unless listed).
    evidence_k: the strongest enrichment hits shown in reports (then the search hits, and any pathway a name rests
        on); search_k: semantic-search hits gathered.
    pool_k: top enrichment hits offered as candidates (with the search hits) to the judge.
    fdr_threshold: an enrichment hit with FDR below it is significant.
    selection: how the final name is chosen among the grounded candidates: the "judge" (feature ranker + the
        model's vote), the "ranker" alone, the "top_evidence" hit, or "model": the naming model writes the name from
        the judge's shortlist, kept when the naming rule finds it grounded and verification supports it, else the
        judge's pick (`agent.naming`).
    naming_adapter: the naming model's adapter for `selection="model"` (default: the shipped naming adapter;
        "none": the base model).
    judge_assets: directory of the feature ranker and the judge's settings (default: the shipped ones).
    explain: also ask the model for a short explanation citing candidates by number (`--explain`).
    explain_tokens: the explanation's token bound.
    model, adapter, backend, base_url: the model runtime's settings (`agent.model_types.ModelConfig`).

    Nothing here downloads: the knowledge base is built on first use from `$GENE_R1_SOURCE_DIR` or the releases
    embedded in the package (only `gene-r1 kb update` and `kb build --download` fetch), and a model named by a
    Hugging Face id is read from the local cache when `HF_HUB_OFFLINE=1`.
    """

    home: Path | None = None
    sources: tuple[str, ...] = EVIDENCE_SOURCES
    evidence_k: int = 10
    pool_k: int = 15
    search_k: int = 5
    fdr_threshold: float = SIGNIFICANT_FDR
    selection: str = "judge"
    judge_assets: Path | None = None
    naming_adapter: str | None = None
    explain: bool = False
    explain_tokens: int = 96
    model: str | None = None
    adapter: str | None = None
    backend: str = "transformers"
    base_url: str | None = None

    def __post_init__(self) -> None:
        if self.selection not in SELECTION_RULES:
            raise ValueError(f"selection must be one of {SELECTION_RULES}, not {self.selection!r}")
        if self.evidence_k < 1 or self.pool_k < 1 or self.explain_tokens < 1:
            raise ValueError("evidence_k, pool_k and explain_tokens must be at least 1")

    @classmethod
    def from_env(cls, **overrides) -> AgentConfig:
        """Defaults, then the data home (`GENE_R1_HOME` or the default, resolved now) and the model's variables
        (`GENE_R1_MODEL`, `GENE_R1_ADAPTER`, `GENE_R1_BACKEND`, `GENE_R1_BASE_URL`), then explicit overrides (None
        values are ignored)."""
        from gene_r1.agent.model_types import model_env
        from gene_r1.knowledge_base.paths import data_home

        values: dict = {"home": data_home(), **model_env()}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
