from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from knowledge_base import paths
from knowledge_base.embedding import EMBEDDING_FUNCTION_NAME, get_embedder
from knowledge_base.index import (
    COLLECTION_NAME,
    GENES_IN_DOCUMENT,
    build_index,
    index_document_count,
    index_metadata,
    open_client,
    open_collection,
    pathway_document,
    update_index,
)
from knowledge_base.store import KnowledgeBaseError, Pathway, PathwayStore, write_store
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
    directory = paths.index_dir(small_indexed_home)
    collection = open_collection(directory)

    record = collection.get(ids=["R-HSA-5358508"], include=["metadatas", "documents"])

    assert index_document_count(directory) == len(small_contents().pathways)
    assert record["metadatas"][0]["source"] == "reactome"
    assert record["metadatas"][0]["name"] == "Mismatch Repair"
    assert "Part of: DNA Repair." in record["documents"][0]


def test_index_records_the_store_build_and_releases(small_indexed_home):
    meta = index_metadata(paths.index_dir(small_indexed_home))

    assert json.loads(meta["releases"]) == {"reactome": "test-1", "wikipathways": "test-1"}
    assert meta["store_built_at"]
    assert meta["embedding_model"].startswith("all-MiniLM-L6-v2")


def test_reopened_collection_embeds_queries_with_our_offline_model(small_indexed_home):
    collection = open_collection(paths.index_dir(small_indexed_home))

    result = collection.query(query_texts=["programmed cell death"], n_results=1)

    assert result["ids"][0] == ["R-HSA-109581"]


def test_a_caller_passing_no_embedding_function_gets_ours_not_chromas_default(small_indexed_home):
    collection = open_client(paths.index_dir(small_indexed_home)).get_collection(COLLECTION_NAME)

    result = collection.query(query_texts=["programmed cell death"], n_results=1)

    assert collection.configuration["embedding_function"].name() == EMBEDDING_FUNCTION_NAME
    assert result["ids"][0] == ["R-HSA-109581"]


def test_a_second_build_embeds_nothing_and_a_change_embeds_only_what_changed(tmp_path):
    contents = small_contents()
    directory = tmp_path / "chroma"
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
    assert len(embedder.embedded) == 1 and embedder.embedded[0].startswith("Glycolytic pathway")


def test_build_index_returns_the_documents_it_holds(tmp_path):
    store = store_at(tmp_path / "s.sqlite", small_contents())

    assert build_index(store, tmp_path / "chroma", show_progress=False) == len(small_contents().pathways)


def test_document_count_is_zero_without_an_index(tmp_path):
    assert index_document_count(tmp_path / "nothing-here") == 0


def test_opening_a_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="gene-r1 kb build"):
        open_collection(tmp_path / "nothing-here")


def test_collection_name_is_valid_for_chroma():
    assert 3 <= len(COLLECTION_NAME) <= 512
