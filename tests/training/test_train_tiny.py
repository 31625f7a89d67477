"""SFT and GRPO run end to end on the tiny model: checkpoints, resume, adapter and model card."""

from __future__ import annotations

import json

import pytest

from gene_r1.training.data import DataConfig, build_data
from gene_r1.training.evidence import EvidenceLibrary
from gene_r1.training.similarity import rouge_l
from tests.training.tiny_recipes import tiny_recipe

TINY_DATA = DataConfig(seed=1, reasoning={"go_bp": 4, "reactome": 4}, knowledge=2, task=2, max_prompt_genes=8)


@pytest.fixture(scope="module")
def data_dir(shared_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny-data")
    build_data(shared_data, out, TINY_DATA, library=EvidenceLibrary.from_source_dir(shared_data),
               similarity=lambda names, target: [rouge_l(n, target) for n in names])
    return out


@pytest.mark.slow
def test_sft_trains_checkpoints_resumes_and_writes_a_card(tiny_model_dir, data_dir, tmp_path):
    from gene_r1.training.sft import run_sft

    out = tmp_path / "sft"
    final = run_sft(tiny_recipe(tiny_model_dir, "sft"), data_dir, out)
    assert (final / "adapter_model.safetensors").is_file() and (final / "adapter_config.json").is_file()
    assert (out / "checkpoint-2").is_dir()
    card = (final / "README.md").read_text()
    assert "steps: 2" in card and "stage: sft" in card
    resumed = run_sft(tiny_recipe(tiny_model_dir, "sft", max_steps=3), data_dir, out)
    facts = json.loads((resumed / "training_facts.json").read_text())
    assert facts["steps"] == 3 and facts["resumed from"].endswith("checkpoint-2")


@pytest.mark.slow
def test_sft_adapter_loads_in_the_model_runtime(tiny_model_dir, data_dir, tmp_path):
    from gene_r1.agent.model import GenerationConfig, ModelConfig, load_model
    from gene_r1.training.sft import run_sft

    final = run_sft(tiny_recipe(tiny_model_dir, "sft", max_steps=1), data_dir, tmp_path / "sft")
    model = load_model(ModelConfig(model=str(tiny_model_dir), adapter=str(final), device="cpu"))
    answer = model.generate([{"role": "user", "content": "CDK1, CCNB1"}], GenerationConfig(max_new_tokens=4))
    assert answer.completion_tokens > 0


@pytest.mark.slow
def test_grpo_trains_with_the_recipe_rewards_from_an_sft_adapter(tiny_model_dir, data_dir, tmp_path):
    import dataclasses

    from gene_r1.training.grpo import run_grpo
    from gene_r1.training.sft import run_sft

    sft = run_sft(tiny_recipe(tiny_model_dir, "sft", max_steps=1), data_dir, tmp_path / "sft")
    recipe = dataclasses.replace(tiny_recipe(tiny_model_dir, "grpo", stages=["reasoning"]), adapter=str(sft))
    final = run_grpo(recipe, data_dir, tmp_path / "grpo")
    assert (final / "adapter_model.safetensors").is_file()
    facts = json.loads((final / "training_facts.json").read_text())
    assert facts["steps"] == 2 and facts["start adapter"] == str(sft)
