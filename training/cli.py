"""`gene-r1 train data|sft|grpo` and `gene-r1 eval`. Heavy imports happen inside the commands."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import typer

DOCS = "Docs: docs/training.md"
HELP = "Build training data; train the judge's ranker, the analyst and LoRA adapters (SFT, DPO, GRPO)."
app = typer.Typer(help=HELP, no_args_is_help=True, epilog=DOCS)

RECIPE = typer.Option("smollm2-135m/sft", "--recipe", help="Recipe name (e.g. smollm2-135m/sft) or YAML path.")
SOURCE_DIR = typer.Option(None, "--source-dir", help="Data mirrors (GO, Reactome, WikiPathways, benchmarks); "
                          "default $GENE_R1_SOURCE_DIR.")
EVIDENCE_HOME = typer.Option(None, "--home", help="Data home whose knowledge base gives the evidence "
                             "(default $GENE_R1_HOME).")
DATA_DIR = typer.Option(None, "--data-dir", help="Training data (default $GENE_R1_HOME/training/data).")
OUTPUT_DIR = typer.Option(None, "--output-dir", help="Checkpoints and the final adapter "
                          "(default $GENE_R1_HOME/training/runs/<recipe>-<stage>).")
RESUME = typer.Option(True, "--resume/--no-resume", help="Continue from the latest checkpoint in the output "
                      "directory.")
MAX_STEPS = typer.Option(None, "--max-steps", help="Override the recipe's max_steps.")
MAX_MINUTES = typer.Option(None, "--max-minutes", help="Override the recipe's wall-time budget.")
JUDGE_DATA_DIR = typer.Option(None, "--data-dir", help="Judge data (default $GENE_R1_HOME/training/judge).")
JUDGE_HOME = typer.Option(None, "--home", help="Data home (default $GENE_R1_HOME): its training/judge is the "
                          "default --data-dir.")
NAMING_DATA_DIR = typer.Option(None, "--out", help="Naming data (default $GENE_R1_HOME/training/naming).")
TRAIN_SETS = typer.Option(4000, "--train", help="Training gene sets.")
SETS_SEED = typer.Option(0, "--seed", help="Seed of the gene sets (another seed: another chunk).")
POOL_K = typer.Option(15, "--pool-k", min=1, help="Enrichment hits offered as candidates (the agent's pool_k; "
                      "train with what the agent will use).")


def _say(message: str) -> None:
    """Progress and logs on stderr (stdout carries results)."""
    print(message, file=sys.stderr, flush=True)


def _wrote(written: dict[str, int], what: str, out_dir: Path) -> None:
    typer.echo(f"Wrote {', '.join(f'{n} {k}' for k, n in written.items())} {what} to {out_dir}")


def _fail(error: Exception) -> None:
    typer.echo(f"Error: {error}", err=True)
    raise typer.Exit(1)


def _errors() -> tuple[type[Exception], ...]:
    from gene_r1.knowledge_base.store import KnowledgeBaseError
    from gene_r1.training.benchmarks import BenchmarkError
    from gene_r1.training.common import TrainingError
    from gene_r1.training.data import DataError
    from gene_r1.training.evaluate import EvaluationError
    from gene_r1.training.recipes import RecipeError

    found: list[type[Exception]] = [KnowledgeBaseError, BenchmarkError, TrainingError, DataError, EvaluationError,
                                    RecipeError, FileNotFoundError]
    try:
        from gene_r1.agent.model import ModelError

        found.append(ModelError)
    except ImportError:
        pass
    return tuple(found)


def _source_dir(source_dir: Path | None) -> Path:
    from gene_r1.knowledge_base.paths import default_source_dir

    resolved = source_dir or default_source_dir()
    if resolved is None or not (resolved / "go").is_dir():
        raise FileNotFoundError(f"No data mirrors at {resolved}: pass --source-dir (the directory holding go/, "
                                "reactome/, wikipathways/ and benchmarks/) or set GENE_R1_SOURCE_DIR.")
    return resolved


def _recipe(recipe: str, **overrides):
    from gene_r1.training.recipes import load_recipe

    loaded = load_recipe(recipe)
    changes = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(loaded, training=dataclasses.replace(loaded.training, **changes)) if changes else loaded


@app.command("data", epilog=DOCS)
def data_command(recipe: str = RECIPE, source_dir: Path | None = SOURCE_DIR,
                 out: Path | None = typer.Option(None, "--out", help="Output directory (default "
                                                 "$GENE_R1_HOME/training/data)."),
                 seed: int | None = typer.Option(None, "--seed", help="Override the recipe's data seed.")) -> None:
    """Build train/validation JSONL (held-out GO ids excluded, split by term) and the GO:BP dev set."""
    try:
        from gene_r1.training.common import default_data_dir
        from gene_r1.training.data import build_data

        loaded = _recipe(recipe)
        config = loaded.data if seed is None else dataclasses.replace(loaded.data, seed=seed)
        out_dir = out or default_data_dir()
        written = build_data(_source_dir(source_dir), out_dir, config)
    except _errors() as error:
        _fail(error)
    _wrote(written, "rows", out_dir)


def _train(stage: str, recipe: str, data_dir: Path | None, output_dir: Path | None, resume: bool,
           max_steps: int | None, max_minutes: float | None, adapter: str | None = None) -> None:
    try:
        from gene_r1.training.common import TrainingError, default_data_dir, default_output_dir

        loaded = _recipe(recipe, max_steps=max_steps, max_minutes=max_minutes)
        if adapter:
            loaded = dataclasses.replace(loaded, adapter=adapter)
        if loaded.stage != stage:
            raise TrainingError(f"{recipe} is a {loaded.stage} recipe; use `gene-r1 train {loaded.stage}`.")
        out = output_dir or default_output_dir(loaded)
        if stage == "sft":
            from gene_r1.training.sft import run_sft as run
        elif stage == "dpo":
            from gene_r1.training.dpo import run_dpo as run
        else:
            from gene_r1.training.grpo import run_grpo as run
        final = run(loaded, data_dir or default_data_dir(), out, resume=resume)
    except _errors() as error:
        _fail(error)
    typer.echo(f"Adapter saved to {final}")


@app.command("sft", epilog=DOCS)
def sft_command(recipe: str = RECIPE, data_dir: Path | None = DATA_DIR, output_dir: Path | None = OUTPUT_DIR,
                resume: bool = RESUME, max_steps: int | None = MAX_STEPS,
                max_minutes: float | None = MAX_MINUTES) -> None:
    """Supervised fine-tuning with TRL SFTTrainer + LoRA (checkpoints, resume, model card)."""
    _train("sft", recipe, data_dir, output_dir, resume, max_steps, max_minutes)


def _from_adapter_command(stage: str, recipe: str, summary: str):
    """`train dpo` and `train grpo`: the same options (a recipe, data, output, budget and the SFT adapter to start
    from); only the stage, its default recipe and its summary differ."""

    def command(recipe: str = typer.Option(recipe, "--recipe", help=f"{stage.upper()} recipe name or path."),
                data_dir: Path | None = DATA_DIR, output_dir: Path | None = OUTPUT_DIR, resume: bool = RESUME,
                max_steps: int | None = MAX_STEPS, max_minutes: float | None = MAX_MINUTES,
                adapter: str | None = typer.Option(None, "--adapter", help="SFT adapter to start from.")) -> None:
        _train(stage, recipe, data_dir, output_dir, resume, max_steps, max_minutes, adapter)

    command.__doc__ = summary
    return command


app.command("dpo", epilog=DOCS)(_from_adapter_command(
    "dpo", "smollm2-135m/judge-dpo", "Preference optimisation with TRL DPOTrainer on (better, worse) candidate pairs."))
app.command("grpo", epilog=DOCS)(_from_adapter_command(
    "grpo", "smollm2-135m/grpo", "GRPO with TRL GRPOTrainer and the recipe's pure reward functions."))


def eval_command(
    systems: str = typer.Option("enrichment,ranker,judge,oracle5", "--systems",
                                help="Comma-separated: enrichment (top hit), ranker, judge, agent, model_names (the "
                                "naming model's name, always), oracle5 (best of "
                                "the top-5 names: a ceiling), enrichment_go, ranker_go (GO terms as evidence: a "
                                "knowledge base built with --with-go), base, tuned (the model alone, no tools)."),
    benchmarks: str = typer.Option("BP,CC,MF,MsigDB,NeST", "--benchmarks", help="Comma-separated: BP, CC, MF, "
                                   "MsigDB, NeST, dev."),
    limit: int | None = typer.Option(None, "--limit", help="A seeded sample of N sets per benchmark (default: "
                                     "all; only full benchmarks tell systems apart)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the --limit sample."),
    source_dir: Path | None = SOURCE_DIR,
    home: Path | None = EVIDENCE_HOME,
    adapter: str | None = typer.Option(None, "--adapter", help="Adapter of the model (default: shipped)."),
    judge_assets: Path | None = typer.Option(None, "--judge-assets", help="Ranker + judge settings directory "
                                             "(default: shipped)."),
    encoder: str = typer.Option("all-MiniLM-L6-v2", "--encoder", help="Sentence encoder of the metric."),
    out: Path | None = typer.Option(None, "--out", help="Per-case results, for resuming (default "
                                    "$GENE_R1_HOME/eval)."),
    max_new_tokens: int = typer.Option(160, "--max-new-tokens", help="Generation limit of base/tuned."),
    markdown: Path | None = typer.Option(None, "--markdown", help="Also write the table to this file."),
    percentile: bool = typer.Option(True, "--percentile/--no-percentile", help="Compute the GO:BP percentile "
                                    "(encodes every GO:BP term name once, then cached)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a Markdown table."),
    versus: str = typer.Option("", "--versus", help="Comma-separated systems to compare every other with too "
                               "(e.g. judge: the model's names minus the ranker's pick), per benchmark and on the "
                               "mean; the top hit always is."),
) -> None:
    """Compare systems on the Gene-R1 benchmarks through the same evidence: mean cosine, a paired-bootstrap 95% CI
    of each system minus the top enrichment hit (and minus each --versus system), per benchmark and on the mean
    over benchmarks, GO:BP percentile, ROUGE-L, seconds per set."""
    try:
        from gene_r1.training.run_eval import EvalRequest, run_eval

        request = EvalRequest(systems=_names(systems), benchmarks=_names(benchmarks), limit=limit, seed=seed,
                              source_dir=_source_dir(source_dir), home=home, adapter=adapter,
                              judge_assets=judge_assets, encoder=encoder, out=out, max_new_tokens=max_new_tokens,
                              percentile=percentile, versus=_names(versus))
        report = run_eval(request, log=_say)
    except _errors() as error:
        _fail(error)
    if markdown:
        markdown.write_text(report.markdown + "\n", encoding="utf-8")
    typer.echo(json.dumps(report.as_json(), indent=2) if as_json else report.markdown)


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


@app.command("ship", epilog=DOCS)
def ship_command(
    run: Path = typer.Option(..., "--run", help="A finished run's adapter directory (…/runs/<recipe>-sft/final)."),
    name: str = typer.Option("smollm2-135m-gene-r1", "--name", help="Directory under training/adapters/."),
    evaluation: Path | None = typer.Option(None, "--evaluation", help="A Markdown evaluation table to add to "
                                           "the model card (`gene-r1 eval --markdown FILE`)."),
) -> None:
    """Copy an adapter and its model card to training/adapters/<name>/ (the runtime's default adapter)."""
    try:
        from gene_r1.training.ship import ship_adapter

        text = evaluation.read_text(encoding="utf-8") if evaluation else ""
        target = ship_adapter(run, name, evaluation=text)
    except _errors() as error:
        _fail(error)
    typer.echo(f"Shipped {run} to {target}")


def _gene_set_data(kind: str, source_dir: Path | None, home: Path | None, out: Path | None, **settings) -> None:
    """`judge-data` and `naming-data`: the same gene sets and evidence, written by each one's own builder."""
    try:
        from gene_r1.training.common import training_dir

        if kind == "judge":
            from gene_r1.training.judge_data import JudgeDataConfig as Config
            from gene_r1.training.judge_pipeline import build
        else:
            from gene_r1.training.naming_data import NamingDataConfig as Config
            from gene_r1.training.naming_data import build
        out_dir = out or training_dir(home) / kind
        written = build(_source_dir(source_dir), home, out_dir, Config(**settings), log=_say)
    except _errors() as error:
        _fail(error)
    _wrote(written, "gene sets" if kind == "judge" else "naming examples", out_dir)


@app.command("judge-data", epilog=DOCS)
def judge_data_command(source_dir: Path | None = SOURCE_DIR, home: Path | None = EVIDENCE_HOME,
                       out: Path | None = JUDGE_DATA_DIR, train: int = TRAIN_SETS,
                       dev: int = typer.Option(800, "--dev", help="Dev gene sets (their own terms)."),
                       seed: int = SETS_SEED, pool_k: int = POOL_K) -> None:
    """Gene sets from GO:BP/MF/CC, Reactome and WikiPathways with their grounded candidates (the agent's own
    evidence engine, target left out) and each candidate's similarity to the true name."""
    _gene_set_data("judge", source_dir, home, out, seed=seed, train=train, dev=dev, pool_k=pool_k)


@app.command("naming-data", epilog=DOCS)
def naming_data_command(source_dir: Path | None = SOURCE_DIR, home: Path | None = EVIDENCE_HOME,
                        out: Path | None = NAMING_DATA_DIR, train: int = TRAIN_SETS,
                        dev: int = typer.Option(400, "--dev", help="Dev gene sets (their own terms)."),
                        seed: int = SETS_SEED, pool_k: int = POOL_K) -> None:
    """Naming examples: the judge-data gene sets (target left out of the evidence) with the genes' full names and
    the ranker's best candidates as the prompt, `<think>` citing the nearest candidates then `Process: <true name>`
    as the answer."""
    _gene_set_data("naming", source_dir, home, out, seed=seed, train=train, dev=dev, pool_k=pool_k)


@app.command("naming-sft", epilog=DOCS)
def naming_sft_command(recipe: str = typer.Option("smollm2-135m/naming-sft", "--recipe",
                                                  help="Naming SFT recipe name or YAML path."),
                       data: Path | None = typer.Option(None, "--data", help="Naming data (default "
                                                        "$GENE_R1_HOME/training/naming)."),
                       out: Path | None = typer.Option(None, "--out", help="Checkpoints and the final adapter."),
                       resume: bool = RESUME, max_steps: int | None = MAX_STEPS,
                       max_minutes: float | None = MAX_MINUTES) -> None:
    """Supervised fine-tuning of the naming step (TRL SFTTrainer + LoRA; checkpoints every save_steps; --resume
    continues from the latest checkpoint in --out)."""
    from gene_r1.training.common import training_dir
    from gene_r1.training.naming_sft import answer_tokens_only

    with answer_tokens_only():
        _train("sft", recipe, data or training_dir() / "naming", out, resume, max_steps, max_minutes)


@app.command("judge", epilog=DOCS)
def judge_command(data_dir: Path | None = JUDGE_DATA_DIR, home: Path | None = JUDGE_HOME,
                  assets: Path | None = typer.Option(None, "--assets", help="Where to write the ranker and settings "
                                                     "(default: the package's agent/assets/judge)."),
                  shown: int = typer.Option(6, "--shown", help="Candidates the model sees (at most 9).")) -> None:
    """Train the feature ranker on judge data; choose the temperature and calibrate confidence on dev."""
    try:
        from gene_r1.agent.ranker import DEFAULT_ASSETS
        from gene_r1.training.common import training_dir
        from gene_r1.training.judge_pipeline import train

        if not 2 <= shown <= 9:
            raise ValueError("--shown must be between 2 and 9 (single-digit candidate numbers).")
        train(data_dir or training_dir(home) / "judge", assets or DEFAULT_ASSETS, shown=shown,
              log=_say)
    except (*_errors(), ValueError) as error:
        _fail(error)
    typer.echo(f"Ranker and judge settings written to {assets or DEFAULT_ASSETS}")


@app.command("judge-tune", epilog=DOCS)
def judge_tune_command(data_dir: Path | None = JUDGE_DATA_DIR, home: Path | None = JUDGE_HOME,
                       assets: Path | None = typer.Option(None, "--assets", help="Ranker + settings directory "
                                                          "(default: the package's agent/assets/judge)."),
                       adapter: str | None = typer.Option(None, "--adapter", help="The judge adapter to measure "
                                                          "(default: the shipped one; 'none': the base model)."),
                       dry_run: bool = typer.Option(False, "--dry-run", help="Measure and print; change nothing."),
                       limit: int | None = typer.Option(None, "--limit", help="Only the first N dev sets.")) -> None:
    """Measure the model's votes on the dev split; choose its weight against the ranker and recalibrate."""
    try:
        from gene_r1.agent.ranker import DEFAULT_ASSETS
        from gene_r1.training.common import training_dir
        from gene_r1.training.judge_pipeline import tune_model_weight

        result = tune_model_weight(data_dir or training_dir(home) / "judge", assets or DEFAULT_ASSETS, adapter,
                                   log=_say,
                                   write=not dry_run, limit=limit)
    except _errors() as error:
        _fail(error)
    typer.echo(json.dumps(result["facts"]["model"], indent=2))
    if not dry_run:
        typer.echo(f"Judge settings updated in {assets or DEFAULT_ASSETS}")


@app.command("analyst", epilog=DOCS)
def analyst_command(source_dir: Path | None = SOURCE_DIR,
                    home: Path | None = EVIDENCE_HOME,
                    terms: int = typer.Option(600, "--terms", help="Dev GO terms; each gives a real, a half-random "
                                              "and a random set."),
                    records: Path | None = typer.Option(None, "--records", help="Dev records (JSONL): reused when "
                                                        "present (default $GENE_R1_HOME/training/analyst/dev.jsonl)."),
                    out: Path | None = typer.Option(None, "--out", help="Where the fitted models go (default: the "
                                                    "package's agent/assets/coherence/coherence.json)."),
                    seed: int = typer.Option(0, "--seed", help="Seed of the dev terms and their random sets.")) -> None:
    """Fit the analyst judge on the dev protocol: coherence (real / 50% / random versions of dev GO terms), the
    "no coherent function" threshold, and name confidence. Prints the dev numbers it recorded."""
    try:
        from gene_r1.agent.api import get_context
        from gene_r1.agent.coherence import ASSETS
        from gene_r1.agent.config import AgentConfig
        from gene_r1.agent.headline import MIN_SHARE_OF_BEST, REACTION_SIZE
        from gene_r1.training.analyst_records import build_records
        from gene_r1.training.common import training_dir
        from gene_r1.training.data import read_jsonl, write_jsonl
        from gene_r1.training.noise_protocol import dev_protocol

        path = records or training_dir(home) / "analyst" / "dev.jsonl"
        if path.is_file():
            rows = read_jsonl(path)
        else:
            context = get_context(AgentConfig.from_env(home=home))
            background = sorted(context.kb.enrichment_index.background(context.config.sources))
            cases = dev_protocol(_source_dir(source_dir), background, terms, seed=seed)
            rows = build_records(cases, context, progress=lambda i, n: print(f"{i}/{n} dev cases", file=sys.stderr,
                                                                              flush=True))
            write_jsonl(path, rows)
        from gene_r1.training.analyst_train import train_analyst

        fitted = train_analyst(rows, MIN_SHARE_OF_BEST, REACTION_SIZE)
    except _errors() as error:
        _fail(error)
    target = out or ASSETS / "coherence.json"
    target.write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    facts = fitted["facts"]
    typer.echo(json.dumps({k: facts[k] for k in ("dev_cross_validated", "name_confidence_dev", "headline_rule_dev")},
                          indent=2))
    typer.echo(f"Coherence and name-confidence models written to {target}")


def gene_r1_app() -> typer.Typer:
    """The `gene-r1` command: the agent's app plus training's `train` and `eval`. Training is the top layer, so it
    composes the app (the agent never imports training)."""
    from gene_r1.agent.cli import build_app

    full = build_app()
    full.info.epilog = "Docs: docs/usage.md"  # the agent's app has no epilog of its own
    full.command("eval", epilog="Docs: docs/evaluation.md")(eval_command)
    full.add_typer(app, name="train", help=HELP)
    return full


def main() -> None:
    """The `gene-r1` console script (pyproject.toml)."""
    gene_r1_app()()
