"""Gene-R1 training data: targets from GO and the pathway sources, split by term, augmented, written as JSONL.

Deterministic given `DataConfig.seed`. Held-out ids (reserved GO ids and every GO id of the Gene-R1 test sets)
never enter a split, and neither does any target whose genes nearly duplicate a benchmark set (Jaccard >=
`max_benchmark_jaccard`: parents/children of a test term, a Reactome copy of an MSigDB set). Evidence for an
example never contains the target itself nor any pathway with exactly the target's genes.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from gene_r1.knowledge_base.fileio import replacing
from gene_r1.tools.thresholds import NEAR_DUPLICATE_JACCARD
from gene_r1.training.benchmarks import BENCHMARKS, GeneSetCase, held_out_go_ids, load_benchmark
from gene_r1.training.evidence import EvidenceLibrary, Hit
from gene_r1.training.traces import grounded_trace, knowledge_answer, plain_trace

_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/:@()]*$")  # as agent.prompts accepts
SOURCES = ("go_bp", "go_mf", "go_cc", "reactome", "wikipathways")
STAGES = ("knowledge", "reasoning", "task")


class DataError(ValueError):
    """A data-building problem the user can fix (missing inputs, impossible sizes)."""


@dataclass(frozen=True)
class DataConfig:
    seed: int = 0
    reasoning: dict[str, int] = field(default_factory=lambda: {
        "go_bp": 600, "reactome": 400, "wikipathways": 200, "go_mf": 100, "go_cc": 100})
    knowledge: int = 100
    task: int = 100
    dev_size: int = 200
    validation_fraction: float = 0.05
    min_genes: int = 5
    max_genes: int = 200
    max_prompt_genes: int = 25
    keep_fraction: tuple[float, float] = (0.5, 1.0)
    off_target_fraction: tuple[float, float] = (0.0, 0.3)
    evidence_k: int = 5
    max_benchmark_jaccard: float = NEAR_DUPLICATE_JACCARD


@dataclass(frozen=True)
class Target:
    id: str
    source: str
    name: str
    genes: frozenset[str]


@dataclass(frozen=True)
class Splits:
    train: list[Target]
    validation: list[Target]
    dev: list[Target]


def prompt_symbols(genes: Iterable[str]) -> frozenset[str]:
    """Genes a prompt can show: a few WikiPathways entries are free text ("POU5F1 (OCT4)"), not symbols."""
    return frozenset(g for g in genes if _SYMBOL.match(g))


def load_targets(source_dir: Path, library: EvidenceLibrary) -> list[Target]:
    from gene_r1.knowledge_base.go import load_go

    namespaces = {"BP": "go_bp", "MF": "go_mf", "CC": "go_cc"}
    targets = [Target(t.id, namespaces[t.namespace], t.name, t.genes)
               for t in load_go(source_dir / "go").values() if t.name]
    targets += [Target(s.id, s.source, s.name, s.genes) for s in library.sets]
    return sorted(targets, key=lambda t: (t.source, t.id))


def near_duplicates(targets: Sequence[Target], cases: Sequence[GeneSetCase], threshold: float) -> set[str]:
    """Ids of targets whose gene set has Jaccard >= threshold with some benchmark set."""
    import numpy as np
    from scipy import sparse

    genes = sorted({g for t in targets for g in t.genes} | {g for c in cases for g in c.genes})
    index = {g: i for i, g in enumerate(genes)}

    def matrix(sets: Sequence[Iterable[str]]):
        rows = [i for i, s in enumerate(sets) for _ in s]
        cols = [index[g] for s in sets for g in s]
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), len(genes)))

    a = matrix([t.genes for t in targets])
    b = matrix([set(c.genes) for c in cases])
    inter = (a @ b.T).tocoo()
    size_a = np.asarray(a.sum(axis=1)).ravel()
    size_b = np.asarray(b.sum(axis=1)).ravel()
    jaccard = inter.data / (size_a[inter.row] + size_b[inter.col] - inter.data)
    return {targets[i].id for i in set(inter.row[jaccard >= threshold].tolist())}


def split_targets(targets: Sequence[Target], source_dir: Path, config: DataConfig) -> Splits:
    """Eligible targets split by term into train / validation / dev (dev: GO:BP terms only)."""
    held_out = held_out_go_ids(source_dir)
    cases = [c for b in BENCHMARKS for c in load_benchmark(source_dir, b)]
    eligible = [t for t in targets
                if t.id not in held_out and config.min_genes <= len(prompt_symbols(t.genes)) <= config.max_genes]
    leaking = near_duplicates(eligible, cases, config.max_benchmark_jaccard)
    eligible = [t for t in eligible if t.id not in leaking]
    rng = random.Random(config.seed)
    bp = [t for t in eligible if t.source == "go_bp"]
    if len(bp) < config.dev_size:
        raise DataError(f"Only {len(bp)} eligible GO:BP terms for a dev set of {config.dev_size}.")
    dev = rng.sample(bp, config.dev_size)
    dev_ids = {t.id for t in dev}
    rest = [t for t in eligible if t.id not in dev_ids]
    rng.shuffle(rest)
    cut = int(len(rest) * config.validation_fraction)
    return Splits(train=rest[cut:], validation=rest[:cut], dev=sorted(dev, key=lambda t: t.id))


@dataclass(frozen=True)
class Augmented:
    genes: list[str]
    record: dict


def augment(genes: Iterable[str], universe: Sequence[str], config: DataConfig, rng: random.Random) -> Augmented:
    """Subsample, add off-target genes, shuffle and cap; the record says what was done."""
    members = sorted(genes)
    keep_fraction = rng.uniform(*config.keep_fraction)
    kept = rng.sample(members, max(3, min(len(members), round(len(members) * keep_fraction))))
    off_fraction = rng.uniform(*config.off_target_fraction)
    member_set = set(members)
    added: list[str] = []
    while len(added) < round(len(kept) * off_fraction):
        gene = universe[rng.randrange(len(universe))]
        if gene not in member_set and gene not in added:
            added.append(gene)
    combined = kept + added
    rng.shuffle(combined)
    capped = combined[: config.max_prompt_genes]
    return Augmented(capped, {
        "original_size": len(members), "kept": len(kept), "keep_fraction": round(keep_fraction, 3),
        "added_off_target": sorted(set(added) & set(capped)), "shuffled": True,
        "capped_to": len(capped) if len(combined) > len(capped) else None})


@lru_cache(maxsize=2)
def universe(library: EvidenceLibrary) -> tuple[str, ...]:
    """Off-target genes are drawn from the library's genes that are plain symbols."""
    return tuple(sorted(prompt_symbols(library.genes)))


