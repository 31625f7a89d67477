from gene_r1.agent.backends.openai_backend import OpenAIBackend
from gene_r1.agent.model import ModelConfig
from gene_r1.knowledge_base import fetch, http_policy
from gene_r1.tools import http


def test_every_outbound_client_uses_the_one_http_policy():
    assert fetch.HttpPolicy is http.HttpPolicy is http_policy.HttpPolicy
    backend = OpenAIBackend(ModelConfig(backend="openai", base_url="http://127.0.0.1:9/v1", model="m", max_retries=2))

    retry = backend.session.get_adapter("http://127.0.0.1:9/v1").max_retries

    assert (retry.total, retry.connect, retry.read, retry.status) == (2, 2, 2, 2)
    assert {408, 409, 429, 503} <= set(retry.status_forcelist)
    assert backend.session.headers["User-Agent"] == http_policy.USER_AGENT


def test_the_retry_counts_and_backoff_come_from_the_policy():
    retry = http_policy.HttpPolicy(retries=4, backoff=0.25).retry()

    assert retry.total == 4 and retry.backoff_factor == 0.25
    assert retry.allowed_methods is None  # POST queries are retried too
    assert not retry.raise_on_status and not retry.respect_retry_after_header
