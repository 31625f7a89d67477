"""The one HTML report (CLI --html, batch report.html, web report page), the Markdown and the summary TSV."""

import csv
import io
import random
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from gene_r1.agent.coherence_words import verdict_words
from gene_r1.agent.reasoning import quoted_numbers
from gene_r1.agent.render import (
    SUMMARY_COLUMNS,
    evidence_rows,
    markdown_verdict,
    one_line_summary,
    render_report,
    report_evidence,
    shown_unexplained,
    to_html,
    to_markdown,
    to_summary_tsv,
)
from gene_r1.tools.formatting import FDR_CONVENTION, count_text, fdr_text
from tests.agent.report_fixtures import (
    INJECTION,
    NOISE,
    cell_cycle_analysis,
    coherence,
    coherent_cell_cycle_analysis,
    evidence_row,
    mixed_analysis,
    random_analysis,
    theme,
)


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


# The verdict, the themes and the evidence they rest on (issue 16)


def test_the_verdict_block_comes_first_with_its_summary_both_numbers_in_words_and_its_reasons():
    result = mixed_analysis()
    html = to_html([result])
    verdict = html.index('<div class="verdict partly-coherent">')
    assert verdict < html.index("<h3>Name</h3>") < html.index("<h3>Evidence</h3>")
    assert "<dt>Confidence</dt>" not in html  # the verdict block gives the name's confidence
    block = html[verdict: html.index("<h3>Themes</h3>")]
    assert "Partly coherent: themes cover part of the set" in block
    assert result["coherence"]["summary"] in block and "2 themes cover 12 of 15 genes." in block
    assert "Coherence 0.58: the probability that these 15 genes share a specific function" in block
    assert "Name confidence 0.64: the probability that the headline name is right" in block


def test_markdown_and_html_list_each_theme_with_its_number_name_genes_pathways_and_name_confidence():
    result = mixed_analysis()
    markdown, html = to_markdown(result), to_html([result])
    for text in (markdown, html):
        assert "Theme 1: Interferon alpha/beta signaling (R-HSA-909733)" in text
        assert "Theme 2: Cholesterol biosynthesis (R-HSA-191273)" in text
        assert "HMGCR, HMGCS1, MVK, FDFT1, SQLE" in text and "name confidence 0.52" in text
        assert "R-HSA-191273 Cholesterol biosynthesis (FDR 2.2e-12)" in text
    assert "**Not explained by the evidence:** " + ", ".join(NOISE) in markdown


def test_a_set_with_no_coherent_function_says_so_and_marks_its_closest_themes_weak():
    result = random_analysis()
    html, markdown = to_html([result]), to_markdown(result)
    assert "No coherent function: the evidence shows no specific function these genes share" in html
    assert '<li class="weak">' in html and "weak: not a claim" in html
    assert "Theme 1: Metabolism (R-HSA-1430728) (weak)" in markdown
    assert "Name confidence: none, since no coherent function is claimed" in markdown


def test_reasons_that_explain_a_number_are_shown_as_that_numbers_explanation_not_twice():
    reasons = ["Strength: none of 1,000 random sets reached evidence this strong.",
               "Coherence 0.93: the probability, calibrated on development gene sets, that the set shares a function.",
               "Name confidence 0.71: the calibrated chance that the headline name matches the set's true function."]
    said = verdict_words(coherent_cell_cycle_analysis(coherence=coherence(reasons=reasons)))
    assert (said.coherence, said.name_confidence) == (reasons[1], reasons[2])
    assert said.reasons == (reasons[0],)


def test_a_result_made_before_the_verdict_existed_renders_without_one():
    old = cell_cycle_analysis()
    assert "coherence" not in old and "themes" not in old
    html, markdown = to_html([old, mixed_analysis()]), to_markdown(old)
    assert html.count('<div class="verdict') == 1 and "## Verdict" not in markdown and "## Themes" not in markdown
    assert cells(html, "summary", "verdict-label") == ["—", "partly coherent"]
    row = next(csv.DictReader(io.StringIO(to_summary_tsv([old])), delimiter="\t"))
    assert (row["verdict"], row["coherence"], row["name_confidence"], row["themes"]) == ("", "", "", "")


