"""Build the knowledge base of a data home: release files -> SQLite store -> search index (vectors).

Where the release files come from, in order: `download=True` (the current official releases; `gene-r1 kb update` and
`kb build --download`), `source_dir`, `$GENE_R1_SOURCE_DIR`, else the releases embedded in the package
(`knowledge_base.embedded`). Only the first touches the network: a first run offline needs nothing else.

The new KB (store and index) is staged in a directory beside `kb/` and swapped in only when complete: a failed
download, a malformed source or an interrupted index build leaves the previous KB as it was, and no staging
directory behind (`knowledge_base.heal`). The index is updated incrementally from a copy of the previous one, so a
rebuild only embeds pathways whose text changed (`force` starts it from scratch). One build per data home at a time
(`knowledge_base.lock`). What changed against the previous store is written beside it (`kb/changes.json`).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.changes import CHANGES_FILE, KbChanges, compare, previous_pathways
from gene_r1.knowledge_base.heal import PREVIOUS_PREFIX, STAGING_PREFIX, drop_partial_downloads, recover
from gene_r1.knowledge_base.lock import build_lock
from gene_r1.knowledge_base.sources import SkippedLine
from gene_r1.knowledge_base.store import KnowledgeBaseError, PathwayStore, SourceRelease, write_store

if TYPE_CHECKING:
    from gene_r1.knowledge_base.download import SourceUrls
    from gene_r1.knowledge_base.fetch import HttpPolicy


@dataclass
class BuildReport:
    home: Path
    store_path: Path
    source_dir: Path  # the package's data directory for the embedded releases
    pathways: dict[str, int]  # source -> pathways stored
    genes: int
    aliases: int
    releases: list[SourceRelease]
    skipped: list[SkippedLine] = field(default_factory=list)  # malformed lines left out
    warnings: list[str] = field(default_factory=list)
    index_documents: int | None = None  # None: built without an index
    download_seconds: float = 0.0
    store_seconds: float = 0.0
    index_seconds: float = 0.0
    changes: KbChanges = field(default_factory=KbChanges)


def build_knowledge_base(
    home: Path | None = None,
    *,
    source_dir: Path | None = None,
    download: bool = False,
    force: bool = False,
    with_index: bool = True,
    with_go: bool = False,
    show_progress: bool = True,
    urls: SourceUrls | None = None,
    policy: HttpPolicy | None = None,
) -> BuildReport:
    """Build `home`'s KB from downloaded releases (`download`), `source_dir`, `$GENE_R1_SOURCE_DIR` or the embedded
    releases, in that order; `force` ignores the previous index; `with_go` adds the opt-in evidence source "go".

    `urls` (`download.SourceUrls`) and `policy` (`fetch.HttpPolicy`) override the download servers and timeouts.
    """
    from gene_r1.knowledge_base.assemble import assemble
    from gene_r1.knowledge_base.locate import locate_sources

    home = home or paths.data_home()
    source_dir = source_dir or paths.default_source_dir()
    home.mkdir(parents=True, exist_ok=True)
    with build_lock(home):
        recover(home)
        started = time.perf_counter()
        warnings: list[str] = []
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=home))
        staging.chmod(0o755)  # mkdtemp makes it private; the published kb/ should read like any directory
        try:
            reported_dir = source_dir
            if download:
                source_dir, download_warnings = _download(home, urls, policy, show_progress, with_go)
                reported_dir = source_dir
                warnings += download_warnings
            elif source_dir is None:
                source_dir, reported_dir = _unpack_embedded(home)
            downloaded = time.perf_counter()
            assembled = assemble(locate_sources(source_dir), with_go=with_go)
            contents = assembled.contents
            report = BuildReport(
                home=home, store_path=paths.store_path(home), source_dir=reported_dir,
                pathways={s: sum(p.source == s for p in contents.pathways) for s in _sources(contents.pathways)},
                genes=len({g.symbol for g in contents.genes} | {g for p in contents.pathways for g in p.genes}),
                aliases=len({(a.alias.upper(), a.symbol, a.kind) for a in contents.aliases}),
                releases=contents.releases, skipped=assembled.skipped, warnings=warnings + assembled.warnings,
                download_seconds=downloaded - started,
                changes=compare(previous_pathways(paths.store_path(home)), contents.pathways, contents.releases),
            )
            store_file = write_store(staging / paths.store_path(home).name, contents)
            (staging / CHANGES_FILE).write_text(report.changes.to_json(), encoding="utf-8")
            report.store_seconds = time.perf_counter() - downloaded
            if with_index:
                indexed = time.perf_counter()
                previous_index = None if force else paths.index_dir(home)
                report.index_documents = _index(store_file, previous_index, staging / paths.index_dir(home).name,
                                                show_progress, report.warnings)
                report.index_seconds = time.perf_counter() - indexed
            _publish(staging, paths.kb_dir(home))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            for unpacked in home.glob(f"{STAGING_PREFIX}source-*"):
                shutil.rmtree(unpacked, ignore_errors=True)
        return report


def _unpack_embedded(home: Path) -> tuple[Path, Path]:
    """The embedded releases, decompressed into a staging directory (removed after the build, or by `recover`)."""
    from gene_r1.knowledge_base import embedded

    target = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}source-", dir=home))
    return embedded.unpack(target), embedded.DATA_DIR


def _download(home: Path, urls: SourceUrls | None, policy: HttpPolicy | None, show_progress: bool,
              with_go: bool) -> tuple[Path, list[str]]:
    from gene_r1.knowledge_base import fetch
    from gene_r1.knowledge_base.download import SourceUrls, download_releases

    try:
        result = download_releases(paths.downloads_dir(home), urls=urls or SourceUrls(),
                                   policy=policy or fetch.DOWNLOAD_POLICY,
                                   show_progress=show_progress, with_go=with_go)
    except BaseException:
        drop_partial_downloads(paths.downloads_dir(home))  # a failed first download leaves no empty directory
        raise
    return result.directory, result.warnings


def _index(store_file: Path, current: Path | None, staged: Path, show_progress: bool, warnings: list[str]) -> int:
    """Index the staged store into a staged copy of the current index (so only changed pathways are embedded)."""
    from gene_r1.knowledge_base.index import build_index, index_document_count

    if current is not None and current.is_dir():
        shutil.copytree(current, staged)
        try:
            index_document_count(staged)
        except KnowledgeBaseError as error:
            warnings.append(f"The previous search index was unreadable ({error.__cause__ or error}); it is rebuilt "
                            "from scratch.")
            shutil.rmtree(staged)
    store = PathwayStore.open(store_file)
    try:
        return build_index(store, staged, show_progress=show_progress)
    except KnowledgeBaseError:
        raise
    except Exception as error:  # torch and the embedder raise their own types: report, don't hide
        raise KnowledgeBaseError(f"Building the search index failed ({type(error).__name__}: {error}). The "
                                 "previous knowledge base is untouched; retry, or build with --no-index.") from error
    finally:
        store.close()


def _publish(staging: Path, kb: Path) -> None:
    """Swap the staged KB in: two renames, with the previous KB restored if the second fails."""
    previous = kb.with_name(f"{PREVIOUS_PREFIX}{staging.name.removeprefix(STAGING_PREFIX)}")
    if kb.exists():
        kb.rename(previous)
    try:
        staging.rename(kb)
    except OSError as error:
        if previous.exists():
            previous.rename(kb)
        raise KnowledgeBaseError(f"Cannot move the new knowledge base into {kb} ({error}).") from error
    shutil.rmtree(previous, ignore_errors=True)


def _sources(pathways: list) -> list[str]:
    return sorted({p.source for p in pathways})
