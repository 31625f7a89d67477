"""Coherence and naming on the Gene-R1 benchmark sets in Hu et al.'s three versions (real, 50%-contaminated,
random), with the shipped analyst judge. Report only: nothing here is tuned (dev: `gene-r1 train analyst`).

    python benchmarks/coherence.py --source-dir ../shared/data --out benchmarks/results/coherence.json

Prints, per benchmark and pooled: AUROC of coherence real vs random and real vs 50%; the share called "no coherent
function" per version; ECE and reliability of coherence (all versions) and of name confidence (real sets); and the
naming quality of the real sets (mean MiniLM cosine to the true name) for the top enrichment hit, the ranker's pick
as it was (no grounded rule) and the agent's headline (where no pathway passes the headline rule the agent names
nothing: scored both with the ranker's pick and as "(none)"), with paired-bootstrap 95% CIs.
Also printed: the share of each version with no shared evidence (no two genes in one pathway of <= 200 genes and
no pathway at p < 1e-3: such a real set looks like a random one to any evidence-based verdict), and the trade-off
a cut-off on coherence reaches (random sets called at 2, 3, 5, 8, 10 % of real sets called).
Real sets run the agent's whole judging path (evidence with search, ranker, assess); the contaminated and random
versions skip the semantic search and the ranker's pool, which the verdict does not read. Per-case results are
cached in --cache (JSONL, resumable).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def judged_case(case, context) -> dict:
    """One protocol case through the agent's own nodes up to the assessment."""
    from gene_r1.agent.evidence import gather
    from gene_r1.agent.judge import judge_many
    from gene_r1.agent.nodes.assess import assessment_for, set_statistics_of
    from gene_r1.agent.nodes.judge import judgement_update, ranked_candidates
    from gene_r1.tools.genes import GeneInputError, normalise_genes

    out = {"id": case.id, "version": case.version, "source": case.source, "true_name": case.name}
    try:
        normalised = normalise_genes(list(case.genes), kb=context.kb)
    except GeneInputError as error:  # e.g. a 13,075-gene GO:CC term: the agent refuses it as a background
        return out | {"refused": str(error)}
    genes = list(normalised.genes)
    if not genes:
        return out | {"verdict": "no coherent function", "coherence": 0.0, "name_confidence": 0.0, "headline": "",
                      "theme1": "", "top_hit": "", "ranker": "", "themes": 0, "no_shared_evidence": True}
    full = case.version == "real"
    evidence, search = gather(genes, context.kb, sources=context.config.sources,
                              search_k=context.config.search_k if full else 0)
    state = {"genes": genes, "evidence": evidence, "search_hits": search}
    ranked = ranked_candidates(state, context) if full else []
    judgement = judge_many([(genes, ranked)], context.ranker.settings, None)[0]
    state |= judgement_update(ranked, judgement)
    statistics = set_statistics_of(genes, context)
    assessment = assessment_for(state, context, statistics)
    c = assessment.coherence
    return out | {
        # no evidence tells such a set from a random one: no two genes in one pathway of <= 200 genes, and no
        # pathway reaching p < 1e-3 (reported as the ceiling of any evidence-based verdict; never tuned on)
        "no_shared_evidence": statistics.connected_fraction == 0 and statistics.best_log_p < 3,
        "verdict": c["verdict"], "coherence": c["coherence"], "name_confidence": c["name_confidence"],
        "theme1_confidence": assessment.themes[0]["name_confidence"] if assessment.themes else 0.0,
        "headline": assessment.headline["name"] if assessment.headline else "",
        "theme1": assessment.themes[0]["name"] if assessment.themes else "",
        "top_hit": evidence[0]["name"] if evidence else "",
        "ranker": judgement.chosen["name"] if judgement.chosen else "",
        "themes": len(assessment.themes), "tested": c["set_size"],
    }


