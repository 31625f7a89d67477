"""Release-file readers: each layout, and malformed lines counted rather than fatal."""

from __future__ import annotations

from pathlib import Path

import pytest

from gene_r1.knowledge_base.sources import (
    parse_reactome_gmt,
    parse_reactome_names,
    parse_reactome_relations,
    parse_wikipathways_enrichr,
    parse_wikipathways_gmt,
)
from gene_r1.knowledge_base.store import KnowledgeBaseError


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reactome_gmt_gives_id_name_and_genes_in_file_order(tmp_path):
    gmt = write(tmp_path / "r.gmt", "Cell Cycle Checkpoints\tR-HSA-69620\tBUB1\tMAD2L1\tCDC20")

    parsed = parse_reactome_gmt(gmt)

    assert [(s.id, s.name, s.genes) for s in parsed.gene_sets] == [
        ("R-HSA-69620", "Cell Cycle Checkpoints", ("BUB1", "MAD2L1", "CDC20"))
    ]
    assert parsed.skipped == []


def test_reactome_gmt_keeps_non_human_members_as_given(tmp_path):
    gmt = write(tmp_path / "r.gmt", "2-LTR circle formation\tR-HSA-164843\tBANF1\tgag\tvif")

    assert parse_reactome_gmt(gmt).gene_sets[0].genes == ("BANF1", "gag", "vif")


def test_malformed_gmt_lines_are_skipped_with_their_line_number_and_reason(tmp_path):
    gmt = write(
        tmp_path / "r.gmt",
        "Good\tR-HSA-1\tA\tB",
        "Missing id\t\tA",
        "No genes\tR-HSA-2",
        "Wrong columns only",
        "No genes either\tR-HSA-3\t\t",
    )

    parsed = parse_reactome_gmt(gmt)

    assert [s.id for s in parsed.gene_sets] == ["R-HSA-1"]
    assert [s.line for s in parsed.skipped] == [2, 3, 4, 5]
    assert "id" in parsed.skipped[0].reason
    assert "no genes" in parsed.skipped[1].reason
    assert "column" in parsed.skipped[2].reason


def test_a_duplicate_pathway_id_is_skipped_not_merged(tmp_path):
    gmt = write(tmp_path / "r.gmt", "First\tR-HSA-1\tA", "Second\tR-HSA-1\tB")

    parsed = parse_reactome_gmt(gmt)

    assert [(s.name, s.genes) for s in parsed.gene_sets] == [("First", ("A",))]
    assert "duplicate" in parsed.skipped[0].reason


def test_a_file_where_no_line_parses_is_an_error_naming_the_first_problem(tmp_path):
    gmt = write(tmp_path / "r.gmt", "this is not a gmt file", "nor is this")

    with pytest.raises(KnowledgeBaseError, match=r"No valid Reactome gene set .*r\.gmt:1"):
        parse_reactome_gmt(gmt)


def test_an_empty_file_is_an_error(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="empty"):
        parse_reactome_gmt(write(tmp_path / "r.gmt", ""))


def test_a_missing_file_is_an_error_not_an_oserror(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="Cannot read"):
        parse_reactome_gmt(tmp_path / "absent.gmt")


def test_wikipathways_enrichr_layout_takes_the_id_from_the_last_word(tmp_path):
    txt = write(tmp_path / "wp.txt", "Glutathione Metabolism WP100\t\tGPX1\tIDH1\t", "No id here\t\tGPX1\t")

    parsed = parse_wikipathways_enrichr(txt)

    assert [(s.id, s.name, s.genes) for s in parsed.gene_sets] == [
        ("WP100", "Glutathione Metabolism", ("GPX1", "IDH1"))
    ]
    assert len(parsed.skipped) == 1


def test_official_wikipathways_gmt_maps_entrez_ids_to_symbols(tmp_path):
    gmt = write(
        tmp_path / "wikipathways-20240910-gmt-Homo_sapiens.gmt",
        "Cell cycle%WikiPathways_20240910%WP179%Homo sapiens\thttps://www.wikipathways.org/instance/WP179\t983\t891\t1",
        "Unmappable%WikiPathways_20240910%WP2%Homo sapiens\thttps://x\t424242",
    )

    parsed = parse_wikipathways_gmt(gmt, {"983": "CDK1", "891": "CCNB1"})

    assert [(s.id, s.name, s.genes) for s in parsed.gene_sets] == [("WP179", "Cell cycle", ("CDK1", "CCNB1"))]
    assert "Entrez" in parsed.skipped[0].reason


def test_reactome_names_keep_one_species(tmp_path):
    txt = write(tmp_path / "ReactomePathways.txt",
                "R-HSA-1\tCell Cycle\tHomo sapiens", "R-MMU-1\tCell Cycle\tMus musculus")

    assert parse_reactome_names(txt) == {"R-HSA-1": "Cell Cycle"}


def test_reactome_relations_keep_edges_between_known_pathways(tmp_path):
    txt = write(tmp_path / "rel.txt", "R-HSA-1\tR-HSA-2", "R-HSA-1\tR-HSA-3", "R-MMU-1\tR-MMU-2", "R-HSA-9\tR-HSA-2")

    assert parse_reactome_relations(txt, {"R-HSA-1", "R-HSA-2", "R-HSA-3"}) == {
        "R-HSA-2": ("R-HSA-1",),
        "R-HSA-3": ("R-HSA-1",),
    }
