"""`gene-r1 eval`: build the requested systems, run them on the benchmarks (resumably), score, tabulate."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from training.benchmarks import BENCHMARKS
from training.evaluate import (
    SYSTEMS,
    EvaluationError,
    PercentileReference,
    Score,
    agent_system,
    enrichment_system,
    load_cases,
    markdown_table,
    model_system,
    run_benchmark,
    score,
    select_cases,
)
from training.similarity import Encoder

MODEL_SYSTEMS = ("base", "tuned", "tuned_evidence", "agent")


@dataclass(frozen=True)
class EvalRequest:
    systems: list[str]
    benchmarks: list[str]
    source_dir: Path
    limit: int | None = None
    model_limit: int | None = None
    seed: int = 0
    adapter: str | None = None
    encoder: str = "all-MiniLM-L6-v2"
    out: Path | None = None
    max_new_tokens: int = 160
    dev_file: Path | None = None
    percentile: bool = True


@dataclass
class EvalReport:
    request: EvalRequest
    scores: list[Score] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def markdown(self) -> str:
        r = self.request
        notes = [f"Encoder: {r.encoder}. Sample: "
                 + (f"{r.limit} sets per benchmark" if r.limit else "full benchmarks")
                 + (f", {r.model_limit} for the model systems" if r.model_limit else "") + f" (seed {r.seed})."]
        notes += [f"Skipped {name}: {why}" for name, why in self.skipped.items()]
        return markdown_table(self.scores) + "\n\n" + "\n".join(notes)

    def as_json(self) -> dict:
        mean: dict[str, dict[str, float]] = {}
        for s in self.scores:
            mean.setdefault(s.system, {})[s.benchmark] = round(s.cosine, 4)
        request = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self.request).items()}
        return {"mean_cosine": mean, "scores": [asdict(s) for s in self.scores], "skipped": self.skipped,
                "request": request}


def _check(request: EvalRequest) -> None:
    unknown = [s for s in request.systems if s not in SYSTEMS]
    if unknown:
        raise EvaluationError(f"Unknown system(s) {unknown}; choose from {', '.join(SYSTEMS)}.")
    unknown = [b for b in request.benchmarks if b not in (*BENCHMARKS, "dev")]
    if unknown:
        raise EvaluationError(f"Unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARKS)}, dev.")


def _adapter_tag(adapter: str | None) -> str:
    """Results of tuned systems are kept per adapter (a hash of its weights)."""
    from agent.model import ModelConfig, resolve_adapter

    path = resolve_adapter(ModelConfig(adapter=adapter))
    if path is None:
        raise EvaluationError("No fine-tuned adapter: train one (`gene-r1 train sft`) or pass --adapter PATH.")
    weights = Path(path) / "adapter_model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:10] if weights.is_file() else "remote"
    return f"{Path(path).name}-{digest}"


def build_system(name: str, request: EvalRequest, library) -> tuple[Callable, str]:
    """The system callable and the directory name its results are kept under."""
    if name == "enrichment":
        return enrichment_system(library), name
    if name == "agent":
        from agent.config import AgentConfig

        tag = _adapter_tag(request.adapter)
        return agent_system(config=AgentConfig.from_env(adapter=request.adapter)), f"agent-{tag}"
    from agent.model import ModelConfig, load_model

    if name == "base":
        return model_system(load_model(ModelConfig(adapter="none")), max_new_tokens=request.max_new_tokens), name
    tag = _adapter_tag(request.adapter)
    model = load_model(ModelConfig(adapter=request.adapter))
    evidence = library if name == "tuned_evidence" else None
    return model_system(model, library=evidence, max_new_tokens=request.max_new_tokens), f"{name}-{tag}"


def run_eval(request: EvalRequest, *, log: Callable[[str], None] = lambda message: None) -> EvalReport:
    from knowledge_base.paths import data_home
    from training.common import default_data_dir
    from training.evidence import EvidenceLibrary

    _check(request)
    out = request.out or data_home() / "eval"
    library = EvidenceLibrary.from_source_dir(request.source_dir)
    encoder = Encoder(request.encoder)
    reference = _percentile_reference(request, encoder, out) if request.percentile else None
    dev_file = request.dev_file or default_data_dir() / "dev.jsonl"
    report = EvalReport(request)
    for name in request.systems:
        try:
            system, directory = build_system(name, request, library)
        except (EvaluationError, ImportError) as error:
            report.skipped[name] = str(error)
            log(f"skipping {name}: {error}")
            continue
        limit = request.model_limit or request.limit if name in MODEL_SYSTEMS else request.limit
        for benchmark in request.benchmarks:
            cases = select_cases(load_cases(request.source_dir, benchmark, dev_file), limit, request.seed)
            records = run_benchmark(name, system, cases, out / directory / f"{benchmark}.jsonl",
                                    progress=lambda done, total, b=benchmark, n=name: log(f"{n} {b}: {done}/{total}"))
            report.scores.append(score(name, benchmark, records, encoder, reference))
            log(f"{name} {benchmark}: mean cosine {report.scores[-1].cosine:.3f} over {len(records)} sets")
    return report


def _percentile_reference(request: EvalRequest, encoder: Encoder, out: Path) -> PercentileReference:
    from knowledge_base.go import load_go

    names = sorted({t.name for t in load_go(request.source_dir / "go", ("BP",)).values() if t.name})
    slug = encoder.name.replace("/", "_")
    return PercentileReference(names, encoder, out / "cache" / f"go_bp_names-{slug}.npz")
