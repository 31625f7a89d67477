"""The judge's vote through an OpenAI-compatible server: the assistant turn continues from the text the options share,
and each option is read by its own token id. A stand-in on 127.0.0.1 tokenizes with the real SmolLM2 tokenizer, as
vLLM's `/tokenize` and `/detokenize` do, and answers each vote with chosen log-probabilities by token id.

Before this, the backend continued from "Answer:" and every option's score was the floor value: SmolLM2 splits " 3"
into " " and "3", and the real server's top-20 after "Answer:" held no digit (tests/agent/test_vllm_server.py).
"""

from __future__ import annotations

import json

import pytest

from gene_r1.agent.model import ModelConfig, load_model
from tests.fixtures_model import JsonHandler, LocalStandIn

MESSAGES = [{"role": "user", "content": "Which candidate? 1. Cell cycle 2. Glycolysis 3. DNA repair"}]
OPTIONS = [" 1", " 2", " 3"]


class TokenizingStandIn(LocalStandIn):
    """`/tokenize`, `/detokenize` (at the root, as vLLM serves them) and `/v1/chat/completions` whose top
    log-probabilities are `scores` (digit -> log-probability), named by token id when asked."""

    def __init__(self, tokenizer, scores: dict[str, float], with_tokenizer: bool = True):
        stand_in = self
        self.chats: list[dict] = []

        class Handler(JsonHandler):
            def do_GET(self):
                self._send(200, {"data": [{"id": "gene-r1"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path in ("/tokenize", "/detokenize") and not with_tokenizer:
                    self._send(404, {"detail": "Not Found"})
                elif self.path == "/tokenize":
                    ids = tokenizer(body["prompt"], add_special_tokens=body["add_special_tokens"])["input_ids"]
                    self._send(200, {"count": len(ids), "max_model_len": 4096, "tokens": ids})
                elif self.path == "/detokenize":
                    self._send(200, {"prompt": tokenizer.decode(body["tokens"])})
                else:
                    stand_in.chats.append(body)
                    by_id = body.get("return_tokens_as_token_ids")
                    top = [{"token": f"token_id:{tokenizer.convert_tokens_to_ids(digit)}" if by_id else digit,
                            "logprob": score} for digit, score in scores.items()]
                    content = [{"token": top[0]["token"], "logprob": top[0]["logprob"], "top_logprobs": top}]
                    self._send(200, {"choices": [{"index": 0, "message": {"content": "1"},
                                                  "logprobs": {"content": content}}]})

        self.start(Handler)


@pytest.fixture
def smollm2_tokenizer(smollm2_tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(smollm2_tokenizer_dir))


def votes(stand_in: TokenizingStandIn) -> list[float]:
    backend = load_model(ModelConfig(backend="openai", base_url=stand_in.url, adapter="gene-r1", max_retries=0))
    return backend.choice_logprobs([MESSAGES], "Answer:", OPTIONS)[0]


def test_the_vote_continues_from_the_text_the_options_share(smollm2_tokenizer):
    stand_in = TokenizingStandIn(smollm2_tokenizer, {"2": -0.5, "1": -1.5, "3": -2.5})
    try:
        votes(stand_in)
    finally:
        stand_in.close()

    assert stand_in.chats[0]["messages"][-1] == {"role": "assistant", "content": "Answer: "}
    assert stand_in.chats[0]["continue_final_message"] is True


def test_each_option_is_scored_by_its_own_token_id(smollm2_tokenizer):
    stand_in = TokenizingStandIn(smollm2_tokenizer, {"2": -0.5, "1": -1.5, "3": -2.5})
    try:
        assert votes(stand_in) == [-1.5, -0.5, -2.5]
    finally:
        stand_in.close()
    assert stand_in.chats[0]["return_tokens_as_token_ids"] is True


def test_an_option_outside_the_top_log_probabilities_gets_the_floor(smollm2_tokenizer):
    stand_in = TokenizingStandIn(smollm2_tokenizer, {"2": -0.5, "1": -1.5})
    try:
        assert votes(stand_in) == [-1.5, -0.5, -30.0]
    finally:
        stand_in.close()


def test_a_server_without_a_tokenizer_is_matched_by_token_text(smollm2_tokenizer):
    stand_in = TokenizingStandIn(smollm2_tokenizer, {"2": -0.5, "1": -1.5, "3": -2.5}, with_tokenizer=False)
    try:
        assert votes(stand_in) == [-1.5, -0.5, -2.5]
    finally:
        stand_in.close()
    assert stand_in.chats[0]["messages"][-1]["content"] == "Answer:"
    assert "return_tokens_as_token_ids" not in stand_in.chats[0]