def test_the_evidence_table_carries_the_candidate_number_the_reasoning_cites():
    result = coherent_cell_cycle_analysis()
    html = to_html([result])
    numbered = dict(zip(cells(html, "enrichment", "id"), cells(html, "enrichment", "cite"), strict=True))
    assert (numbered["WP179"], numbered["R-HSA-68877"], numbered["R-HSA-69620"]) == ("[1]", "[2]", "[3]")
    assert numbered["R-HSA-68886"] == ""  # not a candidate: nothing to cite
    assert "| [2] | enrichment | [R-HSA-68877]" in to_markdown(result)


def test_the_chosen_pathway_and_each_themes_pathway_are_in_the_evidence_table_even_when_ranked_below_it():
    result = coherent_cell_cycle_analysis()
    assert "R-HSA-68877" not in {row["pathway_id"] for row in result["evidence"]}
    html = to_html([result])
    assert "R-HSA-68877" in cells(html, "enrichment", "id")
    assert "Mitotic Prometaphase (chosen, theme 1)" in cells(html, "enrichment", "pathway-name")
    mixed = {row["pathway_id"]: row for row in report_evidence(mixed_analysis())}
    assert mixed["R-HSA-191273"]["themes"] == [2] and mixed["R-HSA-909733"]["chosen"]


def test_every_fdr_shown_states_its_convention():
    result = mixed_analysis()
    assert FDR_CONVENTION == ("FDR: Benjamini–Hochberg over the pathways that share at least one gene with the set "
                              "(gseapy's convention)")
    html = to_html([result])
    assert html.count(str(escape(FDR_CONVENTION))) == 2  # under the enrichment table, and in the page's footer
    assert FDR_CONVENTION in to_markdown(result)


def smad3_analysis() -> dict:
    """SMAD3 in a ribosomal set: only pathways above the 500-gene cap contain it among the rows the report holds;
    the analysis (computed over more rows than it keeps) did not list it as unexplained."""
    genes = ["RPL3", "RPL4", "RPS6", "RPS3", "SMAD3"]
    ribosome = evidence_row("R-HSA-156827", "Formation of the ternary complex", 1e-9, genes[:4], size=60)
    infection = evidence_row("R-HSA-5663205", "Infectious disease", 5e-8, genes, size=1326)
    return cell_cycle_analysis(id="smad3", genes=genes, evidence=[ribosome, infection], verdicts=[],
                               unexplained_genes=[])


def test_a_gene_that_only_pathways_above_the_size_cap_contain_is_marked_unexplained_in_the_grid_and_the_list():
    from gene_r1.agent.web.charts import TOO_LARGE_COLOUR, UNEXPLAINED_COLOUR

    result = smad3_analysis()
    assert shown_unexplained(result) == ["SMAD3"]
    html = to_html([result])
    assert re.search(rf'fill="{UNEXPLAINED_COLOUR}">SMAD3</text>', html)
    assert cells(html, "evidence", "genes") and "SMAD3" in html.split("Not explained by the evidence</dt>")[1][:80]
    assert f'fill="{TOO_LARGE_COLOUR}"' in html and "1326 genes, too large to explain a gene" in html
    assert "1 unexplained" in one_line_summary(result)


def test_summary_tsv_has_the_verdict_both_numbers_and_the_theme_names():
    rows = list(csv.DictReader(io.StringIO(to_summary_tsv([mixed_analysis(), random_analysis()])), delimiter="\t"))
    assert (rows[0]["verdict"], rows[0]["coherence"], rows[0]["name_confidence"]) == ("partly coherent", "0.580",
                                                                                        "0.640")
    assert rows[0]["themes"] == "Interferon alpha/beta signaling | Cholesterol biosynthesis"
    assert (rows[1]["verdict"], rows[1]["themes"]) == ("no coherent function", "Metabolism")
    assert rows[0]["n_unexplained"] == "3"


def test_the_batch_report_has_a_verdict_column_and_the_themes_of_each_set():
    html = to_html([mixed_analysis(), random_analysis()], title="batch")
    assert cells(html, "summary", "verdict-label") == ["partly coherent", "no coherent function"]
    assert cells(html, "summary", "theme-names")[0] == "Interferon alpha/beta signaling | Cholesterol biosynthesis"


