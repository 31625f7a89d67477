"""The enrichment index saved beside its store answers exactly as the one built from the store, and only for that
store file and those sources."""

from __future__ import annotations

import os

import numpy as np

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.store import PathwayStore
from gene_r1.tools.enrichment_index import EnrichmentIndex
from tests.fixtures_kb import sample_gene_sets
from tests.tools.conftest import APOPTOSIS, CELL_CYCLE, GLYCOLYSIS, MISMATCH, make_home, small_contents

QUERIES = [list(CELL_CYCLE), list(MISMATCH[:3]) + ["TP53"], list(GLYCOLYSIS[:4]) + list(APOPTOSIS[:2]), ["FILL3"]]


def same_answers(cached: EnrichmentIndex, built: EnrichmentIndex, queries, sources=None) -> None:
    assert (cached.ids, cached.genes, cached.names) == (built.ids, built.genes, built.names)
    np.testing.assert_array_equal(cached.sizes, built.sizes)
    assert cached.gene_sets == built.gene_sets
    for genes in queries:
        assert cached.enrich(genes, sources=sources, max_results=None) == built.enrich(genes, sources=sources,
                                                                                       max_results=None)


def test_a_saved_index_answers_as_the_one_built_from_the_store(small_kb, tmp_path):
    cache = tmp_path / "enrichment.npz"
    built = EnrichmentIndex.from_store(small_kb.store, small_kb.store.sources())

    EnrichmentIndex.from_store(small_kb.store, small_kb.store.sources(), cache=cache)  # builds and saves
    loaded = EnrichmentIndex.load(cache, _key(small_kb.store))

    assert loaded is not None
    same_answers(loaded, built, QUERIES)
    same_answers(loaded, built, QUERIES, sources=["wikipathways"])


def test_the_cache_is_used_only_for_the_store_file_and_sources_it_was_saved_from(small_home, tmp_path):
    cache = tmp_path / "enrichment.npz"
    store = PathwayStore.open(paths.store_path(small_home))
    EnrichmentIndex.from_store(store, ["reactome", "wikipathways"], cache=cache)
    store.close()

    only_wikipathways = EnrichmentIndex.from_store(PathwayStore.open(paths.store_path(small_home)),
                                                   ["wikipathways"], cache=cache)
    assert set(only_wikipathways.sources) == {"wikipathways"}

    contents = small_contents()
    contents.pathways.pop()  # WP534 leaves the rebuilt store
    os.remove(paths.store_path(small_home))
    make_home(small_home, contents)
    rebuilt = EnrichmentIndex.from_store(PathwayStore.open(paths.store_path(small_home)),
                                         ["reactome", "wikipathways"], cache=cache)
    assert "WP534" not in rebuilt.ids


def test_an_unreadable_cache_is_rebuilt_and_a_read_only_one_skipped(small_kb, tmp_path):
    garbled = tmp_path / "enrichment.npz"
    garbled.write_bytes(b"not numpy")
    blocked = tmp_path / "a-file" / "enrichment.npz"
    (tmp_path / "a-file").write_text("")
    built = EnrichmentIndex.from_store(small_kb.store, small_kb.store.sources())

    for cache in (garbled, blocked):
        same_answers(EnrichmentIndex.from_store(small_kb.store, small_kb.store.sources(), cache=cache), built,
                     QUERIES)


def test_the_knowledge_base_of_the_embedded_releases_reads_its_saved_index(embedded_kb_home):
    from gene_r1.tools.context import KnowledgeBase, open_knowledge_base

    first = open_knowledge_base(embedded_kb_home).enrichment_index  # saved beside the store by the first use
    again = KnowledgeBase.open(embedded_kb_home)
    built = EnrichmentIndex.from_store(again.store, again.store.sources())

    assert (paths.kb_dir(embedded_kb_home) / "enrichment.npz").is_file()
    same_answers(again.enrichment_index, built, sample_gene_sets(again.store, 20, seed=11))
    same_answers(first, built, QUERIES[:1])
    again.close()


def _key(store: PathwayStore) -> str:
    from gene_r1.tools.enrichment_index import _store_key

    return _store_key(store, store.sources())
