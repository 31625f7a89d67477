"""The enrichment index: over-representation analysis against local gene-set libraries, fast enough to call per
question.

The statistics are gseapy's offline `enrich` (the reference the tests compare against): the query and every set are
restricted to the background, p = P(X >= overlap) under the hypergeometric distribution, Benjamini-Hochberg FDR over
the sets that share at least one gene with the query (gseapy's and clusterProfiler's convention), and the
Haldane-Anscombe corrected odds ratio. What makes it fast is a gene x set membership matrix built once (an
overlap count for every set is one sparse row-sum) and tails summed for all sets at once (`tools.stats`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from knowledge_base.store import EVIDENCE_SOURCES, PathwayStore
from tools.errors import ToolInputError

if TYPE_CHECKING:
    from tools.genes import GeneNormalisation

DEFAULT_MAX_RESULTS = 50
LARGE_QUERY = 1_000


@dataclass(frozen=True)
class EnrichmentHit:
    pathway_id: str
    source: str
    name: str
    overlap_genes: tuple[str, ...]
    overlap: int
    pathway_size: int  # genes of the set inside the background
    p_value: float
    fdr: float
    odds_ratio: float


@dataclass(frozen=True)
class EnrichmentResult:
    """Hits, best first, and what the test was run on."""

    hits: tuple[EnrichmentHit, ...]
    tested_genes: tuple[str, ...]  # query genes inside the background
    outside_background: tuple[str, ...]  # query genes no tested library contains: not part of the test
    background_size: int
    sets_tested: int  # sets sharing at least one gene with the query (the BH family)
    normalisation: GeneNormalisation | None = None
    notes: tuple[str, ...] = field(default=())


class EnrichmentIndex:
    """Gene sets as a sparse gene x set membership matrix, with sizes, names and sources. Build once, query often."""

    def __init__(
        self,
        gene_sets: Mapping[str, Collection[str]],
        names: Mapping[str, str],
        sources: Mapping[str, str],
        universe: Collection[str] | None = None,
    ):
        from scipy import sparse

        fixed = frozenset(universe) if universe is not None else None
        self.ids: tuple[str, ...] = tuple(sorted(gene_sets))
        self.gene_sets: dict[str, frozenset[str]] = {
            sid: frozenset(gene_sets[sid]) & fixed if fixed is not None else frozenset(gene_sets[sid])
            for sid in self.ids
        }
        self.names = {sid: names.get(sid, sid) for sid in self.ids}
        self.sources = np.array([sources.get(sid, "") for sid in self.ids], dtype=object)
        members = sorted(set().union(*self.gene_sets.values()) | (fixed or frozenset()))
        self.genes: tuple[str, ...] = tuple(members)
        self.gene_index = {g: i for i, g in enumerate(members)}
        self.position = {sid: i for i, sid in enumerate(self.ids)}
        rows = [self.gene_index[g] for sid in self.ids for g in self.gene_sets[sid]]
        cols = [j for j, sid in enumerate(self.ids) for _ in self.gene_sets[sid]]
        self.matrix = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(members), len(self.ids))
        )
        self.sizes = np.array([len(self.gene_sets[sid]) for sid in self.ids], dtype=np.int64)
        self._fixed_universe = fixed is not None
        self._background_cache: dict[frozenset[str], np.ndarray] = {}

    @classmethod
    def from_gene_sets(
        cls,
        gene_sets: Mapping[str, Collection[str]],
        names: Mapping[str, str],
        sources: Mapping[str, str],
        universe: Collection[str] | None = None,
    ) -> EnrichmentIndex:
        """Any library (GO terms, MSigDB...). Without `universe` the background is the union of the tested sets."""
        return cls(gene_sets, names, sources, universe)

    @classmethod
    def from_store(cls, store: PathwayStore, sources: Sequence[str] = EVIDENCE_SOURCES) -> EnrichmentIndex:
        pathways = store.pathways(sources)
        return cls(
            {p.id: p.genes for p in pathways}, {p.id: p.name for p in pathways}, {p.id: p.source for p in pathways}
        )

    @cached_property
    def source_names(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.sources)))

    def background(self, sources: Collection[str] | None = None) -> frozenset[str]:
        """The genes a query is tested against for `sources` (all sources when None)."""
        return frozenset(self.genes[i] for i in np.flatnonzero(self._background_mask(sources)))

    def enrich(
        self,
        genes: Iterable[str],
        *,
        sources: Collection[str] | None = None,
        exclude_ids: Collection[str] = (),
        max_results: int | None = DEFAULT_MAX_RESULTS,
    ) -> EnrichmentResult:
        """Test `genes` (approved symbols; see `tools.normalise_genes`) against the sets of `sources`."""
        from tools.stats import benjamini_hochberg, hypergeom_sf

        query = list(dict.fromkeys(genes))
        set_mask = self._set_mask(sources)
        if exclude_ids:
            excluded = [self.position[sid] for sid in exclude_ids if sid in self.position]
            set_mask[excluded] = False
        in_background = self._background_mask(sources)
        rows = [self.gene_index[g] for g in query if g in self.gene_index and in_background[self.gene_index[g]]]
        tested = tuple(self.genes[r] for r in rows)
        tested_set = set(tested)
        outside = tuple(g for g in query if g not in tested_set)
        population = int(in_background.sum())
        if not rows:
            return EnrichmentResult((), (), outside, population, 0, notes=_notes(len(query), 0))
        overlap = np.asarray(self.matrix[rows].sum(axis=0)).ravel()
        candidates = np.flatnonzero(set_mask & (overlap > 0))
        drawn = len(rows)
        x, m = overlap[candidates], self.sizes[candidates]
        p_values = hypergeom_sf(x, population, m, drawn)
        fdr = benjamini_hochberg(p_values)
        half = 0.5  # Haldane-Anscombe correction, as gseapy: finite for every table
        odds = ((x + half) * (population - m - drawn + x + half)) / ((m - x + half) * (drawn - x + half))
        order = np.lexsort((candidates, -x, p_values))  # ties: more overlap first, then by id (ids are sorted)
        if max_results is not None:
            order = order[: max(0, max_results)]
        hits = tuple(
            EnrichmentHit(
                pathway_id=self.ids[j],
                source=str(self.sources[j]),
                name=self.names[self.ids[j]],
                overlap_genes=tuple(sorted(tested_set & self.gene_sets[self.ids[j]])),
                overlap=int(x[i]),
                pathway_size=int(m[i]),
                p_value=float(p_values[i]),
                fdr=float(fdr[i]),
                odds_ratio=float(odds[i]),
            )
            for i in order
            for j in (candidates[i],)
        )
        return EnrichmentResult(hits, tested, outside, population, len(candidates), notes=_notes(len(query), drawn))

    def _set_mask(self, sources: Collection[str] | None) -> np.ndarray:
        if sources is None:
            return np.ones(len(self.ids), dtype=bool)
        wanted = set(check_sources(sources, self.source_names))
        return np.array([s in wanted for s in self.sources], dtype=bool)

    def _background_mask(self, sources: Collection[str] | None) -> np.ndarray:
        """Genes of the selected libraries (or the fixed universe): the population of the test."""
        if self._fixed_universe:
            return np.ones(len(self.genes), dtype=bool)
        key = frozenset(sources) if sources is not None else frozenset(self.source_names)
        mask = self._background_cache.get(key)
        if mask is None:
            selected = self._set_mask(sources)
            mask = np.asarray(self.matrix[:, np.flatnonzero(selected)].sum(axis=1)).ravel() > 0
            self._background_cache[key] = mask
        return mask.copy()


def check_sources(sources: Collection[str], known: Sequence[str]) -> Collection[str]:
    """`sources` as a collection of names, each one of `known` or an evidence source (which may hold no sets)."""
    if isinstance(sources, str):
        sources = (sources,)
    known = tuple(dict.fromkeys([*known, *EVIDENCE_SOURCES]))
    unknown = sorted(set(sources) - set(known))
    if unknown or not sources:
        raise ToolInputError(
            f"Unknown gene-set source(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(known)}."
        )
    return sources


def _notes(query_size: int, tested: int) -> tuple[str, ...]:
    notes = []
    if tested == 0:
        notes.append("No query gene is in any tested gene set: nothing to test.")
    elif tested == 1:
        notes.append("Only one gene was tested: over-representation of a single gene is weak evidence.")
    if query_size > LARGE_QUERY:
        notes.append(
            f"{query_size} genes is a large query: over-representation favours large, general pathways; "
            "a smaller, more specific gene set gives sharper evidence."
        )
    return tuple(notes)
