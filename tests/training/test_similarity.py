"""ROUGE-L and the encoder behind the evaluation metric."""

from __future__ import annotations

import pytest

from gene_r1.training.similarity import Encoder, rouge_l


def test_rouge_l_is_one_for_the_same_words_and_zero_for_disjoint_ones():
    assert rouge_l("Mitotic cell cycle", "mitotic cell-cycle") == 1.0
    assert rouge_l("glycolysis", "DNA repair") == 0.0
    assert rouge_l("", "DNA repair") == 0.0


def test_rouge_l_uses_the_longest_common_subsequence():
    # LCS of "regulation of dna repair" and "dna mismatch repair" is "dna repair": P = 2/4, R = 2/3
    precision, recall = 2 / 4, 2 / 3
    expected = 2 * precision * recall / (precision + recall)
    assert rouge_l("regulation of DNA repair", "DNA mismatch repair") == pytest.approx(expected)


def test_offline_encoder_cosines_rank_related_names_higher():
    related, unrelated, empty = Encoder().cosine_pairs(
        ["DNA mismatch repair", "glycolysis", ""], ["mismatch repair", "mismatch repair", "mismatch repair"])
    assert related > 0.7 and related > unrelated + 0.3
    assert empty == 0.0
