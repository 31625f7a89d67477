"""`gene-r1 serve`: localhost by default, a warning when exposed without a token."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gene_r1.agent.web.serve import exposure_warning, is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"])
def test_loopback_addresses_are_recognised(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "lab-server.example.org"])
def test_other_addresses_are_not_loopback(host):
    assert not is_loopback(host)


def test_binding_to_all_interfaces_without_a_token_warns():
    assert "without an access token" in exposure_warning("0.0.0.0", None)


def test_no_warning_with_a_token_or_on_localhost():
    assert exposure_warning("0.0.0.0", "abc") is None
    assert exposure_warning("127.0.0.1", None) is None


def test_serve_is_a_command_of_the_cli_with_host_port_and_token():
    from gene_r1.agent.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--host", "--port", "--token", "--state-dir", "GENE_R1_TOKEN"):
        assert option in result.output
