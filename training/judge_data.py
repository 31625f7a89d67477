"""Judge data: gene sets with their grounded candidates and how close each candidate's name is to the true name.

Built with the agent's own evidence engine (`agent.evidence.gather`) and candidate pool (`agent.candidates`), so the
ranker and the model judge learn on exactly what they see at run time. Targets mix GO:BP/MF/CC, Reactome and
WikiPathways (so the judge does not learn GO's wording only). Held out: the reserved GO ids, every Gene-R1 benchmark
id, every target whose genes nearly duplicate a benchmark set (Jaccard >= 0.5). For every example the evidence
hides the target and every pathway whose genes have Jaccard >= 0.5 with the target's (leave-term-out).

Deterministic given the seed. Writes `train.jsonl` and `dev.jsonl` (dev: its own terms, for every choice of
features, weights and thresholds).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gene_r1.tools.thresholds import NEAR_DUPLICATE_JACCARD

SOURCE_MIX = {"go_bp": 0.4, "go_mf": 0.15, "go_cc": 0.15, "reactome": 0.2, "wikipathways": 0.1}


@dataclass(frozen=True)
class JudgeDataConfig:
    seed: int = 0
    train: int = 4000
    dev: int = 800
    pool_k: int = 15  # enrichment hits offered as candidates (plus the search hits)
    search_k: int = 5
    min_genes: int = 5
    max_genes: int = 500
    augment_fraction: float = 0.5  # share of examples subsampled and given off-target genes
    keep_fraction: tuple[float, float] = (0.6, 1.0)
    noise_fraction: tuple[float, float] = (0.0, 0.25)
    leave_out_jaccard: float = NEAR_DUPLICATE_JACCARD
    mix: dict[str, float] = field(default_factory=lambda: dict(SOURCE_MIX))


def dev_bucket(target_id: str) -> bool:
    """A stable 1-in-6 split by term id: the same term is always on the same side."""
    return int(hashlib.sha256(target_id.encode()).hexdigest()[:8], 16) % 6 == 0


def eligible_targets(source_dir: Path, kb, config: JudgeDataConfig) -> list:
    from gene_r1.training.benchmarks import BENCHMARKS, held_out_go_ids, load_benchmark
    from gene_r1.training.data import load_targets, near_duplicates
    from gene_r1.training.evidence import EvidenceLibrary, GeneSet

    library = EvidenceLibrary([GeneSet(p.id, p.source, p.name, frozenset(p.genes))
                               for p in kb.store.pathways(("reactome", "wikipathways"))])
    held_out = held_out_go_ids(source_dir)
    cases = [c for b in BENCHMARKS for c in load_benchmark(source_dir, b)]
    background = kb.enrichment_index.gene_index
    targets = [t for t in load_targets(source_dir, library)
               if t.id not in held_out and len([g for g in t.genes if g in background]) >= config.min_genes]
    leaking = near_duplicates(targets, cases, NEAR_DUPLICATE_JACCARD)
    return [t for t in targets if t.id not in leaking]


class LeaveOut:
    """Ids of knowledge-base pathways whose genes have Jaccard >= threshold with a target's genes."""

    def __init__(self, kb, threshold: float):
        index = kb.enrichment_index
        self.index = index
        self.threshold = threshold
        self.matrix = index.matrix.tocsc()  # genes x sets

    def ids(self, genes: Sequence[str], own_id: str | None) -> set[str]:
        rows = [self.index.gene_index[g] for g in set(genes) if g in self.index.gene_index]
        excluded = {own_id} if own_id else set()
        if not rows:
            return excluded
        overlap = np.asarray(self.matrix[rows].sum(axis=0)).ravel()
        union = self.index.sizes + len(rows) - overlap
        jaccard = np.where(union > 0, overlap / np.maximum(union, 1), 0.0)
        excluded.update(self.index.ids[j] for j in np.flatnonzero(jaccard >= self.threshold))
        return excluded


