"""Shipping an adapter, and the LoRA settings the CPU recipe relies on."""

from __future__ import annotations

import json

import pytest

from gene_r1.training.common import lora_config
from gene_r1.training.recipes import load_recipe
from gene_r1.training.ship import ship_adapter


def test_cpu_recipe_adapts_only_the_last_layers():
    config = lora_config(load_recipe("smollm2-135m/sft"), num_layers=30)
    assert list(config.layers_to_transform) == list(range(20, 30))
    assert set(config.target_modules) >= {"q_proj", "down_proj"}


def test_ship_copies_the_adapter_with_a_portable_base_and_the_evaluation(tmp_path):
    run = tmp_path / "final"
    run.mkdir()
    (run / "adapter_model.safetensors").write_bytes(b"weights")
    (run / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "/root/.cache/x", "r": 16}))
    (run / "README.md").write_text("# card\n")
    (run / "training_facts.json").write_text("{}")
    target = ship_adapter(run, "demo", evaluation="| system | cosine |", adapters_dir=tmp_path / "adapters")
    assert json.loads((target / "adapter_config.json").read_text())["base_model_name_or_path"] == (
        "HuggingFaceTB/SmolLM2-135M-Instruct")
    assert "## Evaluation" in (target / "README.md").read_text()
    assert (target / "adapter_model.safetensors").read_bytes() == b"weights"


def test_ship_refuses_an_unfinished_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="adapter_model.safetensors"):
        ship_adapter(tmp_path, "demo", adapters_dir=tmp_path / "adapters")
