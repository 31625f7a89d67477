"""The evidence as pictures: inline SVG drawn on the server, no chart library.

- `fdr_bar_chart`: the top pathways by -log10 FDR, coloured by source, with the FDR 0.05 line.
- `membership_grid`: genes x pathways (which genes each pathway and each claim rests on); a last column marks the
  genes the evidence leaves unexplained.
Every text that came from input or the knowledge base is escaped.
"""

from __future__ import annotations

import math
from html import escape

from gene_r1.tools.formatting import count_text, fdr_text

SOURCE_COLOURS = {"reactome": "#2f6db5", "wikipathways": "#2e8540"}
OTHER_COLOUR = "#6b6b6b"
VERDICT_COLOURS = {"supported": "#1a7f37", "partly supported": "#bf8700", "not supported": "#cf222e"}
UNEXPLAINED_COLOUR = "#d4651c"
TOO_LARGE_COLOUR = "#c9ccd1"  # a pathway above the size cap: it contains the gene but explains nothing
FDR_LINE = 0.05
LABEL_CHARS = 42  # at font size 11 even an all-capitals 42-character line fits the 322 px label column


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrap_label(text: str, width: int, max_lines: int) -> list[str]:
    """`text` in at most `max_lines` lines of at most `width` characters, broken at spaces; the last line ends with
    an ellipsis when the text does not fit (the chart's tooltip keeps the whole label)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    lines = [_short(line, width) for line in lines] or [""]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [_short(" ".join(lines[max_lines - 1 :]), width)]
    return lines


def minus_log10(fdr: float) -> float:
    return -math.log10(max(fdr, 1e-300))


def top_pathways(evidence: list[dict], limit: int) -> list[dict]:
    """Tested evidence rows (FDR known), one per pathway, most significant first."""
    seen, rows = set(), []
    tested = (r for r in evidence if r.get("fdr") is not None)
    for row in sorted(tested, key=lambda r: (r["fdr"], r.get("p_value") or 0.0)):
        if row["pathway_id"] not in seen:
            seen.add(row["pathway_id"])
            rows.append(row)
    return rows[:limit]


def fdr_bar_chart(evidence: list[dict], limit: int = 10, width: int = 760) -> str:
    rows = top_pathways(evidence, limit)
    if not rows:
        return '<p class="muted">No enrichment evidence with an FDR to chart.</p>'
    label_w, bar_h, gap, top, bottom = 330, 26, 6, 10, 42
    plot_w = width - label_w - 60
    peak = max(max(minus_log10(r["fdr"]) for r in rows), minus_log10(FDR_LINE) * 1.2)
    height = top + len(rows) * (bar_h + gap) + bottom
    scale = plot_w / peak
    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>Top pathways by -log10 FDR</title>'
    ]
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        value = minus_log10(row["fdr"])
        colour = SOURCE_COLOURS.get(row["source"], OTHER_COLOUR)
        label = f"{row['pathway_id']} {row['name']}"
        lines = wrap_label(row["name"], LABEL_CHARS, 2)
        first_y = y + bar_h / 2 + 4 - (len(lines) - 1) * 6
        spans = "".join(
            f'<tspan x="{label_w - 8}" y="{first_y + k * 12:.1f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(
            f"<g><title>{escape(label)}: FDR {fdr_text(row['fdr'])}, "
            f"{count_text(len(row['overlap_genes']), 'gene')}</title>"
            f'<text class="label" text-anchor="end" font-size="11">{spans}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(value * scale, 1):.1f}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + value * scale + 4:.1f}" y="{y + bar_h * 0.7:.1f}" font-size="11">'
            f"{value:.1f}</text></g>"
        )
    axis_y = top + len(rows) * (bar_h + gap)
    line_x = label_w + minus_log10(FDR_LINE) * scale
    parts.append(
        f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + plot_w}" y2="{axis_y}" stroke="#444"/>'
        f'<line x1="{line_x:.1f}" y1="{top - 4}" x2="{line_x:.1f}" y2="{axis_y}" stroke="#cf222e" '
        f'stroke-dasharray="4 3"/>'
        f'<text x="{line_x + 3:.1f}" y="{axis_y + 14}" font-size="10" fill="#cf222e">FDR 0.05</text>'
        f'<text x="{label_w + plot_w / 2:.0f}" y="{axis_y + 32}" text-anchor="middle" font-size="12">'
        "−log10 FDR</text>"
    )
    legend_x = 8
    for source, colour in SOURCE_COLOURS.items():
        parts.append(
            f'<rect x="{legend_x}" y="{axis_y + 22}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{axis_y + 31}" font-size="11">{escape(source)}</text>'
        )
        legend_x += 110
    parts.append("</svg>")
    return "".join(parts)


def grid_columns(result: dict, max_pathways: int, max_pathway_size: int | None = None) -> list[dict]:
    """The grid's columns: top pathways, then one per verified claim. Each: label, title, kind, genes, colour.
    A pathway larger than `max_pathway_size` explains no gene (`agent.explained`): its column is drawn pale."""
    columns = []
    for row in top_pathways(result["evidence"], max_pathways):
        too_large = max_pathway_size is not None and row["pathway_size"] > max_pathway_size
        columns.append(
            {
                "label": _short(row["name"], 34),
                "title": f"{row['pathway_id']} {row['name']} (FDR {fdr_text(row['fdr'])})"
                + (f"; {row['pathway_size']} genes, too large to explain a gene" if too_large else ""),
                "kind": "pathway",
                "genes": set(row["overlap_genes"]),
                "colour": TOO_LARGE_COLOUR if too_large else SOURCE_COLOURS.get(row["source"], OTHER_COLOUR),
            }
        )
    for verdict in result["verdicts"]:
        columns.append(
            {
                "label": _short(f"claim: {verdict['claim']}", 34),
                "title": f"{verdict['verdict']}: {verdict['claim']}",
                "kind": "claim",
                "genes": set(verdict["supporting_genes"]),
                "colour": VERDICT_COLOURS.get(verdict["verdict"], OTHER_COLOUR),
            }
        )
    columns.append(
        {
            "label": "unexplained",
            "title": "Not explained by the top evidence",
            "kind": "unexplained",
            "genes": set(result["unexplained_genes"]),
            "colour": UNEXPLAINED_COLOUR,
        }
    )
    return columns


def membership_grid(result: dict, max_pathways: int = 10, max_genes: int = 80,
                    max_pathway_size: int | None = None) -> str:
    genes = list(result["genes"])
    if not genes:
        return '<p class="muted">No known genes to draw.</p>'
    columns = grid_columns(result, max_pathways, max_pathway_size)
    members = [c for c in columns if c["kind"] != "unexplained"]
    genes.sort(key=lambda g: -sum(g in c["genes"] for c in members))  # stable: input order within ties
    shown = genes[:max_genes]
    cell, label_w, head_h = 20, 130, 200
    width = label_w + len(columns) * cell + 150
    height = head_h + len(shown) * cell + (26 if len(genes) > len(shown) else 10)
    unexplained = set(result["unexplained_genes"])
    parts = [
        f'<svg class="grid" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>Genes by pathway and claim</title>'
    ]
    for j, column in enumerate(columns):
        x = label_w + j * cell + cell / 2
        weight = ' font-weight="bold"' if column["kind"] != "pathway" else ""
        parts.append(
            f'<text transform="translate({x + 4:.1f},{head_h - 6}) rotate(-55)" font-size="11"{weight}>'
            f"<title>{escape(column['title'])}</title>{escape(column['label'])}</text>"
        )
    for i, gene in enumerate(shown):
        y = head_h + i * cell
        colour = UNEXPLAINED_COLOUR if gene in unexplained else "#222"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + cell * 0.7:.1f}" text-anchor="end" font-size="12" '
            f'fill="{colour}">{escape(_short(gene, 16))}</text>'
        )
        for j, column in enumerate(columns):
            x = label_w + j * cell
            inside = gene in column["genes"]
            fill = column["colour"] if inside else "#f3f3f3"
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" fill="{fill}">'
                f"<title>{escape(gene)} · {escape(column['title'])}: {'yes' if inside else 'no'}</title></rect>"
            )
    if len(genes) > len(shown):
        parts.append(
            f'<text x="{label_w}" y="{height - 2}" font-size="11" fill="#666">'
            f"showing {len(shown)} of {len(genes)} genes</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
