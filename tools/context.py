"""The knowledge base as the tools see it: the opened store, plus what is derived from it on first use.

`open_knowledge_base(home)` returns one cached `KnowledgeBase` per data home (reopened when the store file was
rebuilt). The enrichment index, the symbol lookup, the embedder and the Chroma collection are built lazily, so a
tool pays only for what it uses.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge_base import paths
from knowledge_base.store import PathwayStore

if TYPE_CHECKING:
    from knowledge_base.embedding import Embedder
    from tools.enrichment_index import EnrichmentIndex
    from tools.lexicon import Lexicon
    from tools.symbols import SymbolLookup


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
        from tools.enrichment_index import EnrichmentIndex

        # Every source the store holds: the opt-in "go" is there only if built `--with-go`, and queries select sources.
        return EnrichmentIndex.from_store(self.store, self.store.sources())

    @cached_property
    def symbols(self) -> SymbolLookup:
        from tools.symbols import SymbolLookup

        return SymbolLookup.from_store(self.store)

    @cached_property
    def embedder(self) -> Embedder:
        from knowledge_base.embedding import get_embedder

        return get_embedder()

    @cached_property
    def collection(self) -> Any:
        """The Chroma collection of pathway documents (`KnowledgeBaseError` when the index was not built)."""
        from knowledge_base.index import open_collection

        return open_collection(self.index_dir, self.embedder)

    @cached_property
    def lexicon(self) -> Lexicon:
        from tools.lexicon import Lexicon

        return Lexicon.from_pathways(self.store.pathways(self.enrichment_index.source_names))

    def forget_index(self) -> None:
        """Drop the opened collection, after the index was rebuilt on disk (the next use reopens it)."""
        self.__dict__.pop("collection", None)

    def warm_up(self) -> KnowledgeBase:
        """Load everything now (a server does this at start, so the first question is as fast as the rest)."""
        _ = self.enrichment_index, self.symbols, self.collection, self.lexicon
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
