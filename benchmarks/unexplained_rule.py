"""Which pathways may explain a gene: the rule of `agent/explained.py`, measured on a GO development set.

For GO terms outside every benchmark and reserved id (10-100 genes, sampled with a seed), plant random noise
genes (a quarter of the term's size, at least 3) drawn from the background (genes of any Reactome/WikiPathways
pathway) and not in the term, enrich the mixed set against Reactome + WikiPathways, and apply each candidate rule to
the significant hits. A good rule flags the planted genes as unexplained (noise flagged) and keeps the term's own
genes explained (members kept; only members inside the background count, since no pathway can hold the others).
Youden's J = noise flagged + members kept - 1 ranks the rules. Runs in seconds (no model, no search index).

Measured (300 terms, seed 7, all significant rows of the top 50 hits): any size J 0.550; size <= 1000 0.596;
<= 500 0.604 (noise flagged 0.826, members kept 0.778); <= 300 0.606; <= 100 0.567; odds ratio >= 10 0.584;
expected overlap <= 2 0.601. Seeds 11 and 23 agree (<= 500: 0.597, 0.597). Hence the default cap of 500.

Usage: python benchmarks/unexplained_rule.py [--terms 300] [--seed 7] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from gene_r1.agent.evidence import row_from_enrichment
from gene_r1.agent.explained import explained_genes
from gene_r1.knowledge_base.go import load_go
from gene_r1.knowledge_base.sources import parse_reactome_gmt, parse_wikipathways_enrichr
from gene_r1.tools.enrichment import EnrichmentIndex
from gene_r1.training.benchmarks import held_out_go_ids

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CAPS = (None, 2000, 1000, 500, 300, 200, 150, 100, 50)
MIN_ODDS = (3.0, 5.0, 10.0, 20.0)
MAX_EXPECTED = (0.5, 1.0, 2.0)
TOP_K = (20, 50)  # significant rows the report weighs (consensus_k = 20), and all the hits kept


def rules(query_size: int, background_size: int) -> dict[str, tuple[int | None, object]]:
    """Rule label -> (size cap for `explained_genes`, extra row filter). Alternatives to a fixed cap: a minimum
    odds ratio, and a cap relative to the set (expected chance overlap size * |set| / background <= e)."""
    table: dict[str, tuple[int | None, object]] = {f"size <= {cap or 'any'}": (cap, None) for cap in CAPS}
    for odds in MIN_ODDS:
        table[f"odds ratio >= {odds:g}"] = (None, lambda row, o=odds: (row["odds_ratio"] or 0) >= o)
    for cap in (500, 300):
        table[f"size <= {cap}, overlap >= 2"] = (cap, lambda row: len(row["overlap_genes"]) >= 2)
    for e in MAX_EXPECTED:
        cap = int(e * background_size / query_size)
        table[f"expected overlap <= {e:g}"] = (cap, None)
    return table


def evidence_index(data: Path) -> EnrichmentIndex:
    reactome = parse_reactome_gmt(next((data / "reactome").glob("ReactomePathways*.gmt")))
    wiki = parse_wikipathways_enrichr(next((data / "wikipathways").glob("WikiPathway_*_Human.txt")))
    sets, names, sources = {}, {}, {}
    for source, parsed in (("reactome", reactome), ("wikipathways", wiki)):
        for gene_set in parsed.gene_sets:
            sets[gene_set.id], names[gene_set.id], sources[gene_set.id] = gene_set.genes, gene_set.name, source
    return EnrichmentIndex(sets, names, sources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terms", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=SHARED)
    args = parser.parse_args()

    started = time.perf_counter()
    index = evidence_index(args.data)
    background = sorted(index.background())
    go = load_go(args.data / "go")
    held_out = held_out_go_ids(args.data)
    pool = sorted(t for t, term in go.items() if t not in held_out and 10 <= len(term.genes) <= 100)
    rng = random.Random(args.seed)
    dev = rng.sample(pool, args.terms)
    counts: dict[tuple[int, str], list[int]] = {}  # noise flagged, noise, kept, members
    for term_id in dev:
        members = sorted(go[term_id].genes)
        noise = rng.sample([g for g in background if g not in go[term_id].genes], max(3, round(len(members) / 4)))
        in_background = [g for g in members if g in index.gene_index]
        query = members + noise
        rows = [row_from_enrichment(hit) for hit in index.enrich(query, max_results=max(TOP_K)).hits]
        for k in TOP_K:
            for label, (cap, keep) in rules(len(query), len(background)).items():
                kept_rows = [row for row in rows[:k] if keep is None or keep(row)]
                split = explained_genes(query, kept_rows, fdr_threshold=0.05, max_pathway_size=cap)
                tally = counts.setdefault((k, label), [0, 0, 0, 0])
                tally[0] += sum(g in split.unexplained for g in noise)
                tally[1] += len(noise)
                tally[2] += sum(g in split.explained for g in in_background)
                tally[3] += len(in_background)
    print(f"{len(dev)} dev GO terms (BP/MF/CC, 10-100 genes, seed {args.seed}); background {len(background)} genes")
    print(f"{'rows':>5} {'rule':>26} {'noise flagged':>14} {'members kept':>13} {'J':>6}")
    for (k, label), (flagged, n_noise, kept, n_members) in counts.items():
        noise_rate, kept_rate = flagged / n_noise, kept / n_members
        print(f"{k:>5} {label:>26} {noise_rate:>14.3f} {kept_rate:>13.3f} {noise_rate + kept_rate - 1:>6.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
