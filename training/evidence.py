"""Pathway sets for training targets and evidence: Reactome + WikiPathways from release files, with leakage
control. Enrichment is the agent's own engine (`tools.enrichment.EnrichmentIndex`, checked against gseapy), so
training examples see exactly the statistics and ranking the agent computes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gene_r1.tools.enrichment_index import EnrichmentHit as Hit  # training reads the agent engine's hits as they are

REACTOME_GMT = Path("reactome") / "ReactomePathways_2024-09-18.gmt"
WIKIPATHWAYS_GMT = Path("wikipathways") / "WikiPathway_2023_Human.txt"


@dataclass(frozen=True)
class GeneSet:
    id: str
    source: str
    name: str
    genes: frozenset[str]


def read_source_dir(source_dir: Path) -> list[GeneSet]:
    """Reactome + WikiPathways sets from the release files in `source_dir` (the KB's own parsers)."""
    from gene_r1.knowledge_base.sources import parse_reactome_gmt, parse_wikipathways_enrichr

    sets = []
    for source, parsed in (("reactome", parse_reactome_gmt(source_dir / REACTOME_GMT)),
                           ("wikipathways", parse_wikipathways_enrichr(source_dir / WIKIPATHWAYS_GMT))):
        sets.extend(GeneSet(s.id, source, s.name, frozenset(s.genes)) for s in parsed.gene_sets)
    return sets


class EvidenceLibrary:
    """Gene sets, with the agent's enrichment index over them (background: the union of the sets)."""

    SOURCES = ("reactome", "wikipathways")

    def __init__(self, gene_sets: Sequence[GeneSet]):
        from gene_r1.tools.enrichment import EnrichmentIndex

        self.sets = list(gene_sets)
        self.by_id = {s.id: i for i, s in enumerate(self.sets)}
        self.index = EnrichmentIndex({s.id: s.genes for s in self.sets},
                                     {s.id: s.name for s in self.sets},
                                     {s.id: s.source for s in self.sets})
        self.genes = list(self.index.genes)
        self._by_signature: dict[frozenset[str], list[str]] = {}
        for s in self.sets:
            self._by_signature.setdefault(s.genes, []).append(s.id)

    @classmethod
    def from_source_dir(cls, source_dir: Path) -> EvidenceLibrary:
        return cls(read_source_dir(source_dir))

    @classmethod
    def from_store(cls, store) -> EvidenceLibrary:
        """From an opened `knowledge_base.store.PathwayStore` (Reactome + WikiPathways)."""
        return cls([GeneSet(p.id, p.source, p.name, frozenset(p.genes))
                    for p in store.pathways(("reactome", "wikipathways"))])

    def leakage_ids(self, genes: Iterable[str], own_id: str | None = None) -> set[str]:
        """Ids to hide from the evidence of a target: its own id and every set with the same genes."""
        ids = set(self._by_signature.get(frozenset(genes), ()))
        if own_id is not None:
            ids.add(own_id)
        return ids

    def enrich(self, genes: Iterable[str], *, exclude_ids: Collection[str] = (), max_results: int = 5) -> list[Hit]:
        result = self.index.enrich(list(genes), exclude_ids=exclude_ids, max_results=max_results)
        return list(result.hits)
