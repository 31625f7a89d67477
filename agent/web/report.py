"""The report page of one gene set: charts first, then the escaped text report of `agent.render`."""

from __future__ import annotations

import copy
from html import escape

from agent.evidence import pathway_url
from agent.web.charts import fdr_bar_chart, membership_grid


def with_links(result: dict) -> dict:
    """A copy of an analysis whose evidence rows (also inside verdicts) carry `url`, their pathway's page."""
    linked = copy.deepcopy(result)
    rows = list(linked.get("evidence", []))
    for verdict in linked.get("verdicts", []):
        rows += verdict.get("supporting_pathways", [])
    for row in rows:
        row["url"] = pathway_url(row["pathway_id"])
    return linked


def page(title: str, body: str) -> str:
    """A page of the app: shared stylesheet and navigation, no scripts."""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/app.css"><link rel="icon" href="data:,"></head><body>'
        '<nav><b>gene-r1</b> <a href="/">Chat</a> <a href="/batch">Batch</a> <a href="/docs">API</a></nav>'
        f"<main>{body}</main></body></html>"
    )


def report_page(result: dict, back_href: str, back_label: str) -> str:
    from agent.render import analysis_html

    title = f"{result.get('id') or 'Gene set'}: {result['name'] or '(no name)'}"
    body = (
        f'<p><a href="{escape(back_href)}">← {escape(back_label)}</a></p>'
        f'<h1 id="report-title">{escape(title)}</h1>'
        '<section class="figures">'
        "<figure><figcaption>Top pathways by −log10 FDR (Reactome blue, WikiPathways green; dashed: FDR 0.05)"
        f"</figcaption>{fdr_bar_chart(result['evidence'])}</figure>"
        "<figure><figcaption>Which genes each pathway and each claim rests on; the last column and orange names "
        f"mark genes the evidence leaves unexplained</figcaption>{membership_grid(result)}</figure>"
        "</section>"
        f"{analysis_html(result)}"
    )
    return page(f"gene-r1 report: {title}", body)
