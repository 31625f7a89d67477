"""Evaluation of the grounded systems, all through the agent's own evidence engine and judge prompt.

Per case the evidence (normalisation, enrichment, search) is computed once with `agent.evidence.gather` and cached;
every system then names the set from that same evidence:
  enrichment   the top enrichment hit (the baseline every other row is compared with)
  ranker       the feature ranker's first candidate (no grounded-headline rule: the agent before issue 16)
  judge        the default agent's choice: the ranker plus the model's vote, under the grounded-headline rule
               (the strongest theme's grounded name, `agent.analyst.named_groups`)
  agent        the full agent (`agent.api.analyze`: graph, verification, report), for an end-to-end check
  model_names  the naming model's name, always (`--selection model` without its rule): it reads the judge's six best
               candidates and the genes' full names; an answer without a readable `Process:` line scores as no name
  oracle5      the best of the top-5 enrichment names (needs the true name: a ceiling, not a system)
Caches are keyed by everything that changes an answer: the code of the agent and tools, the knowledge base, the
judge assets, the model and adapter, and the system's settings (`cache_key`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gene_r1.knowledge_base.fileio import append_jsonl, resume_jsonl
from gene_r1.tools.thresholds import NEAR_DUPLICATE_JACCARD
from gene_r1.training.benchmarks import GeneSetCase
from gene_r1.training.evaluate import Prediction

GROUNDED_SYSTEMS = ("enrichment", "ranker", "judge", "agent", "model_names", "oracle5")
# The same systems with GO as a third evidence source, under leave-term-out (`go_leave_out_ids`): separate rows,
# never the headline numbers.
GO_SYSTEMS = ("enrichment_go", "ranker_go")
GO_SOURCES = ("reactome", "wikipathways", "go")
# The code an answer depends on: the evidence engine (tools/, agent/evidence.py) and the judge's path.
EVIDENCE_CODE = ("tools", "agent/evidence.py")
ANSWER_CODE = EVIDENCE_CODE + ("agent/candidates.py", "agent/features.py", "agent/judge.py", "agent/ranker.py",
                               "agent/prompts.py", "agent/model.py", "agent/backends", "agent/analyst.py",
                               "agent/headline.py", "agent/themes.py", "agent/explained.py")


def code_fingerprint(parts: Sequence[str] = ANSWER_CODE, root: Path | None = None) -> str:
    root = root or Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for part in parts:
        target = root / part
        for path in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def file_fingerprint(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def kb_fingerprint(kb) -> str:
    """The store's releases and pathway contents (ids, names, genes): what evidence can be found."""
    digest = hashlib.sha256()
    for pathway in kb.store.pathways(kb.enrichment_index.source_names):
        digest.update(f"{pathway.id}\t{pathway.name}\t{','.join(sorted(pathway.genes))}\n".encode())
    return digest.hexdigest()[:12]


