"""GO gene sets: a BP term holds its own genes and all its descendants'; MF/CC come with full sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from gene_r1.knowledge_base.go import go_parents, load_go, load_reserved_ids
from gene_r1.knowledge_base.store import KnowledgeBaseError

ROOT, MITOSIS, CHECKPOINT, SPINDLE, EMPTY = "GO:0000001", "GO:0000002", "GO:0000003", "GO:0000004", "GO:0000005"


@pytest.fixture
def go_dir(tmp_path: Path) -> Path:
    """A diamond: ROOT -> MITOSIS -> SPINDLE and ROOT -> CHECKPOINT -> SPINDLE; EMPTY has no genes."""
    (tmp_path / "BP_goID_2_name.tab").write_text(
        "\t0\n"
        f"{ROOT}\tcell cycle\n{MITOSIS}\tmitotic cell cycle\n{CHECKPOINT}\tcell cycle checkpoint signaling\n"
        f"{SPINDLE}\tspindle assembly checkpoint signaling\n{EMPTY}\tnothing annotated\n"
        "GO:0000010\ta molecular function\n"
    )
    (tmp_path / "BP_collapsed_go.symbol").write_text(
        f"{ROOT}\t{MITOSIS}\tdefault\n{ROOT}\t{CHECKPOINT}\tdefault\n"
        f"{MITOSIS}\t{SPINDLE}\tdefault\n{CHECKPOINT}\t{SPINDLE}\tdefault\n"
        f"{ROOT}\tCCND1\tgene\n{MITOSIS}\tCDK1\tgene\n{CHECKPOINT}\tTP53\tgene\n"
        f"{SPINDLE}\tBUB1\tgene\n{SPINDLE}\tMAD2L1\tgene\n"
    )
    (tmp_path / "BP_go.tab").write_text(
        f"{ROOT}\t{MITOSIS}\tis_a\tbiological_process\n{ROOT}\t{CHECKPOINT}\tpart_of\tbiological_process\n"
        f"{MITOSIS}\t{SPINDLE}\tis_a\tbiological_process\n{CHECKPOINT}\t{SPINDLE}\tis_a\tbiological_process\n"
    )
    (tmp_path / "MF_go_terms.csv").write_text(
        ",GO,Genes,Gene_Count,Term_Description\n0,GO:0000010,UBB UBC,2,a molecular function\n"
    )
    (tmp_path / "CC_go_terms.csv").write_text(
        ",GO,Genes,Gene_Count,Term_Description\n0,GO:0000020,BRCA1 BARD1,2,BRCA1-A complex\n"
    )
    return tmp_path


def test_a_bp_term_holds_its_own_genes_and_all_descendants(go_dir):
    terms = load_go(go_dir, ["BP"])

    assert terms[SPINDLE].genes == {"BUB1", "MAD2L1"}
    assert terms[MITOSIS].genes == {"CDK1", "BUB1", "MAD2L1"}
    assert terms[ROOT].genes == {"CCND1", "CDK1", "TP53", "BUB1", "MAD2L1"}
    assert (terms[ROOT].name, terms[ROOT].namespace) == ("cell cycle", "BP")


def test_terms_without_genes_and_the_header_row_are_left_out(go_dir):
    terms = load_go(go_dir, ["BP"])

    assert EMPTY not in terms
    assert "" not in terms and "0" not in terms


def test_mf_and_cc_terms_come_from_their_csv(go_dir):
    terms = load_go(go_dir)

    assert terms["GO:0000010"].genes == {"UBB", "UBC"}
    assert (terms["GO:0000020"].name, terms["GO:0000020"].namespace) == ("BRCA1-A complex", "CC")


def test_the_bp_dag_maps_children_to_all_their_parents(go_dir):
    assert go_parents(go_dir)[SPINDLE] == {MITOSIS, CHECKPOINT}


def test_an_unknown_namespace_or_a_missing_file_is_a_clear_error(go_dir, tmp_path):
    with pytest.raises(KnowledgeBaseError, match="namespace"):
        load_go(go_dir, ["XX"])
    (go_dir / "CC_go_terms.csv").unlink()
    with pytest.raises(KnowledgeBaseError, match="Missing GO file"):
        load_go(go_dir, ["CC"])


def test_reserved_ids_are_read_and_validated(tmp_path):
    good = tmp_path / "reserved.txt"
    good.write_text("GO:0098708\nGO:0006020\n\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("GO:0098708\nR-HSA-1\n")

    assert load_reserved_ids(good) == {"GO:0098708", "GO:0006020"}
    with pytest.raises(KnowledgeBaseError, match="R-HSA-1"):
        load_reserved_ids(bad)


def test_the_mirror_loads_with_propagated_bp_sets(shared_data):
    go = shared_data / "go"
    terms = load_go(go)
    parents = go_parents(go)
    reserved = load_reserved_ids(shared_data / "benchmarks" / "reserved_go_ids.txt")

    namespaces = {ns: sum(t.namespace == ns for t in terms.values()) for ns in ("BP", "MF", "CC")}
    assert namespaces["BP"] > 10_000 and namespaces["MF"] > 3_000 and namespaces["CC"] > 1_500
    assert len(reserved) == 1000 and reserved <= set(terms)
    # A parent's set contains each child's set (propagation), checked on the DAG's edges.
    checked = [(c, p) for c, ps in parents.items() for p in ps if c in terms and p in terms]
    assert checked
    contained = sum(terms[c].genes <= terms[p].genes for c, p in checked)
    assert contained / len(checked) > 0.98  # BP_go.tab has a few edges the collapsed file lacks
