"""The acceptance check of issue 2: the KB built from ../shared/data holds both sources and a matching index."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.cli import app, kb_summary
from gene_r1.knowledge_base.store import PathwayStore

pytestmark = pytest.mark.slow


def test_the_mirror_kb_has_both_sources_and_a_matching_index(built_kb_home):
    result = CliRunner().invoke(app, ["info", "--json", "--home", str(built_kb_home)])

    assert result.exit_code == 0, result.output
    summary = kb_summary(built_kb_home)
    assert summary["reactome"]["pathways"] >= 2600
    assert summary["wikipathways"]["pathways"] >= 790
    assert summary["reactome"]["release"] == "2024-09-18"
    assert summary["index"]["documents"] == summary["reactome"]["pathways"] + summary["wikipathways"]["pathways"]


def test_the_mirror_kb_normalises_real_inputs_offline(built_kb_home):
    store = PathwayStore.open(paths.store_path(built_kb_home))
    aliases = store.aliases()

    assert {a.symbol for a in aliases["SEPT7"]} == {"SEPTIN7"}
    assert {a.symbol for a in aliases["ENSG00000141510"]} == {"TP53"}
    assert "CDK1" in store.approved_symbols()
    assert "R-HSA-69620" in store.pathway_ids_for_gene("MAD2L1")