def cache_key(**parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class CaseEvidence:
    id: str
    benchmark: str
    true_name: str
    genes: list[str]
    evidence: list[dict]
    search_hits: list[dict]
    seconds: float


@functools.cache
def _leave_out(kb, threshold: float):
    from gene_r1.training.judge_data import LeaveOut

    go_ids = {kb.enrichment_index.ids[i] for i, source in enumerate(kb.enrichment_index.sources) if source == "go"}
    return LeaveOut(kb, threshold), go_ids


def go_leave_out_ids(case_id: str, genes: Sequence[str], kb, threshold: float = NEAR_DUPLICATE_JACCARD) -> set[str]:
    """Leave-term-out for GO evidence: the target term itself and every GO term whose genes have Jaccard >=
    `threshold` with the case's genes (parents, children and copies of the answer)."""
    leave_out, go_ids = _leave_out(kb, threshold)
    excluded = {case_id} if case_id.startswith("GO:") else set()
    return excluded | (leave_out.ids(genes, None) & go_ids)


def gather_case(case: GeneSetCase, kb, config, leave_out_go: bool = False) -> CaseEvidence:
    from gene_r1.agent.evidence import gather
    from gene_r1.tools.genes import GeneInputError, normalise_genes

    started = time.perf_counter()
    try:
        genes = list(normalise_genes(list(case.genes), kb=kb).genes)
    except GeneInputError:
        genes = []
    excluded = go_leave_out_ids(case.id, genes, kb) if leave_out_go else set()
    evidence, search = (gather(genes, kb, sources=config.sources, search_k=config.search_k, exclude_ids=excluded)
                        if genes else ([], []))
    return CaseEvidence(case.id, case.benchmark, case.name, genes, evidence, search, time.perf_counter() - started)


def evidence_for(cases: Sequence[GeneSetCase], kb, config, cache_file: Path,
                 progress: Callable[[int, int], None] | None = None, leave_out_go: bool = False) -> list[CaseEvidence]:
    """Evidence per case, read from `cache_file` when present there, appended to it otherwise."""
    done: dict[str, CaseEvidence] = {row["id"]: CaseEvidence(**row) for row in resume_jsonl(cache_file)}
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    with cache_file.open("a", encoding="utf-8") as handle:
        for i, case in enumerate(cases):
            if case.id not in done:
                done[case.id] = gather_case(case, kb, config, leave_out_go)
                append_jsonl(handle, done[case.id].__dict__, fsync=False)
            if progress and (i + 1) % 100 == 0:
                progress(i + 1, len(cases))
    return [done[c.id] for c in cases]


def pools(items: Sequence[CaseEvidence], config) -> list[list[dict]]:
    from gene_r1.agent.candidates import candidate_pool

    return [candidate_pool(e.evidence, e.search_hits, config.pool_k) for e in items]


def enrichment_names(items: Sequence[CaseEvidence]) -> list[Prediction]:
    return [Prediction(e.evidence[0]["name"] if e.evidence else "", e.evidence[0]["fdr"] if e.evidence else None,
                       True, e.seconds) for e in items]


def headline(item: CaseEvidence, judgement, ranker, embed, config) -> str:
    """The agent's name under the grounded-headline rule, as `agent.analyst.assess` gives it (the judge's best
    grounded name, whose theme leads; else the strongest theme's grounded name); the judge's unrestricted pick when
    no significant specific pathway forms a theme (the agent then claims no name; scored here with the pick, so
    every benchmark set has a name, as in `benchmarks/coherence.py`)."""
    from gene_r1.agent.analyst import judged_themes
    from gene_r1.agent.judge import rank_rows

    _, named, _ = judged_themes(item.genes, len(item.genes), item.evidence, list(judgement.candidates),
                                lambda rows: rank_rows(rows, len(item.genes), ranker, embed), config.fdr_threshold)
    if named:
        return named[0][1]["name"]
    return judgement.chosen["name"] if judgement.chosen else ""


def judged_chunks(items: Sequence[CaseEvidence], config, ranker, embed, model=None,
                  batch: int = 8) -> Iterator[tuple[Sequence[CaseEvidence], list, float]]:
    """The cases `batch` at a time, with the judge's judgements of their ranked candidates (the model's votes in one
    batched call when `model` is given) and the moment the chunk's work began."""
    from gene_r1.agent.judge import judge_many, rank

    all_pools = pools(items, config)
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        started = time.perf_counter()
        ranked = [rank(pool, len(e.genes), ranker, embed) for e, pool in
                  zip(chunk, all_pools[start : start + batch], strict=True)]
        yield chunk, judge_many([(e.genes, r) for e, r in zip(chunk, ranked, strict=True)], ranker.settings,
                                model), started


def judged_names(items: Sequence[CaseEvidence], config, ranker, embed, model=None, batch: int = 8,
                 grounded: bool = True) -> list[Prediction]:
    """The ranker's (model=None) or the judge's choice per case, under the grounded-headline rule unless
    `grounded` is False (the ranker as it was before the rule); model votes batched `batch` sets at a time."""
    out: list[Prediction] = []
    for chunk, judgements, started in judged_chunks(items, config, ranker, embed, model, batch):
        names = [headline(e, j, ranker, embed, config) for e, j in zip(chunk, judgements, strict=True)] \
            if grounded else [j.chosen["name"] if j.chosen else "" for j in judgements]
        share = (time.perf_counter() - started) / len(chunk)
        for e, j, name in zip(chunk, judgements, names, strict=True):
            out.append(Prediction(name, j.confidence, j.method == "ranker+model" or model is None,
                                  e.seconds + share))
    return out


def model_names(items: Sequence[CaseEvidence], config, ranker, embed, model,
                names_of: Callable[[Sequence[str]], dict[str, str]], batch: int = 8) -> list[Prediction]:
    """The naming model's name per case, written as the agent's naming node asks for it (`agent.naming`: the ranker's
    shortlist of six, the genes' full names from `names_of`), by batched greedy decoding; "" when the model wrote
    no readable `Process:` line or the set has no candidate."""
    from gene_r1.agent.naming import draft_names, naming_shortlist
    from gene_r1.agent.parsing import parse_answer

    out: list[Prediction] = []
    for chunk, judgements, started in judged_chunks(items, config, ranker, embed, None, batch):
        shortlists = [naming_shortlist(j.candidates) for j in judgements]
        asked = [i for i, shortlist in enumerate(shortlists) if shortlist]
        requests = [(chunk[i].genes, shortlists[i], names_of(chunk[i].genes)) for i in asked]
        texts = dict(zip(asked, draft_names(requests, model) if requests else [], strict=True))
        share = (time.perf_counter() - started) / len(chunk)
        for i, e in enumerate(chunk):
            name = (parse_answer(texts[i]).name or "").strip() if i in texts else ""
            out.append(Prediction(name, None, bool(name), e.seconds + share, raw=texts.get(i, "")))
    return out


def oracle_names(items: Sequence[CaseEvidence], embed, k: int = 5) -> list[Prediction]:
    out = []
    for e in items:
        names = [row["name"] for row in e.evidence[:k]]
        if not names:
            out.append(Prediction("", None, True, 0.0))
            continue
        vectors = embed(names + [e.true_name])
        out.append(Prediction(names[int(np.argmax(vectors[:-1] @ vectors[-1]))], None, True, 0.0))
    return out


def paired_bootstrap(system: Sequence[float], baseline: Sequence[float], *, resamples: int = 10_000,
                     seed: int = 0) -> tuple[float, float, float]:
    """Mean of system - baseline over paired cases, and its 95% percentile-bootstrap interval (one benchmark's
    `paired_bootstrap_mean`: the same resamples)."""
    return paired_bootstrap_mean([(system, baseline)], resamples=resamples, seed=seed)


def paired_bootstrap_mean(pairs: Sequence[tuple[Sequence[float], Sequence[float]]], *, resamples: int = 10_000,
                          seed: int = 0) -> tuple[float, float, float]:
    """The mean over benchmarks of each benchmark's mean paired difference (system, baseline), and its 95% interval
    from resampling every benchmark's cases on its own: each benchmark weighs the same, as in the mean of five."""
    diffs = [np.asarray(system, dtype=float) - np.asarray(baseline, dtype=float) for system, baseline in pairs]
    diffs = [d for d in diffs if len(d)]
    if not diffs:
        return 0.0, 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = np.mean([d[rng.integers(0, len(d), size=(resamples, len(d)))].mean(axis=1) for d in diffs], axis=0)
    return (float(np.mean([d.mean() for d in diffs])), float(np.quantile(means, 0.025)),
            float(np.quantile(means, 0.975)))
