"""What a rebuild changed: pathways added, removed and renamed, and releases before and after, per source.

Written as `kb/changes.json` with the KB it describes (published together), and printed by `gene-r1 kb update`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gene_r1.knowledge_base.store import KnowledgeBaseError, Pathway, PathwayStore, SourceRelease

CHANGES_FILE = "changes.json"


@dataclass(frozen=True)
class Renamed:
    id: str
    old: str
    new: str


@dataclass
class KbChanges:
    releases_before: dict[str, str] = field(default_factory=dict)  # source -> release
    releases_after: dict[str, str] = field(default_factory=dict)
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    removed: list[tuple[str, str]] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    first_build: bool = False  # there was no readable previous KB to compare with

    def summary(self) -> str:
        if self.first_build:
            return f"First build: {len(self.added)} pathways."
        moved = [f"{s} {self.releases_before.get(s, '-')} -> {self.releases_after.get(s, '-')}"
                 for s in sorted(set(self.releases_before) | set(self.releases_after))
                 if self.releases_before.get(s) != self.releases_after.get(s)]
        releases = f" ({'; '.join(moved)})" if moved else " (same releases)"
        return (f"{len(self.added)} pathway(s) added, {len(self.removed)} removed, {len(self.renamed)} renamed"
                f"{releases}.")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


def previous_pathways(store_file: Path) -> tuple[dict[str, str], dict[str, str]] | None:
    """(id -> name, source -> release) of the store at `store_file`; None when there is none or it is unreadable."""
    if not store_file.exists():
        return None
    try:
        store = PathwayStore.open(store_file)
    except KnowledgeBaseError:
        return None
    try:
        return ({p.id: p.name for p in store.pathways()}, _releases(store.releases()))
    finally:
        store.close()


def compare(previous: tuple[Mapping[str, str], Mapping[str, str]] | None, pathways: Iterable[Pathway],
            releases: Iterable[SourceRelease]) -> KbChanges:
    names = {p.id: p.name for p in pathways}
    after = _releases(releases)
    if previous is None:
        return KbChanges(releases_after=after, added=sorted(names.items()), first_build=True)
    before_names, before_releases = previous
    return KbChanges(
        releases_before=dict(before_releases), releases_after=after,
        added=sorted((i, n) for i, n in names.items() if i not in before_names),
        removed=sorted((i, n) for i, n in before_names.items() if i not in names),
        renamed=[Renamed(i, before_names[i], n) for i, n in sorted(names.items())
                 if i in before_names and before_names[i] != n],
    )


def _releases(releases: Iterable[SourceRelease]) -> dict[str, str]:
    return {r.source: r.release for r in releases}
