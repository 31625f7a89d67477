"""What random gene sets get: an empirical null for the strength of a set's enrichment.

Hu et al. (Nature Methods 2025) judge a gene-set namer by whether it tells real sets from random genes. Here the
evidence itself answers: draw random sets of the same size from the same background (the genes of the tested
libraries), enrich each against the same pathways, and see how often chance reaches what the user's set reached.

Two statistics per set, both computed by `set_statistics` for a user's set and for every random draw, so the null and
the observation are the same function:
- `best_log_p`: the strongest evidence, -log10 p of the best *specific* pathway (at most `SPECIFIC_SIZE` genes,
  sharing at least `MIN_OVERLAP` genes with the set; giant pathways like "Metabolism" reach small p for any large set);
- `explained_fraction`: the share of the set's genes that some significant (BH FDR <= 0.05) specific pathway with
  at least two of the set's genes contains (the rule of `agent.explained`);
- `connected_fraction`: the share of the set's genes that share a small pathway (at most `SMALL_SIZE` genes) with
  another gene of the set — co-membership, whatever the significance (added on dev: real vs half-random AUROC
  0.879 -> see `training/analyst_train.py`).

The draws are vectorised (one sparse product gives every draw's overlap with every pathway; the hypergeometric tails
are `tools.stats`), so the whole null — `DRAWS` draws at each of the sizes in `SIZE_GRID` — takes ~15-40 s once per
knowledge base; it is cached on disk, keyed by the content of the index, and shipped for the embedded snapshot.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gene_r1.tools.thresholds import SIGNIFICANT_FDR

logger = logging.getLogger(__name__)

SPECIFIC_SIZE = 500  # as agent.explained's cap: larger pathways explain any gene
SMALL_SIZE = 200
MIN_OVERLAP = 2
FDR_THRESHOLD = SIGNIFICANT_FDR
SIZE_GRID = (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 17, 20, 25, 30, 35, 40, 50, 60, 70, 85, 100, 120, 150, 180, 220,
             270, 330, 400, 500, 650, 800, 1000)
DRAWS = 1000
LARGE_DRAWS = 300  # above LARGE_FROM genes a draw costs more and its statistics vary less
LARGE_FROM = 150
NULL_VERSION = 2


@dataclass(frozen=True)
class SetStatistics:
    best_log_p: float  # -log10 p of the best specific pathway (0 when none shares MIN_OVERLAP genes)
    explained_fraction: float  # share of the set's genes in significant specific pathways
    connected_fraction: float  # share of the set's genes sharing a small pathway with another of its genes
    tested: int = 0  # the set's genes inside the background: what the statistics are about


@dataclass(frozen=True)
class EnrichmentNull:
    """For each size of `sizes`, the sorted statistics of `draws[i]` random sets of that size."""

    sizes: np.ndarray  # (k,)
    best_log_p: list[np.ndarray]  # k sorted arrays
    explained_fraction: list[np.ndarray]
    connected_fraction: list[np.ndarray]
    digest: str

    def nearest(self, size: int) -> int:
        """Index of the grid size nearest `size` on a log scale (sizes beyond the grid use its largest)."""
        return int(np.argmin(np.abs(np.log(self.sizes) - np.log(max(size, 1)))))

    def reached(self, size: int, best_log_p: float) -> tuple[int, int]:
        """(how many random sets of about this size reached `best_log_p` or more, how many were drawn)."""
        values = self.best_log_p[self.nearest(size)]
        return int(len(values) - np.searchsorted(values, best_log_p - 1e-9, side="left")), len(values)

    def moments(self, size: int) -> dict[str, tuple[float, float]]:
        """Mean and standard deviation of each statistic among random sets of about this size."""
        i = self.nearest(size)
        return {name: (float(np.mean(values[i])), float(np.std(values[i])))
                for name, values in (("best_log_p", self.best_log_p), ("explained_fraction", self.explained_fraction),
                                     ("connected_fraction", self.connected_fraction))}

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"best_log_p_{i}": v for i, v in enumerate(self.best_log_p)}
        arrays |= {f"explained_fraction_{i}": v for i, v in enumerate(self.explained_fraction)}
        arrays |= {f"connected_fraction_{i}": v for i, v in enumerate(self.connected_fraction)}
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, sizes=self.sizes, meta=np.array(json.dumps(
            {"digest": self.digest, "version": NULL_VERSION})), **arrays)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> EnrichmentNull:
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            sizes = data["sizes"]
            return cls(sizes, [data[f"best_log_p_{i}"] for i in range(len(sizes))],
                       [data[f"explained_fraction_{i}"] for i in range(len(sizes))],
                       [data[f"connected_fraction_{i}"] for i in range(len(sizes))], meta["digest"])


def index_digest(index, sources: Collection[str]) -> str:
    """A content key for the null: the tested sets' ids and memberships, and the null's own version."""
    mask = index._set_mask(sources)
    columns = index.matrix[:, np.flatnonzero(mask)].tocsc()
    h = hashlib.sha256(f"v{NULL_VERSION}|{SPECIFIC_SIZE}|{SMALL_SIZE}|{MIN_OVERLAP}|{FDR_THRESHOLD}|{DRAWS}".encode())
    h.update("\n".join(sid for sid, keep in zip(index.ids, mask, strict=True) if keep).encode())
    h.update(np.ascontiguousarray(columns.indices, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(columns.indptr, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


class NullComputer:
    """The statistics of many gene sets (rows of gene indices) against one index restricted to `sources`."""

    def __init__(self, index, sources: Collection[str]):
        from scipy import sparse

        self.index = index
        set_mask = index._set_mask(sources)
        self.background = np.flatnonzero(index._background_mask(sources))
        self.population = len(self.background)
        self._in_background = index._background_mask(sources)
        keep = np.flatnonzero(set_mask)
        self.membership = index.matrix[:, keep].tocsr().astype(np.int32)  # genes x kept sets
        self.sizes = index.sizes[keep]
        self.specific = self.sizes <= SPECIFIC_SIZE
        self.small = self.membership[:, np.flatnonzero(self.sizes <= SMALL_SIZE)].tocsr()
        self.small_degree = np.asarray(self.small.sum(axis=1)).ravel()  # small pathways each gene is in
        self._sparse = sparse

    def tested(self, genes: Sequence[str]) -> list[int]:
        """Gene indices of `genes` inside the background (the genes the test is about), in input order."""
        index = self.index
        rows = [index.gene_index[g] for g in dict.fromkeys(genes) if g in index.gene_index]
        return [r for r in rows if self._in_background[r]]

    def statistics(self, rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """best_log_p, explained_fraction and connected_fraction for each set (gene indices in the background)."""
        from gene_r1.tools.stats import hypergeom_sf

        sparse = self._sparse
        n_sets = len(rows)
        lengths = np.array([len(r) for r in rows])
        query = sparse.csr_matrix(
            (np.ones(int(lengths.sum()), dtype=np.int32), np.concatenate([np.asarray(r, dtype=np.int64) for r in rows])
             if n_sets else np.array([], dtype=np.int64), np.concatenate([[0], np.cumsum(lengths)])),
            shape=(n_sets, self.membership.shape[0]))
        overlap = (query @ self.membership).tocsr()  # draws x sets
        overlap.sort_indices()
        row_of = np.repeat(np.arange(n_sets), np.diff(overlap.indptr))
        x = overlap.data.astype(np.float64)
        m = self.sizes[overlap.indices]
        drawn = lengths[row_of]
        p = np.ones_like(x)
        for length in np.unique(drawn):  # the tails take one draw count per call
            at = drawn == length
            p[at] = hypergeom_sf(x[at], self.population, m[at], int(length))
        log_p = -np.log10(np.maximum(p, 1e-300))
        eligible = self.specific[overlap.indices] & (x >= np.minimum(MIN_OVERLAP, lengths[row_of]))
        best = np.zeros(n_sets)
        np.maximum.at(best, row_of[eligible], log_p[eligible])
        fdr = _grouped_bh(p, overlap.indptr)
        significant = eligible & (fdr <= FDR_THRESHOLD)
        chosen = sparse.csr_matrix((np.ones(int(significant.sum()), dtype=np.int32),
                                    (row_of[significant], overlap.indices[significant])), shape=overlap.shape)
        covered = sparse.csr_matrix((chosen @ self.membership.T).multiply(query))  # set genes in a significant set
        covered.eliminate_zeros()
        # a gene's mates: members of its small pathways among the set, counted once per pathway, minus itself
        small_overlap = query @ self.small
        mates = sparse.csr_matrix((small_overlap @ self.small.T).multiply(query))
        mates.data = mates.data - self.small_degree[mates.indices]
        mates.eliminate_zeros()
        connected = np.diff(mates.indptr)
        return best, np.diff(covered.indptr) / np.maximum(lengths, 1), connected / np.maximum(lengths, 1)

    def draw(self, size: int, draws: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        size = min(size, self.population)
        rows = [rng.choice(self.background, size=size, replace=False) for _ in range(draws)]
        parts = [self.statistics(rows[start:start + 100]) for start in range(0, draws, 100)]  # bounded memory
        return tuple(np.concatenate([part[k] for part in parts]) for k in range(3))


def _grouped_bh(p: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg within each row of a CSR layout (the family: the sets that share a gene with the draw)."""
    fdr = np.empty_like(p)
    for start, end in zip(indptr[:-1], indptr[1:], strict=True):
        if end == start:
            continue
        block = p[start:end]
        order = np.argsort(block, kind="stable")
        ranked = block[order] * len(block) / np.arange(1, len(block) + 1)
        adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
        out = np.empty_like(block)
        out[order] = np.minimum(adjusted, 1.0)
        fdr[start:end] = out
    return fdr


