"""The naming rule: the model's name replaces the ranker's pick only when it is close to a significant candidate,
with the threshold learned on dev rows and its gain measured out of fold."""

from __future__ import annotations

import json
from dataclasses import asdict

from gene_r1.agent.naming import NEVER, NamingRule, grounding, load_rule
from gene_r1.training.naming_rule import evaluate, final_scores, fit_rule, main, write_rule

SIGNIFICANT = {"fdr": 0.001}
WEAK = {"fdr": 0.5}


def row(model_score: float, ranker_score: float, to_candidates: list[float], model: str | None = "a name",
        candidates: list[dict] | None = None) -> dict:
    return {"model": model, "model_score": model_score, "ranker_score": ranker_score,
            "model_to_candidates": to_candidates, "candidates": candidates or [SIGNIFICANT] * len(to_candidates)}


def test_grounding_counts_only_significant_candidates():
    assert grounding([0.9, 0.6], [WEAK | {"number": 1}, SIGNIFICANT | {"number": 2}]) == (0.6, 2)
    assert grounding([0.9], [WEAK]) == (0.0, None)


def test_the_rule_takes_a_grounded_readable_name_and_nothing_else():
    rule = NamingRule(0.7)
    assert rule.accepts("cholesterol biosynthesis", 0.72)
    assert not rule.accepts("cholesterol biosynthesis", 0.69)
    assert not rule.accepts(None, 0.99)  # no readable Process: line


def test_final_scores_keep_the_model_name_only_where_the_rule_accepts_it():
    rows = [row(0.8, 0.5, [0.9]), row(0.2, 0.5, [0.4])]
    scores, taken = final_scores(rows, NamingRule(0.7))
    assert taken.tolist() == [True, False]
    assert scores.tolist() == [0.8, 0.5]


def test_the_fitted_threshold_separates_grounded_good_names_from_ungrounded_bad_ones():
    # grounded names (cosine 0.85 to a candidate) are better than the ranker's pick; loose ones (0.45) are worse
    rows = [row(0.7, 0.5, [0.85]) for _ in range(10)] + [row(0.1, 0.5, [0.45]) for _ in range(10)]
    rule = fit_rule(rows)
    assert 0.45 < rule.min_grounding <= 0.85
    assert final_scores(rows, rule)[0].mean() == 0.6


def test_the_rule_keeps_the_ranker_when_the_model_never_helps():
    rows = [row(0.3, 0.5, [0.9]) for _ in range(10)]
    assert fit_rule(rows) == NamingRule(NEVER)


def test_the_out_of_fold_gain_is_measured_on_rows_the_threshold_was_not_fitted_on():
    rows = [row(0.7, 0.5, [0.85]) for _ in range(20)] + [row(0.1, 0.5, [0.45]) for _ in range(20)]
    report = evaluate(rows, folds=5)
    assert report.gain_out_of_fold == 0.1 and report.ci95[0] > 0
    assert report.model_taken_share == 0.5
    assert report.ranker == 0.5 and report.best_of_two == 0.6


def test_the_command_prints_the_report_for_rows_files(tmp_path, capsys):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row(0.7, 0.5, [0.85])) + "\n" for _ in range(10)), encoding="utf-8")
    report = main([str(path)])
    assert json.loads(capsys.readouterr().out)["sets"] == 10 == report["sets"]


def test_the_written_rule_is_what_the_agent_loads(tmp_path):
    rows = [row(0.7, 0.5, [0.85]) for _ in range(10)] + [row(0.1, 0.5, [0.45]) for _ in range(10)]
    path = write_rule(asdict(evaluate(rows)), tmp_path / "rule.json")
    assert load_rule(path) == fit_rule(rows)


def test_a_rule_whose_out_of_fold_gain_is_not_above_zero_ships_as_the_judge_always(tmp_path):
    # in sample a threshold helps (the first rows), out of fold it does not: each fold's threshold misfires
    rows = [row(0.7, 0.5, [0.85])] + [row(0.1, 0.5, [0.86]) for _ in range(9)] + [row(0.5, 0.5, [0.2])] * 10
    report = asdict(evaluate(rows))
    assert report["ci95"][0] <= 0
    assert load_rule(write_rule(report, tmp_path / "rule.json")) == NamingRule(NEVER)
