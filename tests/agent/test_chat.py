"""Chat threads: several turns on one gene set, persisted across restarts."""

from agent.chat import build_chat_graph, chat_turn, open_checkpointer
from tests.agent.conftest import MISMATCH_REPAIR


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
