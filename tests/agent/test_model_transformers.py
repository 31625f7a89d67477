"""The transformers backend on a tiny real Llama with the real SmolLM2 tokenizer (its text is noise)."""

from __future__ import annotations

import pytest

from gene_r1.agent.model import (
    Generation,
    GenerationConfig,
    ModelBackend,
    ModelConfig,
    ModelError,
    ModelNotFoundError,
    PromptTooLongError,
    load_model,
)
from gene_r1.agent.prompts import reference_messages, reference_prompt_text, task_messages

MITOTIC = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]
MMR = ["MLH1", "MSH2", "MSH6", "PMS2"]
SHORT = GenerationConfig(max_new_tokens=12)


@pytest.fixture
def tiny(tiny_model_dir):
    return load_model(ModelConfig(model=str(tiny_model_dir)))


@pytest.fixture
def restore_torch_threads():
    import torch

    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_the_backend_implements_the_model_interface(tiny):
    assert isinstance(tiny, ModelBackend)


def test_info_reports_backend_model_device_dtype_and_context(tiny, tiny_model_dir):
    info = tiny.info()

    assert info["backend"] == "transformers"
    assert info["model"] == str(tiny_model_dir)
    assert info["device"] == "cpu"
    assert info["dtype"] == "float32"
    assert info["adapter"] is None
    assert info["context_length"] == 2048
    assert info["threads"] >= 1


def test_tokenizer_pads_on_the_left_with_im_end(tiny):
    assert tiny.tokenizer.padding_side == "left"
    assert tiny.tokenizer.pad_token == "<|im_end|>"


def test_chat_style_renders_the_chatml_template(tiny):
    text = tiny.render(task_messages(MITOTIC))

    assert text.startswith("<|im_start|>system\nYou are an efficient and insightful assistant")
    assert text.endswith("<|im_start|>assistant\n")


def test_generate_returns_text_token_counts_and_time(tiny):
    messages = task_messages(MITOTIC)
    expected_prompt = len(tiny.tokenizer(tiny.render(messages), add_special_tokens=False)["input_ids"])

    generation = tiny.generate(messages, SHORT)

    assert isinstance(generation, Generation)
    assert generation.prompt_tokens == expected_prompt
    assert 1 <= generation.completion_tokens <= SHORT.max_new_tokens
    assert generation.text.strip()
    assert generation.seconds > 0


def test_greedy_generation_is_deterministic(tiny):
    messages = task_messages(MITOTIC)

    assert tiny.generate(messages, SHORT).text == tiny.generate(messages, SHORT).text


def test_sampling_is_reproducible_with_a_seed_and_differs_from_greedy(tiny):
    messages = task_messages(MITOTIC)
    sampled = GenerationConfig(max_new_tokens=12, temperature=1.5, seed=7)

    first, second = tiny.generate(messages, sampled), tiny.generate(messages, sampled)

    assert first.text == second.text
    assert first.text != tiny.generate(messages, SHORT).text


def test_a_batch_answers_each_prompt_in_order_as_single_calls_do(tiny):
    prompts = [task_messages(MITOTIC), task_messages(["TP53"]), task_messages(MMR)]

    batch = tiny.generate_batch(prompts, SHORT)
    singles = [tiny.generate(p, SHORT) for p in prompts]

    assert [g.text for g in batch] == [g.text for g in singles]
    assert [g.prompt_tokens for g in batch] == [g.prompt_tokens for g in singles]
    assert len({g.prompt_tokens for g in batch}) == 3  # different lengths, so left padding was exercised


def test_batches_longer_than_max_batch_size_are_split(tiny_model_dir):
    backend = load_model(ModelConfig(model=str(tiny_model_dir), max_batch_size=2))
    prompts = [task_messages([gene]) for gene in ("TP53", "CDK1", "MLH1")]

    batch = backend.generate_batch(prompts, SHORT)

    assert [g.text for g in batch] == [backend.generate(p, SHORT).text for p in prompts]


def test_reference_style_feeds_the_authors_raw_text(tiny_model_dir):
    backend = load_model(ModelConfig(model=str(tiny_model_dir), prompt_style="reference"))
    messages = reference_messages(MITOTIC)

    generation = backend.generate(messages, SHORT)

    assert backend.render(messages) == reference_prompt_text(MITOTIC)
    assert generation.prompt_tokens == len(backend.tokenizer(reference_prompt_text(MITOTIC))["input_ids"])


