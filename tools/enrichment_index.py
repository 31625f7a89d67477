"""The enrichment index: over-representation analysis against local gene-set libraries, fast enough to call per
question.

The statistics are gseapy's offline `enrich` (the reference the tests compare against): the query and every set are
restricted to the background, p = P(X >= overlap) under the hypergeometric distribution, Benjamini-Hochberg FDR over
the sets that share at least one gene with the query (gseapy's and clusterProfiler's convention), and the
Haldane-Anscombe corrected odds ratio. What makes it fast is a gene x set membership matrix built once (an
overlap count for every set is one sparse row-sum) and tails summed for all sets at once (`tools.stats`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gene_r1.knowledge_base.store import EVIDENCE_SOURCES, PathwayStore
from gene_r1.tools.errors import ToolInputError

if TYPE_CHECKING:
    from gene_r1.tools.genes import GeneNormalisation

DEFAULT_MAX_RESULTS = 50
LARGE_QUERY = 1_000
CACHE_VERSION = 1


@dataclass(frozen=True)
class PathwayMatch:
    """A pathway and the query genes it holds: what an enrichment hit and an overlap lookup both report."""

    pathway_id: str
    source: str
    name: str
    overlap_genes: tuple[str, ...]
    overlap: int
    pathway_size: int


@dataclass(frozen=True)
class EnrichmentHit(PathwayMatch):
    """`pathway_size` counts the set's genes inside the background."""

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
    """Gene sets as a sparse gene x set membership matrix, with sizes, names and sources. Build once, query often.

    Any library (the knowledge base, GO terms, MSigDB...): `EnrichmentIndex(gene_sets, names, sources)`. Without
    `universe` the background is the union of the tested sets.
    """

    def __init__(
        self,
        gene_sets: Mapping[str, Collection[str]],
        names: Mapping[str, str],
        sources: Mapping[str, str],
        universe: Collection[str] | None = None,
    ):
        from scipy import sparse

        fixed = frozenset(universe) if universe is not None else None
        ids = tuple(sorted(gene_sets))
        sets = {sid: frozenset(gene_sets[sid]) & fixed if fixed is not None else frozenset(gene_sets[sid])
                for sid in ids}
        members = tuple(sorted(set().union(*sets.values()) | (fixed or frozenset())))
        gene_index = {g: i for i, g in enumerate(members)}
        rows = [gene_index[g] for sid in ids for g in sets[sid]]
        cols = [j for j, sid in enumerate(ids) for _ in sets[sid]]
        matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(members), len(ids)))
        self._assemble(ids, [names.get(sid, sid) for sid in ids], [sources.get(sid, "") for sid in ids], members,
                       matrix, fixed is not None)
        self.__dict__["gene_sets"] = sets  # known already: `gene_sets` need not rebuild it from the matrix

    def _assemble(self, ids: tuple[str, ...], names: Sequence[str], sources: Sequence[str], genes: tuple[str, ...],
                  matrix, fixed_universe: bool) -> None:
        self.ids = ids
        self.names = dict(zip(ids, names, strict=True))
        self.sources = np.array(sources, dtype=object)
        self.genes: tuple[str, ...] = genes
        self.gene_index = {g: i for i, g in enumerate(genes)}
        self.position = {sid: i for i, sid in enumerate(ids)}
        self.matrix = matrix  # genes x sets, CSR, ones
        self.sizes = np.diff(self._by_set.indptr).astype(np.int64)
        self._fixed_universe = fixed_universe
        self._background_cache: dict[frozenset[str], np.ndarray] = {}

    @cached_property
    def gene_sets(self) -> dict[str, frozenset[str]]:
        """Set id -> its genes (inside the universe)."""
        return {sid: frozenset(self.members(j)) for j, sid in enumerate(self.ids)}

    @cached_property
    def _by_set(self):
        return self.matrix.tocsc()

    def members(self, position: int) -> list[str]:
        """The genes of the set at `position`, in gene order."""
        by_set = self._by_set
        return [self.genes[r] for r in by_set.indices[by_set.indptr[position] : by_set.indptr[position + 1]]]

    def save(self, path: Path, key: str) -> None:
        """Write the index to `path` (numpy arrays; `load` reads it back in ~20 ms) under a `key` that says what it
        was built from."""
        from gene_r1.knowledge_base.fileio import replacing

        matrix = self.matrix.tocsr()
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, ".part.npz") as tmp:  # numpy appends .npz to a name without it
            np.savez(tmp, key=np.array(key), ids=np.array(self.ids, dtype=str),
                     names=np.array([self.names[sid] for sid in self.ids], dtype=str),
                     sources=np.array(self.sources.tolist(), dtype=str), genes=np.array(self.genes, dtype=str),
                     indptr=matrix.indptr, indices=matrix.indices, fixed_universe=np.array(self._fixed_universe))

    @classmethod
    def load(cls, path: Path, key: str) -> EnrichmentIndex | None:
        """The index saved at `path` under `key`; None when there is none, it is unreadable or of another key."""
        import zipfile

        from scipy import sparse

        try:
            with np.load(path, allow_pickle=False) as saved:
                if str(saved["key"]) != key:
                    return None
                ids, genes = tuple(saved["ids"].tolist()), tuple(saved["genes"].tolist())
                indices, indptr = saved["indices"], saved["indptr"]
                matrix = sparse.csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr),
                                           shape=(len(genes), len(ids)))
                index = cls.__new__(cls)
                index._assemble(ids, saved["names"].tolist(), saved["sources"].tolist(), genes, matrix,
                                bool(saved["fixed_universe"]))
                return index
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            return None

    @classmethod
    def from_store(cls, store: PathwayStore, sources: Sequence[str] = EVIDENCE_SOURCES,
                   cache: Path | None = None) -> EnrichmentIndex:
        """The sets of `sources` in `store`. With `cache`, the index is read from that file when it was saved from
        this very store file and these sources, and saved there otherwise: building it from the store's 166k
        memberships took 0.3-0.9 s of every cold start (2 shared cores), reading it back ~20 ms."""
        key = _store_key(store, sources)
        if cache is not None and (index := cls.load(cache, key)) is not None:
            return index
        pathways = store.pathways(sources)
        index = cls(
            {p.id: p.genes for p in pathways}, {p.id: p.name for p in pathways}, {p.id: p.source for p in pathways}
        )
        if cache is not None:
            with contextlib.suppress(OSError):  # a read-only data home: build again next time
                index.save(cache, key)
        return index

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
        from gene_r1.tools.stats import benjamini_hochberg, hypergeom_sf

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
                overlap_genes=tuple(g for g in self.members(j) if g in tested_set),
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


def _store_key(store: PathwayStore, sources: Sequence[str]) -> str:
    """What an index saved from `store` was built from: the store file (its inode, size and time) and the sources."""
    stat = store.path.stat()
    return json.dumps([CACHE_VERSION, str(store.path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns,
                       sorted(sources)])


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
