"""Batch progress suits where it goes: a live bar on a terminal, a plain line at most every 10 s in a file or a log,
nothing with --quiet."""

from __future__ import annotations

import contextlib
import io
from itertools import count

import pytest

from gene_r1.agent.batch import progress
from gene_r1.agent.batch.inputs import GeneSetInput
from gene_r1.agent.batch.progress import Lines, duration_text, log_progress, progress_line, terminal_progress
from tests.fixtures_kb import sample_gene_sets


class FakeClock:
    """Each reading is `step` seconds after the previous one: a slow batch without the wait."""

    def __init__(self, step: float):
        self.ticks = count()
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now = next(self.ticks) * self.step
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def gene_sets(embedded_kb_home) -> list[GeneSetInput]:
    from gene_r1.tools.context import open_knowledge_base

    sets = sample_gene_sets(open_knowledge_base(embedded_kb_home).store, 24, seed=5)
    return [GeneSetInput(f"set{i}", tuple(genes)) for i, genes in enumerate(sets)]


def test_a_batch_with_stderr_in_a_file_writes_at_most_one_progress_line_per_10_s(embedded_kb_home, gene_sets,
                                                                                  tmp_path, monkeypatch):
    from gene_r1.agent.api import get_context
    from gene_r1.agent.batch.runner import run_batch
    from gene_r1.agent.config import AgentConfig

    clock = FakeClock(step=3.0)  # 24 sets, 3 s of fake time per reading
    monkeypatch.setattr(progress, "CLOCK", clock)
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr, contextlib.redirect_stderr(stderr):
        run_batch(gene_sets, tmp_path / "out", context=get_context(AgentConfig(home=embedded_kb_home)), batch_size=5)

    text = log.read_text()
    lines = [line for line in text.splitlines() if line.startswith("gene-r1 batch:")]
    assert "\r" not in text
    assert 2 <= len(lines) <= clock.now / progress.INTERVAL + 1
    assert lines[-1].startswith("gene-r1 batch: 2") and "sets/s, ETA" in lines[-1]


def test_lines_come_no_closer_than_the_interval_and_say_done_rate_and_eta():
    said: list[str] = []
    lines = Lines(total=100, initial=20, emit=said.append, clock=FakeClock(step=4.0))

    for _ in range(30):
        lines.update()

    assert len(said) == 1 + 30 * 4 // 12  # the start, then one per 3 readings of 4 s: 12 s >= 10 s
    assert said[0] == "gene-r1 batch: 20/100 sets (20%)"
    assert said[1] == "gene-r1 batch: 23/100 sets (23%), 0.25 sets/s, ETA 5 min 8 s"


def test_a_terminal_gets_tqdm_s_live_bar():
    terminal = Terminal()

    bar = terminal_progress(stream=terminal)(10, 0)
    bar.update(3)
    bar.close()

    assert "\r" in terminal.getvalue() and "3/10" in terminal.getvalue()


def test_quiet_writes_nothing():
    stream = io.StringIO()

    silent = terminal_progress(show=False, stream=stream)(10, 0)
    silent.update(10)
    silent.close()

    assert stream.getvalue() == ""


def test_the_batch_command_s_quiet_option_silences_progress(embedded_kb_home, gene_sets, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from gene_r1.agent.cli import app

    gmt = tmp_path / "sets.gmt"
    gmt.write_text("".join(f"{s.id}\tna\t" + "\t".join(s.genes) + "\n" for s in gene_sets[:3]))
    monkeypatch.setenv("GENE_R1_HOME", str(embedded_kb_home))
    runner = CliRunner()

    loud = runner.invoke(app, ["batch", str(gmt), "--out", str(tmp_path / "loud")])
    quiet = runner.invoke(app, ["batch", str(gmt), "--out", str(tmp_path / "quiet"), "--quiet"])

    assert loud.exit_code == 0 and quiet.exit_code == 0, loud.output + quiet.output
    assert "gene-r1 batch: 0/3 sets" in loud.output
    assert "gene-r1 batch:" not in quiet.output and "3 analysed" in quiet.output


def test_the_web_job_log_gets_the_same_lines_through_its_logger(monkeypatch):
    monkeypatch.setattr(progress, "CLOCK", FakeClock(step=11.0))
    logged: list[str] = []

    job = log_progress(logged.append, label="job abc")(4, 0)
    for _ in range(4):
        job.update()

    assert logged[0] == "job abc: 0/4 sets (0%)"
    assert len(logged) == 5 and logged[-1].startswith("job abc: 4/4 sets (100%)")


@pytest.mark.parametrize(("seconds", "text"), [(0.4, "0 s"), (59, "59 s"), (61, "1 min 1 s"), (7300, "2 h 1 min")])
def test_durations_read_in_the_largest_units(seconds, text):
    assert duration_text(seconds) == text


def test_a_line_before_any_set_is_done_gives_no_rate():
    assert progress_line("gene-r1 batch", 5, 10, 0, 3.0) == "gene-r1 batch: 5/10 sets (50%)"
