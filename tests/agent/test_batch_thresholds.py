"""The DE/marker cut-offs: declared once on `Thresholds`; the command line, the web form and the Python API take
the same defaults and ranges and say the same about them."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gene_r1.agent.batch.thresholds import Thresholds, cutoff, threshold_fields
from gene_r1.agent.web.api import thresholds_form
from gene_r1.training.cli import gene_r1_app
from tests.cli_commands import gene_r1_commands, options_by_flag

CUTOFF_FLAGS = {"padj": "--padj", "log2fc": "--log2fc", "max_genes": "--max-genes", "top_n": "--top-n"}


def form_app() -> TestClient:
    app = FastAPI()

    @app.post("/thresholds")
    def read(thresholds: Thresholds = Depends(thresholds_form)) -> dict:
        return asdict(thresholds)

    return TestClient(app)


@pytest.mark.parametrize(("value", "fault"), [
    ({"padj": 0}, "--padj 0: DE/marker tables: adjusted p-value cut-off. It must be > 0 and <= 1."),
    ({"padj": 1.5}, "--padj 1.5: "),
    ({"log2fc": -1}, "--log2fc -1: DE tables: |log2 fold change| cut-off. It must be >= 0."),
    ({"max_genes": 0}, "--max-genes 0: "),
    ({"top_n": 5001}, "--top-n 5001: Marker tables: top N markers per group. It must be >= 1 and <= 5000."),
])
def test_a_cutoff_out_of_range_is_refused_with_its_flag_meaning_and_range(value, fault):
    with pytest.raises(ValueError) as refused:
        Thresholds(**value)

    assert str(refused.value).startswith(fault)


def test_cutoffs_on_their_bounds_are_taken():
    assert Thresholds(padj=1, log2fc=0, max_genes=1, top_n=5000).padj == 1


def test_gene_r1_batch_offers_each_cutoff_with_the_fields_default_and_meaning():
    options = options_by_flag(gene_r1_commands()["gene-r1 batch"])

    for name, cut in threshold_fields().items():
        option = options[CUTOFF_FLAGS[name]]
        assert (option.default, option.help) == (cut.default, cut.metadata["help"])


def test_gene_r1_batch_refuses_a_cutoff_out_of_range_before_reading_the_file(tmp_path):
    table = tmp_path / "de.csv"
    table.write_text("gene,log2FoldChange,padj\nCDK1,2.5,0.001\n")

    result = CliRunner().invoke(gene_r1_app(), ["batch", str(table), "--out", str(tmp_path / "out"), "--padj", "2"])

    assert result.exit_code == 1
    assert "--padj 2.0: DE/marker tables: adjusted p-value cut-off. It must be > 0 and <= 1." in result.output
    assert not (tmp_path / "out").exists()


def test_the_web_form_takes_the_defaults_and_refuses_what_thresholds_refuses():
    client = form_app()

    assert client.post("/thresholds", data={}).json() == asdict(Thresholds())
    assert client.post("/thresholds", data={"top_n": "10", "padj": "0.01"}).json()["top_n"] == 10
    for field, bad in [("padj", "0"), ("padj", "1.5"), ("log2fc", "-1"), ("max_genes", "0"), ("top_n", "5001")]:
        answer = client.post("/thresholds", data={field: bad})
        assert answer.status_code == 422, (field, bad)
        assert answer.json()["detail"][0]["loc"] == ["body", field]


def test_a_cutoff_with_an_unknown_bound_is_a_declaration_error():
    with pytest.raises(TypeError, match="Unknown bounds"):
        cutoff(1.0, "a cut-off", lt=2)