def sample_genes(genes: Sequence[str], universe: Sequence[str], config: JudgeDataConfig,
                 rng: random.Random) -> tuple[list[str], dict]:
    """The target's genes (at most max_genes), sometimes subsampled with off-target genes added."""
    members = sorted(genes)
    if len(members) > config.max_genes:
        members = sorted(rng.sample(members, config.max_genes))
    if rng.random() >= config.augment_fraction:
        return members, {"augmented": False}
    keep = max(config.min_genes, round(len(members) * rng.uniform(*config.keep_fraction)))
    kept = rng.sample(members, min(keep, len(members)))
    noise_n = round(len(kept) * rng.uniform(*config.noise_fraction))
    member_set = set(members)
    noise: list[str] = []
    while len(noise) < noise_n:
        gene = universe[rng.randrange(len(universe))]
        if gene not in member_set and gene not in noise:
            noise.append(gene)
    return sorted(kept + noise), {"augmented": True, "kept": len(kept), "noise": sorted(noise)}


def build_example(target, genes: list[str], kb, leave_out: LeaveOut, config: JudgeDataConfig) -> dict | None:
    from gene_r1.agent.candidates import candidate_pool
    from gene_r1.agent.evidence import gather

    own = target.id if target.source in ("reactome", "wikipathways") else None
    excluded = leave_out.ids(target.genes, own)
    evidence, search = gather(genes, kb, sources=("reactome", "wikipathways"), search_k=config.search_k,
                              exclude_ids=excluded)
    pool = candidate_pool(evidence, search, config.pool_k)
    if not pool:
        return None
    return {"id": target.id, "source": target.source, "true_name": target.name, "genes": genes,
            "excluded_ids": len(excluded), "pool": pool}


def build_judge_data(source_dir: Path, kb, out_dir: Path, config: JudgeDataConfig,
                     embed: Callable[[list[str]], np.ndarray],
                     progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write train.jsonl / dev.jsonl with per-candidate labels (`label`: cosine of its name to the true name)."""
    from gene_r1.training.data import write_jsonl

    rng = random.Random(config.seed)
    targets = eligible_targets(source_dir, kb, config)
    universe = kb.enrichment_index.genes
    leave_out = LeaveOut(kb, config.leave_out_jaccard)
    total_weight = sum(config.mix.values())
    out: dict[str, list[dict]] = {}
    for split, count in (("train", config.train), ("dev", config.dev)):
        side = [t for t in targets if dev_bucket(t.id) == (split == "dev")]
        chosen = []
        for source, weight in config.mix.items():
            pool = sorted((t for t in side if t.source == source), key=lambda t: t.id)
            chosen += rng.sample(pool, min(len(pool), round(count * weight / total_weight)))
        rng.shuffle(chosen)
        rows = []
        for i, target in enumerate(chosen):
            genes, augmentation = sample_genes([g for g in target.genes if g in kb.enrichment_index.gene_index],
                                               universe, config, rng)
            example = build_example(target, genes, kb, leave_out, config)
            if example is not None:
                rows.append(example | {"augmentation": augmentation})
            if progress and (i + 1) % 100 == 0:
                progress(i + 1, len(chosen))
        label_rows(rows, embed)
        out[split] = rows
    written = {split: write_jsonl(out_dir / f"{split}.jsonl", rows) for split, rows in out.items()}
    (out_dir / "config.json").write_text(__import__("json").dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
    return written


def name_vectors(names, embed: Callable[[list[str]], np.ndarray]) -> dict[str, np.ndarray]:
    """Each distinct name's embedding, embedded once (labels are cosines between names)."""
    unique = sorted(set(names))
    return dict(zip(unique, embed(unique), strict=True)) if unique else {}


def label_rows(rows: list[dict], embed: Callable[[list[str]], np.ndarray]) -> None:
    """Each candidate's `label`: the cosine of its name to the example's true name."""
    vectors = name_vectors([c["name"] for r in rows for c in r["pool"]] + [r["true_name"] for r in rows], embed)
    for row in rows:
        truth = vectors[row["true_name"]]
        for candidate in row["pool"]:
            candidate["label"] = round(float(vectors[candidate["name"]] @ truth), 5)
