"""Reports for people: Markdown for the terminal, one HTML report (CLI `--html`, batch `report.html`, the web
report page), and a summary TSV.

The HTML comes from one Jinja2 template (`agent/templates/report.html.j2`) with autoescaping on: everything that
came from input (gene names, claims, file contents) is data, never markup. The only markup passed through is the
SVG of `agent.web.charts`, which escapes every text it draws. The page is self-contained (inline CSS, no scripts,
no external fetches), so a report file opens anywhere.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources

from gene_r1.agent import coherence_words as words
from gene_r1.agent.evidence import pathway_url
from gene_r1.agent.explained import DEFAULT_MAX_PATHWAY_SIZE, explained_genes
from gene_r1.tools.formatting import FDR_CONVENTION, count_text, fdr_text

SEARCH_KIND = "search"
ENRICHMENT_KIND = "enrichment"
MAX_GENES_SHOWN = 15


def evidence_rows(evidence: Sequence[dict]) -> list[dict]:
    """Evidence as a reader wants it: each pathway once, enrichment hits by FDR then p, then search hits.

    A pathway found by both enrichment and search keeps its enrichment row, labelled "enrichment + search".
    """
    by_id: dict[str, dict] = {}
    also_searched: set[str] = set()
    for row in evidence:
        pid = row["pathway_id"]
        kind = row.get("kind", ENRICHMENT_KIND)
        if kind == SEARCH_KIND:
            also_searched.add(pid)
        kept = by_id.get(pid)
        if kept is None or (kept.get("kind") == SEARCH_KIND and kind != SEARCH_KIND):
            by_id[pid] = row
    rows = []
    for pid, row in by_id.items():
        kind = row.get("kind", ENRICHMENT_KIND)
        if kind != SEARCH_KIND:
            label = "enrichment + search" if pid in also_searched else ENRICHMENT_KIND
        else:
            label = SEARCH_KIND
        rows.append(row | {"kind": ENRICHMENT_KIND if kind != SEARCH_KIND else SEARCH_KIND, "kind_label": label})
    enrichment = sorted(
        (r for r in rows if r["kind"] == ENRICHMENT_KIND),
        key=lambda r: (_or_inf(r.get("fdr")), _or_inf(r.get("p_value"))),
    )
    search = [r for r in rows if r["kind"] == SEARCH_KIND]
    search.sort(key=lambda r: (_or_inf(r.get("fdr")), _or_inf(r.get("p_value"))))  # stable: untested keep order
    return enrichment + search


def _or_inf(value) -> float:
    return float("inf") if value is None else value


_ROW_FIELDS = ("pathway_id", "source", "name", "overlap_genes", "pathway_size", "p_value", "fdr", "kind")


def report_evidence(result: dict) -> list[dict]:
    """The evidence table of a report: `evidence_rows`, plus the chosen candidate's and each theme's pathway when
    the result's evidence lacks them (a candidate carries its own evidence row), each row with `number` (the
    candidate number [n] the reasoning cites, or None), `chosen` and `themes` (the theme numbers it names)."""
    candidates = {c["pathway_id"]: c for c in result.get("candidates", []) if isinstance(c, dict) and "number" in c}
    chosen_id = next((c["pathway_id"] for c in candidates.values() if c["number"] == result.get("chosen_number")),
                     None)
    themes_of: dict[str, list[int]] = {}
    for theme in result.get("themes", []):
        themes_of.setdefault(theme["pathway_id"], []).append(theme["number"])
    evidence = list(result.get("evidence", []))
    held = {row["pathway_id"] for row in evidence}
    for pathway_id in [chosen_id, *themes_of]:
        if pathway_id and pathway_id not in held and pathway_id in candidates:
            candidate = candidates[pathway_id]
            evidence.append({key: candidate.get(key) for key in _ROW_FIELDS} | {"odds_ratio": None})
            held.add(pathway_id)
    return [
        row
        | {
            "number": candidates[row["pathway_id"]]["number"] if row["pathway_id"] in candidates else None,
            "chosen": row["pathway_id"] == chosen_id,
            "themes": themes_of.get(row["pathway_id"], []),
        }
        for row in evidence_rows(evidence)
    ]


def pathway_rows(result: dict) -> dict[str, dict]:
    """Every pathway the result holds a row for (evidence or candidate), by id: what a theme's pathways are named
    and quoted from."""
    candidates = [c for c in result.get("candidates", []) if isinstance(c, dict) and "pathway_id" in c]
    return {row["pathway_id"]: row for row in [*candidates, *report_evidence(result)]}


def row_role(row: dict) -> str:
    """`chosen`, `theme 1`, `chosen, theme 1`, or empty: what the report's headline and themes rest on."""
    roles = (["chosen"] if row.get("chosen") else []) + [f"theme {n}" for n in row.get("themes", [])]
    return ", ".join(roles)


