from __future__ import annotations

import pytest

from gene_r1.tools.genes import MAX_GENES, GeneInputError, SymbolMapping, normalise_genes


def test_case_whitespace_and_quotes_are_normalised_and_case_changes_reported(small_kb):
    result = normalise_genes([" cdk1", '"CCNB1"', "Plk1\t", "'AURKA',"], kb=small_kb)

    assert result.genes == ("CDK1", "CCNB1", "PLK1", "AURKA")
    assert SymbolMapping("cdk1", "CDK1", "case") in result.mapped
    assert SymbolMapping("Plk1", "PLK1", "case") in result.mapped
    assert not result.unknown and not result.ambiguous


def test_approved_symbols_with_lowercase_letters_match_case_insensitively(small_kb):
    result = normalise_genes(["C10ORF90", "c10orf90"], kb=small_kb)

    assert result.genes == ("C10orf90",)
    assert result.duplicates == ("c10orf90",)


def test_previous_symbols_aliases_and_ensembl_ids_are_mapped_and_reported(small_kb):
    result = normalise_genes(["SEPT7", "p53", "ENSG00000141510.17"], kb=small_kb)

    assert result.genes == ("SEPTIN7", "TP53")
    assert result.mapped == (
        SymbolMapping("SEPT7", "SEPTIN7", "previous"),
        SymbolMapping("p53", "TP53", "alias"),
    )
    assert result.duplicates == ("ENSG00000141510.17",)  # TP53 again


def test_ensembl_gene_id_maps_to_its_symbol(small_kb):
    result = normalise_genes(["ENSG00000141510"], kb=small_kb)

    assert result.genes == ("TP53",)
    assert result.mapped == (SymbolMapping("ENSG00000141510", "TP53", "ensembl"),)


def test_ambiguous_alias_is_reported_with_its_candidates_not_guessed(small_kb):
    result = normalise_genes(["AMB1", "CDK1"], kb=small_kb)

    assert result.genes == ("CDK1",)
    assert result.ambiguous == (("AMB1", ("GENEA", "GENEB")),)
    assert "AMB1 is ambiguous (could be GENEA, GENEB): left out" in result.notes()


def test_previous_symbol_outranks_an_alias_of_another_gene(small_kb):
    result = normalise_genes(["OLD1"], kb=small_kb)

    assert result.mapped == (SymbolMapping("OLD1", "GENEA", "previous"),)


def test_an_approved_symbol_is_never_read_as_another_genes_alias(small_kb):
    assert normalise_genes(["CDK1"], kb=small_kb).genes == ("CDK1",)


def test_unknown_symbols_are_reported_not_dropped(small_kb):
    result = normalise_genes(["CDK1", "NOTAGENE", "XYZ9"], kb=small_kb)

    assert result.genes == ("CDK1",)
    assert result.unknown == ("NOTAGENE", "XYZ9")
    assert any("NOTAGENE" in note for note in result.notes())


def test_duplicates_keep_the_first_occurrence_and_are_reported(small_kb):
    result = normalise_genes(["TP53", "CDK1", "tp53", "P53", "FOO", "foo"], kb=small_kb)

    assert result.genes == ("TP53", "CDK1")
    assert result.duplicates == ("tp53", "P53", "foo")
    assert result.unknown == ("FOO",)


def test_input_order_is_kept(small_kb):
    assert normalise_genes(["PLK1", "CDK1", "AURKA"], kb=small_kb).genes == ("PLK1", "CDK1", "AURKA")


@pytest.mark.parametrize("empty", [[], ["", "  ", "\t"]])
def test_an_empty_gene_list_is_a_clear_error(small_kb, empty):
    with pytest.raises(GeneInputError, match="empty"):
        normalise_genes(empty, kb=small_kb)


def test_a_single_string_instead_of_a_list_is_a_clear_error(small_kb):
    with pytest.raises(GeneInputError, match="list of symbols"):
        normalise_genes("CDK1 CCNB1", kb=small_kb)


def test_non_text_entries_are_a_clear_error(small_kb):
    with pytest.raises(GeneInputError, match="must be text"):
        normalise_genes(["CDK1", 42, None], kb=small_kb)


def test_more_genes_than_the_cap_is_a_clear_error(small_kb):
    with pytest.raises(GeneInputError, match=f"{MAX_GENES:,}"):
        normalise_genes(["CDK1"] * (MAX_GENES + 1), kb=small_kb)


def test_gene_input_error_is_a_value_error():
    assert issubclass(GeneInputError, ValueError)


@pytest.mark.slow
def test_real_symbol_tables_map_renamed_genes(real_kb):
    result = normalise_genes(["SEPT7", "MARCH1", "AARS", "C11orf67", "ENSG00000141510", "cdk1"], kb=real_kb)

    assert result.genes == ("SEPTIN7", "MARCHF1", "AARS1", "AAMDC", "TP53", "CDK1")
    assert {m.kind for m in result.mapped} == {"previous", "ensembl", "case"}
    assert not result.unknown


@pytest.mark.slow
def test_real_kb_normalises_five_thousand_genes(real_kb):
    symbols = sorted(real_kb.enrichment_index.genes)[:5000]

    result = normalise_genes([s.lower() for s in symbols], kb=real_kb)

    assert len(result.genes) + len(result.ambiguous) + len(result.unknown) + len(result.duplicates) == 5000
    assert len(result.genes) > 4900