def run_cases(cases, context, cache: Path) -> list[dict]:
    from gene_r1.knowledge_base.fileio import append_jsonl

    done = {}
    if cache.is_file():
        for line in cache.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            done[(row["source"], row["id"], row["version"])] = row
    started, todo = time.time(), [c for c in cases if (c.source, c.id, c.version) not in done]
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("a", encoding="utf-8") as handle:
        for i, case in enumerate(todo):
            row = judged_case(case, context)
            done[(case.source, case.id, case.version)] = row
            append_jsonl(handle, row, fsync=False)
            if (i + 1) % 100 == 0:
                rate = (i + 1) / (time.time() - started)
                print(f"  {i + 1}/{len(todo)} cases, {rate:.1f}/s, ETA {(len(todo) - i - 1) / rate / 60:.0f} min",
                      file=sys.stderr, flush=True)
    return [done[(c.source, c.id, c.version)] for c in cases]


def name_scores(rows: list[dict], field: str, encoder) -> np.ndarray:
    names = [r[field] or "(none)" for r in rows]
    return np.array(encoder.cosine_pairs(names, [r["true_name"] for r in rows]))


def operating_points(real: np.ndarray, random: np.ndarray, rates=(0.02, 0.03, 0.05, 0.08, 0.10)) -> dict:
    """The share of random sets a coherence cut-off calls "no coherent function" when it calls `rate` of the real
    ones so: the trade-off any threshold on coherence can reach (a description, never a choice)."""
    if not len(real) or not len(random):
        return {}
    ordered = np.sort(real)
    return {f"{rate:.2f}": float((random < ordered[int(np.floor(rate * len(ordered)))]).mean()) for rate in rates}


def report(rows: list[dict], encoder) -> dict:
    from gene_r1.training.analyst_train import auroc, reliability
    from gene_r1.training.grounded_eval import paired_bootstrap

    refused = {r["id"] for r in rows if r.get("refused")}  # all three versions of a refused set leave the report
    rows = [r for r in rows if r["id"] not in refused]
    by = {v: [r for r in rows if r["version"] == v] for v in ("real", "half", "random")}
    coh = {v: np.array([r["coherence"] for r in by[v]]) for v in by}
    none = {v: float(np.mean([r["verdict"] == "no coherent function" for r in by[v]])) if by[v] else 0.0 for v in by}
    all_p = np.concatenate([coh[v] for v in by])
    outcome = np.concatenate([np.full(len(by["real"]), 1.0), np.zeros(len(by["half"]) + len(by["random"]))])
    ece, table = reliability(all_p, outcome)
    out = {"n": {v: len(by[v]) for v in by}, "refused_sets": sorted(refused),
           "no_shared_evidence": {v: float(np.mean([r.get("no_shared_evidence", False) for r in by[v]]))
                                  if by[v] else 0.0 for v in by},
           "random_called_at_real_rate": operating_points(coh["real"], coh["random"]),
           "auroc_real_vs_random": auroc(coh["real"], coh["random"]),
           "auroc_real_vs_half": auroc(coh["real"], coh["half"]),
           "none_share": none, "coherence_ece": ece, "coherence_reliability": table}
    real = by["real"]
    if real:
        answer = name_scores(real, "theme1", encoder)
        top = name_scores(real, "top_hit", encoder)
        ranker = name_scores(real, "ranker", encoder)
        # where no pathway passes the headline rule the agent names nothing; scored with the ranker's pick here
        theme1 = np.where([bool(r["theme1"]) for r in real], answer, ranker)
        confidence = np.array([r.get("theme1_confidence", 0.0) for r in real])
        named = np.array([bool(r["theme1"]) for r in real])
        c_ece, c_table = reliability(confidence[named], (theme1[named] >= 0.5).astype(float))
        out |= {"name_similarity": {"top_hit": float(top.mean()), "ranker_as_was": float(ranker.mean()),
                                    "agent_headline_theme": float(theme1.mean()),
                                    "agent_answer_unnamed_as_none": float(answer.mean())},
                "unnamed_share": float(np.mean([not r["theme1"] for r in real])),
                "agent_minus_top_hit": paired_bootstrap(theme1, top),
                "agent_minus_ranker_as_was": paired_bootstrap(theme1, ranker),
                "name_confidence_ece": c_ece, "name_confidence_reliability": c_table,
                "name_confidence_correlation": float(np.corrcoef(confidence[named], theme1[named])[0, 1])
                if named.sum() > 2 else float("nan")}
    return out