def compute_null(index, sources: Collection[str], *, seed: int = 0, sizes: Sequence[int] = SIZE_GRID,
                 progress=None) -> EnrichmentNull:
    computer = NullComputer(index, sources)
    rng = np.random.default_rng(seed)
    columns: tuple[list, list, list] = ([], [], [])
    grid = []
    for i, size in enumerate(sizes):
        if size > computer.population:
            break
        for column, values in zip(columns, computer.draw(size, LARGE_DRAWS if size >= LARGE_FROM else DRAWS, rng),
                                  strict=True):
            column.append(np.sort(values))
        grid.append(size)
        if progress:
            progress(i + 1, len(sizes))
    return EnrichmentNull(np.array(grid), *columns, index_digest(index, sources))


def set_statistics(index, genes: Sequence[str], sources: Collection[str],
                   computer: NullComputer | None = None) -> SetStatistics:
    """The statistics of one set (approved symbols; genes outside the background are not part of the test)."""
    computer = computer or NullComputer(index, sources)
    rows = computer.tested(genes)
    if not rows:
        return SetStatistics(0.0, 0.0, 0.0)
    best, explained, connected = computer.statistics([rows])
    return SetStatistics(float(best[0]), float(explained[0]), float(connected[0]), len(rows))


def load_or_compute_null(index, sources: Collection[str], cache_dir: Path, shipped_dir: Path | None = None,
                         on_compute=None) -> EnrichmentNull:
    """The null for this index: shipped (embedded snapshot), cached, or computed now and cached."""
    digest = index_digest(index, sources)
    name = f"null-{digest}.npz"
    for folder in (shipped_dir, cache_dir):
        if folder is not None and (folder / name).is_file():
            try:
                return EnrichmentNull.load(folder / name)
            except (OSError, ValueError, KeyError) as error:  # a damaged cache file: compute again
                logger.warning("ignoring the damaged null file %s (%s)", folder / name, error)
    logger.info("computing the random-set null for this knowledge base (once; ~30 s)")
    if on_compute is not None:
        on_compute()
    null = compute_null(index, sources)
    null.save(cache_dir / name)
    return null
