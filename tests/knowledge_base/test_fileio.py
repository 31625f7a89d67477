import json

import pytest

from gene_r1.knowledge_base.fileio import (
    append_jsonl,
    complete_lines,
    replacing,
    resume_jsonl,
    write_atomic,
    write_json_atomic,
)


def test_write_atomic_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_atomic(target, "new")
    write_json_atomic(tmp_path / "b.json", {"x": "é"})
    assert target.read_text() == "new"
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8")) == {"x": "é"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_resume_cuts_a_torn_last_line_so_the_next_append_starts_clean(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b", "na')
    assert complete_lines(path) == ['{"id": "a"}']  # a reader ignores the torn line and leaves it
    assert path.read_text().endswith('"na')
    assert resume_jsonl(path) == [{"id": "a"}]  # the writer cuts it off
    with path.open("a", encoding="utf-8") as handle:
        append_jsonl(handle, {"id": "c"})
    assert [r["id"] for r in resume_jsonl(path)] == ["a", "c"]
    assert resume_jsonl(tmp_path / "missing.jsonl") == []
