from __future__ import annotations

import json

import pytest

from gene_r1.tools import langchain_tools


@pytest.fixture
def tools_by_name(small_indexed_kb):
    return {tool.name: tool for tool in langchain_tools(small_indexed_kb)}


def invoke(tools_by_name, name, args) -> dict:
    output = tools_by_name[name].invoke(args)
    json.dumps(output)  # JSON-serialisable, as a tool message needs
    return output


def test_every_tool_has_a_description_and_an_argument_schema(tools_by_name):
    assert set(tools_by_name) == {"normalise_genes", "enrich", "search_pathways", "pathway_details",
                                  "reactome_pathways", "wikipathways_pathways", "gene_info"}
    for tool in tools_by_name.values():
        assert tool.description
        assert tool.args  # from the pydantic schema


def test_normalise_genes_tool_reports_mappings(tools_by_name):
    out = invoke(tools_by_name, "normalise_genes", {"genes": ["cdk1", "SEPT7", "NOTAGENE"]})

    assert out["genes"] == ["CDK1", "SEPTIN7"]
    assert out["unknown"] == ["NOTAGENE"]
    assert {"input": "SEPT7", "symbol": "SEPTIN7", "kind": "previous"} in out["mapped"]
    assert out["notes"]


def test_enrich_tool_returns_hits_with_statistics(tools_by_name):
    out = invoke(tools_by_name, "enrich", {"genes": ["MLH1", "MSH2", "MSH6", "PMS2"], "max_results": 3})

    assert len(out["hits"]) == 3
    assert out["hits"][0]["pathway_id"] in {"R-HSA-5358508", "WP531"}
    assert set(out["hits"][0]) >= {"name", "source", "overlap_genes", "p_value", "fdr", "odds_ratio"}
    assert out["tested_genes"] == ["MLH1", "MSH2", "MSH6", "PMS2"]


def test_search_tool_returns_hits(tools_by_name):
    out = invoke(tools_by_name, "search_pathways", {"text": "programmed cell death", "k": 2})

    assert out["hits"][0]["pathway_id"] == "R-HSA-109581"


def test_pathway_details_tool(tools_by_name):
    out = invoke(tools_by_name, "pathway_details", {"pathway_id": "R-HSA-5358508"})

    assert out["parents"] == [{"pathway_id": "R-HSA-73894", "name": "DNA Repair"}]


def test_source_lookup_tools_default_to_local(tools_by_name):
    reactome = invoke(tools_by_name, "reactome_pathways", {"genes": ["MLH1", "MSH2"]})
    wikipathways = invoke(tools_by_name, "wikipathways_pathways", {"genes": ["MLH1", "MSH2"]})

    assert reactome["origin"] == wikipathways["origin"] == "local"
    assert wikipathways["pathways"][0]["pathway_id"] == "WP531"


def test_gene_info_tool(tools_by_name):
    assert invoke(tools_by_name, "gene_info", {"symbol": "p53"})["symbol"] == "TP53"


@pytest.mark.parametrize(("name", "args", "message"), [
    ("enrich", {"genes": []}, "empty"),
    ("search_pathways", {"text": " "}, "empty"),
    ("pathway_details", {"pathway_id": "WP000"}, "No pathway"),
    ("gene_info", {"symbol": "NOTAGENE"}, "not a known human gene symbol"),
])
def test_bad_input_comes_back_as_an_error_message_not_an_exception(tools_by_name, name, args, message):
    out = invoke(tools_by_name, name, args)

    assert message in out["error"]
