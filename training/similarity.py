"""Name similarity: sentence-encoder cosine (offline MiniLM by default) and ROUGE-L F1 (pure LCS)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

DEFAULT_ENCODER = "all-MiniLM-L6-v2"
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 over lower-cased word tokens (the rouge-score definition without stemming)."""
    pred, ref = tokens(prediction), tokens(reference)
    if not pred or not ref:
        return 0.0
    lcs = _lcs_length(pred, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


@dataclass
class Encoder:
    """L2-normalised sentence vectors: the KB's offline MiniLM by default, else a sentence-transformers model."""

    name: str = DEFAULT_ENCODER
    _model: Any = field(default=None, repr=False)

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.name, device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]):
        import numpy as np

        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        if self.name == DEFAULT_ENCODER:
            from gene_r1.knowledge_base.embedding import get_embedder

            return get_embedder().encode(list(texts))
        vectors = self._load().encode(list(texts), batch_size=64, normalize_embeddings=True,
                                      show_progress_bar=False, convert_to_numpy=True)
        return vectors.astype(np.float32)

    def cosine_pairs(self, predictions: Sequence[str], references: Sequence[str]) -> list[float]:
        """Cosine of each prediction with its reference; an empty prediction scores 0."""
        if len(predictions) != len(references):
            raise ValueError("predictions and references must have the same length")
        unique = sorted({t for t in (*predictions, *references) if t})
        vectors = dict(zip(unique, self.encode(unique), strict=True))
        return [float(vectors[p] @ vectors[r]) if p and r else 0.0 for p, r in zip(predictions, references,
                                                                                   strict=True)]


@lru_cache(maxsize=4)
def get_encoder(name: str = DEFAULT_ENCODER) -> Encoder:
    return Encoder(name)
