"""The first use on an empty data home: the embedded releases become a full KB, index included, without embedding;
and the full index, once damaged, is rebuilt from the store on the next use. One full build, shared."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.knowledge_base import embedded, embedding, paths
from gene_r1.knowledge_base.documents import content_hash, pathway_documents
from gene_r1.knowledge_base.index import index_file, load_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, str]:
    """(data home, what the first use said on stderr), the embedder forbidden during the build."""
    home = tmp_path_factory.mktemp("first-run") / "home"
    said = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stderr(said):
        patch.delenv(paths.SOURCE_DIR_ENV, raising=False)
        patch.setattr(embedding, "get_embedder", lambda *a: pytest.fail("a shipped document was embedded again"))
        _ = AgentContext(config=AgentConfig(home=home)).kb
    return home, said.getvalue()


def test_the_first_use_builds_the_embedded_kb_from_shipped_vectors_and_says_so(first_run):
    home, said = first_run

    assert "First run: building the local knowledge base" in said
    assert "embedded Reactome 2024-09-18 + WikiPathways 2023 releases" in said
    assert "Knowledge base ready: 3495 pathways, 3495 indexed" in said
    assert len(load_index(paths.index_dir(home))) == 3495


def test_the_shipped_vectors_are_what_the_installed_model_computes(first_run):
    from gene_r1.tools.context import open_knowledge_base

    embedder = embedding.get_embedder()
    documents = [doc for _, doc in pathway_documents(open_knowledge_base(first_run[0]).store).values()][::700]
    shipped = embedded.precomputed_vectors()
    expected = np.stack([shipped[content_hash(doc, embedder.model_id)] for doc in documents])
    assert np.sum(expected * embedder.encode(documents), axis=1).min() > 0.999  # float16 rounding aside


def test_a_half_written_index_file_is_found_and_rebuilt_on_the_next_use(first_run, tmp_path, capsys):
    home = tmp_path / "home"
    shutil.copytree(first_run[0], home)
    written = index_file(paths.index_dir(home))
    written.write_bytes(written.read_bytes()[: written.stat().st_size // 3])

    kb = AgentContext(config=AgentConfig(home=home)).kb

    assert "unreadable" in capsys.readouterr().err
    assert len(kb.index) == 3495


def test_every_indexed_name_has_its_shipped_vector(first_run):
    index = load_index(paths.index_dir(first_run[0]))
    shipped = embedded.precomputed_vectors()

    stored = np.stack([shipped[content_hash(name, index.model_id)] for name in index.names.tolist()])

    np.testing.assert_array_equal(index.name_vectors, stored)
