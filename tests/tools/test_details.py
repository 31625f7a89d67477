from __future__ import annotations

import pytest

from gene_r1.tools import gene_info, pathway_details
from gene_r1.tools.errors import ToolInputError, UnknownPathwayError
from gene_r1.tools.genes import SymbolMapping
from gene_r1.tools.pathways import PathwayRef


def test_pathway_details_give_name_source_description_hierarchy_and_genes(small_kb):
    details = pathway_details("R-HSA-5358508", kb=small_kb)

    assert (details.name, details.source, details.size) == ("Mismatch Repair", "reactome", 5)
    assert details.description.startswith("Correction of base mispairs")
    assert details.parents == (PathwayRef("R-HSA-73894", "DNA Repair"),)
    assert details.genes == ("EXO1", "MLH1", "MSH2", "MSH6", "PMS2")


def test_pathway_details_list_children(small_kb):
    assert pathway_details("R-HSA-1640170", kb=small_kb).children == (PathwayRef("R-HSA-69278", "Cell Cycle, Mitotic"),)


def test_pathway_ids_are_trimmed_and_case_insensitive(small_kb):
    assert pathway_details(" wp531 ", kb=small_kb).pathway_id == "WP531"


def test_gene_info_gives_name_groups_and_pathways_per_source(small_kb):
    info = gene_info("TP53", kb=small_kb)

    assert (info.symbol, info.name, info.groups, info.hgnc_id) == (
        "TP53", "tumor protein p53", ("Tumor suppressors",), "HGNC:11998")
    assert [r.pathway_id for r in info.pathways["reactome"]] == ["R-HSA-109581", "R-HSA-73894"]
    assert info.pathways["wikipathways"] == ()
    assert info.mapping is None and info.note == ""


def test_gene_info_maps_aliases_and_reports_the_mapping(small_kb):
    info = gene_info("p53", kb=small_kb)

    assert info.symbol == "TP53"
    assert info.mapping == SymbolMapping("p53", "TP53", "alias")


def test_gene_info_says_when_names_are_absent_and_when_no_pathway_holds_the_gene(small_kb):
    info = gene_info("NOPATH1", kb=small_kb)

    assert info.name == "" and info.groups == ()
    assert "no HGNC names" in info.note and "No Reactome or WikiPathways pathway contains NOPATH1" in info.note


@pytest.mark.parametrize(("lookup", "query", "error", "message"), [
    pytest.param(pathway_details, "R-HSA-5358509", UnknownPathwayError, "Did you mean R-HSA-5358508",
                 id="an_unknown_pathway_id_gets_suggestions"),
    pytest.param(pathway_details, "  ", ToolInputError, "Give a pathway id", id="an_empty_pathway_id"),
    pytest.param(gene_info, "NOTAGENE", ToolInputError, "'NOTAGENE' is not a known human gene symbol",
                 id="an_unknown_symbol"),
    pytest.param(gene_info, "AMB1", ToolInputError, "may stand for GENEA, GENEB",
                 id="an_ambiguous_symbol_names_the_candidates"),
])
def test_a_bad_query_is_a_clear_error(small_kb, lookup, query, error, message):
    with pytest.raises(error, match=message):
        lookup(query, kb=small_kb)


@pytest.mark.slow
def test_gene_info_on_the_real_kb_finds_pathways_in_both_sources(real_kb):
    info = gene_info("MLH1", kb=real_kb)

    assert "R-HSA-5358508" in {r.pathway_id for r in info.pathways["reactome"]}
    assert info.pathways["wikipathways"]