def citation(row: dict) -> str:
    return f"[{row['number']}]" if row.get("number") is not None else ""


def shown_unexplained(result: dict) -> list[str]:
    """The genes a report marks as not explained, in input order: those the analysis left unexplained, and those
    that neither a theme nor a significant, specific pathway in the report's evidence covers (the rule of
    `agent.explained`). A reader so never sees a gene marked explained that only pathways above the size cap
    contain (SMAD3 in "Infectious disease", 1,326 genes, in a ribosomal set), or that no row or theme shown holds:
    the analysis decides over every enrichment row it found, the report shows the strongest few."""
    genes = list(result.get("genes", []))
    rows = [row for row in report_evidence(result) if row["kind"] == ENRICHMENT_KIND]
    in_themes = {gene for theme in result.get("themes", []) for gene in theme["genes"]}
    split = explained_genes(genes, rows, also_explained=in_themes)
    left = set(split.unexplained) | set(result.get("unexplained_genes", []))
    return [gene for gene in dict.fromkeys(genes) if gene in left]


def one_line_summary(result: dict) -> str:
    """What a reader of a batch table needs in one line: the name, how sure, the best evidence, what is left."""
    if result.get("error"):
        return f"Not analysed: {result['error']}"
    n = len(result.get("genes", []))
    name = result.get("name") or "(no name)"
    line = f"{count_text(n, 'gene')} → {name}"
    verdict = words.verdict_label(result)
    coherence = result.get("coherence")
    if coherence and verdict == "no coherent function":
        line += f" (coherence {coherence['coherence']:.2f})"
    elif coherence:
        line += (f" ({verdict}, coherence {coherence['coherence']:.2f}, "
                 f"name confidence {coherence['name_confidence']:.2f})")
    else:
        line += f", confidence {result.get('confidence', 0.0):.2f}"
    rows = [r for r in evidence_rows(result.get("evidence", [])) if r.get("fdr") is not None]
    if rows:
        top = rows[0]
        line += f"; top evidence {top['pathway_id']} {top['name']} (FDR {fdr_text(top['fdr'])})"
    themes = result.get("themes", [])
    if len(themes) > 1:
        line += f"; {len(themes)} themes"
    unexplained = shown_unexplained(result)
    if unexplained:
        line += f"; {len(unexplained)} unexplained"
    return line


def markdown_verdict(result: dict) -> list[str]:
    """The verdict block and the themes as Markdown lines (none for a result made before the verdict existed)."""
    said = words.verdict_words(result)
    if said is None:
        return []
    lines = ["## Verdict", "", f"**{said.headline}**", ""]
    if said.summary:
        lines += [said.summary, ""]
    lines += [f"- {said.coherence}", f"- {said.name_confidence}", ""]
    if said.reasons:
        lines += ["**Why:**", ""] + [f"- {reason}" for reason in said.reasons] + [""]
    themes = result.get("themes", [])
    lines += ["## Themes", ""]
    if not themes:
        lines += ["No group of significant pathways: no theme to name.", ""]
    rows_by_id = pathway_rows(result)
    for theme in themes:
        lines += [f"**{words.theme_title(theme)}** — {words.theme_facts(theme)}", "",
                  f"Genes: {words.theme_genes(theme)}", "",
                  "Pathways: " + ("; ".join(words.theme_pathways(theme, rows_by_id)) or "none"), ""]
    return lines


def to_markdown(result: dict, *, evidence: bool = True) -> str:
    """The report as Markdown (one fact per paragraph, so renderers keep the lines apart). `evidence=False` leaves
    the evidence table out, for callers that draw it themselves (the terminal)."""
    lines = [f"# {result.get('id') or 'Gene set'}: {result.get('name') or '(no name)'}", ""]
    if result.get("error"):
        lines += [f"**Error:** {result['error']}", ""]
    lines += markdown_verdict(result)
    # With a verdict, the block above gives the name's confidence; results made before it carry the judge's own.
    facts = [] if result.get("coherence") else [
        f"**Confidence:** {result.get('confidence', 0.0):.2f} — {result.get('confidence_explanation', '')}"]
    facts += [
        f"**Why this name:** {result.get('choice_explanation', '')}",
        f"**Genes ({len(result.get('genes', []))}):** {', '.join(result.get('genes', []))}",
    ]
    if result.get("unknown_genes"):
        facts.append(f"**Unknown symbols:** {', '.join(result['unknown_genes'])}")
    if result.get("mapped_genes"):
        facts.append(
            "**Mapped symbols:** " + ", ".join(f"{m['input']} → {m['symbol']}" for m in result["mapped_genes"])
        )
    facts.append(f"**Not explained by the evidence:** {', '.join(shown_unexplained(result)) or 'none'}")
    for fact in facts:
        lines += [fact, ""]
    lines += ["## Reasoning", "", result.get("reasoning") or "(no reasoning: no grounded candidate)", ""]
    if result.get("explanation"):
        lines += [f"**The model's explanation:** {result['explanation']}", ""]
    if evidence:
        lines += ["## Evidence", "", f"[n]: the candidate number the reasoning cites. {FDR_CONVENTION}.", "",
                  "| [n] | kind | pathway | source | name | overlap | FDR |", "|---|---|---|---|---|---|---|"]
        for row in report_evidence(result):
            role = f" ({row_role(row)})" if row_role(row) else ""
            lines.append(
                f"| {citation(row)} | {row['kind_label']} | [{row['pathway_id']}]({pathway_url(row['pathway_id'])}) | "
                f"{row['source']} | {row['name']}{role} | {len(row['overlap_genes'])}/{row['pathway_size']}: "
                f"{', '.join(row['overlap_genes'][:12])} | {fdr_text(row['fdr'])} |"
            )
        lines.append("")
    lines += ["## Verification", ""]
    for verdict in result.get("verdicts", []):
        lines.append(f"- **{verdict['verdict']}** — {verdict['claim']}: {verdict['explanation']}")
    return "\n".join(lines) + "\n"


