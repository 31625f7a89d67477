"""The OpenAI-compatible backend against a real local HTTP server on 127.0.0.1 (tests/fixtures_model.py)."""

from __future__ import annotations

import socket

import pytest

from gene_r1.agent.model import (
    BackendUnavailableError,
    GenerationConfig,
    ModelBackend,
    ModelConfig,
    ModelError,
    load_model,
)
from gene_r1.agent.parsing import parse_answer
from gene_r1.agent.prompts import reference_messages, task_messages

MITOTIC = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]


def backend_for(server, **changes) -> ModelBackend:
    return load_model(ModelConfig(backend="openai", base_url=server.url, **changes))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_generate_posts_the_messages_and_sampling_settings(openai_server):
    backend = backend_for(openai_server, model="served-model")
    messages = task_messages(MITOTIC)

    backend.generate(messages, GenerationConfig(max_new_tokens=64, temperature=0.0, stop=("</answer>",)))

    sent = openai_server.requests[0]
    assert sent["model"] == "served-model"
    assert sent["messages"] == messages
    assert (sent["max_tokens"], sent["temperature"], sent["top_p"], sent["n"]) == (64, 0.0, 1.0, 1)
    assert sent["stop"] == ["</answer>"]


def test_the_answer_text_and_token_counts_come_from_the_response(openai_server):
    generation = backend_for(openai_server).generate(task_messages(MITOTIC))

    parsed = parse_answer(generation.text)
    assert parsed.name == "Gene set led by CDK1"
    assert parsed.followed_format
    assert generation.prompt_tokens == len("\n".join(m["content"] for m in task_messages(MITOTIC)).split())
    assert generation.completion_tokens == len(generation.text.split())
    assert generation.seconds > 0


def test_without_a_model_name_the_servers_first_model_is_used(openai_server):
    backend_for(openai_server).generate(task_messages(MITOTIC))

    assert openai_server.requests[0]["model"] == openai_server.model


def test_an_adapter_is_requested_by_its_served_lora_name(openai_server):
    backend_for(openai_server, model="base", adapter="gene-r1").generate(task_messages(MITOTIC))

    assert openai_server.requests[0]["model"] == "gene-r1"


def test_reference_style_sends_the_authors_raw_text_to_completions(openai_server):
    backend = backend_for(openai_server, model="ncbi/Gene-R1-8B", prompt_style="reference")

    generation = backend.generate(reference_messages(MITOTIC))

    expected_end = "Here is the gene set: " + ",".join(MITOTIC) + "\n #Assistant: \n"
    assert openai_server.requests[0]["prompt"].endswith(expected_end)
    assert parse_answer(generation.text).name == "Gene set led by CDK1"


def test_a_batch_answers_each_prompt_in_order(openai_server):
    genes = [["TP53", "MDM2"], ["MLH1", "MSH2"], ["HK1", "PFKM"], ["CDK1"], ["BRCA1"]]

    batch = backend_for(openai_server).generate_batch([task_messages(g) for g in genes])

    assert [parse_answer(g.text).name for g in batch] == [f"Gene set led by {g[0]}" for g in genes]
    assert len(openai_server.requests) == len(genes)


def test_the_api_key_is_read_from_the_configured_environment_variable(openai_server, monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-test-123")

    backend_for(openai_server, api_key_env="MY_KEY").generate(task_messages(MITOTIC))

    assert openai_server.headers[0]["Authorization"] == "Bearer sk-test-123"


def test_no_authorization_header_when_the_key_is_absent(openai_server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    backend_for(openai_server).generate(task_messages(MITOTIC))

    assert "Authorization" not in openai_server.headers[0]


def test_server_errors_are_retried_until_an_answer_comes(openai_server):
    openai_server.failures = [500, 503]

    generation = backend_for(openai_server, model="m", max_retries=2).generate(task_messages(MITOTIC))

    assert parse_answer(generation.text).name == "Gene set led by CDK1"
    assert len(openai_server.requests) == 3


def test_persistent_server_errors_end_in_a_clear_error(openai_server):
    openai_server.failures = [500, 500]

    with pytest.raises(BackendUnavailableError, match="after 2 attempts.*HTTP 500"):
        backend_for(openai_server, model="m", max_retries=1).generate(task_messages(MITOTIC))


def test_client_errors_are_not_retried(openai_server):
    openai_server.failures = [401]

    with pytest.raises(ModelError, match="HTTP 401.*OPENAI_API_KEY"):
        backend_for(openai_server, model="m", max_retries=3).generate(task_messages(MITOTIC))
    assert len(openai_server.requests) == 1


def test_a_slow_server_times_out_with_a_clear_error(openai_server):
    openai_server.delay_s = 1.0

    with pytest.raises(BackendUnavailableError, match="no answer within 0.2 s"):
        backend_for(openai_server, model="m", request_timeout_s=0.2, max_retries=0).generate(task_messages(MITOTIC))


def test_an_unreachable_server_is_a_clear_error():
    config = ModelConfig(backend="openai", base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", max_retries=1)

    with pytest.raises(BackendUnavailableError, match="cannot connect.*--base-url"):
        load_model(config).generate(task_messages(MITOTIC))


def test_the_openai_backend_needs_a_base_url():
    with pytest.raises(ModelError, match="--base-url"):
        load_model(ModelConfig(backend="openai"))


def test_info_describes_the_endpoint_without_calling_it(openai_server):
    info = backend_for(openai_server, model="served-model").info()

    assert info["backend"] == "openai"
    assert info["base_url"] == openai_server.url
    assert info["model"] == "served-model"
    assert openai_server.requests == []
