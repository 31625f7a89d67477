"""`--selection model`: the naming model writes the name from the judge's shortlist; the name stands only when it
is grounded in a significant candidate and verification supports it, else the judge's pick stays and the report
says why. The model here is scripted (its answer is the test's input); the knowledge base, the judge, the rule and
verification are the real ones."""

from __future__ import annotations

import pytest

from gene_r1.agent import naming
from gene_r1.agent.api import analyze
from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.agent.model_types import Generation
from gene_r1.agent.naming import NamingRule
from tests.agent.conftest import MISMATCH_REPAIR

UNRELATED = ["OR1A1", "KRT1", "ALB", "INS", "MYH7", "TTN", "CD19", "GFAP", "NPHS1", "SFTPC"]  # no shared function


class ScriptedModel:
    """Answers every prompt with `answer`; keeps the prompts it was given."""

    def __init__(self, answer: str):
        self.answer = answer
        self.prompts: list = []
        self.batches: list[int] = []  # the size of each call

    def generate(self, messages, config=None) -> Generation:
        return self.generate_batch([messages], config)[0]

    def generate_batch(self, batch, config=None) -> list[Generation]:
        self.prompts += batch
        self.batches.append(len(batch))
        return [Generation(text=self.answer, prompt_tokens=1, completion_tokens=1, seconds=0.0) for _ in batch]


@pytest.fixture
def rule(monkeypatch):
    monkeypatch.setattr(naming, "load_rule", lambda: NamingRule(0.75))


def naming_context(agent_context, answer: str, selection: str = "model") -> tuple[AgentContext, ScriptedModel]:
    model = ScriptedModel(answer)
    context = AgentContext(config=AgentConfig(home=agent_context.config.home, selection=selection),
                           kb_override=agent_context.kb, model_override=model)
    return context, model


def test_a_grounded_supported_name_written_by_the_model_is_the_final_name(agent_context, rule):
    context, model = naming_context(agent_context, "<think>\nClosest: [1].\n</think>\nProcess: DNA mismatch repair")
    result = analyze(MISMATCH_REPAIR, context=context)
    assert result.name == "DNA mismatch repair"
    assert result.chosen_from == "model"
    assert result.verdicts[0]["claim"] == "DNA mismatch repair" and result.verdicts[0]["verdict"] == "supported"
    assert "written by the naming model" in result.choice_explanation
    prompt = model.prompts[0][-1]["content"]
    assert "MLH1: mutL homolog 1" in prompt and "<candidates>" in prompt  # genes with full names, the shortlist


def test_a_name_far_from_every_significant_candidate_leaves_the_judges_pick(agent_context, rule):
    judged = analyze(MISMATCH_REPAIR, context=naming_context(agent_context, "", selection="judge")[0])
    context, _ = naming_context(agent_context, "<think>\nClosest: [2].\n</think>\nProcess: circadian sleep regulation")
    result = analyze(MISMATCH_REPAIR, context=context)
    assert result.name == judged.name and result.chosen_from == "evidence"
    assert 'naming model\'s name "circadian sleep regulation" was not used' in result.choice_explanation
    assert "below the 0.75 the naming rule asks" in result.choice_explanation


def test_an_unreadable_answer_leaves_the_judges_pick_and_says_so(agent_context, rule):
    context, _ = naming_context(agent_context, "</candidates> </ways>")
    result = analyze(MISMATCH_REPAIR, context=context)
    assert result.chosen_from == "evidence"
    assert "wrote no readable Process: line" in result.choice_explanation


def test_a_batch_run_drafts_a_chunks_names_in_one_model_call(agent_context, rule):
    from gene_r1.agent.batch.inputs import GeneSetInput
    from gene_r1.agent.batch.runner import analyse_chunk

    context, model = naming_context(agent_context, "<think>\nClosest: [1].\n</think>\nProcess: DNA mismatch repair")
    chunk = [GeneSetInput("first", tuple(MISMATCH_REPAIR)), GeneSetInput("second", tuple(reversed(MISMATCH_REPAIR)))]

    records = analyse_chunk(chunk, context)

    assert model.batches == [2]
    assert [(r["name"], r["chosen_from"]) for r in records] == [("DNA mismatch repair", "model")] * 2
    assert all(r["timings"]["name"] > 0 for r in records)


def test_a_batch_run_drafts_no_name_for_a_set_with_no_coherent_function(agent_context, rule):
    from gene_r1.agent.batch.inputs import GeneSetInput
    from gene_r1.agent.batch.runner import analyse_chunk

    context, model = naming_context(agent_context, "<think>\nClosest: [1].\n</think>\nProcess: DNA mismatch repair")
    chunk = [GeneSetInput("repair", tuple(MISMATCH_REPAIR)), GeneSetInput("random", tuple(UNRELATED))]

    records = {r["id"]: r for r in analyse_chunk(chunk, context)}

    assert model.batches == [1]  # one draft, for the repair set only
    assert "MLH1" in model.prompts[0][-1]["content"]
    assert records["random"]["verdict"] == "no coherent function" and "name" not in records["random"]["timings"]
    assert (records["repair"]["name"], records["repair"]["chosen_from"]) == ("DNA mismatch repair", "model")
    assert records["repair"]["timings"]["assess"] > 0 and records["random"]["timings"]["assess"] > 0


def test_other_selections_never_ask_the_naming_model(agent_context, rule):
    context, model = naming_context(agent_context, "Process: DNA mismatch repair", selection="judge")
    result = analyze(MISMATCH_REPAIR, context=context)
    assert model.prompts == [] and result.chosen_from == "evidence" and "name" not in result.timings


def test_a_set_with_no_coherent_function_is_not_named_by_the_model(agent_context, rule):
    context, model = naming_context(agent_context, "Process: keratinization")
    result = analyze(UNRELATED, context=context)
    assert result.verdict == "no coherent function" and model.prompts == []


def test_a_rule_that_never_takes_the_models_name_says_that_dev_decided_it(agent_context, monkeypatch):
    monkeypatch.setattr(naming, "load_rule", lambda: NamingRule(naming.NEVER))
    context, _ = naming_context(agent_context, "<think>\nClosest: [1].\n</think>\nProcess: DNA mismatch repair")
    result = analyze(MISMATCH_REPAIR, context=context)
    assert result.chosen_from == "evidence"
    assert "the naming rule learned on dev keeps the judge's pick" in result.choice_explanation


def test_the_shipped_rule_is_the_one_fitted_on_dev_rows():
    import json

    shipped = json.loads(naming.NAMING_RULE.read_text(encoding="utf-8"))
    fitted, helps = shipped["facts"]["rule"]["min_grounding"], shipped["facts"]["ci95"][0] > 0
    assert naming.load_rule().min_grounding == (fitted if helps else naming.NEVER)
    assert shipped["facts"]["sets"] >= 200


def test_the_naming_model_runs_with_its_adapter_merged(tiny_model_dir, tiny_lora_adapter_dir, tmp_path):
    context = AgentContext(config=AgentConfig(home=tmp_path, model=str(tiny_model_dir),
                                              naming_adapter=str(tiny_lora_adapter_dir)))
    assert context.naming_model.info()["adapter_merged"]
