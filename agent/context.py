"""What the nodes call: the evidence tools and the model, behind one small run context.

Nodes never open stores or load models themselves; they ask `AgentContext`, so a test can hand a node a
context built on a small knowledge base and a tiny model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from agent.config import AgentConfig

if TYPE_CHECKING:
    import numpy as np

    from agent.model import ModelBackend
    from tools.context import KnowledgeBase


@dataclass
class AgentContext:
    config: AgentConfig = field(default_factory=AgentConfig)
    kb_override: KnowledgeBase | None = None
    model_override: ModelBackend | None = None

    @cached_property
    def kb(self) -> KnowledgeBase:
        if self.kb_override is not None:
            return self.kb_override
        from knowledge_base import paths
        from tools.context import open_knowledge_base

        if not paths.store_path(self.config.home).exists():
            self._build_knowledge_base()
        return open_knowledge_base(self.config.home)

    def _build_knowledge_base(self) -> None:
        """First use: build the KB from `$GENE_R1_SOURCE_DIR`, else download it (unless offline)."""
        from knowledge_base import paths
        from knowledge_base.build import build_knowledge_base
        from knowledge_base.store import KnowledgeBaseError

        source_dir = paths.default_source_dir()
        if source_dir is None and self.config.offline:
            raise KnowledgeBaseError(
                f"No knowledge base at {paths.store_path(self.config.home)} and downloads are off "
                "(GENE_R1_OFFLINE). Build it with `gene-r1 kb build --source-dir DIR`."
            )
        build_knowledge_base(self.config.home, source_dir=source_dir, show_progress=True)

    @cached_property
    def model(self) -> ModelBackend:
        if self.model_override is not None:
            return self.model_override
        from agent.model import ModelConfig, load_model

        return load_model(
            ModelConfig(
                backend=self.config.backend,
                model=self.config.model,
                adapter=self.config.adapter,
                base_url=self.config.base_url,
            )
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised sentence embeddings (the offline MiniLM), for comparing names."""
        from knowledge_base.embedding import get_embedder

        return get_embedder().encode(list(texts))
