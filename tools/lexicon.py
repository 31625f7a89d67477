"""The vocabulary of pathway names, for search's lexical half: word stems and how rare each is among the names.

Built once per knowledge base (`KnowledgeBase.lexicon`); it imports nothing from the tool modules, so the context
can build it without an import cycle.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from gene_r1.knowledge_base.store import Pathway

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset("a an and by for from in into of on or the to via with".split())


def words(text: str) -> list[str]:
    """Lower-cased word stems: plural 's' dropped, stop words removed."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w in _STOPWORDS:
            continue
        out.append(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


@dataclass(frozen=True)
class Lexicon:
    """Inverse document frequencies of words in pathway names, and each pathway's name words."""

    idf: Mapping[str, float]
    name_words: Mapping[str, frozenset[str]]
    default_idf: float

    @classmethod
    def from_pathways(cls, pathways: Iterable[Pathway]) -> Lexicon:
        return cls.from_names({p.id: p.name for p in pathways})

    @classmethod
    def from_names(cls, names: Mapping[str, str]) -> Lexicon:
        """From pathway id -> name."""
        name_words = {pid: frozenset(words(name)) for pid, name in names.items()}
        counts = Counter(w for ws in name_words.values() for w in ws)
        n = max(1, len(name_words))
        idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in counts.items()}
        return cls(idf=idf, name_words=name_words, default_idf=math.log((n + 1) / 0.5))

    def coverage(self, query_words: Sequence[str], pathway_id: str) -> float:
        """The share of the query's (rarity-weighted) words that the pathway's name contains, in [0, 1]."""
        unique = set(query_words)
        total = sum(self.idf.get(w, self.default_idf) for w in unique)
        if total <= 0:
            return 0.0
        present = self.name_words.get(pathway_id, frozenset())
        return sum(self.idf.get(w, self.default_idf) for w in unique if w in present) / total
