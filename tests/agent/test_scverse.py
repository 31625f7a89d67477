"""The notebook entry points: a dict of sets, or scanpy's marker genes, to a DataFrame through the batch engine."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import gene_r1.agent.batch.runner as runner
from gene_r1.agent import analyze_many, rank_genes_groups
from gene_r1.agent.scverse import COLUMNS, marker_sets
from tests.agent.conftest import MISMATCH_REPAIR, MITOSIS

# scanpy 1.10 `tl.rank_genes_groups` stores each statistic as a DataFrame with one column per group, converted by
# `to_records(index=False, column_dtypes=...)` with these dtypes; rows are ranked by score within each group.
SCANPY_DTYPES = {"names": "O", "scores": "float32", "logfoldchanges": "float32", "pvals": "float64",
                 "pvals_adj": "float64"}


class ScanpyShaped:
    """What AnnData offers this module: `.uns`, here holding `rank_genes_groups` as scanpy lays it out."""

    def __init__(self, groups: dict[str, list[tuple[str, float, float]]], groupby: str = "leiden",
                 with_pvals: bool = True):
        stats = {
            "names": {group: [gene for gene, _, _ in rows] for group, rows in groups.items()},
            "scores": {group: [score for _, score, _ in rows] for group, rows in groups.items()},
            "logfoldchanges": {group: [score / 10 for _, score, _ in rows] for group, rows in groups.items()},
            "pvals": {group: [padj / 10 for _, _, padj in rows] for group, rows in groups.items()},
            "pvals_adj": {group: [padj for _, _, padj in rows] for group, rows in groups.items()},
        }
        if not with_pvals:  # method="logreg" stores names and scores only
            stats = {key: stats[key] for key in ("names", "scores")}
        self.uns = {"rank_genes_groups": {
            "params": {"groupby": groupby, "reference": "rest", "method": "wilcoxon", "use_raw": True,
                       "layer": None, "corr_method": "benjamini-hochberg"},
            **{key: pd.DataFrame(table).to_records(index=False, column_dtypes=SCANPY_DTYPES[key])
               for key, table in stats.items()},
        }}


def ranked(genes: list[str], padj: float = 1e-6) -> list[tuple[str, float, float]]:
    return [(gene, 30.0 - i, padj) for i, gene in enumerate(genes)]


def markers() -> ScanpyShaped:
    """Group "0": mitosis markers, then a repair gene that fails the cut-off; "1": mismatch repair; "2": nothing
    significant. Every group has the same number of rows, as scanpy's record arrays do."""
    return ScanpyShaped({
        "0": ranked(MITOSIS[:6]) + [("MLH1", 1.0, 0.2)],
        "1": ranked(MISMATCH_REPAIR) + [("CDK1", 0.5, 0.3)],
        "2": ranked(["CDK1", "MLH1", "PLK1", "MSH2", "AURKA", "PMS2", "BUB1"], padj=0.5),
    })


def test_the_layout_matches_scanpys_record_arrays():
    result = markers().uns["rank_genes_groups"]
    assert isinstance(result["names"], np.recarray)
    assert result["names"].dtype.names == ("0", "1", "2")
    assert result["scores"].dtype["0"] == np.float32 and result["pvals_adj"].dtype["0"] == np.float64
    assert result["names"]["1"][0] == "MLH1"


def test_markers_keep_scanpys_order_and_drop_those_above_the_pval_cutoff():
    sets, empty = marker_sets(markers(), top_n=50, pval_cutoff=0.05)
    by_id = {s.id: s for s in sets}
    assert by_id["0"].genes == tuple(MITOSIS[:6])
    assert by_id["1"].genes == tuple(MISMATCH_REPAIR)
    assert by_id["0"].contrast == "leiden 0 vs rest" and "pvals_adj < 0.05" in by_id["0"].cutoffs
    assert empty == {"2": "no marker of leiden 2 has pvals_adj < 0.05"}


def test_top_n_takes_the_best_ranked_markers():
    sets, _ = marker_sets(markers(), top_n=3, pval_cutoff=0.05)
    assert sets[0].genes == tuple(MITOSIS[:3])


