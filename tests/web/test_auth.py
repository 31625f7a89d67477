"""With a token, every page and API call needs it; without one, everything is open (on localhost)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.web.app import create_app
from tests.web.conftest import LOCAL

TOKEN = "s3cret-token"


@pytest.fixture
def guarded(tmp_path):
    app = create_app(AgentConfig(home=tmp_path / "kb"), token=TOKEN, home=tmp_path / "state", warm=False)
    with TestClient(app, base_url=LOCAL) as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/batch", "/docs", "/openapi.json", "/api/jobs", "/api/kb", "/static/chat.js"])
def test_every_page_and_api_call_without_the_token_gets_401(guarded, path):
    assert guarded.get(path).status_code == 401


def test_posting_without_the_token_gets_401(guarded):
    assert guarded.post("/api/analyze", json={"genes": ["CDK1"]}).status_code == 401


def test_a_bearer_token_opens_the_api(guarded):
    response = guarded.get("/api/jobs", headers={"Authorization": f"Bearer {TOKEN}"})
    assert (response.status_code, response.json()) == (200, [])


def test_a_wrong_token_is_refused(guarded):
    assert guarded.get("/api/jobs", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert guarded.get("/?token=nope", follow_redirects=False).status_code == 401


def test_the_token_in_a_page_address_sets_a_cookie_and_is_removed_from_the_address(guarded):
    response = guarded.get(f"/batch?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/batch"
    assert "httponly" in response.headers["set-cookie"].lower()
    assert guarded.get("/batch").status_code == 200  # the cookie now opens pages
    assert guarded.get("/api/jobs").status_code == 200  # and the API calls those pages make


def test_the_401_page_says_how_to_get_in(guarded):
    assert "?token=" in guarded.get("/").text


def test_without_a_token_the_pages_are_open_and_carry_a_strict_content_security_policy(tmp_path):
    app = create_app(AgentConfig(home=tmp_path / "kb"), token=None, home=tmp_path / "state", warm=False)
    with TestClient(app, base_url=LOCAL) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]


def test_tokens_are_compared_in_constant_time(guarded, monkeypatch):
    """`hmac.compare_digest` takes as long for a near miss as for a far one, so timing cannot reveal the token."""
    import hmac

    from gene_r1.agent.web import auth

    compared, real = [], hmac.compare_digest

    def spy(given, expected):
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert guarded.get("/api/jobs", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"}).status_code == 401
    assert guarded.get("/api/jobs", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert compared == [(f"{TOKEN[:-1]}x".encode(), TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]
