"""Chat threads: several turns on one gene set, persisted across restarts."""

from gene_r1.agent.chat import build_chat_graph, chat_turn, open_checkpointer
from gene_r1.agent.coherence_words import NO_VERDICT
from tests.agent.conftest import MISMATCH_REPAIR
from tests.agent.report_fixtures import (
    CHOLESTEROL,
    INTERFERON,
    NOISE,
    cell_cycle_analysis,
    mixed_analysis,
    random_analysis,
)


def test_a_thread_survives_a_restart_and_follow_ups_use_its_gene_set(agent_context, tmp_path):
    chunks = []
    first = build_chat_graph(open_checkpointer(tmp_path))
    answer = chat_turn(first, "t1", " ".join(MISMATCH_REPAIR + ["RPL3", "RPS6"]), agent_context, chunks.append)
    assert "confidence" in answer and any("answer" in c for c in chunks)

    restarted = build_chat_graph(open_checkpointer(tmp_path))
    state = restarted.get_state({"configurable": {"thread_id": "t1"}}).values
    assert state["genes"] == MISMATCH_REPAIR + ["RPL3", "RPS6"]

    dropped = chat_turn(restarted, "t1", "drop the ribosomal genes and look again", agent_context)
    assert "Dropped 2: RPL3, RPS6" in dropped
    state = restarted.get_state({"configurable": {"thread_id": "t1"}}).values
    assert state["genes"] == MISMATCH_REPAIR

    support = chat_turn(restarted, "t1", "which genes support that?", agent_context)
    assert "MLH1" in support

    comparison = chat_turn(restarted, "t1", "is this more DNA mismatch repair or glycolysis?", agent_context)
    assert "favours 'dna mismatch repair'" in comparison


def test_threads_are_separate(agent_context, tmp_path):
    graph = build_chat_graph(open_checkpointer(tmp_path))
    chat_turn(graph, "a", "MLH1 MSH2 MSH6", agent_context)
    answer = chat_turn(graph, "b", "which genes support that?", agent_context)
    assert "gene set" in answer.lower()


# Asking about the verdict, the themes and the genes left over, turn by turn on a thread holding an analysis.

def thread_holding(analysis: dict, tmp_path, thread: str = "t"):
    """A real chat graph whose thread holds `analysis` (as a gene-set turn leaves it), and a context that loads
    nothing: these turns answer from the analysis alone."""
    from gene_r1.agent.config import AgentConfig
    from gene_r1.agent.context import AgentContext

    graph = build_chat_graph(open_checkpointer(tmp_path))
    graph.update_state({"configurable": {"thread_id": thread}}, {"genes": analysis["genes"], "analysis": analysis})
    return graph, AgentContext(config=AgentConfig(home=tmp_path / "unused-home"))


def test_is_this_set_coherent_answers_the_verdict_with_its_summary_numbers_and_reasons(tmp_path):
    analysis = mixed_analysis()
    graph, context = thread_holding(analysis, tmp_path)
    answer = chat_turn(graph, "t", "is this set coherent?", context)
    assert answer.startswith("**Partly coherent: themes cover part of the set")
    assert analysis["coherence"]["summary"] in answer and "- 2 themes cover 12 of 15 genes." in answer
    assert "Coherence 0.58" in answer and "Name confidence 0.64" in answer


def test_what_are_its_themes_lists_each_theme_with_its_genes_then_the_genes_left_over(tmp_path):
    graph, context = thread_holding(mixed_analysis(), tmp_path)
    answer = chat_turn(graph, "t", "what are its themes?", context)
    assert "1. **Interferon alpha/beta signaling (R-HSA-909733)**" in answer
    assert "2. **Cholesterol biosynthesis (R-HSA-191273)** — 5 genes" in answer
    assert "Genes: " + ", ".join(INTERFERON) in answer and "Genes: " + ", ".join(CHOLESTEROL) in answer
    assert answer.splitlines()[-1] == "Not explained by the evidence: " + ", ".join(NOISE) + "."
    second = chat_turn(graph, "t", "which genes are in theme 2?", context)
    assert "Cholesterol biosynthesis" in second and "Interferon" not in second


def test_the_themes_of_a_set_with_no_coherent_function_are_said_to_be_weak(tmp_path):
    graph, context = thread_holding(random_analysis(), tmp_path)
    answer = chat_turn(graph, "t", "what are its themes?", context)
    assert answer.startswith("These genes share no coherent function; the closest themes are weak, not claims:")
    assert "**Metabolism (R-HSA-1430728) (weak)**" in answer


def test_which_genes_are_not_explained_answers_the_genes_left_over_not_the_supporting_ones(tmp_path):
    graph, context = thread_holding(mixed_analysis(), tmp_path)
    answer = chat_turn(graph, "t", "which genes are not explained?", context)
    assert answer.startswith("Not explained by the evidence: KRT1, TTN, GFAP (3 genes of 15).")
    assert "supporting" not in answer.lower() and "ISG15" not in answer


def test_a_thread_analysed_before_the_verdict_existed_says_it_has_none(tmp_path):
    graph, context = thread_holding(cell_cycle_analysis(), tmp_path)
    assert chat_turn(graph, "t", "is this set coherent?", context) == NO_VERDICT
    assert chat_turn(graph, "t", "what are its themes?", context) == NO_VERDICT
    assert chat_turn(graph, "t", "which genes are not explained?", context).startswith(
        "Not explained by the evidence: COL1A1 (1 gene of 9).")


def test_what_about_a_process_checks_it_against_the_loaded_set(agent_context, tmp_path):
    graph = build_chat_graph(open_checkpointer(tmp_path))
    chat_turn(graph, "mmr", " ".join(MISMATCH_REPAIR), agent_context)
    answer = chat_turn(graph, "mmr", "what about DNA repair?", agent_context)
    assert answer.startswith("'DNA repair': **")
    assert "give me a gene set" not in answer.lower() and "Supporting genes: " in answer
    assert any(gene in answer.split("Supporting genes: ")[1] for gene in MISMATCH_REPAIR)
