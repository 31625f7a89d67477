"""What lets the server be shared: a Host allow-list against DNS rebinding, cookie flags, and no token in the logs."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.web.app import create_app
from gene_r1.agent.web.auth import host_name, redact
from tests.web.conftest import LOCAL, LiveServer

TOKEN = "s3cret-token-7f1c"


def open_app(tmp_path, **options):
    return create_app(AgentConfig(home=tmp_path / "no-kb"), home=tmp_path / "state", warm=False,
                      **({"token": None} | options))


def test_a_dns_rebinding_request_naming_another_host_gets_400(tmp_path):
    """A page on evil.example whose name now resolves to 127.0.0.1: the browser sends `Host: evil.example`."""
    with TestClient(open_app(tmp_path), base_url="http://evil.example:8000") as rebound:
        for path in ("/", "/api/jobs", "/docs"):
            response = rebound.get(path)
            assert response.status_code == 400, path
            assert "--allow-host" in response.text


def test_the_host_check_comes_before_the_token(tmp_path):
    with TestClient(open_app(tmp_path, token=TOKEN), base_url="http://evil.example") as rebound:
        assert rebound.get("/api/jobs", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:80", "[::1]:8000", "127.0.0.1"])
def test_the_loopback_names_are_allowed_by_default(tmp_path, host):
    with TestClient(open_app(tmp_path), base_url=LOCAL) as client:
        assert client.get("/api/jobs", headers={"Host": host}).status_code == 200


def test_a_host_named_with_allow_host_is_served_and_others_still_refused(tmp_path):
    app = open_app(tmp_path, hosts=("0.0.0.0", "lab-server.example.org"))
    with TestClient(app, base_url="http://lab-server.example.org:8000") as lab:
        assert lab.get("/api/jobs").status_code == 200
        assert lab.get("/api/jobs", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize(("header", "name"), [("[::1]:8000", "::1"), ("Lab.Example:80", "lab.example"),
                                              ("localhost", "localhost"), ("::1", "::1"), ("", "")])
def test_host_headers_are_compared_without_their_port(header, name):
    assert host_name(header) == name


def test_the_login_cookie_is_httponly_samesite_strict_and_secure_over_tls(tmp_path):
    with TestClient(open_app(tmp_path, token=TOKEN), base_url="https://127.0.0.1") as client:
        response = client.get(f"/batch?token={TOKEN}", follow_redirects=False)
    flags = [part.strip().lower() for part in response.headers["set-cookie"].split(";")]
    assert response.status_code == 303
    assert {"httponly", "samesite=strict", "secure"} <= set(flags)


def test_over_plain_http_the_cookie_is_not_secure_so_a_localhost_browser_sends_it_back(tmp_path):
    with TestClient(open_app(tmp_path, token=TOKEN), base_url=LOCAL) as client:
        response = client.get(f"/batch?token={TOKEN}", follow_redirects=False)
        assert "secure" not in response.headers["set-cookie"].lower().split("; ")
        assert client.get("/batch").status_code == 200  # the cookie came back


def test_the_token_never_reaches_the_access_log(tmp_path, capfd):
    """The log of a real uvicorn server, as an operator reads it: the request lines are there, the token is not."""
    with LiveServer(open_app(tmp_path, token=TOKEN), log_level="info") as server:
        assert httpx.get(f"{server.url}/batch?token={TOKEN}&x=1").status_code == 303  # the cookie is set
        assert httpx.get(f"{server.url}/api/jobs?token={TOKEN[:-1]}x").status_code == 401
    log = "".join(capfd.readouterr())
    assert "/batch?token=REDACTED&x=1" in log
    assert "/api/jobs?token=REDACTED" in log
    assert TOKEN not in log and TOKEN[:-1] not in log


@pytest.mark.parametrize(("line", "redacted"), [
    ("/batch?token=abc", "/batch?token=REDACTED"),
    ("/?x=1&token=abc&y=2", "/?x=1&token=REDACTED&y=2"),
    ("/?access_token=abc", "/?access_token=abc"),  # another parameter: left alone
])
def test_redaction_replaces_only_the_token_value(line, redacted):
    assert redact(line) == redacted
