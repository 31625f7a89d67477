"""The report page of one gene set (rendered by `agent.render`), and evidence rows with their links."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from html import escape

from gene_r1.agent.evidence import pathway_url


def with_links(result: dict) -> dict:
    """A copy of an analysis whose evidence rows (also inside verdicts) carry `url`, their pathway's page."""
    linked = copy.deepcopy(result)
    rows = list(linked.get("evidence", []))
    for verdict in linked.get("verdicts", []):
        rows += verdict.get("supporting_pathways", [])
    for row in rows:
        row["url"] = pathway_url(row["pathway_id"])
    return linked


def page(title: str, body: str, scripts: Sequence[str] = ()) -> str:
    """A page of the app: shared stylesheet and navigation around `body`, then the named scripts of static/."""
    tags = "".join(f'<script src="/static/{escape(name)}"></script>' for name in scripts)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/app.css"><link rel="icon" href="data:,"></head><body>'
        '<nav><b>gene-r1</b> <a href="/">Chat</a> <a href="/batch">Batch</a> <a href="/docs">API</a></nav>'
        f"<main>{body}</main>{tags}</body></html>"
    )


def report_page(result: dict, back_href: str, back_label: str) -> str:
    """The web report of one analysis: the same renderer as the CLI `--html` and batch reports, with navigation."""
    from gene_r1.agent.render import render_report

    title = f"{result.get('id') or 'Gene set'}: {result.get('name') or '(no name)'}"
    return render_report([result], title=title, back=(back_href, back_label), nav=True, summary_table=False)