def test_stop_strings_end_the_text_before_them(tiny):
    messages = task_messages(MITOTIC)
    free = tiny.generate(messages, GenerationConfig(max_new_tokens=24)).text
    stop = free.split()[2]

    stopped = tiny.generate(messages, GenerationConfig(max_new_tokens=24, stop=(stop,)))

    assert stop not in stopped.text
    assert free.startswith(stopped.text)


def test_a_prompt_longer_than_the_context_is_refused_with_advice(tiny):
    genes = [f"GENE{i}" for i in range(1200)]

    with pytest.raises(PromptTooLongError, match="reads at most 2048.*fewer genes"):
        tiny.generate(task_messages(genes), SHORT)


def test_a_lora_adapter_changes_the_answer(tiny, tiny_model_dir, tiny_lora_adapter_dir):
    adapted = load_model(ModelConfig(model=str(tiny_model_dir), adapter=str(tiny_lora_adapter_dir)))
    messages = task_messages(MITOTIC)

    assert adapted.info()["adapter"] == str(tiny_lora_adapter_dir)
    assert adapted.generate(messages, SHORT).text != tiny.generate(messages, SHORT).text


def test_a_merged_adapter_answers_as_the_attached_one(tiny_model_dir, tiny_lora_adapter_dir):
    attached = load_model(ModelConfig(model=str(tiny_model_dir), adapter=str(tiny_lora_adapter_dir)))
    merged = load_model(
        ModelConfig(model=str(tiny_model_dir), adapter=str(tiny_lora_adapter_dir), merge_adapter=True)
    )
    prompts = [task_messages(MITOTIC), task_messages(MMR)]

    assert merged.info()["adapter_merged"] is True
    assert type(merged.model).__name__ == "LlamaForCausalLM"  # merged back into a plain model
    assert [g.text for g in merged.generate_batch(prompts, SHORT)] == [
        g.text for g in attached.generate_batch(prompts, SHORT)
    ]


def test_a_missing_adapter_is_a_clear_error(tiny_model_dir, tmp_path):
    with pytest.raises(ModelNotFoundError, match="adapter_config.json"):
        load_model(ModelConfig(model=str(tiny_model_dir), adapter=str(tmp_path / "nowhere")))


def test_threads_setting_is_applied(tiny_model_dir, restore_torch_threads):
    backend = load_model(ModelConfig(model=str(tiny_model_dir), threads=1))

    assert backend.info()["threads"] == 1


@pytest.mark.parametrize("model", ["/nonexistent/model-dir", "./missing.gguf"])
def test_a_missing_local_model_is_a_clear_error(model):
    with pytest.raises(ModelNotFoundError, match="No model at"):
        load_model(ModelConfig(model=model))


def test_a_file_that_is_not_gguf_is_refused(tmp_path):
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"\0")

    with pytest.raises(ModelNotFoundError, match="not a .gguf"):
        load_model(ModelConfig(model=str(weights)))


def test_a_directory_without_a_model_is_refused(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no config.json"):
        load_model(ModelConfig(model=str(tmp_path)))


def test_a_hub_id_that_is_not_cached_offline_is_a_clear_error():
    with pytest.raises(ModelNotFoundError, match="(?s)ncbi/Gene-R1-1B.*download"):
        load_model(ModelConfig(model="ncbi/Gene-R1-1B"))


def test_a_model_without_chat_template_asks_for_the_reference_style(tiny, tiny_model_dir, tmp_path):
    import shutil

    base = tmp_path / "base"
    shutil.copytree(tiny_model_dir, base)
    (base / "chat_template.jinja").unlink()
    backend = load_model(ModelConfig(model=str(base)))

    with pytest.raises(ModelError, match="--prompt-style reference"):
        backend.generate(task_messages(MITOTIC), SHORT)


@pytest.mark.parametrize("messages", [[], "CDK1", [{"role": "robot", "content": "x"}], [{"role": "user"}]])
def test_malformed_messages_are_refused(tiny, messages):
    with pytest.raises(ModelError):
        tiny.generate(messages, SHORT)


def test_an_unknown_dtype_is_refused(tiny_model_dir):
    with pytest.raises(ModelError, match="dtype"):
        load_model(ModelConfig(model=str(tiny_model_dir), dtype="int3"))