def evidence_items(hits: Sequence[Hit]) -> list[dict]:
    """Hits in the shape of `agent.prompts.EvidenceItem`."""
    return [{"pathway_id": h.pathway_id, "source": h.source, "name": h.name, "genes": list(h.overlap_genes),
             "fdr": h.fdr, "kind": "enrichment"} for h in hits]


def reasoning_example(target: Target, split: str, library: EvidenceLibrary, config: DataConfig,
                      rng: random.Random, similarity) -> dict:
    """One evidence-conditioned example; `similarity(names, target) -> list[float]` scores evidence names."""
    from gene_r1.agent.prompts import format_evidence, task_messages

    augmented = augment(prompt_symbols(target.genes), universe(library), config, rng)
    excluded = sorted(library.leakage_ids(target.genes, target.id if target.source in library.SOURCES else None))
    hits = library.enrich(augmented.genes, exclude_ids=excluded, max_results=config.evidence_k)
    items = evidence_items(hits)
    completion, decision = grounded_trace(augmented.genes, hits, target.name,
                                          similarity([h.name for h in hits], target.name) if hits else [])
    evidence = format_evidence(items) if items else None
    return {"id": f"reasoning-{target.id}", "stage": "reasoning", "split": split, "target_id": target.id,
            "target_source": target.source, "target": target.name, "genes": augmented.genes,
            "augmentation": augmented.record, "excluded_evidence_ids": excluded, "evidence": items,
            "decision": decision, "prompt": task_messages(augmented.genes, evidence=evidence),
            "completion": [{"role": "assistant", "content": completion}]}


def task_example(target: Target, split: str, library: EvidenceLibrary, config: DataConfig,
                 rng: random.Random) -> dict:
    from gene_r1.agent.prompts import task_messages

    augmented = augment(prompt_symbols(target.genes), universe(library), config, rng)
    return {"id": f"task-{target.id}", "stage": "task", "split": split, "target_id": target.id,
            "target_source": target.source, "target": target.name, "genes": augmented.genes,
            "augmentation": augmented.record, "prompt": task_messages(augmented.genes),
            "completion": [{"role": "assistant", "content": plain_trace(augmented.genes, target.name)}]}


KNOWLEDGE_QUESTION = "Which pathways and biological processes is the gene {gene} part of? Answer in one line."


