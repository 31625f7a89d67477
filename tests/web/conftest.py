"""Web fixtures: the real agent (KB built from ../shared/data, tiny real model) behind the app, a test client,
a live server on 127.0.0.1, and gene-set files."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gene_r1.agent.config import AgentConfig

LOCAL = "http://127.0.0.1"  # test clients name a host the app allows (the bound host and loopback names)
TEST_OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "web"
INJECTION = "<img src=x onerror=alert(1)>"
CELL_CYCLE = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]
GENE_GROUPS = {
    "mitosis": CELL_CYCLE,
    "mismatch_repair": ["MLH1", "MSH2", "MSH6", "PMS2", "EXO1", "PCNA", "RFC1", "POLD1"],
    "glycolysis": ["HK1", "PFKM", "ALDOA", "GAPDH", "PGK1", "ENO1", "PKM", "TPI1"],
    "ribosome": ["RPL3", "RPS6", "RPL5", "RPS3", "RPL11", "RPS19", "RPL23", "RPS14"],
    "interferon": ["STAT1", "IRF1", "ISG15", "MX1", "OAS1", "IFIT1", "IFIT3", "IRF7"],
    "proteasome": ["PSMA1", "PSMA2", "PSMB1", "PSMB2", "PSMC1", "PSMD1", "PSMD2", "PSMA3"],
}


def gmt_text(n_sets: int | None = None) -> str:
    """A GMT of real gene sets: the groups above, then halves of them, up to `n_sets` lines."""
    lines = [f"{name}\t{name} genes\t" + "\t".join(genes) for name, genes in GENE_GROUPS.items()]
    for name, genes in GENE_GROUPS.items():
        lines.append(f"{name}_first\tfirst half\t" + "\t".join(genes[:5]))
        lines.append(f"{name}_last\tsecond half\t" + "\t".join(genes[3:]))
    n_sets = n_sets or len(GENE_GROUPS)
    return "\n".join(lines[:n_sets]) + "\n"


@pytest.fixture(scope="session")
def web_config(built_kb_home, tiny_model_dir) -> AgentConfig:
    """The real agent over the KB built from ../shared/data, with the tiny (fast, nonsense-speaking) model."""
    return AgentConfig(home=built_kb_home, model=str(tiny_model_dir), explain_tokens=24)


@pytest.fixture
def state_dir(tmp_path) -> Path:
    """Where the app under test keeps jobs and chat threads (the shared KB home stays untouched)."""
    return tmp_path / "web-state"


@pytest.fixture
def client(web_config, state_dir):
    from fastapi.testclient import TestClient

    from gene_r1.agent.web.app import create_app

    app = create_app(web_config, token=None, home=state_dir, batch_size=4, warm=False)
    with TestClient(app, base_url=LOCAL) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def torch_threads_restored(monkeypatch):
    """An app pins torch's thread count for its whole process at start: give the rest of the session its own."""
    import torch

    from gene_r1.knowledge_base import embedding

    monkeypatch.setattr(embedding, "_pinned_threads", embedding._pinned_threads)
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def wait_for(check: Callable[[], object], timeout: float, what: str, every: float = 0.2):
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The app served by uvicorn in a thread on 127.0.0.1 (for the browser)."""

    def __init__(self, app, log_level: str = "warning"):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level=log_level))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        wait_for(lambda: self.server.started, 30, "the live server to start", every=0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def live_server(web_config, tmp_path_factory):
    from gene_r1.agent.web.app import create_app

    app = create_app(web_config, token=None, home=tmp_path_factory.mktemp("live-state"), batch_size=4, warm=True)
    with LiveServer(app) as server:
        yield server
