"""Ship a trained adapter where the model runtime looks for the default (`training/adapters/<name>/`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ADAPTERS_DIR = Path(__file__).resolve().parent / "adapters"
SHIPPED_FILES = ("adapter_model.safetensors", "adapter_config.json", "README.md", "training_facts.json")
EMBEDDED_BASE = "HuggingFaceTB/SmolLM2-135M-Instruct"


def ship_adapter(final_dir: Path, name: str, *, evaluation: str = "", base_model: str = EMBEDDED_BASE,
                 adapters_dir: Path = ADAPTERS_DIR) -> Path:
    """Copy the adapter and its card; record a portable base-model id and append the evaluation table."""
    missing = [f for f in SHIPPED_FILES if not (final_dir / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{final_dir} lacks {', '.join(missing)}: is it a finished `gene-r1 train` run?")
    target = adapters_dir / name
    target.mkdir(parents=True, exist_ok=True)
    for file in SHIPPED_FILES:
        shutil.copy2(final_dir / file, target / file)
    config_path = target / "adapter_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base_model  # not this machine's conversion directory
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    if evaluation:
        with (target / "README.md").open("a", encoding="utf-8") as card:
            card.write("\n## Evaluation\n\n" + evaluation.strip() + "\n")
    return target
