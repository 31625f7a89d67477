"""`gene-r1 model info | generate`: the model runtime on its own, without tools.

torch, transformers and the backends are imported inside the commands, so `gene-r1 --help` stays fast.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer

from gene_r1.agent.model import (
    EMBEDDED_MODEL_NAME,
    GenerationConfig,
    ModelConfig,
    ModelError,
    default_adapter_dir,
    load_model,
    resolve_adapter,
)
from gene_r1.agent.model_options import ModelChoice, with_model_choice
from gene_r1.agent.prompts import PromptInputError, format_evidence, reference_messages, task_messages

DOCS = "Docs: docs/configuration.md"
app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, epilog=DOCS)

DeviceOption = typer.Option("auto", "--device", help="auto | cpu | cuda | cuda:N | mps.")
DtypeOption = typer.Option(None, "--dtype", help="float32 | bfloat16 | float16 | auto (default: float32 on CPU).")
ThreadsOption = typer.Option(None, "--threads", help="CPU threads for torch (default: torch's choice).")
JsonOption = typer.Option(False, "--json", help="Print JSON.")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _config(**options: Any) -> ModelConfig:
    return ModelConfig.from_env(**options)


def describe(config: ModelConfig) -> dict[str, Any]:
    """What `config` would run, without loading weights (the embedded model is not converted by asking)."""
    from gene_r1.agent.embedded import EMBEDDED_DIR_NAME, is_complete
    from gene_r1.knowledge_base.paths import models_dir

    default = default_adapter_dir()
    details: dict[str, Any] = {
        "backend": config.backend,
        "model": config.model or EMBEDDED_MODEL_NAME,
        "adapter": resolve_adapter(config) or "none (base model)",
        "default_adapter": str(default) if default else "not shipped yet (the embedded model runs as its base)",
        "prompt_style": config.prompt_style,
    }
    if config.backend == "openai":
        details.update(base_url=config.base_url or "(not set: pass --base-url)", device="remote")
        return details
    if config.model is None:
        location = models_dir() / EMBEDDED_DIR_NAME
        details["location"] = str(location)
        details["converted"] = is_complete(location)
    if config.backend == "vllm":
        details.update(device="cuda", dtype=config.dtype or "auto")
        return details
    import torch

    from gene_r1.agent.backends.transformers_backend import resolve_device, resolve_dtype

    device = resolve_device(config.device)
    dtype = resolve_dtype(config.dtype, device)
    details.update(
        device=device,
        dtype=str(dtype).removeprefix("torch."),
        threads=config.threads or torch.get_num_threads(),
    )
    return details


@app.command(epilog=DOCS)
@with_model_choice
def info(
    choice: ModelChoice = ModelChoice(),
    device: str = DeviceOption,
    dtype: str = DtypeOption,
    threads: int = ThreadsOption,
    load: bool = typer.Option(False, "--load", help="Load the model and report what was loaded."),
    as_json: bool = JsonOption,
) -> None:
    """Which backend, model, adapter, device, dtype and threads a run would use (with --load: does use)."""
    try:
        config = _config(**choice.settings(), device=device, dtype=dtype, threads=threads)
        details = load_model(config).info() if load else describe(config)
    except (ModelError, PromptInputError) as error:
        _fail(str(error))
    if as_json:
        typer.echo(json.dumps(details, indent=2))
        return
    width = max(len(key) for key in details)
    for key, value in details.items():
        typer.echo(f"{key + ':':<{width + 1}} {value}")


def split_genes(tokens: list[str]) -> list[str]:
    """Gene symbols from command-line words, which may also be comma-separated."""
    return [gene for token in tokens for gene in re.split(r"[,;\s]+", token) if gene]


def read_evidence(path: Path) -> str:
    """The evidence block from a JSON file holding a list of EvidenceItem objects."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PromptInputError(f"Cannot read the evidence file {path}: {error.strerror or error}.") from error
    except ValueError as error:
        raise PromptInputError(f"{path} is not JSON: {error}.") from error
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PromptInputError(
            f"{path} must hold a JSON list of objects with pathway_id, source, name, genes, fdr and kind."
        )
    return format_evidence(items)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": False}, epilog=DOCS)
