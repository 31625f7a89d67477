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
import sys
import tempfile
from pathlib import Path

from knowledge_base import paths
from knowledge_base.lock import build_lock, try_build_lock
from knowledge_base.store import KnowledgeBaseError, PathwayStore

STAGING_PREFIX = ".kb-building-"
PREVIOUS_PREFIX = ".kb-previous-"
OLD_INDEX_PREFIX = ".chroma-old-"

_verified: set[tuple[str, int, int]] = set()


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
    directory = paths.index_dir(home)
    database = directory / "chroma.sqlite3"
    if not database.is_file():
        return f"the search index {directory} is missing"
    key = (str(database), database.stat().st_mtime_ns, expected_documents)
    if key in _verified:
        return None
    from knowledge_base.index import index_document_count, open_unembedded_collection

    try:
        count = index_document_count(directory)
        if count != expected_documents:
            return (f"the search index {directory} holds {count} documents where the store has "
                    f"{expected_documents} pathways (an interrupted or older build)")
        # Counting reads SQLite only; a query also loads the vector segment, where a half-written index breaks.
        collection = open_unembedded_collection(directory)
        probe = collection.get(limit=1, include=["embeddings"])["embeddings"]
        collection.query(query_embeddings=[list(probe[0])], n_results=1, include=[])
    except Exception as error:  # chromadb raises its own types (and Rust panics) for a damaged directory
        forget_chroma(directory)
        return f"the search index {directory} is unreadable ({type(error).__name__}: {error})"
    _verified.add(key)
    return None


def rebuild_index(home: Path, *, show_progress: bool = False) -> int:
    """Rebuild the search index of `home` from its store, beside the current one, then swap it in."""
    from knowledge_base.index import build_index

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
                forget_chroma(staging / current.name)
            forget_chroma(current)
            old = current.with_name(f"{OLD_INDEX_PREFIX}{staging.name.removeprefix(STAGING_PREFIX)}")
            if current.exists():
                current.rename(old)
            (staging / current.name).rename(current)
            shutil.rmtree(old, ignore_errors=True)
        except KnowledgeBaseError:
            raise
        except Exception as error:  # chromadb, torch and the embedder raise their own types
            raise KnowledgeBaseError(f"Rebuilding the search index {current} failed ({type(error).__name__}: "
                                     f"{error}). Rebuild the knowledge base with `gene-r1 kb build --force`."
                                     ) from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return documents


def forget_chroma(directory: Path) -> None:
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
