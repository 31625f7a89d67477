"""The releases shipped in the package: the default KB, built offline and without configuration on first use."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from gene_r1.knowledge_base import embedded, paths
from gene_r1.knowledge_base.locate import locate_sources
from gene_r1.knowledge_base.store import KnowledgeBaseError


def test_the_embedded_releases_unpack_to_checked_files_with_their_releases(tmp_path):
    found = locate_sources(embedded.unpack(tmp_path / "source"))

    assert found["reactome_gmt"].path.name == "ReactomePathways_2024-09-18.gmt"
    assert found["reactome_gmt"].release == "2024-09-18"
    assert found["wikipathways_enrichr"].release == "2023"
    assert "embedded" in found["wikipathways_enrichr"].origin
    assert embedded.describe() == "Reactome 2024-09-18 + WikiPathways 2023"


def test_each_embedded_release_ships_with_its_licence():
    licences = {r.source: (r.licence, (embedded.DATA_DIR / f"LICENSE-{r.label.split()[0]}.txt").read_text())
                for r in embedded.embedded_releases()}

    assert licences["reactome"][0] == "CC BY 4.0" and "creativecommons.org/licenses/by/4.0" in licences["reactome"][1]
    assert licences["wikipathways"][0] == "CC0 1.0" and "publicdomain/zero/1.0" in licences["wikipathways"][1]


def test_a_damaged_embedded_file_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(embedded.DATA_DIR, data)
    manifest = json.loads((data / "manifest.json").read_text())
    manifest["releases"][0]["sha256"] = "0" * 64
    (data / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(KnowledgeBaseError, match="checksum; reinstall"):
        embedded.unpack(tmp_path / "source", data)


def test_the_shipped_vectors_are_unit_float16_rows_recorded_in_the_manifest():
    manifest = json.loads((embedded.DATA_DIR / "manifest.json").read_text())["embeddings"]
    with np.load(embedded.DATA_DIR / embedded.EMBEDDINGS_FILE) as data:
        assert data["vectors"].dtype == np.float16
        assert data["vectors"].shape == (manifest["documents"], 384)
        assert str(data["model"]) == manifest["model"]
    vectors = np.stack(list(embedded.precomputed_vectors().values()))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_shipped_name_vectors_are_float32_rows_one_per_distinct_name_recorded_in_the_manifest():
    manifest = json.loads((embedded.DATA_DIR / "manifest.json").read_text())["name_embeddings"]
    with np.load(embedded.DATA_DIR / embedded.NAME_EMBEDDINGS_FILE) as data:
        assert data["vectors"].dtype == np.float32
        assert data["vectors"].shape == (manifest["names"], 384)
        assert len({h.tobytes() for h in data["hashes"]}) == manifest["names"]
        assert str(data["model"]) == manifest["model"]


def test_the_shipped_name_vectors_are_what_the_installed_model_computes():
    from gene_r1.knowledge_base.documents import content_hash
    from gene_r1.knowledge_base.embedding import get_embedder

    names = ["Cell Cycle, Mitotic", "Mismatch Repair", "Aerobic Glycolysis"]
    embedder = get_embedder()
    shipped = embedded.precomputed_vectors()

    stored = np.stack([shipped[content_hash(name, embedder.model_id)] for name in names])

    np.testing.assert_allclose(stored, embedder.encode(names), atol=1e-5)


def test_a_build_without_a_source_uses_the_embedded_releases_and_no_network(tmp_path, monkeypatch):
    from gene_r1.knowledge_base import fetch
    from gene_r1.knowledge_base.build import build_knowledge_base

    monkeypatch.delenv(paths.SOURCE_DIR_ENV, raising=False)
    monkeypatch.setattr(fetch.requests, "request", lambda *a, **k: pytest.fail("the build touched the network"))

    report = build_knowledge_base(tmp_path, with_index=False, show_progress=False)

    assert report.pathways == {"reactome": 2694, "wikipathways": 801}
    assert report.source_dir == embedded.DATA_DIR
    releases = {r.source: r.release for r in report.releases}
    assert releases["reactome"] == "2024-09-18" and releases["wikipathways"] == "2023"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb"]