def knowledge_examples(targets: Sequence[Target], count: int, split: str, rng: random.Random) -> list[dict]:
    """Gene -> function facts derived from the split's own sets (so no held-out set leaks in)."""
    from gene_r1.agent.prompts import SYSTEM_PROMPT

    by_gene: dict[str, list[Target]] = {}
    for t in targets:
        for gene in t.genes:
            by_gene.setdefault(gene, []).append(t)
    genes = sorted(g for g, ts in by_gene.items() if len(ts) >= 2)
    examples = []
    for gene in rng.sample(genes, min(count, len(genes))):
        chosen = sorted(by_gene[gene], key=lambda t: (len(t.genes), t.id))[:4]  # the most specific sets
        examples.append({
            "id": f"knowledge-{gene}", "stage": "knowledge", "split": split,
            "target_id": ",".join(t.id for t in chosen),
            "target_source": "mixed", "target": "; ".join(t.name for t in chosen), "genes": [gene],
            "prompt": [{"role": "system", "content": SYSTEM_PROMPT},
                       {"role": "user", "content": KNOWLEDGE_QUESTION.format(gene=gene)}],
            "completion": [{"role": "assistant", "content": knowledge_answer(gene, [t.name for t in chosen])}]})
    return examples


def _pick(targets: Sequence[Target], counts: dict[str, int], rng: random.Random) -> list[Target]:
    unknown = set(counts) - set(SOURCES)
    if unknown:
        raise DataError(f"Unknown target source(s) {sorted(unknown)}; choose from {', '.join(SOURCES)}.")
    picked = []
    for source, count in counts.items():
        pool = [t for t in targets if t.source == source]
        picked += rng.sample(pool, min(count, len(pool)))
    return picked


def build_examples(splits: Splits, library: EvidenceLibrary, config: DataConfig, similarity) -> dict[str, list]:
    """All examples per split file name (`train`, `validation`) plus the dev cases (`dev`)."""
    rng = random.Random(config.seed + 1)
    out: dict[str, list] = {}
    for split, targets, scale in (("train", splits.train, 1.0),
                                  ("validation", splits.validation, config.validation_fraction)):
        counts = {s: max(1, round(n * scale)) for s, n in config.reasoning.items() if n > 0}
        reasoning_targets = _pick(targets, counts, rng)
        if isinstance(similarity, NameSimilarity):  # one batched encode instead of one per example
            similarity.add([s.name for s in library.sets] + [t.name for t in reasoning_targets])
        examples = [reasoning_example(t, split, library, config, rng, similarity) for t in reasoning_targets]
        task_targets = _pick(targets, {"go_bp": round(config.task * scale)}, rng) if config.task else []
        examples += [task_example(t, split, library, config, rng) for t in task_targets]
        examples += knowledge_examples(targets, round(config.knowledge * scale), split, rng)
        rng.shuffle(examples)
        out[split] = examples
    out["dev"] = [{"id": t.id, "name": t.name, "genes": sorted(t.genes), "benchmark": "dev"} for t in splits.dev]
    return out


class NameSimilarity:
    """Cosine of evidence names to a target name; vectors are cached on disk (`cache`), encoded once."""

    def __init__(self, cache: Path | None = None):
        import numpy as np

        from gene_r1.training.similarity import get_encoder

        self.encoder = get_encoder()
        self.cache = cache
        self.vectors: dict[str, object] = {}
        if cache is not None and cache.is_file():
            saved = np.load(cache, allow_pickle=False)
            self.vectors = dict(zip(saved["names"].tolist(), saved["vectors"], strict=True))

    def add(self, names: Iterable[str]) -> None:
        missing = sorted({n for n in names if n not in self.vectors})
        if missing:
            self.vectors.update(zip(missing, self.encoder.encode(missing), strict=True))

    def save(self) -> None:
        import numpy as np

        if self.cache is not None and self.vectors:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            names = sorted(self.vectors)
            with self.cache.open("wb") as handle:
                np.savez(handle, names=np.array(names), vectors=np.stack([self.vectors[n] for n in names]))

    def __call__(self, names: Sequence[str], target: str) -> list[float]:
        self.add([*names, target])
        return [float(self.vectors[n] @ self.vectors[target]) for n in names]


def write_jsonl(path: Path, rows: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with replacing(path) as partial, partial.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise DataError(f"No data file {path}: run `gene-r1 train data` first (or pass --data-dir).")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def build_data(source_dir: Path, out_dir: Path, config: DataConfig, *, library: EvidenceLibrary | None = None,
               similarity=None) -> dict[str, int]:
    """Build and write train/validation/dev JSONL and a manifest; returns rows written per file."""
    library = library or EvidenceLibrary.from_source_dir(source_dir)
    cached = similarity is None
    similarity = similarity or NameSimilarity(out_dir / "cache" / "name_vectors.npz")
    splits = split_targets(load_targets(source_dir, library), source_dir, config)
    examples = build_examples(splits, library, config, similarity)
    if cached:
        similarity.save()
    written = {name: write_jsonl(out_dir / f"{name}.jsonl", rows) for name, rows in examples.items()}
    manifest = {"config": asdict(config), "source_dir": str(source_dir), "files": written,
                "eligible_terms": {"train": len(splits.train), "validation": len(splits.validation),
                                   "dev": len(splits.dev)}}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return written