def candidate_rows(result: dict) -> list[dict]:
    """The judge's numbered candidates as table rows (older results without candidates give none)."""
    n_genes = len(result.get("genes", []))
    return [{"number": c["number"], "name": c["name"], "pathway_id": c["pathway_id"], "kind": c["kind"],
             "overlap": f"{len(c['overlap_genes'])}/{n_genes}", "fdr_text": fdr_text(c.get("fdr")),
             "probability_text": f"{c.get('probability', 0.0):.2f}",
             "chosen": c["number"] == result.get("chosen_number")}
            for c in result.get("candidates", []) if isinstance(c, dict) and "number" in c]


@cache
def _environment():
    from jinja2 import Environment, PackageLoader

    # lenient undefined: a result without an optional key (older results.jsonl lines) still renders
    return Environment(
        loader=PackageLoader("gene_r1.agent", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css():
    """Our own stylesheet, inlined as markup: escaping would turn its quotes into entities CSS does not read."""
    from markupsafe import Markup

    return Markup(resources.files("gene_r1.agent").joinpath("templates/report.css").read_text(encoding="utf-8"))


def _verdict_class(verdict: str) -> str:
    return {"supported": "supported", "partly supported": "partly"}.get(verdict, "not")


def _evidence_tables(evidence: Sequence[dict]) -> list[dict]:
    """`evidence`: rows of `report_evidence`."""
    rows = [
        row
        | {
            "url": pathway_url(row["pathway_id"]),
            "citation": citation(row),
            "role": row_role(row),
            "overlap": f"{len(row['overlap_genes'])}/{row['pathway_size']}",
            "genes": ", ".join(row["overlap_genes"][:MAX_GENES_SHOWN])
            + (" …" if len(row["overlap_genes"]) > MAX_GENES_SHOWN else ""),
            "p_text": fdr_text(row.get("p_value")),
            "fdr_text": fdr_text(row.get("fdr")),
        }
        for row in evidence
    ]
    tables = [
        {
            "kind": ENRICHMENT_KIND,
            "title": "Enrichment",
            "note": "Over-representation of the genes in each pathway, sorted by FDR, then p. "
            f"{FDR_CONVENTION}. [n]: the candidate number the reasoning cites.",
            "rows": [r for r in rows if r["kind"] == ENRICHMENT_KIND],
        },
        {
            "kind": SEARCH_KIND,
            "title": "Semantic search",
            "note": "Pathways whose descriptions match the proposed names; p and FDR shown where they were tested. "
            "[n]: the candidate number the reasoning cites.",
            "rows": [r for r in rows if r["kind"] == SEARCH_KIND],
        },
    ]
    return [table for table in tables if table["rows"]]


def _verdict_view(result: dict) -> dict | None:
    said = words.verdict_words(result)
    if said is None:
        return None
    return {"verdict": said.verdict, "css": said.verdict.replace(" ", "-"), "headline": said.headline,
            "summary": said.summary, "coherence": said.coherence, "name_confidence": said.name_confidence,
            "reasons": list(said.reasons)}


def _themes_view(result: dict) -> list[dict]:
    rows_by_id = pathway_rows(result)
    return [{"title": words.theme_title(theme), "facts": words.theme_facts(theme), "weak": bool(theme.get("weak")),
             "genes": words.theme_genes(theme), "pathways": words.theme_pathways(theme, rows_by_id)}
            for theme in result.get("themes", [])]


def _anchor(set_id: str, index: int) -> str:
    return f"set-{index}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", set_id or "gene-set").strip("-")[:40]


def analysis_view(result: dict, index: int = 0) -> dict:
    """What the template shows for one analysis (missing optional keys tolerated)."""
    from markupsafe import Markup

    from gene_r1.agent.web.charts import fdr_bar_chart, membership_grid

    evidence = report_evidence(result)
    unexplained = shown_unexplained(result)
    chart_input = {
        "genes": result.get("genes", []),
        "evidence": evidence,
        "verdicts": result.get("verdicts", []),
        "unexplained_genes": unexplained,
    }
    return {
        "anchor": _anchor(result.get("id", ""), index),
        "set_id": result.get("id") or "",
        "name": result.get("name") or "(no name)",
        "error": result.get("error") or "",
        "description": result.get("description") or "",
        "direction": result.get("direction") or "",
        "contrast": result.get("contrast") or "",
        "cutoffs": result.get("cutoffs") or "",
        "summary": one_line_summary(result),
        "verdict": _verdict_view(result),
        "verdict_label": words.verdict_label(result),
        "themes": _themes_view(result),
        "theme_names": words.theme_names(result.get("themes", [])),
        "has_verdict": result.get("coherence") is not None,
        "confidence": f"{result.get('confidence', 0.0):.2f}",
        "confidence_explanation": result.get("confidence_explanation", ""),
        "choice_explanation": result.get("choice_explanation", ""),
        "genes": result.get("genes", []),
        "n_genes": len(result.get("genes", [])),
        "unknown_genes": result.get("unknown_genes", []),
        "mapped_genes": result.get("mapped_genes", []),
        "unexplained_genes": unexplained,
        "reasoning": result.get("reasoning", ""),
        "explanation": result.get("explanation", ""),
        "candidates": candidate_rows(result),
        "verdicts": [v | {"css": _verdict_class(v["verdict"])} for v in result.get("verdicts", [])],
        "evidence_tables": _evidence_tables(evidence),
        # charts.py escapes every text it draws: its SVG is markup, not data
        "chart": Markup(fdr_bar_chart(chart_input["evidence"])),
        "grid": Markup(membership_grid(chart_input, max_pathway_size=DEFAULT_MAX_PATHWAY_SIZE)),
        "max_pathway_size": DEFAULT_MAX_PATHWAY_SIZE,
    }


def render_report(
    results: Sequence[dict],
    *,
    title: str,
    summary_table: bool | None = None,
    back: tuple[str, str] | None = None,
    nav: bool = False,
) -> str:
    """The one HTML report. `summary_table` (default: more than one result) adds the per-set table with direction,
    contrast, cut-offs and a one-line summary; `back` (href, label) and `nav` are for the web app's report page."""
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            css=_css(),
            nav=nav,
            back={"href": back[0], "label": back[1]} if back else None,
            summary_table=len(results) > 1 if summary_table is None else summary_table,
            analyses=[analysis_view(r, i) for i, r in enumerate(results)],
            generated="",
            fdr_convention=FDR_CONVENTION,
        )
    )


