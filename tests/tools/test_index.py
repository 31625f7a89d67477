from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.documents import GENES_IN_DOCUMENT, pathway_document, pathway_documents
from gene_r1.knowledge_base.embedding import get_embedder
from gene_r1.knowledge_base.index import (
    build_index,
    index_document_count,
    index_file,
    index_metadata,
    load_index,
    update_index,
)
from gene_r1.knowledge_base.store import KnowledgeBaseError, Pathway, PathwayStore, write_store
from tests.tools.conftest import small_contents


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self):
        self.inner = get_embedder()
        self.model_id = self.inner.model_id
        self.embedded: list[str] = []

    def encode(self, texts, batch_size=64):
        self.embedded += list(texts)
        return self.inner.encode(texts, batch_size)


def documents_of(path: Path) -> dict[str, str]:
    store = PathwayStore.open(path)
    try:
        return {pid: document for pid, (_, document) in pathway_documents(store).items()}
    finally:
        store.close()


def store_at(path: Path, contents) -> PathwayStore:
    write_store(path, contents)
    return PathwayStore.open(path)


def test_document_holds_name_description_parents_and_a_compact_gene_summary():
    genes = tuple(f"G{i:02d}" for i in range(30))
    pathway = Pathway("R-HSA-1", "reactome", "Mismatch Repair", genes, description="Fixes  mispairs.\n")

    document = pathway_document(pathway, ["DNA Repair"])

    assert document.splitlines() == [
        "Mismatch Repair",
        "Fixes mispairs.",
        "Part of: DNA Repair.",
        "Reactome pathway.",
        f"Genes (30): {', '.join(genes[:GENES_IN_DOCUMENT])} and 10 more.",
    ]


def test_index_holds_one_document_per_pathway_with_source_and_name(small_indexed_home):
    index = load_index(paths.index_dir(small_indexed_home))

    row = index.row_of["R-HSA-5358508"]

    assert index_document_count(paths.index_dir(small_indexed_home)) == len(small_contents().pathways)
    assert (index.sources[row], index.names[row]) == ("reactome", "Mismatch Repair")


def test_index_holds_the_model_s_vectors_of_each_document_and_each_name(small_indexed_home):
    index = load_index(paths.index_dir(small_indexed_home))
    embedder = get_embedder()
    row = index.row_of["R-HSA-5358508"]
    store = PathwayStore.open(paths.store_path(small_indexed_home))
    document = pathway_documents(store)["R-HSA-5358508"][1]
    store.close()

    np.testing.assert_allclose(index.vectors[row], embedder.encode([document])[0], atol=1e-5)
    np.testing.assert_allclose(index.name_vector("Mismatch Repair"), embedder.encode(["Mismatch Repair"])[0],
                               atol=1e-5)
    assert index.name_vector("not a pathway name") is None


def test_index_records_the_store_build_and_releases(small_indexed_home):
    meta = index_metadata(paths.index_dir(small_indexed_home))

    assert json.loads(meta["releases"]) == {"reactome": "test-1", "wikipathways": "test-1"}
    assert meta["store_built_at"]
    assert meta["embedding_model"].startswith("all-MiniLM-L6-v2")


def test_a_second_build_embeds_nothing_and_a_change_embeds_only_what_changed(tmp_path):
    contents = small_contents()
    directory = tmp_path / "index"
    embedder = CountingEmbedder()
    first = update_index(store_at(tmp_path / "a.sqlite", contents), directory, embedder=embedder,
                         show_progress=False)
    assert (first.added, first.total) == (len(contents.pathways), len(contents.pathways))

    embedder.embedded.clear()
    again = update_index(store_at(tmp_path / "a.sqlite", contents), directory, embedder=embedder,
                         show_progress=False)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, len(contents.pathways))
    assert embedder.embedded == []

    renamed = [dataclasses.replace(p, name="Glycolytic pathway") if p.id == "R-HSA-70171" else p
               for p in contents.pathways if p.id != "WP534"]
    changed = update_index(store_at(tmp_path / "b.sqlite", dataclasses.replace(contents, pathways=renamed)),
                           directory, embedder=embedder, show_progress=False)
    assert (changed.added, changed.updated, changed.removed) == (0, 1, 1)
    assert changed.total == len(contents.pathways) - 1
    assert sorted(embedder.embedded) == ["Glycolytic pathway", documents_of(tmp_path / "b.sqlite")["R-HSA-70171"]]


def test_build_index_returns_the_documents_it_holds(tmp_path):
    store = store_at(tmp_path / "s.sqlite", small_contents())

    assert build_index(store, tmp_path / "index", show_progress=False) == len(small_contents().pathways)


def test_document_count_is_zero_without_an_index(tmp_path):
    assert index_document_count(tmp_path / "nothing-here") == 0


def test_loading_a_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="gene-r1 kb build"):
        load_index(tmp_path / "nothing-here")


@pytest.mark.parametrize("damage", [b"this is not an index", b"PK\x03\x04 truncated zip"])
def test_a_damaged_index_file_is_unreadable_with_the_rebuild_command(tmp_path, damage):
    directory = tmp_path / "index"
    directory.mkdir()
    index_file(directory).write_bytes(damage)

    with pytest.raises(KnowledgeBaseError, match="unreadable.*gene-r1 kb build"):
        load_index(directory)


def test_a_rewritten_index_file_is_read_again(small_indexed_home, tmp_path):
    directory = tmp_path / "index"
    store = PathwayStore.open(paths.store_path(small_indexed_home))
    build_index(store, directory, show_progress=False)
    first = load_index(directory)
    assert load_index(directory) is first  # read once while the file is unchanged

    update_index(store, directory, show_progress=False)
    store.close()

    assert load_index(directory) is not first
