"""Evaluation building blocks: predictions, the free-text model systems, metrics, resumable runs.

The grounded systems (top enrichment hit, feature ranker, judge, agent) live in `training/grounded_eval.py`; the
free-text ones here are the model alone on the authors' task prompt, no tools:
  base   the base model (no adapter)
  tuned  the fine-tuned model (base + adapter)
Metrics: mean cosine of predicted vs true name (offline MiniLM or `--encoder`), its percentile among the true
name's similarities to all GO:BP term names (Hu et al. 2025), ROUGE-L, format-following rate, seconds per set.
Per-case results are appended to JSONL files, so a run that stops resumes where it stopped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from gene_r1.knowledge_base.fileio import append_jsonl, resume_jsonl
from gene_r1.training.benchmarks import GeneSetCase, load_benchmark
from gene_r1.training.similarity import Encoder, rouge_l


class EvaluationError(RuntimeError):
    """A system or input that cannot be evaluated as asked."""


@dataclass(frozen=True)
class Prediction:
    name: str
    confidence: float | None = None
    followed_format: bool = True
    seconds: float = 0.0
    raw: str = ""


System = Callable[[Sequence[GeneSetCase]], list[Prediction]]


@dataclass(frozen=True)
class Score:
    system: str
    benchmark: str
    n: int
    cosine: float
    percentile: float | None
    rouge_l: float
    format_rate: float
    seconds_per_set: float


# ---------------------------------------------------------------- systems


def _genes_for_prompt(case: GeneSetCase) -> list[str]:
    """The genes the model is shown, capped as the agent caps them (`agent.judge.prompt_genes`)."""
    from gene_r1.agent.judge import prompt_genes
    from gene_r1.training.data import prompt_symbols

    return prompt_genes([g for g in case.genes if g in prompt_symbols([g])], [])


def model_system(model, *, max_new_tokens: int = 160, batch_size: int = 8) -> System:
    """A model backend (`agent.model.ModelBackend`) on the task prompt alone (no evidence)."""
    from gene_r1.agent.model import GenerationConfig
    from gene_r1.agent.parsing import parse_answer
    from gene_r1.agent.prompts import task_messages

    generation = GenerationConfig(max_new_tokens=max_new_tokens)

    def messages(case: GeneSetCase) -> list[dict]:
        return task_messages(_genes_for_prompt(case))

    def run(cases: Sequence[GeneSetCase]) -> list[Prediction]:
        out = []
        for start in range(0, len(cases), batch_size):
            chunk = cases[start : start + batch_size]
            started = time.perf_counter()
            generations = model.generate_batch([messages(c) for c in chunk], generation)
            per_set = (time.perf_counter() - started) / len(chunk)
            for g in generations:
                parsed = parse_answer(g.text)
                out.append(Prediction(parsed.name or "", parsed.confidence, parsed.followed_format, per_set, g.text))
        return out

    return run


# ---------------------------------------------------------------- metrics


class PercentileReference:
    """Hu et al.'s percentile: the share of GO:BP term names less similar to the true name than the prediction."""

    def __init__(self, names: Sequence[str], encoder: Encoder, cache: Path | None = None):
        self.encoder = encoder
        vectors = None
        if cache is not None and cache.is_file():
            saved = np.load(cache, allow_pickle=False)
            if saved["names"].tolist() == list(names) and str(saved["encoder"]) == encoder.name:
                vectors = saved["vectors"]
        if vectors is None:
            vectors = encoder.encode(list(names))
            if cache is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
                with cache.open("wb") as handle:
                    np.savez(handle, names=np.array(list(names)), vectors=vectors, encoder=encoder.name)
        self.vectors = vectors

    def percentiles(self, similarities: Sequence[float], truths: Sequence[str]) -> list[float]:
        truth_vectors = self.encoder.encode(list(truths))
        reference = truth_vectors @ self.vectors.T  # (cases, GO:BP names)
        return [float(np.mean(row < s)) for row, s in zip(reference, similarities, strict=True)]


def score(system: str, benchmark: str, records: Sequence[dict], encoder: Encoder,
          reference: PercentileReference | None) -> Score:
    names = [r["predicted"] for r in records]
    truths = [r["true_name"] for r in records]
    cosines = encoder.cosine_pairs(names, truths)
    percentile = None
    if reference is not None:
        percentile = float(np.mean(reference.percentiles(cosines, truths)))
    return Score(system, benchmark, len(records), float(np.mean(cosines)), percentile,
                 float(np.mean([rouge_l(p, t) for p, t in zip(names, truths, strict=True)])),
                 float(np.mean([r["followed_format"] for r in records])),
                 float(np.mean([r["seconds"] for r in records])))


# ---------------------------------------------------------------- running


def select_cases(cases: Sequence[GeneSetCase], limit: int | None, seed: int) -> list[GeneSetCase]:
    """All cases, or a seeded sample of `limit` of them (in file order). Samples are nested: the sample of 10 is
    part of the sample of 20 with the same seed, so cached results of a smaller run are reused."""
    if not limit or limit >= len(cases):
        return list(cases)
    order = list(range(len(cases)))
    random.Random(seed).shuffle(order)
    chosen = set(order[:limit])
    return [c for i, c in enumerate(cases) if i in chosen]


def load_cases(source_dir: Path, benchmark: str, dev_file: Path | None = None) -> list[GeneSetCase]:
    if benchmark == "dev":
        from gene_r1.training.data import read_jsonl

        if dev_file is None:
            raise EvaluationError("The dev benchmark needs the dev.jsonl that `gene-r1 train data` writes.")
        return [GeneSetCase(r["id"], r["name"], tuple(r["genes"]), "dev") for r in read_jsonl(dev_file)]
    return load_benchmark(source_dir, benchmark)


def run_benchmark(system_name: str, system: System, cases: Sequence[GeneSetCase], results_file: Path,
                  *, batch: int = 8, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Predict the cases not yet in `results_file`, appending each batch; returns the records of `cases`."""
    done: dict[str, dict] = {record["id"]: record for record in resume_jsonl(results_file)}
    todo = [c for c in cases if c.id not in done]
    results_file.parent.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        predictions = system(chunk)
        with results_file.open("a", encoding="utf-8") as handle:
            for case, p in zip(chunk, predictions, strict=True):
                record = {"id": case.id, "system": system_name, "benchmark": case.benchmark,
                          "true_name": case.name, "predicted": p.name, **asdict(p)}
                record.pop("name")
                done[case.id] = record
                append_jsonl(handle, record, fsync=False)
        if progress:
            progress(len(cases) - len(todo) + start + len(chunk), len(cases))
    return [done[c.id] for c in cases]


def markdown_table(scores: Sequence[Score]) -> str:
    lines = ["| system | benchmark | n | cosine | percentile | ROUGE-L | format | s/set |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in scores:
        percentile = "" if s.percentile is None else f"{s.percentile:.3f}"
        lines.append(f"| {s.system} | {s.benchmark} | {s.n} | {s.cosine:.3f} | {percentile} | {s.rouge_l:.3f} "
                     f"| {s.format_rate:.2f} | {s.seconds_per_set:.2f} |")
    return "\n".join(lines)
