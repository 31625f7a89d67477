"""The vllm backend: never imported on the CPU path; a clear error without vllm; a real smoke test on a GPU."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from gene_r1.agent.backends.vllm_backend import lora_rank
from gene_r1.agent.model import BackendUnavailableError, GenerationConfig, ModelConfig, ModelNotFoundError, load_model
from gene_r1.agent.prompts import task_messages

HAS_VLLM = importlib.util.find_spec("vllm") is not None


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def test_the_cpu_path_never_imports_vllm(tiny_model_dir):
    script = (
        "import sys\n"
        "from agent.cli import app\n"
        "from agent.model import ModelConfig, GenerationConfig, load_model\n"
        "from agent.prompts import task_messages\n"
        f"load_model(ModelConfig(model={str(tiny_model_dir)!r})).generate(task_messages(['CDK1']), "
        "GenerationConfig(max_new_tokens=2))\n"
        "print('vllm' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.skipif(HAS_VLLM, reason="vllm is installed here")
def test_without_vllm_the_backend_asks_for_the_gpu_extra():
    with pytest.raises(BackendUnavailableError, match="run gene-r1 inside vLLM's own environment"):
        load_model(ModelConfig(backend="vllm", model="/some/model"))


@pytest.mark.parametrize(("r", "rank"), [(4, 8), (8, 8), (12, 16), (64, 64)])
def test_the_lora_rank_vllm_reserves_holds_the_adapters_rank(tmp_path, r, rank):
    (tmp_path / "adapter_config.json").write_text(json.dumps({"r": r}))

    assert lora_rank(str(tmp_path)) == rank


def test_the_tiny_adapters_rank_is_read(tiny_lora_adapter_dir):
    assert lora_rank(str(tiny_lora_adapter_dir)) == 8


def test_a_missing_adapter_is_reported_before_vllm_starts(tmp_path):
    with pytest.raises(ModelNotFoundError, match="adapter_config.json"):
        lora_rank(str(tmp_path))


@pytest.mark.skipif(not HAS_VLLM, reason="vllm is not installed here (it lives in its own environment: docs/gpu.md)")
def test_vllm_smoke_on_a_gpu(tiny_model_dir, tiny_lora_adapter_dir):
    if not cuda_available():
        pytest.skip("no CUDA GPU")
    base = load_model(ModelConfig(backend="vllm", model=str(tiny_model_dir)))
    adapted = load_model(ModelConfig(backend="vllm", model=str(tiny_model_dir), adapter=str(tiny_lora_adapter_dir)))
    prompts = [task_messages(["CDK1", "CCNB1"]), task_messages(["MLH1"])]

    batch = base.generate_batch(prompts, GenerationConfig(max_new_tokens=8))
    lora = adapted.generate_batch(prompts, GenerationConfig(max_new_tokens=8))

    assert [g.completion_tokens > 0 and g.prompt_tokens > 0 for g in batch + lora] == [True] * 4
    assert adapted.info()["adapter"] == str(tiny_lora_adapter_dir)
