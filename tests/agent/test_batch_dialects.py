"""DE and marker tables as spreadsheets, R and pandas write them: read, or refused with the problem and the fix.

Each fixture is written byte for byte as the tool writes it (BOM, CRLF, quoting, row names, decimal style).
"""

from pathlib import Path

import pytest

from gene_r1.agent.batch.inputs import InputFileError, read_gene_sets

# The same small DESeq2-like result in every dialect: CDK1 and PLK1 up, MLH1 down, TP53 not significant.
EXPECTED = {"de:up": ("CDK1", "PLK1"), "de:down": ("MLH1",)}


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def sets_of(path: Path) -> dict[str, tuple[str, ...]]:
    return {s.id: s.genes for s in read_gene_sets(path)}


# dialect -> (file name, bytes exactly as that tool writes them); every one must read as EXPECTED
DIALECTS = {
    "excel_european_csv_with_bom_crlf_semicolons_and_decimal_commas": (
        "de.csv",
        b"\xef\xbb\xbf"
        + b"gene;log2FoldChange;padj\r\nCDK1;2,5;0,001\r\nPLK1;1,2;1,5E-03\r\nMLH1;-3;0,01\r\nTP53;0,1;0,9\r\n",
    ),
    "excel_sep_hint_line_is_honoured": (
        "de.csv",
        b"sep=;\r\ngene;log2FoldChange;padj\r\nCDK1;2,5;0,001\r\nPLK1;1,2;0,002\r\nMLH1;-3;0,01\r\n",
    ),
    "excel_unicode_text_utf16_tab_separated": (
        "de.txt",
        "gene\tlog2FoldChange\tpadj\r\nCDK1\t2.5\t0.001\r\nPLK1\t1.2\t0.002\r\nMLH1\t-3\t0.01\r\n".encode("utf-16"),
    ),
    "deseq2_write_csv_with_genes_as_row_names": (
        "de.csv",
        (
            b'"","baseMean","log2FoldChange","lfcSE","stat","pvalue","padj"\n'
            b'"CDK1",100.5,2.5,0.3,8.1,1e-10,0.001\n"PLK1",80,1.2,0.3,4,1e-5,0.002\n'
            b'"MLH1",50,-3,0.4,-7,1e-8,0.01\n"TP53",40,0.1,0.2,0.5,0.6,NA\n'
        ),
    ),
    "r_write_table_tab_quoted_with_headerless_row_names": (
        "de.tsv",
        b'"log2FoldChange"\t"padj"\n"CDK1"\t2.5\t0.001\n"PLK1"\t1.2\t0.002\n"MLH1"\t-3\t0.01\n"TP53"\tNA\tNA\n',
    ),
    "pandas_to_csv_index_column_is_dropped_when_a_gene_column_exists": (
        "de.csv",
        b",gene,log2FoldChange,padj\n0,CDK1,2.5,0.001\n1,PLK1,1.2,0.002\n2,MLH1,-3.0,0.01\n3,TP53,,\n",
    ),
    "pandas_to_csv_with_genes_as_the_index": (
        "de.csv",
        b",log2FoldChange,padj\nCDK1,2.5,0.001\nPLK1,1.2,0.002\nMLH1,-3.0,0.01\n",
    ),
    "windows_1252_file": (
        "de.csv",
        "gene,log2FoldChange,padj,note\nCDK1,2.5,0.001,caf\xe9\nPLK1,1.2,0.002,\nMLH1,-3,0.01,\n".encode("cp1252"),
    ),
}


@pytest.mark.parametrize(("name", "data"), DIALECTS.values(), ids=DIALECTS.keys())
def test_the_same_de_table_in_each_dialect_is_read(tmp_path, name, data):
    assert sets_of(write_bytes(tmp_path, name, data)) == EXPECTED


def test_plain_tsv_marker_table_is_read(tmp_path):
    text = "group\tnames\tscores\tpvals_adj\n0\tCD3E\t9.1\t1e-9\n0\tCD8A\t7.2\t1e-6\n1\tMS4A1\t8\t1e-8\n"
    assert sets_of(write_bytes(tmp_path, "markers.tsv", text.encode())) == {
        "cluster 0": ("CD3E", "CD8A"),
        "cluster 1": ("MS4A1",),
    }


def test_decimal_comma_in_a_comma_separated_file_is_refused_with_the_fix(tmp_path):
    text = 'gene,log2FoldChange,padj\nCDK1,"2,5","0,001"\nPLK1,"1,2","0,002"\n'
    with pytest.raises(InputFileError, match=r"column 'log2FoldChange' holds text like '2,5' — a decimal comma\?"):
        read_gene_sets(write_bytes(tmp_path, "de.csv", text.encode()))
    with pytest.raises(InputFileError, match="'.' as the decimal separator"):
        read_gene_sets(write_bytes(tmp_path, "de.csv", text.encode()))


def test_mixed_decimal_styles_are_refused(tmp_path):
    text = "gene\tlog2FoldChange\tpadj\nCDK1\t2,5\t0.001\nPLK1\t1.2\t0.002\n"
    with pytest.raises(InputFileError, match="mixes two decimal styles"):
        read_gene_sets(write_bytes(tmp_path, "de.tsv", text.encode()))


def test_de_sets_carry_direction_contrast_and_cutoffs(tmp_path):
    text = "gene,log2FoldChange,padj,contrast\nCDK1,2.5,0.001,treated\nMLH1,-3,0.01,treated\n"
    up, down = read_gene_sets(write_bytes(tmp_path, "de.csv", text.encode()))
    assert (up.direction, up.contrast, down.direction) == ("up", "treated", "down")
    assert "adj. p < 0.05" in up.cutoffs and "|log2FC| >= 1.0" in up.cutoffs
    assert up.record_fields()["cutoffs"] == up.cutoffs


def test_marker_sets_carry_their_group_and_cutoffs(tmp_path):
    text = "group,names,scores,pvals_adj\n0,CD3E,9.1,1e-9\n"
    (only,) = read_gene_sets(write_bytes(tmp_path, "m.csv", text.encode()))
    assert (only.direction, only.contrast) == ("markers", "group 0 vs the rest")
    assert "top 50 by scores" in only.cutoffs
