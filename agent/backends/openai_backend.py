"""The OpenAI-compatible backend: any server speaking `/chat/completions` (e.g. `vllm serve ... --enable-lora`,
llama.cpp's server, or a hosted model), over HTTP under the shared policy (`knowledge_base.http_policy`: a timeout,
urllib3 retries with backoff).

With `prompt_style="reference"` it sends the authors' raw text to `/completions` instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from gene_r1.agent.model_types import (
    BackendUnavailableError,
    Generation,
    GenerationConfig,
    Message,
    ModelConfig,
    ModelError,
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
        """The judge's choice through an OpenAI-compatible server: the assistant turn is continued from `prefix`
        (vLLM's `continue_final_message`) for one token with its top log-probabilities; an option outside them gets
        a floor value. Servers without log-probabilities raise `ModelError`, and the judge falls back to its ranker."""
        wanted = [option.strip() for option in options]

        def one(messages: Sequence[Message]) -> list[float]:
            payload = {"model": self.model_name(), "max_tokens": 1, "temperature": 0.0, "logprobs": True,
                       "top_logprobs": min(20, max(5, len(options))), "add_generation_prompt": False,
                       "continue_final_message": True,
                       "messages": [*check_messages(messages), {"role": "assistant", "content": prefix}]}
            body = self._request("POST", "/chat/completions", payload)
            content = ((_first_choice(body).get("logprobs") or {}).get("content") or [])
            if not content:
                raise ModelError(f"{self.base_url} returned no log-probabilities: the judge needs a server that "
                                 "supports `logprobs` (e.g. vLLM).")
            top = {entry["token"].strip(): float(entry["logprob"]) for entry in content[0].get("top_logprobs", [])}
            return [top.get(option, -30.0) for option in wanted]

        self.model_name()
        workers = min(_MAX_PARALLEL, self.config.max_batch_size, max(1, len(batch)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, batch))

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

    def _request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """One API call; the policy retries connection errors, timeouts and 5xx/429/408/409 answers with backoff."""
        url = self.base_url + path
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
        if response.status_code >= 400:
            raise ModelError(
                f"{method} {url} failed with HTTP {response.status_code}: {response.text[:300]}"
                + (f" (is {self.config.api_key_env} set?)" if response.status_code in (401, 403) else "")
            )
        try:
            return response.json()
        except ValueError as error:
            raise ModelError(f"{url} did not answer with JSON: {response.text[:200]!r}") from error


def _first_choice(body: dict[str, Any]) -> dict[str, Any]:
    choices = body.get("choices") or []
    if not choices or not isinstance(choices[0], dict):
        raise ModelError(f"The server's answer has no choices: {str(body)[:300]}")
    return choices[0]
