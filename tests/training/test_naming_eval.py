"""benchmarks/naming_eval.py: the model's names against the ranker's pick on dev, paired, with a bootstrap interval."""

from __future__ import annotations

import pytest

from benchmarks.naming_eval import main, score_names
from tests.training.test_naming_sft import naming_data  # noqa: F401 (a fixture)


def exact(predictions, references):
    return [1.0 if p == r else 0.0 for p, r in zip(predictions, references, strict=True)]


def rows(truths_and_picks):
    return [{"target": t, "candidates": [{"name": p}]} for t, p in truths_and_picks]


def test_scores_compare_the_model_with_the_ranker_pick_and_count_unreadable_answers_as_zero():
    dev = rows([("mismatch repair", "DNA Repair"), ("glycolysis", "glycolysis"), ("autophagy", "Autophagy"),
                ("mitosis", "Cell Cycle")])
    scores, pairs = score_names(["mismatch repair", None, "autophagy", "meiosis"], dev, exact)
    assert pairs == [(1.0, 0.0), (0.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
    assert (scores.model, scores.ranker, scores.best_of_two) == (0.5, 0.25, 0.75)
    assert scores.model_minus_ranker == 0.25 and scores.ci95[0] <= 0.25 <= scores.ci95[1]
    assert scores.valid_process_share == 0.75 and scores.model_better_share == 0.5


@pytest.mark.slow
def test_the_evaluation_runs_an_adapter_on_dev_examples(tiny_model_dir, tiny_lora_adapter_dir, naming_data,  # noqa: F811
                                                        capsys):
    (naming_data / "dev.jsonl").write_text((naming_data / "train.jsonl").read_text())
    result = main(["--data", str(naming_data), "--adapter", str(tiny_lora_adapter_dir), "--model",
                   str(tiny_model_dir), "--limit", "3", "--batch", "2", "--max-new-tokens", "6"])
    assert result["sets"] == 3 and 0.0 <= result["valid_process_share"] <= 1.0
    assert result["cut_off_share"] == 1.0  # 6 tokens cannot hold the answer: every one is cut off
    assert '"model_minus_ranker"' in capsys.readouterr().out
