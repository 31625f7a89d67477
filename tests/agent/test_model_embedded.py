"""The real embedded SmolLM2-135M-Instruct: converted once from its GGUF, then answering (slow)."""

from __future__ import annotations

import pytest

from gene_r1.agent.embedded import EMBEDDED_DIR_NAME, embedded_gguf_path, is_complete
from gene_r1.agent.model import EMBEDDED_MODEL_NAME, Generation, GenerationConfig, ModelConfig, load_model
from gene_r1.agent.parsing import ParsedAnswer, parse_answer
from gene_r1.agent.prompts import task_messages
from gene_r1.knowledge_base.paths import models_dir

MITOTIC = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]


@pytest.mark.slow
def test_the_embedded_model_converts_once_and_answers_the_mitotic_set(isolated_home, capfd):
    leftover = models_dir() / EMBEDDED_DIR_NAME
    leftover.mkdir(parents=True)
    (leftover / "config.json").write_text("{}")  # an interrupted conversion's remains

    backend = load_model(ModelConfig(adapter="none"))
    generation = backend.generate(task_messages(MITOTIC), GenerationConfig(max_new_tokens=24))

    assert "converting the embedded SmolLM2-135M-Instruct" in capfd.readouterr().err
    assert is_complete(leftover)
    assert not list(models_dir().glob(".*partial*"))
    assert backend.info()["model"] == EMBEDDED_MODEL_NAME
    assert backend.info()["parameters"] > 100_000_000
    assert isinstance(generation, Generation)
    assert generation.prompt_tokens > 100 and 0 < generation.completion_tokens <= 24
    assert isinstance(parse_answer(generation.text), ParsedAnswer)


@pytest.mark.slow
def test_a_gguf_file_loads_directly():
    backend = load_model(ModelConfig(model=str(embedded_gguf_path()), adapter="none"))

    generation = backend.generate(task_messages(["MLH1", "MSH2"]), GenerationConfig(max_new_tokens=4))

    assert backend.info()["gguf_file"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert backend.info()["dtype"] == "float32"
    assert generation.completion_tokens >= 1
