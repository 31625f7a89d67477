"""Where gene-r1 keeps what it builds or downloads: one data home, `$GENE_R1_HOME`."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

HOME_ENV = "GENE_R1_HOME"
SOURCE_DIR_ENV = "GENE_R1_SOURCE_DIR"


def data_home() -> Path:
    """The data home: `$GENE_R1_HOME`, else the user's cache dir (e.g. ~/.cache/gene-r1)."""
    configured = os.environ.get(HOME_ENV)
    return Path(configured).expanduser() if configured else Path(user_cache_dir("gene-r1"))


def kb_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "kb"


def store_path(home: Path | None = None) -> Path:
    return kb_dir(home) / "pathways.sqlite"


def index_dir(home: Path | None = None) -> Path:
    return kb_dir(home) / "index"


def downloads_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "downloads"


def models_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "models"


def default_source_dir() -> Path | None:
    """`$GENE_R1_SOURCE_DIR`: a local directory of release files to build from instead of downloading."""
    configured = os.environ.get(SOURCE_DIR_ENV)
    return Path(configured).expanduser() if configured else None
