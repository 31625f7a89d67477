"""`gene-r1 eval --systems model_names`: the naming model's name, always, asked as the agent's naming node asks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gene_r1.training.benchmarks import GeneSetCase

MITOTIC = ("CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20")
GLYCOLYSIS = ("HK1", "GPI", "PFKM", "ALDOA", "TPI1", "GAPDH", "PGK1", "ENO1")


class ScriptedModel:
    """Answers each batch with the scripted texts, in order, and keeps the prompts it was given."""

    def __init__(self, texts: list[str]):
        self.texts = list(texts)
        self.prompts: list = []

    def generate_batch(self, prompts, config):
        self.prompts += prompts
        return [SimpleNamespace(text=self.texts.pop(0)) for _ in prompts]


@pytest.fixture(scope="module")
def evidence(small_kb_home_indexed):
    from gene_r1.agent.config import AgentConfig
    from gene_r1.tools.context import open_knowledge_base
    from gene_r1.training.grounded_eval import gather_case

    config = AgentConfig.from_env(home=small_kb_home_indexed)
    kb = open_knowledge_base(small_kb_home_indexed)
    cases = [GeneSetCase("mitotic", "mitotic cell cycle", MITOTIC, "test"),
             GeneSetCase("glycolysis", "glycolytic process", GLYCOLYSIS, "test")]
    return config, [gather_case(case, kb, config) for case in cases]


def test_the_model_names_each_set_from_the_judge_shortlist_and_an_unreadable_answer_is_no_name(evidence):
    from gene_r1.agent.ranker import load_ranker
    from gene_r1.training.grounded_eval import model_names
    from gene_r1.training.judge_pipeline import embedder

    config, items = evidence
    model = ScriptedModel(["<think>\nClosest: [1].\n</think>\nProcess: mitotic cell cycle", "I am not sure."])
    names = {"CDK1": "cyclin dependent kinase 1"}

    predictions = model_names(items, config, load_ranker(config.judge_assets), embedder(), model,
                              lambda genes: {g: names[g] for g in genes if g in names})

    assert [(p.name, p.followed_format, p.raw != "") for p in predictions] == [("mitotic cell cycle", True, True),
                                                                           ("", False, True)]
    first = model.prompts[0][-1]["content"]
    assert "CDK1: cyclin dependent kinase 1" in first and "\n1. " in first and "\n7. " not in first
