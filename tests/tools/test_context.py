from __future__ import annotations

import os

import pytest

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.store import KnowledgeBaseError
from gene_r1.tools import enrich, normalise_genes
from gene_r1.tools.context import open_knowledge_base
from tests.tools.conftest import make_home


def test_the_knowledge_base_is_opened_once_per_data_home(small_home):
    assert open_knowledge_base(small_home) is open_knowledge_base(small_home)


def test_tools_default_to_the_knowledge_base_of_gene_r1_home(isolated_home):
    make_home(isolated_home)

    assert normalise_genes(["cdk1"]).genes == ("CDK1",)
    assert enrich(["MLH1", "MSH2"])[0].source in {"reactome", "wikipathways"}


def test_a_rebuilt_store_is_reopened(small_home):
    first = open_knowledge_base(small_home)
    make_home(small_home)
    os.utime(paths.store_path(small_home), ns=(1, 1))  # a different file, whatever the clock resolution

    assert open_knowledge_base(small_home) is not first


def test_a_missing_knowledge_base_says_how_to_build_it(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="gene-r1 kb build"):
        open_knowledge_base(tmp_path / "empty-home")


def test_derived_indexes_are_built_once(small_kb):
    assert small_kb.enrichment_index is small_kb.enrichment_index
    assert small_kb.symbols is small_kb.symbols
