"""The web app shows the coherence verdict and the themes: the chat thread's report page, the data the chat page
draws its card from (and the card itself, in a real Chromium), a chat turn about the verdict, and the batch table."""

from __future__ import annotations

import shutil

import pytest
from markupsafe import escape

from gene_r1.agent.web.jobs_api import summary_row
from gene_r1.tools.formatting import FDR_CONVENTION
from tests.agent.report_fixtures import CHOLESTEROL, cell_cycle_analysis, mixed_analysis, random_analysis
from tests.web.test_api import chat
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS


def thread_holding(web, analysis: dict, thread: str = "verdict") -> str:
    """A chat thread of the app whose last turn gave `analysis` (as a gene-set turn leaves it)."""
    from langchain_core.messages import AIMessage, HumanMessage

    turn = [HumanMessage(content=" ".join(analysis["genes"])), AIMessage(content=analysis["name"])]
    web.chat_graph().update_state({"configurable": {"thread_id": thread}},
                                  {"messages": turn, "genes": analysis["genes"], "analysis": analysis})
    return thread


def test_the_chat_report_page_shows_the_verdict_block_the_themes_and_the_fdr_convention(client):
    thread = thread_holding(client.app.state.web, mixed_analysis())
    html = client.get(f"/report/chat/{thread}").text
    assert '<div class="verdict partly-coherent">' in html
    assert "Theme 2: Cholesterol biosynthesis (R-HSA-191273)" in html and ", ".join(CHOLESTEROL) in html
    assert str(escape(FDR_CONVENTION)) in html


def test_the_chat_history_hands_the_page_the_verdict_and_the_themes(client):
    thread = thread_holding(client.app.state.web, mixed_analysis())
    analysis = client.get(f"/api/chat/{thread}").json()["analysis"]
    assert analysis["verdict"] == analysis["coherence"]["verdict"] == "partly coherent"
    assert [t["name"] for t in analysis["themes"]] == ["Interferon alpha/beta signaling", "Cholesterol biosynthesis"]


def test_asking_whether_the_set_is_coherent_streams_the_verdict(client):
    thread = thread_holding(client.app.state.web, random_analysis())
    done = chat(client, thread, "is this set coherent?")[-1]
    assert done[0] == "done" and not done[1]["analysis_changed"]
    assert done[1]["answer"].startswith("**No coherent function: the evidence shows no specific function")


def test_the_batch_results_table_has_each_sets_verdict_coherence_and_themes():
    rows = [summary_row(result) for result in (mixed_analysis(), random_analysis(), cell_cycle_analysis())]
    assert [(r["verdict"], r["coherence"]) for r in rows] == [("partly coherent", 0.58),
                                                              ("no coherent function", 0.04), ("", None)]
    assert rows[0]["themes"] == "Interferon alpha/beta signaling | Cholesterol biosynthesis" and rows[2]["themes"] == ""


@pytest.mark.slow
def test_the_chat_page_card_shows_the_verdict_the_themes_and_the_numbered_evidence(web_config, tmp_path):
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`).")
    from playwright.sync_api import sync_playwright

    from gene_r1.agent.web.app import create_app
    from tests.web.conftest import LiveServer

    app = create_app(web_config, token=None, home=tmp_path / "state", batch_size=4, warm=False)
    thread = thread_holding(app.state.web, mixed_analysis())
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{server.url}/#thread={thread}")
        card = page.locator(".message.assistant .analysis").last
        card.locator(".verdict").wait_for()
        verdict = card.locator(".verdict").inner_text()
        assert "Verdict: partly coherent (coherence 0.58 · name confidence 0.64)" in verdict
        assert "Cholesterol biosynthesis (R-HSA-191273)" in verdict and "HMGCR, HMGCS1" in verdict
        table = card.locator("table.evidence")
        assert table.locator("th").first.inner_text() == "[n]"
        assert table.locator("td.cite").all_inner_texts() == ["[1]", "[2]"]
        assert "(chosen, theme 1)" in table.inner_text() and "gseapy's convention" in table.inner_text()
        browser.close()
