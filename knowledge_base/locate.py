"""Find the release files of a source directory by name, with the release each one records.

A release is read from the file name (`ReactomePathways_2024-09-18.gmt` -> `2024-09-18`, `WikiPathway_2023_Human.txt`
-> `2023`, `wikipathways-20240910-gmt-Homo_sapiens.gmt` -> `2024-09-10`), or from a `RELEASES.json` manifest beside
the files (written by `knowledge_base.download`: file name -> {release, origin, retrieved_at}).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from gene_r1.knowledge_base.sources import sha256_of
from gene_r1.knowledge_base.store import KnowledgeBaseError

MANIFEST = "RELEASES.json"

# kind -> file-name patterns, most preferred first.
PATTERNS: dict[str, tuple[str, ...]] = {
    "reactome_gmt": ("ReactomePathways*.gmt",),
    "reactome_names": ("ReactomePathways.txt", "ReactomePathways_*.txt"),
    "reactome_relations": ("ReactomePathwaysRelation*.txt",),
    "reactome_summations": ("reactome_summations*.json",),
    "wikipathways_gmt": ("wikipathways-*-gmt-Homo_sapiens.gmt",),
    "wikipathways_enrichr": ("WikiPathway*_Human.txt",),
    "wikipathways_descriptions": ("wikipathways_descriptions*.json",),
    "hgnc": ("hgnc_complete_set*.txt", "hgnc_complete_set*.tsv"),
    # Gene Ontology, read only for the opt-in "go" evidence source: official files, or the mirror layout.
    "go_obo": ("go-basic.obo",),
    "go_gaf": ("goa_human.gaf.gz", "goa_human.gaf"),
    "go_mirror": ("BP_collapsed_go.symbol",),
}


@dataclass(frozen=True)
class LocatedFile:
    path: Path
    release: str
    origin: str
    retrieved_at: str = ""

    @property
    def sha256(self) -> str:
        return sha256_of(self.path)


def release_from_name(name: str) -> str | None:
    if match := re.search(r"(\d{4}-\d{2}-\d{2})", name):
        return match.group(1)
    if match := re.search(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)", name):
        return "-".join(match.groups())
    if match := re.search(r"(?:[_-]v|release[_-]?)(\d+)(?!\d)", name, flags=re.IGNORECASE):
        return f"v{match.group(1)}"
    if match := re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", name):
        return match.group(1)
    return None


def locate_sources(source_dir: Path) -> dict[str, LocatedFile]:
    """kind -> the newest matching file under `source_dir` (searched recursively); kinds without a file are absent."""
    if not source_dir.is_dir():
        raise KnowledgeBaseError(f"The source directory {source_dir} does not exist or is not a directory.")
    found: dict[str, LocatedFile] = {}
    for kind, patterns in PATTERNS.items():
        for pattern in patterns:
            candidates = [p for p in source_dir.rglob(pattern) if p.is_file() and not p.name.startswith(".")]
            if kind == "reactome_names":
                candidates = [p for p in candidates if "Relation" not in p.name]
            if candidates:
                located = [_describe(p) for p in candidates]
                found[kind] = max(located, key=lambda f: (f.release, str(f.path)))
                break
    return found


def _describe(path: Path) -> LocatedFile:
    manifest = _manifest(path.parent).get(path.name)
    if manifest:
        return LocatedFile(path, str(manifest.get("release") or "unknown"), str(manifest.get("origin") or path),
                           str(manifest.get("retrieved_at") or ""))
    return LocatedFile(path, release_from_name(path.name) or "unknown", str(path.resolve()))


def _manifest(directory: Path) -> dict[str, dict]:
    path = directory / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise KnowledgeBaseError(f"The release manifest {path} is unreadable ({error}); delete it and retry."
                                 ) from error
    return data if isinstance(data, dict) else {}
