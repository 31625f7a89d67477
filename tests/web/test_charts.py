"""The report's pictures: a bar chart of -log10 FDR and a gene x pathway grid, as well-formed, escaped SVG."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from gene_r1.agent.web.charts import fdr_bar_chart, membership_grid

SVG = "{http://www.w3.org/2000/svg}"
INJECTION = "<img src=x onerror=alert(1)>"


def row(pathway_id, name, fdr, genes, source="reactome", size=50):
    return {
        "pathway_id": pathway_id,
        "source": source,
        "name": name,
        "overlap_genes": genes,
        "pathway_size": size,
        "p_value": fdr,
        "fdr": fdr,
        "odds_ratio": 3.0,
        "kind": "enrichment",
    }


def analysis(genes, evidence, verdicts=(), unexplained=()):
    return {
        "genes": list(genes),
        "evidence": list(evidence),
        "verdicts": list(verdicts),
        "unexplained_genes": list(unexplained),
    }


def bars(svg: str) -> list[ET.Element]:
    return ET.fromstring(svg).findall(f"{SVG}g/{SVG}rect")


def test_bars_are_ordered_by_fdr_and_as_long_as_their_minus_log10_fdr():
    evidence = [
        row("R-HSA-2", "Mitotic spindle checkpoint", 1e-3, ["BUB1"]),
        row("R-HSA-1", "Cell Cycle", 1e-9, ["CDK1", "CCNB1"]),
        row("WP1", "DNA replication", 1e-5, ["MCM2"], source="wikipathways"),
    ]
    found = bars(fdr_bar_chart(evidence))
    widths = [float(bar.get("width")) for bar in found]
    assert widths == sorted(widths, reverse=True)
    assert math.isclose(widths[0] / widths[2], 9 / 3, rel_tol=1e-3)
    assert found[1].get("fill") != found[0].get("fill")  # WikiPathways coloured apart from Reactome


def test_the_chart_shows_each_pathway_once_and_skips_untested_search_hits():
    evidence = [row("R-HSA-1", "Cell Cycle", 1e-9, ["CDK1"]), row("R-HSA-1", "Cell Cycle", 1e-9, ["CDK1"])]
    evidence.append(row("R-HSA-9", "Found by search", None, ["CDK1"]) | {"kind": "search"})
    assert len(bars(fdr_bar_chart(evidence))) == 1


def test_no_tested_evidence_gives_a_sentence_instead_of_an_empty_chart():
    assert "No enrichment evidence" in fdr_bar_chart([])


def test_pathway_names_are_escaped_in_the_chart():
    svg = fdr_bar_chart([row("R-HSA-1", INJECTION, 1e-4, ["CDK1"])])
    assert "<img" not in svg
    texts = "".join(ET.fromstring(svg).itertext())
    assert INJECTION in texts


def test_the_grid_marks_which_genes_each_pathway_and_claim_rest_on_and_which_are_unexplained():
    result = analysis(
        ["CDK1", "CCNB1", "GAPDH"],
        [row("R-HSA-1", "Cell Cycle", 1e-9, ["CDK1", "CCNB1"])],
        verdicts=[{"claim": "cell cycle", "verdict": "supported", "supporting_genes": ["CDK1"]}],
        unexplained=["GAPDH"],
    )
    root = ET.fromstring(membership_grid(result))
    cells = {cell.find(f"{SVG}title").text: cell.get("fill") for cell in root.iter(f"{SVG}rect")}
    empty = "#f3f3f3"
    assert cells["CCNB1 · R-HSA-1 Cell Cycle (FDR 1e-09): yes"] != empty
    assert cells["GAPDH · R-HSA-1 Cell Cycle (FDR 1e-09): no"] == empty
    assert cells["CDK1 · supported: cell cycle: yes"] != empty
    assert cells["CCNB1 · supported: cell cycle: no"] == empty
    assert cells["GAPDH · Not explained by the top evidence: yes"] != empty
    assert cells["CDK1 · Not explained by the top evidence: no"] == empty


def test_genes_resting_on_more_evidence_come_first_in_the_grid():
    result = analysis(
        ["GAPDH", "CCNB1", "CDK1"],
        [row("R-HSA-1", "Cell Cycle", 1e-9, ["CDK1", "CCNB1"]), row("R-HSA-2", "Mitosis", 1e-6, ["CDK1"])],
        unexplained=["GAPDH"],
    )
    root = ET.fromstring(membership_grid(result))
    labels = [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels == ["CDK1", "CCNB1", "GAPDH"]


def test_a_large_set_is_cut_to_the_first_genes_and_says_so():
    genes = [f"G{i}" for i in range(120)]
    svg = membership_grid(analysis(genes, []), max_genes=80)
    assert "showing 80 of 120 genes" in svg


def test_claims_in_the_grid_are_escaped():
    result = analysis(["CDK1"], [], verdicts=[{"claim": INJECTION, "verdict": "not supported", "supporting_genes": []}])
    svg = membership_grid(result)
    assert "<img" not in svg
    ET.fromstring(svg)  # still well-formed
