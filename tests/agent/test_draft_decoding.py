"""Drafted greedy decoding: the answer greedy decoding writes, in fewer forward passes when the draft is right."""

from __future__ import annotations

import pytest

from gene_r1.agent.backends.draft_decoding import greedy_with_draft, lookup_draft
from gene_r1.agent.model import GenerationConfig, ModelConfig, load_model
from gene_r1.agent.naming import ANSWER_SHAPE
from gene_r1.agent.prompts import task_messages
from gene_r1.training.naming_data import naming_answer

SETS = [["CDK1", "CCNB1", "CCNA2", "PLK1"], ["MLH1", "MSH2", "MSH6", "PMS2", "EXO1", "PCNA"], ["IFNG"]]


@pytest.mark.parametrize(
    ("generated", "expected"),
    [
        ([7, 1, 2], [3, 4]),  # the longest suffix found (1, 2) decides
        ([9, 2], [3, 4]),  # one token is enough when two are not found
        ([5], []),  # nothing follows the reference's last token
        ([8], []),  # a token the reference lacks
        ([], []),
    ],
)
def test_a_draft_is_what_follows_the_longest_suffix_found_in_the_reference(generated, expected):
    assert lookup_draft([0, 1, 2, 3, 4, 5], generated, most=2) == expected


def test_a_draft_is_cut_to_the_most_tokens_asked():
    assert lookup_draft(list(range(20)), [3], most=4) == [4, 5, 6, 7]


def test_the_answer_shape_is_how_every_trained_answer_begins_and_ends_its_reasoning():
    answer = naming_answer([{"number": 1, "label": 0.9}, {"number": 2, "label": 0.2}], "mismatch repair")

    assert answer == ANSWER_SHAPE + "mismatch repair"


@pytest.fixture(scope="module")
def tiny_backend(tiny_model_dir):
    return load_model(ModelConfig(model=str(tiny_model_dir), adapter="none"))


def encoded_batch(backend, sets):
    texts = [backend.render(task_messages(genes)) for genes in sets]
    return backend.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)


def decoded(backend, tokens):
    return backend.tokenizer.decode([t for t in tokens if t not in backend.eos_ids], skip_special_tokens=True)


def test_without_a_draft_it_is_greedy_decoding_one_pass_a_token(tiny_backend):
    expected = tiny_backend.generate(task_messages(SETS[0]), GenerationConfig(max_new_tokens=24))
    encoded = encoded_batch(tiny_backend, SETS[:1])

    [plain] = greedy_with_draft(tiny_backend.model, encoded["input_ids"], encoded["attention_mask"], [], 24,
                                tiny_backend.eos_ids)

    assert decoded(tiny_backend, plain.tokens) == expected.text
    assert plain.forward_passes == len(plain.tokens) == expected.completion_tokens


def test_a_right_draft_writes_the_same_answer_in_a_few_passes(tiny_backend):
    encoded = encoded_batch(tiny_backend, SETS[:1])
    [plain] = greedy_with_draft(tiny_backend.model, encoded["input_ids"], encoded["attention_mask"], [], 24,
                                tiny_backend.eos_ids)

    [drafted] = greedy_with_draft(tiny_backend.model, encoded["input_ids"], encoded["attention_mask"], plain.tokens,
                                  24, tiny_backend.eos_ids)

    assert drafted.tokens == plain.tokens
    assert drafted.forward_passes <= len(plain.tokens) // 3


def test_a_wrong_draft_changes_no_answer_in_a_padded_batch(tiny_backend):
    expected = [g.text for g in tiny_backend.generate_batch([task_messages(genes) for genes in SETS],
                                                            GenerationConfig(max_new_tokens=20))]
    wrong = tiny_backend.tokenizer(ANSWER_SHAPE + " cell cycle", add_special_tokens=False)["input_ids"]
    encoded = encoded_batch(tiny_backend, SETS)

    drafted = greedy_with_draft(tiny_backend.model, encoded["input_ids"], encoded["attention_mask"], wrong, 20,
                                tiny_backend.eos_ids)

    assert [decoded(tiny_backend, d.tokens) for d in drafted] == expected


def test_rows_that_keep_different_drafts_each_get_their_own_greedy_answer(tiny_backend):
    """One row's answer is the reference (its drafts are all kept), the others' are not (theirs are refused)."""
    config = GenerationConfig(max_new_tokens=20)
    expected = [g.text for g in tiny_backend.generate_batch([task_messages(genes) for genes in SETS], config)]
    reference = tiny_backend.tokenizer(expected[1], add_special_tokens=False)["input_ids"]
    encoded = encoded_batch(tiny_backend, SETS)

    drafted = greedy_with_draft(tiny_backend.model, encoded["input_ids"], encoded["attention_mask"], reference, 20,
                                tiny_backend.eos_ids)

    assert [decoded(tiny_backend, d.tokens) for d in drafted] == expected


def test_the_backend_uses_the_expected_shape_without_changing_the_answers(tiny_backend):
    batch = [task_messages(genes) for genes in SETS]

    plain = tiny_backend.generate_batch(batch, GenerationConfig(max_new_tokens=16))
    shaped = tiny_backend.generate_batch(batch, GenerationConfig(max_new_tokens=16, expected_shape=ANSWER_SHAPE))

    assert [g.text for g in shaped] == [g.text for g in plain]
    assert [g.completion_tokens for g in shaped] == [g.completion_tokens for g in plain]
