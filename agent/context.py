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
    from tools.context import KnowledgeBase

    from agent.model import ModelBackend


@dataclass
class AgentContext:
    config: AgentConfig = field(default_factory=AgentConfig)
    kb_override: KnowledgeBase | None = None
    model_override: ModelBackend | None = None

    @cached_property
    def kb(self) -> KnowledgeBase:
        if self.kb_override is not None:
            return self.kb_override
        from tools.context import open_knowledge_base

        return open_knowledge_base(self.config.home)

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
