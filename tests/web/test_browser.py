"""The pages in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), against a live
server with the real agent. Screenshots go to test-output/web/; those of the three reports (CLI --html, batch
report.html, web report page) into a scratch folder, or into the folder GENE_R1_SCREENSHOTS names
(`GENE_R1_SCREENSHOTS=docs/screenshots` refreshes the ones the docs show; a plain run never touches tracked files)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.web.conftest import CELL_CYCLE, GENE_GROUPS, INJECTION, TEST_OUTPUT, gmt_text

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM}: install it with .ci/install-browser.sh (root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def ask(page, text: str) -> None:
    page.fill("#chat-input", text)
    page.click("#send")
    page.wait_for_selector("#send:not([disabled])", timeout=ANSWER_TIMEOUT_MS)


@pytest.mark.slow
def test_submitting_a_gene_set_shows_a_name_and_an_evidence_table(page, live_server):
    page.goto(live_server.url + "/")
    ask(page, " ".join(CELL_CYCLE))
    card = page.locator(".message.assistant .analysis").last
    assert card.locator(".name").inner_text().strip()
    rows = card.locator("table.evidence tr")
    assert rows.count() > 1
    assert rows.nth(1).locator("a").get_attribute("href").startswith("https://")
    assert card.locator("details summary").inner_text() == "Reasoning"
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=TEST_OUTPUT / "chat.png", full_page=True)
    page.click(".report-link")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.grid rect").count() > len(CELL_CYCLE)
    page.screenshot(path=TEST_OUTPUT / "report.png", full_page=True)


@pytest.mark.slow
def test_an_injection_looking_gene_name_is_shown_as_text(page, live_server):
    page.goto(live_server.url + "/")
    ask(page, " ".join(CELL_CYCLE[:4] + [INJECTION]))
    messages = page.locator("#messages")
    assert messages.locator("img").count() == 0
    assert INJECTION in page.locator(".message.user").last.inner_text()
    assert INJECTION in messages.inner_text()  # echoed back as an unknown symbol, as text
    assert page.dialogs == []


@pytest.mark.slow
def test_an_uploaded_gmt_runs_as_a_batch_and_its_results_table_sorts(page, live_server, tmp_path):
    gmt = tmp_path / "three.gmt"
    gmt.write_text(gmt_text(3))
    page.goto(live_server.url + "/batch")
    page.set_input_files("#file", str(gmt))
    page.click("#upload")
    page.wait_for_selector('#job-state[data-state="done"]', timeout=ANSWER_TIMEOUT_MS)
    assert page.locator("#job-state").inner_text() == "done: 3 of 3 sets"
    assert page.locator("#results tbody tr").count() == 3
    page.click('#results th[data-key="id"]')
    ids = page.locator("#results tbody tr td:first-child").all_inner_texts()
    assert ids == sorted(ids)
    page.click('#results th[data-key="id"]')
    assert page.locator("#results tbody tr td:first-child").all_inner_texts() == sorted(ids, reverse=True)
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=TEST_OUTPUT / "batch.png", full_page=True)
    page.locator("#results .report-link").first.click()
    page.wait_for_selector("svg.grid")


@pytest.mark.slow
def test_a_malformed_file_gets_a_clear_message_on_the_page(page, live_server, tmp_path):
    bad = tmp_path / "broken.gmt"
    bad.write_text("ok\tdesc\tCDK1\n<b>not a gmt line</b>\n")
    page.goto(live_server.url + "/batch")
    page.set_input_files("#file", str(bad))
    page.click("#upload")
    error = page.locator("#upload-error")
    error.wait_for(state="visible")
    page.wait_for_function("document.querySelector('#upload-error').textContent.length > 0")
    assert error.inner_text().startswith("broken.gmt, line 2")
    assert page.locator("#upload-error b").count() == 0


@pytest.mark.slow
def test_with_a_token_the_browser_gets_401_until_it_opens_the_link_with_the_token(page, web_config, tmp_path):
    from gene_r1.agent.web.app import create_app
    from tests.web.conftest import LiveServer

    app = create_app(web_config, token="lab-token", home=tmp_path / "state", warm=False)
    with LiveServer(app) as server:
        assert page.goto(server.url + "/batch").status == 401
        assert page.goto(server.url + "/batch?token=lab-token").status == 200
        assert page.url == server.url + "/batch"  # the token left the address
        page.wait_for_function("document.querySelector('#jobs tbody') !== null")
        page.set_input_files("#file", {"name": "x.gmt", "mimeType": "text/plain", "buffer": gmt_text(1).encode()})
        app.state.web.worker.stop()  # only the upload is under test here
        page.click("#upload")
        page.wait_for_selector("#jobs tbody tr")
        assert page.locator("#upload-error").inner_text() == ""


# The one report, opened where people open it: the CLI's --html file, a batch's report.html, the web report page.
SCREENSHOTS = Path(os.environ.get("GENE_R1_SCREENSHOTS") or Path(tempfile.gettempdir()) / "gene-r1-screenshots")


def check_report(page, screenshot: str) -> None:
    """The chart, the grid, and evidence labelled by kind with enrichment sorted by FDR; then a screenshot."""
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart g rect").count() > 0
    assert page.locator("svg.grid rect").count() > len(CELL_CYCLE)
    enrichment = page.locator("table.evidence.enrichment").first
    kinds = enrichment.locator("td.kind").all_inner_texts()
    assert kinds and set(kinds) <= {"enrichment", "enrichment + search"}
    fdrs = [float(text) for text in enrichment.locator("td.fdr").all_inner_texts()]
    assert fdrs == sorted(fdrs)
    ids = page.locator("table.evidence").first.locator("td.id").all_inner_texts()
    assert len(ids) == len(set(ids))
    assert page.locator("h3", has_text="Evidence").count() >= 1
    fdr_cell = enrichment.locator("td.fdr").first
    assert fdr_cell.evaluate("cell => getComputedStyle(cell).whiteSpace") == "nowrap"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / screenshot, full_page=True)


@pytest.fixture
def cli_env(web_config, monkeypatch):
    monkeypatch.setenv("GENE_R1_HOME", str(web_config.home))
    monkeypatch.setenv("GENE_R1_MODEL", web_config.model)


@pytest.mark.slow
def test_the_cli_html_report_shows_chart_grid_and_sorted_labelled_evidence(page, cli_env, tmp_path):
    from typer.testing import CliRunner

    from gene_r1.agent.cli import app

    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["analyze", *CELL_CYCLE, "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Report written to {out}"
    page.goto(out.as_uri())
    check_report(page, "cli_report.png")


@pytest.mark.slow
def test_the_batch_report_shows_each_sets_direction_cutoffs_and_evidence(page, cli_env, tmp_path):
    from typer.testing import CliRunner

    from gene_r1.agent.cli import app

    rows = [f"{gene};2,5;0,001" for gene in CELL_CYCLE] + [f"{gene};-2;0,01" for gene in GENE_GROUPS["mismatch_repair"]]
    table = tmp_path / "de_excel.csv"
    table.write_bytes(b"\xef\xbb\xbf" + ("gene;log2FoldChange;padj\r\n" + "\r\n".join(rows) + "\r\n").encode())
    result = CliRunner().invoke(app, ["batch", str(table), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    page.goto((tmp_path / "out" / "report.html").as_uri())
    summary = page.locator("table.summary tbody tr")
    assert summary.count() == 2
    assert summary.locator("td.nowrap").first.inner_text() in ("up", "down")
    assert "adj. p < 0.05" in page.locator("table.summary").inner_text()
    check_report(page, "batch_report.png")


@pytest.mark.slow
def test_the_web_report_page_shows_chart_grid_and_sorted_labelled_evidence(page, live_server):
    page.goto(live_server.url + "/")
    ask(page, " ".join(CELL_CYCLE))
    page.click(".report-link")
    check_report(page, "web_report.png")
    assert page.locator("nav a", has_text="Batch").count() == 1
