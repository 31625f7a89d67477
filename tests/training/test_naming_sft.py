"""`gene-r1 train naming-sft` on the tiny model: trains, checkpoints, and `--resume` continues from the checkpoint."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
import yaml
from typer.testing import CliRunner

from gene_r1.training.cli import app
from gene_r1.training.data import write_jsonl
from gene_r1.training.naming_data import naming_example
from gene_r1.training.recipes import load_recipe
from tests.training.test_naming_data import candidate
from tests.training.tiny_recipes import tiny_recipe

SETS = [("mismatch repair", ["MLH1", "MSH2", "MSH6"], "Mismatch repair", "DNA Repair"),
        ("mitotic cell cycle", ["CDK1", "CCNB1", "PLK1"], "Cell Cycle, Mitotic", "Cell Cycle"),
        ("interferon signaling", ["IRF1", "STAT1", "ISG15"], "Interferon Signaling", "Cytokine Signaling"),
        ("glycolysis", ["HK1", "PFKM", "PKM"], "Glycolysis", "Metabolism of carbohydrates")]


@pytest.fixture
def naming_data(tmp_path):
    rows = []
    for i, (true_name, genes, near, far) in enumerate(SETS):
        ranked = [candidate(1, far, 0.5, genes=genes[:2]), candidate(2, near, 0.9, genes=genes)]
        row = {"id": f"GO:{i}", "source": "go_bp", "true_name": true_name, "genes": genes, "pool": ranked}
        rows.append(naming_example(row, ranked, {genes[0]: f"{genes[0].lower()} protein"}, shown=6, split="train"))
    write_jsonl(tmp_path / "data" / "train.jsonl", rows)
    return tmp_path / "data"


def write_naming_recipe(model_dir, path, **training):
    """The tiny naming recipe (`training` overrides its training section) written as a YAML file at `path`."""
    recipe = tiny_recipe(model_dir, "sft", name="tiny-naming", stages=["naming"], max_length=1024, **training)
    path.write_text(yaml.safe_dump(asdict(recipe)))
    return path


@pytest.fixture
def recipe_file(tiny_model_dir, tmp_path):
    return write_naming_recipe(tiny_model_dir, tmp_path / "naming-sft.yaml")


def test_the_shipped_naming_recipes_train_the_naming_stage():
    for name in ("smollm2-135m/naming-sft", "smollm2-135m/naming-sft-gpu"):
        recipe = load_recipe(name)
        assert recipe.stage == "sft" and recipe.training.stages == ["naming"]
        assert recipe.lora.r == 16 and recipe.lora.target_modules != ["q_proj", "v_proj"]


def test_scoring_only_the_answer_tokens_gives_the_same_loss_and_gradients(tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM
    from trl.trainer.utils import add_fused_lm_head

    from gene_r1.training.naming_sft import answer_tokens_only

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    add_fused_lm_head(model, outputs=("log_probs", "entropy", "is_top1"))
    ids = torch.randint(0, model.config.vocab_size, (2, 40), generator=torch.Generator().manual_seed(0))
    labels = ids.clone()
    labels[:, :30] = -100  # the prompt: no loss

    def loss_and_gradient():
        model.zero_grad()
        loss = model(input_ids=ids, labels=labels, fused_lm_head=True).loss
        loss.backward()
        return loss.item(), model.model.layers[-1].mlp.down_proj.weight.grad.clone()

    every_position = loss_and_gradient()
    with answer_tokens_only():
        answer_only = loss_and_gradient()
    assert answer_only[0] == pytest.approx(every_position[0], rel=1e-5)
    assert torch.allclose(answer_only[1], every_position[1], atol=1e-6)


@pytest.mark.slow
def test_naming_sft_trains_checkpoints_and_resumes_from_the_last_checkpoint(recipe_file, naming_data, tmp_path):
    out = tmp_path / "run"
    first = CliRunner().invoke(app, ["naming-sft", "--recipe", str(recipe_file), "--data", str(naming_data),
                                     "--out", str(out), "--no-resume"])
    assert first.exit_code == 0, first.output
    assert (out / "checkpoint-2").is_dir() and (out / "final" / "adapter_model.safetensors").is_file()
    second = CliRunner().invoke(app, ["naming-sft", "--recipe", str(recipe_file), "--data", str(naming_data),
                                      "--out", str(out), "--resume", "--max-steps", "3"])
    assert second.exit_code == 0, second.output
    facts = json.loads((out / "final" / "training_facts.json").read_text())
    assert facts["steps"] == 3 and facts["resumed from"] == str(out / "checkpoint-2")
    assert (out / "checkpoint-3").is_dir()


@pytest.mark.slow
def test_a_resumed_run_checkpoints_at_the_recipes_new_cadence(tiny_model_dir, naming_data, tmp_path):
    out = tmp_path / "run"
    every_second = write_naming_recipe(tiny_model_dir, tmp_path / "every-2.yaml", save_steps=2, max_steps=2)
    every_step = write_naming_recipe(tiny_model_dir, tmp_path / "every-1.yaml", save_steps=1, max_steps=4)
    for recipe in (every_second, every_step):
        result = CliRunner().invoke(app, ["naming-sft", "--recipe", str(recipe), "--data", str(naming_data),
                                          "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert {path.name for path in out.glob("checkpoint-*")} >= {"checkpoint-2", "checkpoint-3", "checkpoint-4"}