@with_model_choice
def generate(
    ctx: typer.Context,
    genes: list[str] = typer.Option(
        None, "--genes", "-g", help="Gene symbols: --genes CDK1 CCNB1 PLK1 (or comma-separated)."
    ),
    genes_file: Path = typer.Option(None, "--genes-file", help="A file of gene symbols (one per line or comma-"
                                    "separated)."),
    evidence_file: Path = typer.Option(
        None, "--evidence-file", help="A JSON list of evidence items (pathway_id, source, name, genes, fdr, kind) "
        "to put in the prompt."
    ),
    choice: ModelChoice = ModelChoice(),
    gguf_file: str = typer.Option(None, "--gguf-file", help="The .gguf file inside --model, if it holds several."),
    merge_adapter: bool = typer.Option(False, "--merge-adapter", help="Merge the LoRA adapter into the weights."),
    device: str = DeviceOption,
    dtype: str = DtypeOption,
    threads: int = ThreadsOption,
    max_new_tokens: int = typer.Option(384, "--max-new-tokens", help="Most tokens to generate."),
    temperature: float = typer.Option(0.0, "--temperature", help="0 = greedy (the Gene-R1 protocol)."),
    prompt_style: str = typer.Option(
        "chat", "--prompt-style", help="chat: our prompt through the chat template | reference: the authors' "
        "prompt as raw #SYSTEM/#USER/#Assistant text (how the published Gene-R1 checkpoints are evaluated)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """A raw model answer for one gene set, without tools, and what the parser reads in it.

    Example: gene-r1 model generate --genes CDK1 CCNB1 CCNA2 PLK1 AURKA BUB1 MAD2L1 CDC20
    """
    try:
        symbols = split_genes(list(genes or []) + list(ctx.args))
        if genes_file:
            if not genes_file.is_file():
                raise PromptInputError(f"No such file: {genes_file}")
            symbols += split_genes([genes_file.read_text(encoding="utf-8", errors="replace")])
        if not symbols:
            raise PromptInputError("No genes given: pass --genes CDK1 CCNB1 ... or --genes-file FILE.")
        if prompt_style == "reference":
            if evidence_file:
                raise PromptInputError("The authors' reference prompt takes no evidence: use --prompt-style chat.")
            messages = reference_messages(symbols)
        else:
            evidence = read_evidence(evidence_file) if evidence_file else None
            messages = task_messages(symbols, evidence=evidence)
        config = _config(
            **choice.settings(), gguf_file=gguf_file, merge_adapter=merge_adapter or None, device=device, dtype=dtype,
            threads=threads, prompt_style=prompt_style,
        )
        settings = GenerationConfig(max_new_tokens=max_new_tokens, temperature=temperature)
        runtime = load_model(config)
        generation = runtime.generate(messages, settings)
        details = runtime.info()
    except (ModelError, PromptInputError) as error:
        _fail(str(error))
    from gene_r1.agent.parsing import parse_answer

    parsed = parse_answer(generation.text)
    if as_json:
        typer.echo(json.dumps({
            "genes": symbols,
            "name": parsed.name,
            "confidence": parsed.confidence,
            "followed_format": parsed.followed_format,
            "reasoning": parsed.reasoning,
            "text": generation.text,
            "prompt_tokens": generation.prompt_tokens,
            "completion_tokens": generation.completion_tokens,
            "seconds": round(generation.seconds, 3),
            "model": details,
        }, indent=2))
        return
    speed = generation.completion_tokens / generation.seconds if generation.seconds > 0 else 0.0
    confidence = "(none)" if parsed.confidence is None else f"{parsed.confidence:.2f}"
    typer.echo(f"Process:    {parsed.name or '(none found)'}")
    typer.echo(f"Confidence: {confidence}")
    typer.echo(f"Format:     {'followed' if parsed.followed_format else 'not followed'}")
    typer.echo(f"Model:      {details.get('model')} (adapter: {details.get('adapter') or 'none'}; "
               f"{details.get('backend')} on {details.get('device', details.get('base_url'))})")
    typer.echo(f"Tokens:     prompt {generation.prompt_tokens}, completion {generation.completion_tokens} in "
               f"{generation.seconds:.1f} s ({speed:.1f} tokens/s)")
    typer.echo("\nRaw answer:\n" + (generation.text if generation.text.strip() else "(empty)"))
