"""The one HTML report (CLI --html, batch report.html, web report page), the Markdown and the summary TSV."""

import csv
import io
import re
from html.parser import HTMLParser

from agent.render import SUMMARY_COLUMNS, evidence_rows, one_line_summary, render_report, to_html, to_summary_tsv
from tests.agent.report_fixtures import INJECTION, cell_cycle_analysis


class Cells(HTMLParser):
    """The text of each <td>, with its class, per table class."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str, list[tuple[str, str]]]] = []
        self.cell: list[str] | None = None
        self.cell_class = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append((attrs.get("class", ""), []))
        elif tag == "td":
            self.cell, self.cell_class = [], attrs.get("class", "")

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.tables[-1][1].append((self.cell_class, "".join(self.cell).strip()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def cells(html: str, table_class: str, cell_class: str) -> list[str]:
    parser = Cells()
    parser.feed(html)
    return [
        text
        for classes, found in parser.tables
        if table_class in classes.split()
        for css, text in found
        if cell_class in css.split()
    ]


def test_evidence_is_deduplicated_and_sorted_enrichment_by_fdr_then_p_then_search():
    rows = evidence_rows(cell_cycle_analysis()["evidence"])
    ids = [r["pathway_id"] for r in rows]
    assert ids == ["WP179", "R-HSA-1640170", "R-HSA-68886", "R-HSA-69620", "R-HSA-73894", "R-HSA-9999"]
    assert [r["kind_label"] for r in rows][-2:] == ["enrichment + search", "search"]


def test_the_report_has_headings_chart_grid_and_labelled_sorted_evidence():
    html = to_html([cell_cycle_analysis()], title="gene-r1: Mitotic cell cycle")
    for heading in ("Name and confidence", "Genes", "Evidence", "Verification", "Reasoning"):
        assert f"<h3>{heading}</h3>" in html
    assert '<svg class="chart"' in html and '<svg class="grid"' in html
    fdrs = [float(f) for f in cells(html, "enrichment", "fdr")]
    assert fdrs == sorted(fdrs)
    assert set(cells(html, "enrichment", "kind")) == {"enrichment", "enrichment + search"}
    assert cells(html, "search", "kind") == ["search"]
    assert cells(html, "evidence", "id").count("R-HSA-73894") == 1


def test_ids_and_numbers_sit_in_cells_that_never_wrap():
    html = to_html([cell_cycle_analysis()])
    assert re.search(r"td\.id, td\.num[^{]*\{[^}]*white-space: nowrap", html)
    assert "3.7e-11" in cells(html, "evidence", "num")


def test_the_report_is_self_contained_with_its_stylesheet_inlined_verbatim():
    html = to_html([cell_cycle_analysis()])
    assert "<style>" in html and '"DejaVu Sans"' in html.split("</style>")[0]
    assert not re.search(r"<(script|img)\b", html)
    assert re.findall(r"<link [^>]*>", html) == ['<link rel="icon" href="data:,">']  # no favicon fetch
    assert not re.search(r"""(src|href)=["']?(https?:)?//(?!reactome\.org|www\.wikipathways\.org)""", html)


def test_input_text_is_escaped_everywhere():
    result = cell_cycle_analysis(id=INJECTION, name=INJECTION, genes=["CDK1", INJECTION], reasoning=INJECTION)
    html = to_html([result, cell_cycle_analysis()], title=INJECTION)
    assert "<img" not in html and "&lt;img src=x" in html


def test_a_single_cli_report_has_no_empty_set_table_and_a_batch_report_shows_direction_and_cutoffs():
    single = to_html([cell_cycle_analysis(id="")])
    assert 'class="summary"' not in single
    up = cell_cycle_analysis(id="treated:up", direction="up", contrast="treated", cutoffs="adj. p < 0.05")
    batch = to_html([up, cell_cycle_analysis(id="treated:down", direction="down")], title="batch")
    assert cells(batch, "summary", "nowrap")[:2] == ["up", "down"]
    assert "adj. p &lt; 0.05" in batch and one_line_summary(up).startswith("9 genes")


def test_the_web_page_adds_navigation_and_a_back_link_to_the_same_report():
    html = render_report([cell_cycle_analysis()], title="t", back=("/batch#job=1", "batch results"), nav=True)
    assert '<a href="/batch#job=1">← batch results</a>' in html and "<nav>" in html
    assert '<svg class="grid"' in html


def test_a_failed_set_renders_its_error_without_charts_failing():
    failed = cell_cycle_analysis(error="No known genes", genes=[], evidence=[], verdicts=[], unexplained_genes=[])
    html = to_html([failed])
    assert "Error: No known genes" in html and "No enrichment evidence" in html


def test_summary_tsv_has_direction_cutoffs_and_a_summary_per_set():
    up = cell_cycle_analysis(id="treated:up", direction="up", contrast="treated", cutoffs="adj. p < 0.05")
    rows = list(csv.DictReader(io.StringIO(to_summary_tsv([up])), delimiter="\t"))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert (rows[0]["direction"], rows[0]["contrast"], rows[0]["cutoffs"]) == ("up", "treated", "adj. p < 0.05")
    assert rows[0]["top_pathway"] == "WP179 Cell cycle" and rows[0]["summary"] == one_line_summary(up)