def test_without_adjusted_pvalues_every_named_marker_counts():
    adata = ScanpyShaped({"a": ranked(MITOSIS[:4]), "b": ranked(MISMATCH_REPAIR[:4])}, with_pvals=False)
    sets, empty = marker_sets(adata, top_n=50)
    assert [s.genes for s in sets] == [tuple(MITOSIS[:4]), tuple(MISMATCH_REPAIR[:4])] and empty == {}
    assert "pvals_adj" not in sets[0].cutoffs


def test_names_removed_by_filter_rank_genes_groups_are_skipped():
    adata = ScanpyShaped({"a": ranked(["CDK1", "nan", "PLK1"])})
    adata.uns["rank_genes_groups"]["names"]["a"][1] = np.nan  # what sc.tl.filter_rank_genes_groups writes
    sets, _ = marker_sets(adata)
    assert sets[0].genes == ("CDK1", "PLK1")


def test_an_object_without_marker_results_is_refused_with_the_fix():
    class Bare:
        uns: dict = {}

    with pytest.raises(ValueError, match="run scanpy.tl.rank_genes_groups"):
        marker_sets(Bare())
    with pytest.raises(TypeError, match="uns"):
        marker_sets(object())


def test_rank_genes_groups_names_each_group_in_one_row(agent_context):
    table = rank_genes_groups(markers(), context=agent_context)
    assert list(table.columns) == list(COLUMNS)
    assert list(table["id"]) == ["0", "1", "2"]
    mitosis, repair, empty = (row for _, row in table.iterrows())
    assert mitosis["name"] and repair["name"] and not mitosis["error"] and not repair["error"]
    assert mitosis["verdict"] in {"coherent", "partly coherent", "no coherent function"}
    assert 0.0 <= repair["coherence"] <= 1.0
    assert "mismatch" in repair["top_evidence"].lower() and repair["top_evidence_fdr"] < 0.05
    assert empty["error"] == "no marker of leiden 2 has pvals_adj < 0.05" and math.isnan(empty["coherence"])
    assert table.attrs["batch"]["analysed"] == 2


def test_analyze_many_reports_unknown_genes_as_an_error_row(agent_context):
    table = analyze_many({"mmr": MISMATCH_REPAIR, "nonsense": ["NOTAGENE1", "NOTAGENE2"]}, context=agent_context)
    assert list(table["id"]) == ["mmr", "nonsense"]
    assert table.loc[0, "error"] == "" and "known" in table.loc[1, "error"]
    assert table.loc[1, "name"] == "" and math.isnan(table.loc[1, "top_evidence_fdr"])


def test_cells_quote_the_result_record(agent_context, tmp_path):
    table = analyze_many({"mmr": MISMATCH_REPAIR}, out=tmp_path, context=agent_context)
    record = runner.read_results(tmp_path / "results.jsonl")[0]
    fdrs = [row["fdr"] for row in record["evidence"] if row["kind"] == "enrichment" and row["fdr"] is not None]
    assert table.loc[0, "name"] == record["name"]
    assert table.loc[0, "themes"] == " | ".join(theme["name"] for theme in record["themes"])
    assert table.loc[0, "top_evidence_fdr"] == min(fdrs)
    assert table.loc[0, "coherence"] == record["coherence"]["coherence"]


def test_a_second_run_into_the_same_folder_analyses_nothing_again(agent_context, tmp_path, monkeypatch):
    analysed: list[str] = []
    analyse_chunk = runner.analyse_chunk

    def counting(chunk, *args, **kwargs):
        analysed.extend(item.id for item in chunk)
        return analyse_chunk(chunk, *args, **kwargs)

    monkeypatch.setattr(runner, "analyse_chunk", counting)
    sets = {"mitosis": MITOSIS, "mmr": MISMATCH_REPAIR}
    first = analyze_many(sets, out=tmp_path, context=agent_context)
    second = analyze_many(sets, out=tmp_path, context=agent_context)
    assert analysed == ["mitosis", "mmr"]
    assert (second.attrs["batch"]["analysed"], second.attrs["batch"]["skipped"]) == (0, 2)
    pd.testing.assert_frame_equal(first, second)
    assert (tmp_path / "results.jsonl").read_text().count("\n") == 2


def test_a_string_of_genes_is_refused_not_split_into_letters():
    with pytest.raises(TypeError, match="list of symbols"):
        analyze_many({"mmr": "MLH1 MSH2"})
