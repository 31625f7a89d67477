"""What `agent.api.Analysis` carries of the report's coherence verdict and themes, for new and old states."""

from gene_r1.agent.api import analysis_from_state
from tests.agent.report_fixtures import coherence, theme


def report(**extra) -> dict:
    """A report as the report node writes it (`agent.state.Report`), without the verdict unless given."""
    return {"name": "Cell cycle", "confidence": 0.4, "confidence_explanation": "", "chosen_from": "evidence",
            "choice_explanation": "", "reasoning": "", "evidence": [], "verdicts": [], "unexplained_genes": [],
            "candidates": [], "chosen_number": None, "judge_method": "ranker", "explanation": ""} | extra


def test_the_analysis_carries_the_verdict_both_numbers_and_the_themes_of_the_report():
    verdict = coherence("partly coherent", value=0.58, name_confidence=0.64)
    themes = [theme(1, "Cell cycle", "WP179", ["CDK1", "CCNB1"]), theme(2, "Mismatch repair", "WP531", ["MLH1"])]
    analysis = analysis_from_state({"genes": ["CDK1", "CCNB1", "MLH1"],
                                    "report": report(coherence=verdict, themes=themes)})
    assert (analysis.verdict, analysis.name_confidence) == ("partly coherent", 0.64)
    assert analysis.coherence == verdict and analysis.themes == themes
    assert analysis.to_dict()["themes"][1]["genes"] == ["MLH1"]


def test_a_state_from_before_the_verdict_gives_an_analysis_without_one():
    analysis = analysis_from_state({"genes": ["CDK1"], "report": report()})
    assert (analysis.verdict, analysis.coherence, analysis.name_confidence, analysis.themes) == ("", None, 0.0, [])
