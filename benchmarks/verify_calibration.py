"""Calibrate `verify`'s degrees on dev claims: a GO term's genes with its true name, a sibling's name, a random name.

Dev terms are GO:BP terms on the dev side of the house split (`training/judge_data.py: dev_bucket`), never a reserved
or benchmark id (`training/benchmarks.py: held_out_go_ids`) nor a near-duplicate (Jaccard >= 0.5) of a benchmark set,
with 10-50 genes inside the knowledge base's background. Each term's genes are checked against three claims:

- true: the term's own name (a good verdict is `supported`, though Reactome/WikiPathways may lack the process);
- sibling: the name of a term sharing an is_a parent in the GO DAG (../shared/data/go/BP_go.tab) whose genes overlap
  little (Jaccard < 0.2): "nucleotide-excision repair" for "base-excision repair" (should not be `supported`);
- random: the name of a random other dev-eligible term sharing almost no genes (Jaccard < 0.05) (`not supported`).

For every claim the pathways are weighed once (`agent.verification.weigh_pathways`); the verdict rule is then replayed
over a grid of the two thresholds, beside the rule `verify` used before (search score >= 0.45 among 5 hits, any
significant hit supports). No model is loaded; a few minutes on 2 cores for 200 terms.

Usage: python benchmarks/verify_calibration.py [--terms 200] [--seed 7] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.agent.evidence import is_significant, row_from_enrichment, row_from_pathway
from gene_r1.agent.verification import (
    MIN_COVERAGE_RATIO,
    MIN_NAME_SIMILARITY,
    WeighedPathway,
    judge_claim,
    weigh_pathways,
)
from gene_r1.knowledge_base.go import load_go
from gene_r1.training.benchmarks import BENCHMARKS, held_out_go_ids, load_benchmark
from gene_r1.training.data import Target, near_duplicates
from gene_r1.training.judge_data import dev_bucket

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
KINDS = ("true", "sibling", "random")
VERDICTS = ("supported", "partly supported", "not supported")
SIMILARITIES = (0.6, 0.65, 0.7, 0.75, 0.8)
RATIOS = (0.5, 0.67, 0.8, 1.0)
MIN_GENES, MAX_GENES = 10, 50


def is_a_parents(go_dir: Path) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = defaultdict(set)
    for line in (go_dir / "BP_go.tab").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[2] == "is_a":
            parents[fields[1]].add(fields[0])
    return parents


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def dev_claims(data: Path, background: set[str], n_terms: int, seed: int) -> list[tuple[str, list[str], dict]]:
    """(term id, its genes in the background, {kind: claim}) for `n_terms` dev terms, seeded."""
    go = load_go(data / "go", ["BP"])
    held_out = held_out_go_ids(data)
    allowed = {i: t for i, t in go.items() if i not in held_out}
    cases = [c for b in BENCHMARKS for c in load_benchmark(data, b)]
    leaking = near_duplicates([Target(i, "go_bp", t.name, t.genes) for i, t in allowed.items()], cases, 0.5)
    allowed = {i: t for i, t in allowed.items() if i not in leaking}
    genes = {i: frozenset(t.genes & background) for i, t in allowed.items()}
    pool = sorted(i for i in allowed if dev_bucket(i) and MIN_GENES <= len(genes[i]) <= MAX_GENES)
    parents = is_a_parents(data / "go")
    children: dict[str, set[str]] = defaultdict(set)
    for child, ps in parents.items():
        for parent in ps:
            children[parent].add(child)
    rng = random.Random(seed)
    out = []
    for term_id in rng.sample(pool, len(pool)):
        term = allowed[term_id]
        siblings = sorted(
            s for p in parents.get(term_id, ()) for s in children[p]
            if s in allowed and s != term_id and allowed[s].name.lower() != term.name.lower()
            and genes[s] and jaccard(genes[s], genes[term_id]) < 0.2
        )
        if not siblings:
            continue
        other = rng.choice(pool)
        while other == term_id or jaccard(genes[other], genes[term_id]) >= 0.05:
            other = rng.choice(pool)
        claims = {"true": term.name, "sibling": allowed[rng.choice(siblings)].name, "random": allowed[other].name}
        out.append((term_id, sorted(genes[term_id]), claims))
        if len(out) == n_terms:
            break
    return out


def old_verdict(claim: str, genes: list[str], kb, enrichment: dict, config: AgentConfig) -> str:
    """The rule `verify` used before degrees: a search hit scoring >= 0.45 that is significant with >= 2 genes."""
    from gene_r1.tools import search_pathways

    rows = []
    for hit in search_pathways(claim, k=5, genes=genes, kb=kb):
        pathway = kb.store.pathway(hit.pathway_id)
        if hit.score >= 0.45 and pathway is not None:
            rows.append(row_from_pathway(pathway, genes, enrichment))
    if any(is_significant(r, config.fdr_threshold) and len(r["overlap_genes"]) >= 2 for r in rows):
        return "supported"
    return "partly supported" if any(r["overlap_genes"] for r in rows) else "not supported"


def table(counts: dict[str, Counter], label: str) -> list[str]:
    lines = []
    for kind in KINDS:
        total = sum(counts[kind].values()) or 1
        shares = "  ".join(f"{counts[kind][v] / total:>6.2f}" for v in VERDICTS)
        lines.append(f"{label:>24} {kind:>8}  {shares}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terms", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=SHARED)
    args = parser.parse_args()

    started = time.perf_counter()
    context = AgentContext(config=AgentConfig.from_env())
    kb, config = context.kb, context.config
    from gene_r1.tools import enrich

    terms = dev_claims(args.data, set(kb.enrichment_index.gene_index), args.terms, args.seed)
    weighed: list[tuple[str, list[str], list[WeighedPathway]]] = []
    old: dict[str, Counter] = defaultdict(Counter)
    for _, genes, claims in terms:
        rows = [row_from_enrichment(hit) for hit in enrich(genes, sources=config.sources, kb=kb)]
        enrichment = {row["pathway_id"]: row for row in rows}
        for kind, claim in claims.items():
            weighed.append((kind, genes, weigh_pathways(claim, genes, kb, enrichment, config)))
            old[kind][old_verdict(claim, genes, kb, enrichment, config)] += 1

    def replay(similarity: float, ratio: float) -> dict[str, Counter]:
        counts: dict[str, Counter] = defaultdict(Counter)
        for kind, genes, pathways in weighed:
            check = judge_claim("", genes, pathways, fdr_threshold=config.fdr_threshold,
                                min_similarity=similarity, min_coverage_ratio=ratio)
            counts[kind][check.verdict["verdict"]] += 1
        return counts

    chosen = replay(MIN_NAME_SIMILARITY, MIN_COVERAGE_RATIO)
    print(f"{len(terms)} dev GO:BP terms ({MIN_GENES}-{MAX_GENES} genes, seed {args.seed}); share of each verdict")
    print(f"{'rule':>24} {'claim':>8}  {'sup.':>6}  {'partly':>6}  {'not':>6}")
    print("\n".join(table(chosen, f"chosen sim {MIN_NAME_SIMILARITY:g} ratio {MIN_COVERAGE_RATIO:g}")))
    print("\n".join(table(old, "before (search >= 0.45)")))
    print("\nGrid: supported share per claim kind; J = true - sibling; random not supported")
    print(f"{'similarity':>10} {'ratio':>6} {'true':>6} {'sibling':>8} {'random':>7} {'J':>6} {'random not':>11}")
    for similarity in SIMILARITIES:
        for ratio in RATIOS:
            counts = replay(similarity, ratio)
            share = {k: counts[k]["supported"] / (sum(counts[k].values()) or 1) for k in KINDS}
            rejected = counts["random"]["not supported"] / (sum(counts["random"].values()) or 1)
            print(f"{similarity:>10g} {ratio:>6g} {share['true']:>6.2f} {share['sibling']:>8.2f} "
                  f"{share['random']:>7.2f} {share['true'] - share['sibling']:>6.2f} {rejected:>11.2f}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