def to_html(results: Sequence[dict], title: str = "gene-r1 report", *, summary_table: bool | None = None) -> str:
    return render_report(results, title=title, summary_table=summary_table)


# The columns summary.tsv and the Python API's table (agent/scverse.py) open with.
HEADLINE_COLUMNS = ("id", "name", "verdict", "coherence", "name_confidence", "themes")
SUMMARY_COLUMNS = (*HEADLINE_COLUMNS, "confidence", "chosen_from", "n_genes", "n_unknown", "direction", "contrast",
                   "cutoffs", "description", "top_pathway", "top_fdr", "n_unexplained", "summary", "error")


def to_summary_tsv(results: Sequence[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for r in results:
        tested = [row for row in evidence_rows(r.get("evidence", [])) if row.get("fdr") is not None]
        top = tested[0] if tested else None
        coherence = r.get("coherence")
        writer.writerow(
            [
                r.get("id", ""),
                r.get("name", ""),
                words.verdict_label(r),
                f"{coherence['coherence']:.3f}" if coherence else "",
                f"{coherence['name_confidence']:.3f}" if coherence else "",
                words.theme_names(r.get("themes", [])),
                f"{r.get('confidence', 0.0):.3f}",
                r.get("chosen_from", ""),
                len(r.get("genes", [])),
                len(r.get("unknown_genes", [])),
                r.get("direction", ""),
                r.get("contrast", ""),
                r.get("cutoffs", ""),
                r.get("description", ""),
                f"{top['pathway_id']} {top['name']}" if top else "",
                fdr_text(top["fdr"]) if top else "",
                len(shown_unexplained(r)),
                one_line_summary(r),
                r.get("error", ""),
            ]
        )
    return out.getvalue()
