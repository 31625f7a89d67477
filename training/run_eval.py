"""`gene-r1 eval`: run the requested systems on the benchmarks (resumably, caches keyed by everything that changes
an answer), score them, and compare each with the top enrichment hit (and the `versus` systems) by a paired
bootstrap, per benchmark and on the mean over benchmarks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gene_r1.training.benchmarks import BENCHMARKS
from gene_r1.training.evaluate import (
    EvaluationError,
    PercentileReference,
    Prediction,
    Score,
    load_cases,
    model_system,
    run_benchmark,
    score,
    select_cases,
)
from gene_r1.training.grounded_eval import (
    GO_SOURCES,
    GO_SYSTEMS,
    GROUNDED_SYSTEMS,
    paired_bootstrap,
    paired_bootstrap_mean,
)
from gene_r1.training.similarity import Encoder

FREE_TEXT_SYSTEMS = ("base", "tuned")  # the model alone, no tools (the paper's protocol)
SYSTEMS = GROUNDED_SYSTEMS + GO_SYSTEMS + FREE_TEXT_SYSTEMS
BASELINE = "enrichment"


@dataclass(frozen=True)
class EvalRequest:
    systems: list[str]
    benchmarks: list[str]
    source_dir: Path
    home: Path | None = None
    limit: int | None = None
    seed: int = 0
    adapter: str | None = None
    judge_assets: Path | None = None
    encoder: str = "all-MiniLM-L6-v2"
    out: Path | None = None
    max_new_tokens: int = 160
    dev_file: Path | None = None
    percentile: bool = True
    versus: list[str] = field(default_factory=list)  # systems to compare every other with, beside the top hit


MEAN = "mean"  # the benchmark name of a comparison on the mean over benchmarks


@dataclass(frozen=True)
class Comparison:
    system: str
    benchmark: str  # or MEAN
    delta: float
    low: float
    high: float
    baseline: str = BASELINE

    @property
    def interval(self) -> str:
        return f"{self.delta:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


@dataclass
class EvalReport:
    request: EvalRequest
    scores: list[Score] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def markdown(self) -> str:
        r = self.request
        lines = ["| system | benchmark | n | cosine | Δ vs top hit [95% CI] | percentile | ROUGE-L | s/set |",
                 "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |"]
        deltas = {(c.system, c.benchmark): c for c in self.comparisons if c.baseline == BASELINE}
        for s in self.scores:
            c = deltas.get((s.system, s.benchmark))
            delta = c.interval if c else ""
            percentile = "" if s.percentile is None else f"{s.percentile:.3f}"
            lines.append(f"| {s.system} | {s.benchmark} | {s.n} | {s.cosine:.3f} | {delta} | {percentile} "
                         f"| {s.rouge_l:.3f} | {s.seconds_per_set:.3f} |")
        means = self.mean_over_benchmarks()
        if means:
            lines += ["", "| system | mean cosine over the benchmarks |", "| --- | ---: |"]
            lines += [f"| {system} | {value:.3f} |" for system, value in means.items()]
        lines += self.paired_table()
        notes = [f"Encoder: {r.encoder}. Sample: " + (f"{r.limit} sets per benchmark (seed {r.seed})" if r.limit
                                                      else "full benchmarks") + "."]
        notes += [f"Cache key of {name}: {key}" for name, key in self.keys.items()]
        notes += [f"Skipped {name}: {why}" for name, why in self.skipped.items()]
        return "\n".join(lines) + "\n\n" + "\n".join(notes)

    def paired_table(self) -> list[str]:
        """Every system minus every baseline, per benchmark and on the mean, with the 95% intervals."""
        columns = [b for b in self.request.benchmarks if any(c.benchmark == b for c in self.comparisons)]
        if any(c.benchmark == MEAN for c in self.comparisons):
            columns.append(MEAN)
        cells: dict[tuple[str, str], dict[str, str]] = {}
        for c in self.comparisons:
            cells.setdefault((c.system, c.baseline), {})[c.benchmark] = c.interval
        if not cells:
            return []
        lines = ["", "| paired difference [95% CI] | " + " | ".join(columns) + " |",
                 "| --- | " + " | ".join("---" for _ in columns) + " |"]
        for (system, baseline), row in cells.items():
            lines.append(f"| {system} − {baseline} | " + " | ".join(row.get(b, "") for b in columns) + " |")
        return lines

    def mean_over_benchmarks(self) -> dict[str, float]:
        by_system: dict[str, list[float]] = {}
        for s in self.scores:
            if s.benchmark != "dev":
                by_system.setdefault(s.system, []).append(s.cosine)
        return {k: float(np.mean(v)) for k, v in by_system.items()}

    def as_json(self) -> dict:
        mean: dict[str, dict[str, float]] = {}
        for s in self.scores:
            mean.setdefault(s.system, {})[s.benchmark] = round(s.cosine, 4)
        request = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self.request).items()}
        return {"mean_cosine": mean, "mean_over_benchmarks": self.mean_over_benchmarks(),
                "scores": [asdict(s) for s in self.scores], "comparisons": [asdict(c) for c in self.comparisons],
                "skipped": self.skipped, "cache_keys": self.keys, "request": request}


def _check(request: EvalRequest) -> None:
    unknown = [s for s in request.systems if s not in SYSTEMS]
    if unknown:
        raise EvaluationError(f"Unknown system(s) {unknown}; choose from {', '.join(SYSTEMS)}.")
    unknown = [s for s in request.versus if s not in request.systems]
    if unknown:
        raise EvaluationError(f"--versus {unknown}: compare only with systems that run (--systems).")
    unknown = [b for b in request.benchmarks if b not in (*BENCHMARKS, "dev")]
    if unknown:
        raise EvaluationError(f"Unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARKS)}, dev.")


def adapter_digest(adapter: str | None) -> str:
    from gene_r1.agent.model import ModelConfig, resolve_adapter

    path = resolve_adapter(ModelConfig(adapter=adapter))
    if path is None:
        return "none"
    weights = Path(path) / "adapter_model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:10] if weights.is_file() else "remote"
    return f"{Path(path).name}-{digest}"


class GroundedRunner:
    """Evidence once per case, then any grounded system over it."""

    def __init__(self, request: EvalRequest, log: Callable[[str], None], *, with_go: bool = False):
        from gene_r1.agent.config import AgentConfig
        from gene_r1.agent.ranker import ASSET_FILES, DEFAULT_ASSETS, load_ranker
        from gene_r1.tools.context import open_knowledge_base
        from gene_r1.training.grounded_eval import (
            EVIDENCE_CODE,
            cache_key,
            code_fingerprint,
            file_fingerprint,
            kb_fingerprint,
        )
        from gene_r1.training.judge_pipeline import embedder

        self.request, self.log = request, log
        self.with_go = with_go
        self.config = AgentConfig.from_env(home=request.home, adapter=request.adapter,
                                           judge_assets=request.judge_assets)
        if with_go:
            self.config = AgentConfig.from_env(home=request.home, adapter=request.adapter,
                                               judge_assets=request.judge_assets, sources=GO_SOURCES)
        self.kb = open_knowledge_base(self.config.home)
        if with_go and "go" not in self.kb.enrichment_index.source_names:
            raise EvaluationError(f"The knowledge base at {self.kb.home} holds no GO: build it with "
                                  "`gene-r1 kb build --with-go` to evaluate the GO rows.")
        self.ranker = load_ranker(self.config.judge_assets)
        self.embed = embedder()
        assets = self.config.judge_assets or DEFAULT_ASSETS
        self.fingerprints = {"code": code_fingerprint(), "kb": kb_fingerprint(self.kb),
                             "assets": file_fingerprint([assets / name for name in ASSET_FILES]),
                             "sources": list(self.config.sources), "search_k": self.config.search_k,
                             "pool_k": self.config.pool_k}
        # One evidence key per run (the code read once): every benchmark of a run lands under the same key.
        self.evidence_key = cache_key(code=code_fingerprint(EVIDENCE_CODE), kb=self.fingerprints["kb"],
                                      sources=self.fingerprints["sources"], search_k=self.config.search_k,
                                      leave_out_go=with_go)
        self._model = None
        self._naming_model = None

    @property
    def model(self):
        if self._model is None:
            from gene_r1.agent.model import ModelConfig, load_model

            self._model = load_model(ModelConfig(adapter=self.request.adapter))
        return self._model

    @property
    def naming_model(self):
        """The embedded model with the shipped naming adapter, merged as the agent loads it (`--selection model`)."""
        if self._naming_model is None:
            from gene_r1.agent.model import ModelConfig, load_model
            from gene_r1.agent.naming import NAMING_ADAPTER_DIR

            self._naming_model = load_model(ModelConfig(adapter=str(NAMING_ADAPTER_DIR), merge_adapter=True))
        return self._naming_model

    def key(self, system: str) -> str:
        from gene_r1.training.grounded_eval import cache_key

        parts = dict(self.fingerprints, system=system, leave_out_go=self.with_go)
        if system in ("enrichment", "oracle5", "enrichment_go"):
            parts.pop("assets")
        if system in ("judge", "agent") and self.ranker.settings.model_weight != 0:
            parts["adapter"] = adapter_digest(self.request.adapter)
        if system == "model_names":
            from gene_r1.agent.naming import NAMING_ADAPTER_DIR

            parts["adapter"] = adapter_digest(str(NAMING_ADAPTER_DIR))
        return cache_key(**parts)

    def evidence(self, cases, benchmark: str, out: Path):
        from gene_r1.training.grounded_eval import evidence_for

        return evidence_for(cases, self.kb, self.config, out / "evidence" / f"{benchmark}-{self.evidence_key}.jsonl",
                            progress=lambda done, total: self.log(f"evidence {benchmark}: {done}/{total}"),
                            leave_out_go=self.with_go)

    def system(self, name: str, by_id: dict) -> Callable:
        from gene_r1.training import grounded_eval as g

        name = name.removesuffix("_go")

        def run(cases) -> list[Prediction]:
            items = [by_id[c.id] for c in cases]
            if name == "enrichment":
                return g.enrichment_names(items)
            if name == "oracle5":
                return g.oracle_names(items, self.embed)
            if name == "ranker":  # the ranker's unrestricted pick (the agent before the grounded-headline rule)
                return g.judged_names(items, self.config, self.ranker, self.embed, None, grounded=False)
            if name == "judge":
                model = self.model if self.ranker.settings.model_weight != 0 else None
                return g.judged_names(items, self.config, self.ranker, self.embed, model)
            if name == "model_names":
                from gene_r1.knowledge_base.gene_names import full_names

                return g.model_names(items, self.config, self.ranker, self.embed, self.naming_model,
                                     lambda genes: full_names(genes, self.kb.store))
            return self._agent(cases)

        return run

    def _agent(self, cases) -> list[Prediction]:
        import time

        from gene_r1.agent.api import analyze

        out = []
        for case in cases:
            started = time.perf_counter()
            result = analyze(list(case.genes), config=self.config)
            out.append(Prediction(result.name, result.confidence, bool(result.name), time.perf_counter() - started))
        return out


def run_eval(request: EvalRequest, *, log: Callable[[str], None] = lambda message: None) -> EvalReport:
    from gene_r1.knowledge_base.paths import data_home
    from gene_r1.training.common import default_data_dir

    _check(request)
    out = request.out or data_home() / "eval"
    encoder = Encoder(request.encoder)
    reference = _percentile_reference(request, encoder, out) if request.percentile else None
    dev_file = request.dev_file or default_data_dir() / "dev.jsonl"
    report = EvalReport(request)
    all_cosines: dict[str, dict[str, list[float]]] = {}  # benchmark -> system -> per-case cosines
    runner = GroundedRunner(request, log) if set(request.systems) & set(GROUNDED_SYSTEMS) else None
    go_runner = GroundedRunner(request, log, with_go=True) if set(request.systems) & set(GO_SYSTEMS) else None
    for benchmark in request.benchmarks:
        cases = select_cases(load_cases(request.source_dir, benchmark, dev_file), request.limit, request.seed)
        by_id = {e.id: e for e in runner.evidence(cases, benchmark, out)} if runner else {}
        go_by_id = {e.id: e for e in go_runner.evidence(cases, benchmark, out)} if go_runner else {}
        cosines = all_cosines.setdefault(benchmark, {})
        for name in request.systems:
            try:
                if name in GO_SYSTEMS:
                    system, directory = _system(name, request, go_runner, go_by_id)
                else:
                    system, directory = _system(name, request, runner, by_id)
            except (EvaluationError, ImportError) as error:
                report.skipped[name] = str(error)
                continue
            report.keys[name] = directory
            records = run_benchmark(name, system, cases, out / directory / f"{benchmark}.jsonl",
                                    progress=lambda done, total, b=benchmark, n=name: log(f"{n} {b}: {done}/{total}"))
            report.scores.append(score(name, benchmark, records, encoder, reference))
            cosines[name] = encoder.cosine_pairs([r["predicted"] for r in records], [r["true_name"] for r in records])
            log(f"{name} {benchmark}: mean cosine {report.scores[-1].cosine:.3f} over {len(records)} sets")
    report.comparisons = paired_comparisons(all_cosines, [BASELINE, *request.versus])
    return report


def paired_comparisons(cosines: dict[str, dict[str, list[float]]], baselines: list[str]) -> list[Comparison]:
    """Each system minus each baseline that ran: per benchmark, then on the mean over the benchmarks (not dev)
    when there are several."""
    comparisons = []
    for baseline in dict.fromkeys(baselines):
        systems = dict.fromkeys(s for by_system in cosines.values() for s in by_system if s != baseline)
        for system in systems:
            pairs = {b: (by_system[system], by_system[baseline]) for b, by_system in cosines.items()
                     if system in by_system and baseline in by_system}
            comparisons += [Comparison(system, b, *paired_bootstrap(*pair), baseline=baseline)
                            for b, pair in pairs.items()]
            benchmarks = [pair for b, pair in pairs.items() if b != "dev"]
            if len(benchmarks) > 1:
                comparisons.append(Comparison(system, MEAN, *paired_bootstrap_mean(benchmarks), baseline=baseline))
    return comparisons


def _system(name: str, request: EvalRequest, runner: GroundedRunner | None, by_id: dict) -> tuple[Callable, str]:
    if name in GROUNDED_SYSTEMS or name in GO_SYSTEMS:
        return runner.system(name, by_id), f"{name}-{runner.key(name)}"
    from gene_r1.agent.model import ModelConfig, load_model

    if name == "base":
        return model_system(load_model(ModelConfig(adapter="none")), max_new_tokens=request.max_new_tokens), name
    tag = adapter_digest(request.adapter)
    if tag == "none":
        raise EvaluationError("No fine-tuned adapter: pass --adapter PATH.")
    model = load_model(ModelConfig(adapter=request.adapter))
    return model_system(model, max_new_tokens=request.max_new_tokens), f"{name}-{tag}"


def _percentile_reference(request: EvalRequest, encoder: Encoder, out: Path) -> PercentileReference:
    from gene_r1.knowledge_base.go import load_go

    names = sorted({t.name for t in load_go(request.source_dir / "go", ("BP",)).values() if t.name})
    slug = encoder.name.replace("/", "_")
    return PercentileReference(names, encoder, out / "cache" / f"go_bp_names-{slug}.npz")
