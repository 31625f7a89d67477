"""Reading experiment outputs as gene sets."""

from pathlib import Path

import pytest

from gene_r1.agent.batch.inputs import InputFileError, Thresholds, detect_format, read_gene_sets


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_gmt_sets_keep_their_names_and_descriptions(tmp_path):
    path = write(tmp_path, "sets.gmt", "mitosis\tcell cycle\tCDK1\tCCNB1\tPLK1\nrepair\t\tMLH1\tMSH2\n")
    sets = read_gene_sets(path)
    assert [(s.id, s.genes) for s in sets] == [("mitosis", ("CDK1", "CCNB1", "PLK1")), ("repair", ("MLH1", "MSH2"))]
    assert sets[0].description == "cell cycle"


def test_a_gmt_line_without_genes_names_its_line(tmp_path):
    path = write(tmp_path, "bad.gmt", "ok\t\tA1BG\nbroken line without tabs\n")
    with pytest.raises(InputFileError, match="line 2"):
        read_gene_sets(path)


def test_repeated_set_ids_get_numbered(tmp_path):
    path = write(tmp_path, "dup.gmt", "s\t\tCDK1\ns\t\tMLH1\n")
    assert [s.id for s in read_gene_sets(path)] == ["s", "s#2"]


def test_de_table_gives_up_and_down_sets_per_contrast(tmp_path):
    path = write(
        tmp_path,
        "de.csv",
        "gene,log2FoldChange,padj,contrast\n"
        "CDK1,2.5,0.001,treated\nPLK1,1.2,0.01,treated\nMLH1,-3,0.001,treated\n"
        "TP53,0.2,0.001,treated\nMSH2,-2,0.2,treated\nEGFR,1.5,0.01,other\n",
    )
    sets = {s.id: s.genes for s in read_gene_sets(path)}
    assert sets == {"other:up": ("EGFR",), "treated:up": ("CDK1", "PLK1"), "treated:down": ("MLH1",)}


def test_de_thresholds_are_the_users(tmp_path):
    path = write(tmp_path, "de.tsv", "gene\tlogFC\tFDR\nCDK1\t0.6\t0.01\nPLK1\t2\t0.01\n")
    strict = read_gene_sets(path, thresholds=Thresholds(log2fc=1.0))
    loose = read_gene_sets(path, thresholds=Thresholds(log2fc=0.5))
    assert strict[0].genes == ("PLK1",) and loose[0].genes == ("CDK1", "PLK1")


def test_a_non_numeric_fold_change_is_reported_with_its_row(tmp_path):
    path = write(tmp_path, "de.csv", "gene,log2FoldChange,padj\nCDK1,abc,0.01\n")
    with pytest.raises(InputFileError, match="row 2"):
        read_gene_sets(path)


def test_scanpy_marker_export_gives_top_n_per_group(tmp_path):
    rows = ["group,names,scores,logfoldchanges,pvals_adj"]
    rows += [f"0,G{i},{10 - i},1,0.001" for i in range(5)] + ["1,CD3E,5,2,0.001", "1,CD8A,4,2,0.5"]
    path = write(tmp_path, "markers.csv", "\n".join(rows) + "\n")
    sets = {s.id: s.genes for s in read_gene_sets(path, thresholds=Thresholds(top_n=3))}
    assert sets == {"cluster 0": ("G0", "G1", "G2"), "cluster 1": ("CD3E",)}


def test_gene_set_tables_like_nest_are_read(tmp_path):
    path = write(tmp_path, "nest.tsv", 'NEST ID\tname_new\tGenes\nNEST:1\tMMR\t"MLH1,MSH2,MSH6"\n')
    (only,) = read_gene_sets(path)
    assert (only.id, only.genes, only.description) == ("NEST:1", ("MLH1", "MSH2", "MSH6"), "MMR")


def test_unrecognisable_columns_say_what_was_expected(tmp_path):
    path = write(tmp_path, "x.csv", "foo,bar\n1,2\n")
    with pytest.raises(InputFileError, match="Cannot tell"):
        detect_format(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError, match="No such file"):
        read_gene_sets(tmp_path / "nope.gmt")


def test_benchmark_files_are_accepted_as_they_are(shared_data):
    nest = read_gene_sets(shared_data / "benchmarks" / "nest_geneagent.tsv")
    msigdb = read_gene_sets(shared_data / "benchmarks" / "msigdb_geneagent.csv")
    assert len(nest) == 50 and len(msigdb) == 56
    assert all(s.genes for s in nest + msigdb)
