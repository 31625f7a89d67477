"""Shared test setup: offline, seeded, with the data mirrors of ../shared/data when they are there."""

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
REQUIRE_SHARED_DATA = "GENE_R1_REQUIRE_SHARED_DATA"  # "1" (as `.ci/run` sets): a test needing the mirrors fails


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The offline data mirrors (`../shared/data` beside the project, or `$GENE_R1_SHARED_DATA`).

    A fresh clone has none: every test that needs them (benchmarks, GO, the full KB built from the mirrors) skips
    with this one reason, and the rest run on the embedded Reactome/WikiPathways snapshot and hand-made fixtures.
    """
    path = Path(os.environ.get("GENE_R1_SHARED_DATA", SHARED_DATA))
    if not (path / "reactome").is_dir():
        reason = (f"needs the data mirrors, not found at {path} (set GENE_R1_SHARED_DATA=DIR; "
                  f"{REQUIRE_SHARED_DATA}=1 makes this a failure)")
        if os.environ.get(REQUIRE_SHARED_DATA) == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty data home unless it asks for a shared one."""
    home = tmp_path / "gene-r1-home"
    monkeypatch.setenv("GENE_R1_HOME", str(home))
    return home
