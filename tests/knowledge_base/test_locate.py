"""Finding release files in a source directory, with the release each one records."""

from __future__ import annotations

import json

import pytest

from gene_r1.knowledge_base.locate import locate_sources, release_from_name
from gene_r1.knowledge_base.store import KnowledgeBaseError


@pytest.mark.parametrize(
    ("name", "release"),
    [
        ("ReactomePathways_2024-09-18.gmt", "2024-09-18"),
        ("WikiPathway_2023_Human.txt", "2023"),
        ("wikipathways-20240910-gmt-Homo_sapiens.gmt", "2024-09-10"),
        ("ReactomePathways_v94.gmt", "v94"),
        ("ReactomePathways.gmt", None),
    ],
)
def test_release_is_read_from_the_file_name(name, release):
    assert release_from_name(name) == release


def test_the_mirror_layout_is_found_in_subdirectories(shared_data):
    found = locate_sources(shared_data)

    assert found["reactome_gmt"].path.name == "ReactomePathways_2024-09-18.gmt"
    assert found["reactome_gmt"].release == "2024-09-18"
    assert found["wikipathways_enrichr"].release == "2023"
    assert found["reactome_gmt"].origin == str(found["reactome_gmt"].path.resolve())
    assert len(found["reactome_gmt"].sha256) == 64


def test_the_newest_release_wins_when_several_are_present(tmp_path):
    for name in ("ReactomePathways_2023-01-01.gmt", "ReactomePathways_2024-09-18.gmt"):
        (tmp_path / name).write_text("x\tR-HSA-1\tA\n")

    assert locate_sources(tmp_path)["reactome_gmt"].release == "2024-09-18"


def test_official_names_are_found_and_the_relation_file_is_not_taken_for_the_names_file(tmp_path):
    for name in ("ReactomePathways.gmt", "ReactomePathways.txt", "ReactomePathwaysRelation.txt"):
        (tmp_path / name).write_text("")

    found = locate_sources(tmp_path)

    assert found["reactome_names"].path.name == "ReactomePathways.txt"
    assert found["reactome_relations"].path.name == "ReactomePathwaysRelation.txt"


def test_a_download_manifest_supplies_release_and_origin(tmp_path):
    (tmp_path / "ReactomePathways.gmt").write_text("")
    (tmp_path / "RELEASES.json").write_text(json.dumps(
        {"ReactomePathways.gmt": {"release": "v94", "origin": "https://reactome.org/x.zip", "retrieved_at": "t"}}
    ))

    located = locate_sources(tmp_path)["reactome_gmt"]

    assert (located.release, located.origin, located.retrieved_at) == ("v94", "https://reactome.org/x.zip", "t")


def test_a_corrupt_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "ReactomePathways.gmt").write_text("")
    (tmp_path / "RELEASES.json").write_text("{not json")

    with pytest.raises(KnowledgeBaseError, match="manifest"):
        locate_sources(tmp_path)


def test_a_missing_source_directory_is_a_clear_error(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="does not exist"):
        locate_sources(tmp_path / "nowhere")
