"""The pathway search index: one file of vectors, a document vector and a name vector per evidence pathway.

A document is the pathway's name, description, hierarchy context and a compact member-gene summary
(`knowledge_base.documents`); the index holds its MiniLM vector, and the vector of the pathway's name alone (the
ranker's features and the search around the strongest hit embed names). Search is an exact cosine over these rows in
numpy (`tools.search`).

Why a numpy file and not a vector database: 3,495 rows x 384 floats is 5 MB; reading the file takes ~20 ms and an
exact scan of the rows a query may return well under a millisecond (measured on 2 busy cores); the Chroma collection
it replaces cost 0.7-1.9 s of import, a 6 s embedder load to answer a query whose text was known at build time, and
~4 s of HNSW inserts on the first build. Exact search
also removes an approximation: on 300 seeded search queries of the agent (the strongest hit's name among the
pathways holding the genes), Chroma's HNSW returned another set of 50 nearest candidates than the exact scan in 7, the
same top 5 in all (measured on the shipped vectors before the switch).

Building is incremental: a vector is taken from the previous index or from the shipped vectors when its text and
model are unchanged (`documents.content_hash`), and the embedder is loaded only for texts found in neither.
"""

from __future__ import annotations

import json
import logging
import threading
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gene_r1.knowledge_base.documents import GENES_IN_DOCUMENT, content_hash, pathway_documents
from gene_r1.knowledge_base.fileio import replacing
from gene_r1.knowledge_base.store import KnowledgeBaseError, PathwayStore

if TYPE_CHECKING:
    from gene_r1.knowledge_base.embedding import Embedder

log = logging.getLogger(__name__)

INDEX_FILE = "vectors.npz"
FORMAT = "gene-r1-vectors-v1"
BATCH_SIZE = 128


@dataclass(frozen=True)
class IndexUpdate:
    """What one `update_index` call did."""

    added: int
    updated: int
    removed: int
    unchanged: int
    total: int


@dataclass(frozen=True, eq=False)
class PathwayIndex:
    """The rows of the index, in id order. Vectors are float32 and of unit length."""

    ids: np.ndarray  # (n,) str
    sources: np.ndarray  # (n,) str
    names: np.ndarray  # (n,) str
    hashes: np.ndarray  # (n, 32) uint8: content_hash of each document
    name_hashes: np.ndarray  # (n, 32) uint8: content_hash of each name
    vectors: np.ndarray  # (n, dim) documents
    name_vectors: np.ndarray  # (n, dim) names
    metadata: dict[str, Any]

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids.tolist())}

    @cached_property
    def name_row(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names.tolist())}

    def name_vector(self, name: str) -> np.ndarray | None:
        """The stored vector of a pathway name (None for a text that is no indexed pathway's name)."""
        row = self.name_row.get(name)
        return None if row is None else self.name_vectors[row]

    @property
    def model_id(self) -> str:
        return str(self.metadata.get("embedding_model", ""))


def index_file(directory: Path) -> Path:
    return Path(directory) / INDEX_FILE


_cache: dict[str, tuple[tuple[int, int, int], PathwayIndex]] = {}
_cache_lock = threading.Lock()


def load_index(directory: Path) -> PathwayIndex:
    """The index under `directory` (read once per process while the file is unchanged). `KnowledgeBaseError`
    says how to build a missing one, or that a damaged one must be rebuilt."""
    path = index_file(directory)
    try:
        stat = path.stat()
    except OSError:
        raise KnowledgeBaseError(f"No pathway search index at {directory}. Build it with `gene-r1 kb build` "
                                 "(or `gene-r1 kb build --source-dir DIR` offline).") from None
    key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(str(path))
        if cached is not None and cached[0] == key:
            return cached[1]
    index = _read(path)
    with _cache_lock:
        _cache[str(path)] = (key, index)
    return index


