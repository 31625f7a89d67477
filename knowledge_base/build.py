"""Build the knowledge base of a data home: release files -> SQLite store -> Chroma search index.

The new KB (store and index) is staged in a directory beside `kb/` and swapped in only when complete: a failed
download, a malformed source or an interrupted index build leaves the previous KB as it was, and no staging
directory behind. The index is updated incrementally from a copy of the previous one, so a rebuild only embeds
pathways whose text changed. One build per data home at a time (a lock file).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge_base import paths
from knowledge_base.sources import SkippedLine
from knowledge_base.store import KnowledgeBaseError, PathwayStore, SourceRelease, write_store

if TYPE_CHECKING:
    from knowledge_base.download import SourceUrls
    from knowledge_base.fetch import HttpPolicy

_STAGING_PREFIX = ".kb-building-"
_PREVIOUS_PREFIX = ".kb-previous-"


@dataclass
class BuildReport:
    home: Path
    store_path: Path
    source_dir: Path
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


def build_knowledge_base(
    home: Path | None = None,
    *,
    source_dir: Path | None = None,
    with_index: bool = True,
    show_progress: bool = True,
    urls: SourceUrls | None = None,
    policy: HttpPolicy | None = None,
) -> BuildReport:
    """Build `home`'s KB from `source_dir` (default `$GENE_R1_SOURCE_DIR`), else from freshly downloaded releases.

    `urls` (`download.SourceUrls`) and `policy` (`fetch.HttpPolicy`) override the download servers and timeouts.
    """
    from knowledge_base.assemble import assemble
    from knowledge_base.locate import locate_sources

    home = home or paths.data_home()
    source_dir = source_dir or paths.default_source_dir()
    home.mkdir(parents=True, exist_ok=True)
    with _exclusive(home):
        _recover(home)
        started = time.perf_counter()
        warnings: list[str] = []
        if source_dir is None:
            source_dir, download_warnings = _download(home, urls, policy, show_progress)
            warnings += download_warnings
        downloaded = time.perf_counter()
        assembled = assemble(locate_sources(source_dir))
        contents = assembled.contents
        report = BuildReport(
            home=home, store_path=paths.store_path(home), source_dir=source_dir,
            pathways={s: sum(p.source == s for p in contents.pathways) for s in _sources(contents.pathways)},
            genes=len({g.symbol for g in contents.genes} | {g for p in contents.pathways for g in p.genes}),
            aliases=len({(a.alias.upper(), a.symbol, a.kind) for a in contents.aliases}),
            releases=contents.releases, skipped=assembled.skipped, warnings=warnings + assembled.warnings,
            download_seconds=downloaded - started,
        )
        staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=home))
        staging.chmod(0o755)  # mkdtemp makes it private; the published kb/ should read like any directory
        try:
            store_file = write_store(staging / paths.store_path(home).name, contents)
            report.store_seconds = time.perf_counter() - downloaded
            if with_index:
                indexed = time.perf_counter()
                report.index_documents = _index(store_file, paths.index_dir(home), staging, show_progress,
                                                report.warnings)
                report.index_seconds = time.perf_counter() - indexed
            _publish(staging, paths.kb_dir(home))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _forget_chroma(paths.index_dir(home))
        return report


def _download(home: Path, urls: SourceUrls | None, policy: HttpPolicy | None,
              show_progress: bool) -> tuple[Path, list[str]]:
    from knowledge_base.download import SourceUrls, download_releases
    from knowledge_base.fetch import HttpPolicy

    result = download_releases(paths.downloads_dir(home), urls=urls or SourceUrls(), policy=policy or HttpPolicy(),
                               show_progress=show_progress)
    return result.directory, result.warnings


def _index(store_file: Path, current: Path, staging: Path, show_progress: bool, warnings: list[str]) -> int:
    """Index the staged store into a staged copy of the current index (so only changed pathways are embedded)."""
    from knowledge_base.index import build_index, index_document_count

    staged = staging / current.name
    if current.is_dir():
        shutil.copytree(current, staged)
        try:
            index_document_count(staged)
        except Exception as error:  # chromadb raises its own error types for a damaged directory
            warnings.append(f"The previous search index was unreadable ({error}); it is rebuilt from scratch.")
            _forget_chroma(staged)
            shutil.rmtree(staged)
    store = PathwayStore.open(store_file)
    try:
        return build_index(store, staged, show_progress=show_progress)
    except KnowledgeBaseError:
        raise
    except Exception as error:  # chromadb, torch and the embedder raise their own types: report, don't hide
        raise KnowledgeBaseError(f"Building the search index failed ({type(error).__name__}: {error}). The "
                                 "previous knowledge base is untouched; retry, or build with --no-index.") from error
    finally:
        store.close()
        _forget_chroma(staged)


def _publish(staging: Path, kb: Path) -> None:
    """Swap the staged KB in: two renames, with the previous KB restored if the second fails."""
    previous = kb.with_name(f"{_PREVIOUS_PREFIX}{staging.name.removeprefix(_STAGING_PREFIX)}")
    if kb.exists():
        kb.rename(previous)
    try:
        staging.rename(kb)
    except OSError as error:
        if previous.exists():
            previous.rename(kb)
        raise KnowledgeBaseError(f"Cannot move the new knowledge base into {kb} ({error}).") from error
    shutil.rmtree(previous, ignore_errors=True)


def _recover(home: Path) -> None:
    """Clean up after a build that died: drop its staging, and restore a KB it had moved aside."""
    kb = paths.kb_dir(home)
    for leftover in sorted(home.glob(f"{_PREVIOUS_PREFIX}*")):
        if not kb.exists():
            leftover.rename(kb)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in home.glob(f"{_STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def _exclusive(home: Path) -> Iterator[None]:
    import fcntl

    with (home / ".kb-build.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise KnowledgeBaseError(f"Another `gene-r1 kb build` is running on {home}; wait for it to finish."
                                     ) from error
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _forget_chroma(directory: Path) -> None:
    """Chroma keeps one open system per path for the process: after a swap it would serve the files moved away."""
    module = sys.modules.get("chromadb.api.shared_system_client")
    if module is None:
        return
    client = module.SharedSystemClient
    for key in {str(directory), str(directory.resolve())}:
        system = client._identifier_to_system.pop(key, None)
        client._identifier_to_refcount.pop(key, None)
        if system is not None:
            with contextlib.suppress(AttributeError):  # a system that failed to start has nothing to stop
                system.stop()


def _sources(pathways: list) -> list[str]:
    return sorted({p.source for p in pathways})
