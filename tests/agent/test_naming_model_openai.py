"""The naming model on the openai backend: adapters there are the server's names, so the naming step asks for the
served adapter, never for the shipped adapter's path (vLLM answered 404 to that path: issue 20)."""

from __future__ import annotations

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext

SERVER = "http://127.0.0.1:9/v1"  # nothing is requested: the served name is known without asking


def test_on_the_openai_backend_the_naming_model_asks_for_the_served_adapter():
    context = AgentContext(AgentConfig(backend="openai", base_url=SERVER, adapter="gene-r1"))

    assert context.naming_model.model_name() == "gene-r1"


def test_a_naming_adapter_named_for_the_server_is_asked_for_instead():
    context = AgentContext(AgentConfig(backend="openai", base_url=SERVER, adapter="gene-r1",
                                       naming_adapter="gene-r1-naming"))

    assert context.naming_model.model_name() == "gene-r1-naming"
