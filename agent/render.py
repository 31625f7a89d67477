"""Reports for people: Markdown for one analysis, a self-contained HTML page for one or many, a summary TSV.

Everything that came from input (gene names, claims, file contents) is escaped: it is data, never markup.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from html import escape

from agent.evidence import pathway_url


def _fdr(value) -> str:
    return "—" if value is None else f"{value:.2g}"


def to_markdown(result: dict) -> str:
    lines = [f"# {result.get('id') or 'Gene set'}: {result['name'] or '(no name)'}", ""]
    if result.get("error"):
        lines += [f"**Error:** {result['error']}", ""]
    lines += [
        f"**Confidence:** {result['confidence']:.2f} — {result['confidence_explanation']}",
        f"**Why this name:** {result['choice_explanation']}",
        "",
        f"**Genes ({len(result['genes'])}):** {', '.join(result['genes'])}",
    ]
    if result["unknown_genes"]:
        lines.append(f"**Unknown symbols:** {', '.join(result['unknown_genes'])}")
    if result["mapped_genes"]:
        lines.append(
            "**Mapped symbols:** " + ", ".join(f"{m['input']} → {m['symbol']}" for m in result["mapped_genes"])
        )
    if result["unexplained_genes"]:
        lines.append(f"**Not explained by the evidence:** {', '.join(result['unexplained_genes'])}")
    lines += [
        "",
        "## Reasoning",
        "",
        result["reasoning"] or "(the model gave no reasoning)",
        "",
        "## Evidence",
        "",
    ]
    lines += ["| pathway | source | name | overlap | FDR |", "|---|---|---|---|---|"]
    for row in result["evidence"]:
        lines.append(
            f"| [{row['pathway_id']}]({pathway_url(row['pathway_id'])}) | {row['source']} | {row['name']} | "
            f"{len(row['overlap_genes'])}/{row['pathway_size']}: {', '.join(row['overlap_genes'][:12])} | "
            f"{_fdr(row['fdr'])} |"
        )
    lines += ["", "## Verification", ""]
    for verdict in result["verdicts"]:
        lines.append(f"- **{verdict['verdict']}** — {verdict['claim']}: {verdict['explanation']}")
    return "\n".join(lines) + "\n"


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
.supported{color:#1a7f37}.partly{color:#9a6700}.not{color:#cf222e}.muted{color:#666}
details{margin:.5rem 0}section{border-top:2px solid #eee;padding-top:1rem;margin-top:1rem}
"""


def _verdict_class(verdict: str) -> str:
    return {"supported": "supported", "partly supported": "partly"}.get(verdict, "not")


def analysis_html(result: dict) -> str:
    e = escape
    rows = "".join(
        f'<tr><td><a href="{e(pathway_url(row["pathway_id"]))}">{e(row["pathway_id"])}</a></td>'
        f"<td>{e(row['source'])}</td><td>{e(row['name'])}</td>"
        f"<td>{len(row['overlap_genes'])}/{row['pathway_size']}: {e(', '.join(row['overlap_genes'][:15]))}</td>"
        f"<td>{e(_fdr(row['fdr']))}</td></tr>"
        for row in result["evidence"]
    )
    verdicts = "".join(
        f'<li><b class="{_verdict_class(v["verdict"])}">{e(v["verdict"])}</b> — {e(v["claim"])}: '
        f"{e(v['explanation'])}</li>"
        for v in result["verdicts"]
    )
    error = f'<p class="not">Error: {e(result["error"])}</p>' if result.get("error") else ""
    unknown = f"<p>Unknown symbols: {e(', '.join(result['unknown_genes']))}</p>" if result["unknown_genes"] else ""
    return (
        f"<section><h2>{e(result.get('id') or 'Gene set')}: {e(result['name'] or '(no name)')}</h2>{error}"
        f'<p><b>Confidence</b> {result["confidence"]:.2f} <span class="muted">'
        f"{e(result['confidence_explanation'])}</span></p>"
        f"<p><b>Why this name</b> {e(result['choice_explanation'])}</p>"
        f"<p><b>Genes</b> ({len(result['genes'])}): {e(', '.join(result['genes']))}</p>{unknown}"
        f"<p><b>Not explained by the evidence</b>: {e(', '.join(result['unexplained_genes']) or 'none')}</p>"
        f"<details><summary>Reasoning</summary><pre>{e(result['reasoning'] or '(none)')}</pre></details>"
        f"<table><tr><th>pathway</th><th>source</th><th>name</th><th>overlap</th><th>FDR</th></tr>{rows}</table>"
        f"<ul>{verdicts}</ul></section>"
    )


def to_html(results: Sequence[dict], title: str = "gene-r1 report") -> str:
    summary = "".join(
        f"<tr><td>{escape(r['id'])}</td><td>{escape(r['name'] or '(none)')}</td><td>{r['confidence']:.2f}</td>"
        f"<td>{len(r['genes'])}</td><td>{escape(r['chosen_from'])}</td></tr>"
        for r in results
    )
    body = "".join(analysis_html(r) for r in results)
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<table><tr><th>set</th><th>name</th><th>confidence</th><th>genes</th><th>from</th></tr>{summary}</table>"
        f"{body}</body></html>"
    )


SUMMARY_COLUMNS = (
    "id",
    "name",
    "confidence",
    "chosen_from",
    "n_genes",
    "n_unknown",
    "top_pathway",
    "top_fdr",
    "error",
)


def to_summary_tsv(results: Sequence[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for r in results:
        top = r["evidence"][0] if r["evidence"] else None
        writer.writerow(
            [
                r["id"],
                r["name"],
                f"{r['confidence']:.3f}",
                r["chosen_from"],
                len(r["genes"]),
                len(r["unknown_genes"]),
                f"{top['pathway_id']} {top['name']}" if top else "",
                _fdr(top["fdr"]) if top else "",
                r["error"],
            ]
        )
    return out.getvalue()