def _read(path: Path) -> PathwayIndex:
    try:
        with np.load(path, allow_pickle=False) as data:
            metadata = json.loads(str(data["metadata"]))
            if metadata.get("format") != FORMAT:
                raise ValueError(f"format {metadata.get('format')!r}, expected {FORMAT!r}")
            index = PathwayIndex(
                ids=data["ids"], sources=data["sources"], names=data["names"], hashes=data["hashes"],
                name_hashes=data["name_hashes"], vectors=data["vectors"], name_vectors=data["name_vectors"],
                metadata=metadata,
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise KnowledgeBaseError(f"The search index {path} is unreadable ({type(error).__name__}: {error}); "
                                 "rebuild it with `gene-r1 kb build`.") from error
    n = len(index.ids)
    shapes = [a.shape[0] for a in (index.sources, index.names, index.hashes, index.name_hashes, index.vectors,
                                   index.name_vectors)]
    if any(s != n for s in shapes) or index.vectors.shape != index.name_vectors.shape:
        raise KnowledgeBaseError(f"The search index {path} is inconsistent (rows {n} vs {shapes}); rebuild it "
                                 "with `gene-r1 kb build`.")
    return index


def write_index(directory: Path, index: PathwayIndex) -> Path:
    """Replace the index file under `directory` at once (a reader sees the old index or the new one)."""
    path = index_file(directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, ".part.npz") as tmp:  # numpy appends .npz to a name without it
        np.savez(tmp, ids=index.ids, sources=index.sources, names=index.names, hashes=index.hashes,
                 name_hashes=index.name_hashes, vectors=index.vectors, name_vectors=index.name_vectors,
                 metadata=np.array(json.dumps(index.metadata, sort_keys=True)))
    return path


def update_index(
    store: PathwayStore,
    directory: Path,
    *,
    embedder: Embedder | None = None,
    show_progress: bool = True,
    batch_size: int = BATCH_SIZE,
    precomputed: Mapping[str, np.ndarray] | None = None,
) -> IndexUpdate:
    """Bring the index under `directory` in line with `store`, embedding only what changed.

    `precomputed` maps content hashes to vectors (the shipped ones, `embedded.precomputed_vectors`): a document or
    name found there, or in the previous index, is taken as is; the embedder is loaded only for the rest.
    """
    from gene_r1.knowledge_base import embedding

    model_id = embedder.model_id if embedder is not None else embedding.model_id()
    Path(directory).mkdir(parents=True, exist_ok=True)
    documents = pathway_documents(store)
    ids = sorted(documents)
    previous = _previous(directory, model_id)
    known = dict(precomputed or {})
    if previous is not None:
        for hashes, vectors in ((previous.hashes, previous.vectors), (previous.name_hashes, previous.name_vectors)):
            known.update(zip((h.tobytes().hex() for h in hashes), vectors, strict=True))
    old_hash = ({pid: h.tobytes().hex() for pid, h in zip(previous.ids.tolist(), previous.hashes, strict=True)}
                if previous is not None else {})
    doc_hashes = [content_hash(documents[pid][1], model_id) for pid in ids]
    names = [documents[pid][0].name for pid in ids]
    name_hashes = [content_hash(name, model_id) for name in names]
    texts = {h: documents[pid][1] for pid, h in zip(ids, doc_hashes, strict=True)}
    texts.update(zip(name_hashes, names, strict=True))
    todo = sorted({h for h in texts if h not in known}, key=lambda h: (len(texts[h]), texts[h]))
    if todo:
        known.update(_embed([texts[h] for h in todo], todo, embedder, show_progress, batch_size))
    dimension = len(next(iter(known.values()))) if known else 0
    index = PathwayIndex(
        ids=np.array(ids, dtype=str), sources=np.array([documents[pid][0].source for pid in ids], dtype=str),
        names=np.array(names, dtype=str), hashes=_hash_rows(doc_hashes), name_hashes=_hash_rows(name_hashes),
        vectors=_stack([known[h] for h in doc_hashes], dimension),
        name_vectors=_stack([known[h] for h in name_hashes], dimension),
        metadata=_metadata(store, model_id),
    )
    write_index(directory, index)
    changed = [pid for pid, h in zip(ids, doc_hashes, strict=True) if old_hash.get(pid) != h]
    added = sum(1 for pid in changed if pid not in old_hash)
    update = IndexUpdate(added=added, updated=len(changed) - added, removed=len(set(old_hash) - set(ids)),
                         unchanged=len(ids) - len(changed), total=len(ids))
    log.info("Pathway index at %s: %s (%d texts embedded)", directory, update, len(todo))
    return update


def _previous(directory: Path, model_id: str) -> PathwayIndex | None:
    """The index already under `directory`, when it is readable and of the same model (else everything is new)."""
    if not index_file(directory).is_file():
        return None
    previous = load_index(directory)
    return previous if previous.model_id == model_id else None


def _embed(texts: list[str], hashes: list[str], embedder: Embedder | None, show_progress: bool,
           batch_size: int) -> dict[str, np.ndarray]:
    from tqdm.auto import tqdm

    from gene_r1.knowledge_base import embedding

    embedder = embedder or embedding.get_embedder()
    vectors: dict[str, np.ndarray] = {}
    with tqdm(total=len(texts), desc="Embedding pathways", unit="text", disable=not show_progress) as bar:
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            vectors.update(zip(hashes[start : start + batch_size], embedder.encode(batch), strict=True))
            bar.update(len(batch))
    return vectors


def _hash_rows(hashes: Sequence[str]) -> np.ndarray:
    # uint8 rows, not numpy's "S32": a fixed-width bytes dtype drops trailing zero bytes.
    return np.array([list(bytes.fromhex(h)) for h in hashes], dtype=np.uint8).reshape(len(hashes), 32)


def _stack(vectors: list[np.ndarray], dimension: int) -> np.ndarray:
    return np.stack(vectors).astype(np.float32) if vectors else np.zeros((0, dimension), dtype=np.float32)


def build_index(store: PathwayStore, directory: Path, *, show_progress: bool = True) -> int:
    """Build or refresh the pathway index under `directory` (with the shipped vectors where the texts match);
    returns the number of documents it holds."""
    from gene_r1.knowledge_base.embedded import precomputed_vectors

    return update_index(store, directory, show_progress=show_progress, precomputed=precomputed_vectors()).total


def index_document_count(directory: Path) -> int:
    """Documents in the pathway index under `directory` (0 when there is none; `KnowledgeBaseError` when it is
    unreadable)."""
    if not index_file(directory).is_file():
        return 0
    return len(load_index(directory))


def index_metadata(directory: Path) -> dict[str, Any]:
    """The metadata recorded at build time (store built_at, releases, model); {} when there is no index."""
    if not index_file(directory).is_file():
        return {}
    return dict(load_index(directory).metadata)


def _metadata(store: PathwayStore, model_id: str) -> dict[str, Any]:
    meta = store.meta()
    releases = {r.source: r.release for r in store.releases()}
    return {
        "format": FORMAT,
        "store_built_at": meta.get("built_at", ""),
        "releases": json.dumps(releases, sort_keys=True),
        "embedding_model": model_id,
        "document_format": f"name+description+parents+genes[{GENES_IN_DOCUMENT}]",
    }
