"""A knowledge base that heals: clean up after a killed build, and rebuild a missing or damaged search index.

A build stages everything in `.kb-building-*` beside `kb/` and publishes it with two renames (the old KB moved to
`.kb-previous-*` in between), so a `kill -9` at any point leaves either the old KB or the new one in place, plus
leftovers that `recover` removes (or, between the two renames, restores). The store is not rebuilt behind the user's
back (it may come from a download); the index is, because it is derived from the store alone and, for the shipped
releases, filled from precomputed vectors in seconds.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.lock import build_lock, try_build_lock
from gene_r1.knowledge_base.store import KnowledgeBaseError, PathwayStore

STAGING_PREFIX = ".kb-building-"
PREVIOUS_PREFIX = ".kb-previous-"
OLD_INDEX_PREFIX = ".index-old-"
LEGACY_INDEX_DIR = "chroma"  # the Chroma index of earlier releases: replaced by `kb/index` on the first use


def recover(home: Path) -> None:
    """Clean up after a build that died (call with the build lock held): drop its staging and partial downloads,
    restore a KB it had moved aside."""
    kb = paths.kb_dir(home)
    for leftover in sorted(home.glob(f"{PREVIOUS_PREFIX}*")):
        if not kb.exists():
            leftover.rename(kb)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in [*home.glob(f"{STAGING_PREFIX}*"), *kb.glob(f"{OLD_INDEX_PREFIX}*")]:
        shutil.rmtree(leftover, ignore_errors=True)
    drop_partial_downloads(paths.downloads_dir(home))


def recover_leftovers(home: Path) -> None:
    """`recover` if no build is running (a running build's staging is not a leftover); cheap when there is none."""
    downloads = paths.downloads_dir(home)
    leftovers = [*home.glob(".kb-*"), *paths.kb_dir(home).glob(f"{OLD_INDEX_PREFIX}*"), *downloads.glob(".*.part")]
    if not leftovers and not (downloads.is_dir() and not any(downloads.iterdir())):
        return  # the usual case: nothing to do, and nothing written (the home may be read-only)
    try:
        with try_build_lock(home) as locked:
            if locked:
                recover(home)
    except PermissionError:
        return  # a read-only shared home: its leftovers are its owner's to clean


def drop_partial_downloads(directory: Path) -> None:
    """Remove interrupted transfers (`.NAME.PID.part`), and the directory itself if nothing else is in it."""
    if not directory.is_dir():
        return
    for part in directory.glob(".*.part"):
        part.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: earlier downloads stay
        directory.rmdir()


def index_problem(home: Path, expected_documents: int) -> str | None:
    """Why the search index of `home` cannot serve `expected_documents` pathways, or None when it can."""
    from gene_r1.knowledge_base.index import index_file, load_index

    directory = paths.index_dir(home)
    if not index_file(directory).is_file():
        return f"the search index {directory} is missing"
    try:
        count = len(load_index(directory))  # read once per process while the file is unchanged
    except KnowledgeBaseError as error:
        reason = error.__cause__ or error
        return f"the search index {directory} is unreadable ({type(reason).__name__}: {reason})"
    if count != expected_documents:
        return (f"the search index {directory} holds {count} documents where the store has "
                f"{expected_documents} pathways (an interrupted or older build)")
    return None


def rebuild_index(home: Path, *, show_progress: bool = False) -> int:
    """Rebuild the search index of `home` from its store, beside the current one, then swap it in."""
    from gene_r1.knowledge_base.index import build_index

    with build_lock(home):
        recover(home)
        current = paths.index_dir(home)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=home))
        try:
            store = PathwayStore.open(paths.store_path(home))
            try:
                documents = build_index(store, staging / current.name, show_progress=show_progress)
            finally:
                store.close()
            old = current.with_name(f"{OLD_INDEX_PREFIX}{staging.name.removeprefix(STAGING_PREFIX)}")
            if current.exists():
                current.rename(old)
            (staging / current.name).rename(current)
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(paths.kb_dir(home) / LEGACY_INDEX_DIR, ignore_errors=True)
        except KnowledgeBaseError:
            raise
        except Exception as error:  # torch and the embedder raise their own types
            raise KnowledgeBaseError(f"Rebuilding the search index {current} failed ({type(error).__name__}: "
                                     f"{error}). Rebuild the knowledge base with `gene-r1 kb build --force`."
                                     ) from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return documents
