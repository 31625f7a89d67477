"""Training recipes: YAML files (`training/recipes/<model>/<stage>.yaml`) parsed into dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from gene_r1.training.data import DataConfig

RECIPES_DIR = Path(__file__).resolve().parent / "recipes"


class RecipeError(ValueError):
    """A recipe file or value the user can fix."""


@dataclass(frozen=True)
class LoraSection:
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: str | list[str] = "all-linear"
    top_layers: int | None = None  # adapt only the last N decoder layers: backward stops there (cheaper on CPU)


@dataclass(frozen=True)
class TrainingSection:
    """Trainer settings shared by SFT and GRPO (a subset of TRL's config, named as there)."""

    max_steps: int = 100
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    learning_rate: float = 2e-4
    lr_scheduler_type: str = "cosine"
    warmup_ratio: float = 0.05  # passed as transformers 5's float `warmup_steps` (a ratio when < 1)
    max_length: int = 1536
    logging_steps: int = 1
    save_steps: int = 10
    save_total_limit: int = 3
    seed: int = 0
    use_cpu: bool = True
    bf16: bool = False
    gradient_checkpointing: bool = False
    threads: int | None = None
    max_minutes: float | None = None  # wall-time budget: stop (and save) after this many minutes
    stages: list[str] = field(default_factory=lambda: ["reasoning"])


@dataclass(frozen=True)
class GrpoSection:
    num_generations: int = 4
    max_completion_length: int = 160
    temperature: float = 0.9
    beta: float = 0.0
    rewards: list[str] = field(default_factory=lambda: ["format", "name_similarity", "verification"])
    reward_weights: list[float] | None = None


@dataclass(frozen=True)
class DpoSection:
    beta: float = 0.1
    loss_type: str = "sigmoid"


@dataclass(frozen=True)
class Recipe:
    name: str
    stage: str  # sft | dpo | grpo
    model: str | None = None  # None: the embedded SmolLM2-135M-Instruct
    adapter: str | None = None  # GRPO: the SFT adapter to start from
    data: DataConfig = field(default_factory=DataConfig)
    lora: LoraSection = field(default_factory=LoraSection)
    training: TrainingSection = field(default_factory=TrainingSection)
    grpo: GrpoSection = field(default_factory=GrpoSection)
    dpo: DpoSection = field(default_factory=DpoSection)
    notes: str = ""


def _section(cls: type, values: Any, where: str):
    if values is None:
        return cls()
    if not isinstance(values, dict):
        raise RecipeError(f"{where} must be a mapping, got {type(values).__name__}.")
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise RecipeError(f"Unknown key(s) {sorted(unknown)} in {where}; known: {sorted(known)}.")
    values = {k: tuple(v) if isinstance(v, list) and k.endswith("_fraction") else v for k, v in values.items()}
    return cls(**values)


def recipe_from_dict(values: dict, where: str = "recipe") -> Recipe:
    sections = {"data": DataConfig, "lora": LoraSection, "training": TrainingSection, "grpo": GrpoSection,
                "dpo": DpoSection}
    known = {f.name for f in fields(Recipe)}
    unknown = set(values) - known
    if unknown:
        raise RecipeError(f"Unknown key(s) {sorted(unknown)} in {where}; known: {sorted(known)}.")
    parsed = {k: _section(sections[k], v, f"{where}:{k}") if k in sections else v for k, v in values.items()}
    if parsed.get("stage") not in ("sft", "dpo", "grpo"):
        raise RecipeError(f"{where}: stage must be 'sft', 'dpo' or 'grpo', not {parsed.get('stage')!r}.")
    if "name" not in parsed:
        raise RecipeError(f"{where}: a recipe needs a name.")
    return Recipe(**parsed)


def resolve_recipe_path(recipe: str) -> Path:
    """A path, or a name relative to the shipped recipes (`smollm2-135m/sft`)."""
    for candidate in (Path(recipe), RECIPES_DIR / recipe, RECIPES_DIR / f"{recipe}.yaml"):
        if candidate.is_file():
            return candidate
    shipped = sorted(str(p.relative_to(RECIPES_DIR).with_suffix("")) for p in RECIPES_DIR.glob("*/*.yaml"))
    raise RecipeError(f"No recipe {recipe!r}: give a YAML path or one of {', '.join(shipped)}.")


def load_recipe(recipe: str | Path) -> Recipe:
    import yaml

    path = resolve_recipe_path(str(recipe))
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RecipeError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(values, dict):
        raise RecipeError(f"{path} must hold a mapping of recipe keys.")
    return recipe_from_dict(values, str(path))
