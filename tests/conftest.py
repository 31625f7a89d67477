"""Shared test setup: offline, seeded, with the data mirrors of ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["ANONYMIZED_TELEMETRY"] = "False"

pytest_plugins = ["tests.fixtures_kb", "tests.fixtures_model"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The offline data mirrors (`../shared/data` beside the project, or `$GENE_R1_SHARED_DATA`)."""
    path = Path(os.environ.get("GENE_R1_SHARED_DATA", SHARED_DATA))
    if not (path / "reactome").is_dir():
        pytest.fail(f"The data mirrors are missing: expected {path} (see ../shared/data/README.md).")
    return path


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty data home unless it asks for a shared one."""
    home = tmp_path / "gene-r1-home"
    monkeypatch.setenv("GENE_R1_HOME", str(home))
    return home
