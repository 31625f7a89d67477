"""The knowledge base as the tools see it: the opened store, plus what is derived from it on first use.

`open_knowledge_base(home)` returns one cached `KnowledgeBase` per data home (reopened when the store file was
rebuilt). The enrichment index, the symbol lookup, the search index and the embedder are loaded lazily, so a
tool pays only for what it uses: the embedding model (torch, ~5 s) only for a text that is no pathway's name.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.store import KnowledgeBaseError, PathwayStore

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np

    from gene_r1.knowledge_base.embedding import Embedder
    from gene_r1.knowledge_base.index import PathwayIndex
    from gene_r1.tools.enrichment_index import EnrichmentIndex
    from gene_r1.tools.lexicon import Lexicon
    from gene_r1.tools.symbols import SymbolLookup


ENRICHMENT = "enrichment.npz"  # the enrichment index saved beside the store it was built from


@dataclass(eq=False)
class KnowledgeBase:
    home: Path
    store: PathwayStore
    index_dir: Path

    @classmethod
    def open(cls, home: Path | None = None) -> KnowledgeBase:
        """Open the KB of `home` (default: the data home); `KnowledgeBaseError` says how to build a missing one."""
        home = home or paths.data_home()
        return cls(home=home, store=PathwayStore.open(paths.store_path(home)), index_dir=paths.index_dir(home))

    @cached_property
    def enrichment_index(self) -> EnrichmentIndex:
        from gene_r1.tools.enrichment_index import EnrichmentIndex

        # Every source the store holds: the opt-in "go" is there only if built `--with-go`, and queries select sources.
        return EnrichmentIndex.from_store(self.store, self.store.sources(), cache=paths.kb_dir(self.home) / ENRICHMENT)

    @cached_property
    def symbols(self) -> SymbolLookup:
        from gene_r1.tools.symbols import SymbolLookup

        return SymbolLookup.from_store(self.store)

    @cached_property
    def embedder(self) -> Embedder:
        from gene_r1.knowledge_base.embedding import get_embedder

        return get_embedder()

    @cached_property
    def index(self) -> PathwayIndex:
        """The search index: document and name vectors of the pathways (`KnowledgeBaseError` when not built)."""
        from gene_r1.knowledge_base.index import load_index

        return load_index(self.index_dir)

    def embed(self, texts: Sequence[str], fallback: Callable[[list[str]], np.ndarray] | None = None) -> np.ndarray:
        """Unit vectors of `texts`: a pathway's name is read from the index (the vector the model gave it at build
        time); any other text is embedded by `fallback` (default: the embedder), which loads the model."""
        import numpy as np

        texts = list(texts)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)  # MiniLM's width, as the embedder gives for no text
        try:
            stored = [self.index.name_vector(t) for t in texts]
        except KnowledgeBaseError:  # no index (a store-only KB): every text is embedded
            stored = [None] * len(texts)
        missing = [t for t, v in zip(texts, stored, strict=True) if v is None]
        if not missing:
            return np.stack(stored)
        computed = iter((fallback or self.embedder.encode)(missing))
        return np.stack([v if v is not None else next(computed) for v in stored])

    @cached_property
    def lexicon(self) -> Lexicon:
        from gene_r1.tools.lexicon import Lexicon

        return Lexicon.from_names(self.store.pathway_names(self.store.sources()))  # the sources enrichment tests

    def forget_index(self) -> None:
        """Drop the loaded search index, after it was rebuilt on disk (the next use reads it again)."""
        self.__dict__.pop("index", None)

    def warm_up(self) -> KnowledgeBase:
        """Load everything now (a server does this at start, so the first question is as fast as the rest)."""
        _ = self.enrichment_index, self.symbols, self.index, self.lexicon
        return self

    def close(self) -> None:
        self.store.close()


_cache: dict[tuple[str, int, int], KnowledgeBase] = {}
_lock = threading.Lock()


def open_knowledge_base(home: Path | None = None) -> KnowledgeBase:
    """The cached `KnowledgeBase` of `home` (default: `$GENE_R1_HOME`); a rebuilt store is reopened."""
    home = (home or paths.data_home()).expanduser().resolve()
    store_file = paths.store_path(home)
    try:
        stat = store_file.stat()
        key = (str(home), stat.st_ino, stat.st_mtime_ns)
    except OSError:
        return KnowledgeBase.open(home)  # raises KnowledgeBaseError with the build command
    with _lock:
        kb = _cache.get(key)
        if kb is None:
            for stale in [k for k in _cache if k[0] == key[0]]:
                _cache.pop(stale)
            kb = _cache[key] = KnowledgeBase.open(home)
            # A dropped KB may still be in use by a caller that holds it: its store closes when the last holder lets go.
            weakref.finalize(kb, kb.store.close)
        return kb


def resolve_kb(kb: KnowledgeBase | None) -> KnowledgeBase:
    return kb if kb is not None else open_knowledge_base()
