"""Entry points for notebook users: a file of gene sets, a dict of them, or scanpy's marker genes, in; a pandas
DataFrame out.

`batch(path)`, `analyze_many(mapping)` and `rank_genes_groups(adata)` run the batch engine
(`agent.batch.runner.run_batch`, the engine of `gene-r1 batch`), so they batch the model call per chunk and, given
`out`, append to `out/results.jsonl` and skip the sets already there exactly as a re-run of `gene-r1 batch --out`
does. The table has one row per set, its cells quoted from the result records by the helpers that write
`summary.tsv` (`agent.render`).

AnnData is read duck-typed (any object with a `.uns` mapping), so this module imports neither anndata nor scanpy:
`pip install 'gene-r1[scverse]'` brings anndata for users who read `.h5ad` files.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gene_r1.agent.batch.inputs import GeneSetInput, marker_set
from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.agent.render import HEADLINE_COLUMNS

COLUMNS = (
    *HEADLINE_COLUMNS,
    "top_evidence",
    "top_evidence_fdr",
    "unexplained_genes",
    "error",
)


def analyze_many(
    mapping: Mapping[str, Sequence[str]],
    *,
    out: Path | None = None,
    config: AgentConfig | None = None,
    context: AgentContext | None = None,
    batch_size: int = 8,
    show_progress: bool = False,
) -> pd.DataFrame:
    """Analyse each gene set of `mapping` (id -> gene symbols); one row per set, in the mapping's order.

    With `out`, results are appended to `out/results.jsonl` and sets already there are not analysed again; the
    run's counts are in `table.attrs["batch"]` (`analysed`, `skipped`, `failed`).

    Example: `analyze_many({"mmr": ["MLH1", "MSH2", "MSH6", "PMS2"], "mitosis": ["CDK1", "CCNB1", "PLK1"]})`
    """
    if isinstance(mapping, str) or not isinstance(mapping, Mapping):
        raise TypeError("analyze_many takes a mapping of set id -> gene symbols, e.g. {'mmr': ['MLH1', 'MSH2']}.")
    sets = []
    for set_id, genes in mapping.items():
        if isinstance(genes, str):
            raise TypeError(f"Set {set_id!r}: give its genes as a list of symbols, not one string.")
        sets.append(GeneSetInput(id=str(set_id), genes=tuple(str(g) for g in genes)))
    return analyze_sets(sets, out=out, config=config, context=context, batch_size=batch_size,
                        show_progress=show_progress)


def batch(
    path: str | Path,
    *,
    out: Path | None = None,
    fmt: str = "auto",
    config: AgentConfig | None = None,
    context: AgentContext | None = None,
    batch_size: int = 8,
    show_progress: bool = False,
) -> pd.DataFrame:
    """Analyse every gene set of a file: a GMT, a table of sets, a differential-expression table or a marker table
    (`fmt="auto"` detects which, as `gene-r1 batch` does, with its default thresholds); one row per set.

    With `out`, this is `gene-r1 batch PATH --out OUT`: results are appended to `out/results.jsonl` and a re-run
    skips the sets already there. Example: `gene_r1.batch("clusters.gmt", out="gene-r1-out")`
    """
    from gene_r1.agent.batch.inputs import read_gene_sets

    sets = read_gene_sets(Path(path), fmt)
    return analyze_sets(sets, out=out, config=config, context=context, batch_size=batch_size,
                        show_progress=show_progress)


def rank_genes_groups(
    adata: Any,
    *,
    key: str = "rank_genes_groups",
    top_n: int = 50,
    pval_cutoff: float | None = 0.05,
    out: Path | None = None,
    config: AgentConfig | None = None,
    context: AgentContext | None = None,
    batch_size: int = 8,
    show_progress: bool = False,
) -> pd.DataFrame:
    """Name what each group's marker genes do, from `scanpy.tl.rank_genes_groups` results in `adata.uns[key]`.

    Each group's set is its first `top_n` markers in scanpy's order (by score), keeping only those with
    `pvals_adj < pval_cutoff` when scanpy computed adjusted p-values (`method="logreg"` does not; `None` keeps all).
    A group with no marker left gets a row with `error` and is not analysed.

    Example: `sc.tl.rank_genes_groups(adata, "leiden"); gene_r1.rank_genes_groups(adata, top_n=30)`
    """
    sets, empty = marker_sets(adata, key=key, top_n=top_n, pval_cutoff=pval_cutoff)
    table = analyze_sets(sets, out=out, config=config, context=context, batch_size=batch_size,
                         show_progress=show_progress)
    if not empty:
        return table
    rows = pd.DataFrame([empty_row(group, error) for group, error in empty.items()], columns=list(COLUMNS))
    order = {str(group): i for i, group in enumerate(uns_result(adata, key)["names"].dtype.names)}
    merged = pd.concat([table, rows], ignore_index=True) if len(table) else rows
    merged = merged.sort_values("id", key=lambda ids: ids.map(order), kind="stable", ignore_index=True)
    merged.attrs = table.attrs
    return merged


def empty_row(set_id: str, error: str) -> dict:
    """The row of a set that was not analysed (a group with no marker left)."""
    return {"id": set_id, "name": "", "verdict": "", "coherence": math.nan, "name_confidence": math.nan, "themes": "",
            "top_evidence": "", "top_evidence_fdr": math.nan, "unexplained_genes": 0, "error": error}


def uns_result(adata: Any, key: str) -> Mapping:
    uns = getattr(adata, "uns", None)
    if not isinstance(uns, Mapping):
        raise TypeError("rank_genes_groups takes an AnnData (an object with a `.uns` mapping).")
    if key not in uns:
        raise ValueError(f"adata.uns has no {key!r}: run scanpy.tl.rank_genes_groups(adata, groupby) first, or pass "
                         "key= the key_added you used.")
    result = uns[key]
    if "names" not in result or not getattr(result["names"].dtype, "names", None):
        raise ValueError(f"adata.uns[{key!r}] does not hold scanpy's marker table (a 'names' record array, one field "
                         "per group).")
    return result


def marker_sets(adata: Any, *, key: str = "rank_genes_groups", top_n: int = 50,
                pval_cutoff: float | None = 0.05) -> tuple[list[GeneSetInput], dict[str, str]]:
    """The gene set of each group (scanpy's record arrays have one field per group, rows ranked by score), and the
    groups left with no marker, each with the reason."""
    if top_n < 1:
        raise ValueError(f"top_n must be >= 1, not {top_n}")
    result = uns_result(adata, key)
    params = result.get("params", {})
    groupby = str(params.get("groupby", "group"))
    reference = str(params.get("reference", "rest"))
    padj = result.get("pvals_adj") if pval_cutoff is not None else None
    sets, empty = [], {}
    for group in result["names"].dtype.names:
        names = result["names"][group]
        keep = [i for i, name in enumerate(names) if _symbol(name) and (padj is None or padj[group][i] < pval_cutoff)]
        genes = tuple(dict.fromkeys(_symbol(names[i]) for i in keep))[:top_n]
        cutoff = f"pvals_adj < {pval_cutoff}, " if padj is not None else ""
        if not genes:
            empty[str(group)] = f"no marker of {groupby} {group}" + (f" has pvals_adj < {pval_cutoff}" if cutoff
                                                                    else " has a gene name")
            continue
        sets.append(marker_set(str(group), genes, f"{groupby} {group}", reference, f"{cutoff}top {top_n} by score"))
    return sets, empty


def _symbol(name: object) -> str:
    """A gene name from scanpy's `names` field: str (bytes from old h5ad files); NaN where filtering removed it."""
    if isinstance(name, bytes):
        name = name.decode()
    return name.strip() if isinstance(name, str) and name.strip().lower() != "nan" else ""


def analyze_sets(sets: Sequence[GeneSetInput], *, out: Path | None = None, config: AgentConfig | None = None,
                 context: AgentContext | None = None, batch_size: int = 8,
                 show_progress: bool = False) -> pd.DataFrame:
    """Run the batch engine over `sets` (into a temporary folder when no `out` is given) and tabulate them."""
    from gene_r1.agent.api import get_context
    from gene_r1.agent.batch.inputs import unique_ids
    from gene_r1.agent.batch.runner import read_results, run_batch

    sets = unique_ids(sets)
    context = context or get_context(config)
    with tempfile.TemporaryDirectory(prefix="gene-r1-") as scratch:
        folder = Path(out) if out is not None else Path(scratch)
        summary = run_batch(sets, folder, context=context, batch_size=batch_size, show_progress=show_progress)
        by_id = {record["id"]: record for record in read_results(summary.results_path)}
    table = pd.DataFrame([table_row(by_id[s.id]) for s in sets], columns=list(COLUMNS))
    table.attrs["batch"] = {"analysed": summary.analysed, "skipped": summary.skipped, "failed": summary.failed,
                            "results": str(summary.results_path) if out is not None else ""}
    return table


def table_row(record: dict) -> dict:
    """One results.jsonl record as a table row: the same verdict, themes, top evidence and unexplained genes as
    `summary.tsv`, numbers kept as numbers (NaN where the record has none)."""
    from gene_r1.agent import coherence_words as words
    from gene_r1.agent.render import evidence_rows, shown_unexplained

    tested = [row for row in evidence_rows(record.get("evidence", [])) if row.get("fdr") is not None]
    coherence = record.get("coherence")
    return {
        "id": record["id"],
        "name": record.get("name", ""),
        "verdict": words.verdict_label(record),
        "coherence": coherence["coherence"] if coherence else math.nan,
        "name_confidence": coherence["name_confidence"] if coherence else math.nan,
        "themes": words.theme_names(record.get("themes", [])),
        "top_evidence": f"{tested[0]['pathway_id']} {tested[0]['name']}" if tested else "",
        "top_evidence_fdr": tested[0]["fdr"] if tested else math.nan,
        "unexplained_genes": len(shown_unexplained(record)) if not record.get("error") else 0,
        "error": record.get("error", ""),
    }