def main(argv=None) -> int:
    from gene_r1.agent.api import get_context
    from gene_r1.training.benchmarks import BENCHMARKS
    from gene_r1.training.noise_protocol import benchmark_protocol
    from gene_r1.training.similarity import get_encoder

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    parser.add_argument("--limit", type=int, default=0, help="at most this many sets per benchmark (0: all)")
    parser.add_argument("--cache", type=Path, default=Path("benchmarks/results/coherence_cases.jsonl"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    context = get_context()
    background = sorted(context.kb.enrichment_index.background(context.config.sources))
    wanted = args.benchmarks.split(",")
    cases = [c for c in benchmark_protocol(args.source_dir, background) if c.source in wanted]
    if args.limit:
        first: dict[str, list[str]] = {}
        for c in cases:
            ids = first.setdefault(c.source, [])
            if c.id not in ids and len(ids) < args.limit:
                ids.append(c.id)
        cases = [c for c in cases if c.id in first[c.source]]
    rows = run_cases(cases, context, args.cache)
    encoder = get_encoder()
    results = {b: report([r for r in rows if r["source"] == b], encoder) for b in wanted}
    results["pooled"] = report(rows, encoder)
    print(f"{'set':8} {'n':>5} {'AUC r/rand':>10} {'AUC r/half':>10} {'none real':>9} {'none half':>9} "
          f"{'none rand':>9} {'ECE coh':>7} {'ECE name':>8} {'top hit':>7} {'ranker':>7} {'agent':>7}")
    for name, r in results.items():
        sim = r.get("name_similarity", {})
        print(f"{name:8} {r['n']['real']:>5} {r['auroc_real_vs_random']:>10.3f} {r['auroc_real_vs_half']:>10.3f} "
              f"{r['none_share']['real']:>9.3f} {r['none_share']['half']:>9.3f} {r['none_share']['random']:>9.3f} "
              f"{r['coherence_ece']:>7.3f} {r.get('name_confidence_ece', float('nan')):>8.3f} "
              f"{sim.get('top_hit', float('nan')):>7.3f} {sim.get('ranker_as_was', float('nan')):>7.3f} "
              f"{sim.get('agent_headline_theme', float('nan')):>7.3f}")
    for key in ("top_hit", "ranker_as_was", "agent_headline_theme", "agent_answer_unnamed_as_none"):
        means = [results[b]["name_similarity"][key] for b in wanted if "name_similarity" in results[b]]
        if means:
            print(f"mean of the benchmarks' name similarity, {key}: {np.mean(means):.3f}")
    pooled = results["pooled"]
    print("no shared evidence (no two genes in one pathway of <= 200 genes, no pathway at p < 1e-3): "
          + ", ".join(f"{v} {share:.3f}" for v, share in pooled["no_shared_evidence"].items()))
    print("random sets called 'no coherent function' by a coherence cut-off that calls this share of real sets: "
          + ", ".join(f"{rate} -> {share:.3f}" for rate, share in pooled["random_called_at_real_rate"].items()))
    for b in wanted:
        if "agent_minus_top_hit" in results[b]:
            d, lo, hi = results[b]["agent_minus_top_hit"]
            d2, lo2, hi2 = results[b]["agent_minus_ranker_as_was"]
            print(f"{b:8} agent - top hit {d:+.3f} [{lo:+.3f}, {hi:+.3f}]   agent - ranker as was {d2:+.3f} "
                  f"[{lo2:+.3f}, {hi2:+.3f}]   unnamed {results[b]['unnamed_share']:.3f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