def test_counts_of_one_are_singular():
    one = cell_cycle_analysis(genes=["CDK1"], evidence=[], unexplained_genes=["CDK1"])
    text = one_line_summary(one) + to_markdown(random_analysis(themes=[theme(1, "M", "R-HSA-1", ["INS"], weak=True)]))
    assert one_line_summary(one).startswith("1 gene →")
    assert not re.search(r"\b1 (genes|pathways|themes|hits|names|sets)\b", text)
    assert (count_text(1, "gene"), count_text(0, "gene"), count_text(2, "search hit")) == ("1 gene", "0 genes",
                                                                                           "2 search hits")


def numbers_the_fields_hold(result: dict) -> set[str]:
    """Every number a verdict block may quote: the Coherence and Theme fields as the renderers format them, the
    numbers inside the code-rendered sentences (summary, reasons) and inside ids, names and genes."""
    c = result["coherence"]
    held = {f"{c['coherence']:.2f}", f"{c['name_confidence']:.2f}"}
    for value in (c["set_size"], c["covered_genes"], c["explained_genes"], c["null_draws"], c["null_reached"]):
        held |= {str(value), f"{value:,}"}
    text = " ".join([c["summary"], *c["reasons"]])
    for t in result["themes"]:
        held |= {str(t["number"]), str(len(t["genes"])), str(len(t["pathway_ids"])), fdr_text(t["best_fdr"]),
                 f"{t['name_confidence']:.2f}"}
        text += " " + " ".join([t["name"], t["pathway_id"], *t["genes"], *t["pathway_ids"]])
    for row in result["evidence"]:
        held.add(fdr_text(row["fdr"]))
        text += f" {row['pathway_id']} {row['name']}"
    return held | set(quoted_numbers(text)) | set(re.findall(r"\d+", text))


@pytest.mark.parametrize("seed", range(20))
def test_every_number_in_the_verdict_words_is_a_field(seed):
    rng = random.Random(seed)
    genes = [f"G{i}" for i in range(rng.randint(1, 300))]
    verdict = rng.choice(["coherent", "partly coherent", "no coherent function"])
    rows = [evidence_row(f"R-HSA-{rng.randint(1, 99999)}", f"Pathway {rng.randint(1, 500)}",
                         10 ** -rng.uniform(0, 30), rng.sample(genes, rng.randint(1, len(genes))),
                         size=rng.randint(5, 2000)) for _ in range(rng.randint(1, 6))]
    themes = [theme(n, row["name"], row["pathway_id"], row["overlap_genes"], best_fdr=row["fdr"],
                    pathway_ids=[row["pathway_id"]] + [f"WP{rng.randint(1, 9999)}" for _ in range(rng.randint(0, 30))],
                    name_confidence=rng.random(), weak=verdict == "no coherent function")
              for n, row in enumerate(rows[: rng.randint(0, 5)], start=1)]
    result = mixed_analysis(
        genes=genes, evidence=rows, themes=themes,
        coherence=coherence(verdict, value=rng.random(), name_confidence=rng.random(), set_size=len(genes),
                            covered=rng.randint(0, len(genes)), explained=rng.randint(0, len(genes)),
                            draws=rng.choice([200, 1000, 5000]), reached=rng.randint(0, 200)))
    said = "\n".join(markdown_verdict(result))
    assert set(quoted_numbers(said)) - numbers_the_fields_hold(result) == set()


def test_a_gene_a_theme_covers_is_not_marked_unexplained_though_no_row_shown_contains_it():
    result = mixed_analysis(unexplained_genes=["KRT1", "GFAP"])
    result["themes"][1]["genes"].append("TTN")  # covered by a theme pathway the report holds no row for
    assert shown_unexplained(result) == ["KRT1", "GFAP"]
    assert shown_unexplained(mixed_analysis(unexplained_genes=[])) == NOISE  # no theme and no row shown holds them


def test_a_themes_pathways_are_named_from_the_rows_the_result_holds_at_most_five_then_an_ellipsis():
    result = coherent_cell_cycle_analysis()
    result["themes"][0]["pathway_ids"] = ["WP179", "R-HSA-68877", "R-HSA-69620"] + [f"WP{i}" for i in range(16)]
    markdown = to_markdown(result)
    assert "8 genes, 19 pathways;" in markdown
    assert ("Pathways: R-HSA-68877 Mitotic Prometaphase (FDR 2.1e-06); WP179 Cell cycle (FDR 3.7e-11); "
            "R-HSA-69620 Cell Cycle Checkpoints (FDR 4.6e-07); …") in markdown
    assert "WP3;" not in markdown
