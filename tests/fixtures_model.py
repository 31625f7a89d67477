"""Model fixtures: a tiny real Llama with the real SmolLM2 tokenizer, and a LoRA adapter on it.

The tokenizer is extracted from the packaged GGUF once (about 6 s) and kept in pytest's cache directory, so later
sessions build the tiny model in about a second.
"""

from __future__ import annotations

import json
import shutil
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

TINY_SEED = 0


@pytest.fixture(scope="session")
def smollm2_tokenizer_dir(pytestconfig, tmp_path_factory) -> Path:
    """A directory holding the SmolLM2-135M-Instruct tokenizer (with its ChatML template), from the packaged GGUF."""
    from gene_r1.agent.embedded import embedded_gguf_path, save_embedded_tokenizer

    gguf = embedded_gguf_path()
    cache = getattr(pytestconfig, "cache", None)  # absent under `-p no:cacheprovider`
    if cache is not None:
        cached = cache.mkdir(f"gene-r1-smollm2-tokenizer-{gguf.stat().st_size}")
    else:
        cached = tmp_path_factory.mktemp("smollm2-tokenizer")
    if not (cached / "tokenizer.json").is_file():
        staging = cached.with_name(cached.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        save_embedded_tokenizer(staging, gguf)
        shutil.rmtree(cached)
        staging.rename(cached)
    return cached


@pytest.fixture(scope="session")
def tiny_model_dir(smollm2_tokenizer_dir, tmp_path_factory) -> Path:
    """A tiny random LlamaForCausalLM (2 layers, hidden 64, 4 heads, tied embeddings, 2,048 positions), seeded,
    saved with the real SmolLM2 tokenizer and chat template. Its text is noise; its code paths are real."""
    from gene_r1.agent.embedded import write_tiny_model

    return write_tiny_model(tmp_path_factory.mktemp("tiny-llama"), smollm2_tokenizer_dir, seed=TINY_SEED)


@pytest.fixture(scope="session")
def tiny_lora_adapter_dir(tiny_model_dir, tmp_path_factory) -> Path:
    """A peft LoRA adapter (r=4 on q_proj/v_proj) for the tiny model, with random non-zero weights so that it
    changes the model's output."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(TINY_SEED + 1)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    peft_model = get_peft_model(model, lora)
    out = tmp_path_factory.mktemp("tiny-lora")
    peft_model.save_pretrained(out)
    return out


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet request handler that answers JSON: what every stand-in server of these tests builds on."""

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass


class LocalStandIn:
    """A stand-in server on 127.0.0.1 at a free port, answering with a `JsonHandler` subclass; `url` ends in /v1."""

    def start(self, handler: type[JsonHandler]) -> None:
        import threading
        from http.server import ThreadingHTTPServer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class ChatCompletionsServer:
    """A local OpenAI-compatible server on 127.0.0.1 (`/v1/chat/completions`, `/v1/completions`, `/v1/models`).

    It answers in the Gene-R1 format, naming the first gene of the prompt's `<genes>` block, and counts words as
    tokens. `failures` (a list of HTTP statuses) are answered first, one per request; `delay_s` delays every answer.
    Every request body is kept in `requests`.
    """

    def __init__(self, model: str = "gene-r1-test"):
        import re
        import threading
        from http.server import ThreadingHTTPServer

        self.model = model
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.failures: list[int] = []
        self.delay_s = 0.0
        server = self

        class Handler(JsonHandler):
            def do_GET(self):
                if self.path == "/v1/models":
                    self._send(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self):
                import time

                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.headers.append(dict(self.headers))
                if server.delay_s:
                    time.sleep(server.delay_s)
                if server.failures:
                    self._send(server.failures.pop(0), {"error": {"message": "scripted failure"}})
                    return
                if self.path == "/v1/chat/completions":
                    prompt = "\n".join(m["content"] for m in body["messages"])
                elif self.path == "/v1/completions":
                    prompt = body["prompt"]
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                block = re.search(r"<genes>\n(.*?)\n</genes>", prompt, re.S)
                listed = block.group(1) if block else prompt.rsplit("Here is the gene set:", 1)[-1]
                genes = [g for g in re.split(r"[,\s]+", listed.split("#Assistant")[0]) if g]
                first = genes[0] if genes else "nothing"
                text = (
                    f"<think>\nThe set lists {len(genes)} genes.\n</think>\n"
                    f"Process: Gene set led by {first}\nConfidence: 0.5"
                )
                choice = {"index": 0, "finish_reason": "stop"}
                if self.path == "/v1/chat/completions":
                    choice["message"] = {"role": "assistant", "content": text}
                else:
                    choice["text"] = text
                usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split())}
                usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
                self._send(200, {"id": "cmpl-test", "model": body.get("model"), "choices": [choice], "usage": usage})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def openai_server():
    """A fresh local OpenAI-compatible server (see `ChatCompletionsServer`), shut down after the test."""
    server = ChatCompletionsServer()
    yield server
    server.close()
