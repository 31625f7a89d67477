"""A knowledge base that heals: every fault a killed build or a damaged disk leaves is detected or repaired.

Faults: `kill -9` of a real build process at several points, a stale lock of a dead process, a truncated or garbled
store, a deleted, garbled or half-written search index, a KB moved aside by a build killed between its two renames.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.build import build_knowledge_base
from gene_r1.knowledge_base.heal import recover_leftovers
from gene_r1.knowledge_base.index import index_document_count, index_file, load_index, write_index
from gene_r1.knowledge_base.lock import LOCK_NAME, build_lock
from gene_r1.knowledge_base.store import KnowledgeBaseError, PathwayStore
from gene_r1.tools import search_pathways

ROOT = Path(__file__).resolve().parents[2]
BUILD = ("import sys; from pathlib import Path; from gene_r1.knowledge_base.build import build_knowledge_base; "
         "build_knowledge_base(Path(sys.argv[1]), source_dir=Path(sys.argv[2]), force=True, show_progress=False)")


@pytest.fixture
def home(small_kb_home_indexed, tmp_path) -> Path:
    """A writable copy of the small KB with its index."""
    target = tmp_path / "home"
    shutil.copytree(small_kb_home_indexed, target)
    return target


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def kill_build_when(home: Path, source: Path, reached) -> bool:
    """Run a real build in a subprocess and SIGKILL it as soon as `reached(home)` holds; False if it finished first."""
    process = subprocess.Popen([sys.executable, "-c", BUILD, str(home), str(source)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if reached(home):
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.005)
        return False
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def staged(name: str):
    return lambda home: any((staging / name).exists() for staging in home.glob(".kb-building-*"))


KILL_POINTS = {
    "staging created": lambda home: any(home.glob(".kb-building-*")),
    "store staged": staged("pathways.sqlite"),
    "index being written": staged("index"),
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_build_killed_with_sigkill_leaves_the_previous_kb_in_use_and_no_lock(home, small_kb_source, point):
    before = paths.store_path(home).read_bytes()

    assert kill_build_when(home, small_kb_source, KILL_POINTS[point]), "the build finished before the kill point"

    context = AgentContext(config=AgentConfig(home=home))
    assert context.kb.store.count_pathways("reactome") == 7
    assert paths.store_path(home).read_bytes() == before
    assert index_document_count(paths.index_dir(home)) == 10
    assert not list(home.glob(".kb-*")), "staging or the lock file of the killed build were left behind"
    build_knowledge_base(home, source_dir=small_kb_source, with_index=False, show_progress=False)


def test_a_stale_lock_of_a_dead_process_is_broken(home, small_kb_source):
    (home / LOCK_NAME).write_text(f"{dead_pid()}\n")

    build_knowledge_base(home, source_dir=small_kb_source, with_index=False, show_progress=False)

    assert not (home / LOCK_NAME).exists()


def test_a_live_build_is_refused_naming_its_pid(home, small_kb_source):
    with build_lock(home), pytest.raises(KnowledgeBaseError, match=rf"running on .*\(PID {os.getpid()}\)"):
        build_knowledge_base(home, source_dir=small_kb_source, with_index=False, show_progress=False)


def test_leftovers_of_a_running_build_are_not_touched(home):
    staging = home / ".kb-building-running"
    staging.mkdir()

    with build_lock(home):
        recover_leftovers(home)

    assert staging.exists()
    recover_leftovers(home)
    assert not staging.exists()


def test_a_truncated_store_is_refused_naming_the_file_and_the_fix(home):
    store = paths.store_path(home)
    store.write_bytes(store.read_bytes()[: store.stat().st_size // 2])

    with pytest.raises(KnowledgeBaseError, match=rf"{store}.*truncated.*gene-r1 kb build --force"):
        PathwayStore.open(store)


def test_a_garbled_store_is_refused_naming_the_file_and_the_fix(home):
    store = paths.store_path(home)
    content = bytearray(store.read_bytes())
    page = int.from_bytes(content[16:18], "big")
    content[3 * page : 6 * page] = b"\x5a" * (3 * page)  # a few pages after the schema: tables and indexes
    store.write_bytes(bytes(content))

    with pytest.raises(KnowledgeBaseError, match=rf"{store}.*gene-r1 kb build --force"):
        PathwayStore.open(store)


def test_a_deleted_index_is_rebuilt_from_the_store_on_first_use(home, capsys):
    shutil.rmtree(paths.index_dir(home))

    kb = AgentContext(config=AgentConfig(home=home)).kb

    assert len(kb.index) == 10
    assert "search index" in capsys.readouterr().err


def test_a_garbled_index_is_rebuilt_from_the_store_on_first_use(home, capsys):
    index_file(paths.index_dir(home)).write_bytes(b"this is not an index" * 100)

    kb = AgentContext(config=AgentConfig(home=home)).kb

    assert search_pathways("DNA mismatch repair", k=1, kb=kb)[0].pathway_id == "WP531"
    assert "unreadable" in capsys.readouterr().err


def test_a_half_written_index_is_rebuilt_from_the_store_on_first_use(home, capsys):
    index = load_index(paths.index_dir(home))
    kept = [i for i, pid in enumerate(index.ids) if pid not in ("WP531", "WP534")]
    write_index(paths.index_dir(home), dataclasses.replace(
        index, ids=index.ids[kept], sources=index.sources[kept], names=index.names[kept], hashes=index.hashes[kept],
        name_hashes=index.name_hashes[kept], vectors=index.vectors[kept], name_vectors=index.name_vectors[kept]))

    kb = AgentContext(config=AgentConfig(home=home)).kb

    assert len(kb.index) == 10
    assert "holds 8 documents" in capsys.readouterr().err


def test_a_kb_moved_aside_by_a_killed_build_is_restored_before_first_use(home):
    paths.kb_dir(home).rename(home / ".kb-previous-killed")

    kb = AgentContext(config=AgentConfig(home=home)).kb

    assert kb.store.count_pathways("wikipathways") == 3
    assert not list(home.glob(".kb-*"))


def test_a_first_use_waits_for_a_running_build_and_uses_the_kb_it_publishes(home, capsys):
    import threading

    paths.kb_dir(home).rename(home / "kb-being-built")
    locked, release = threading.Event(), threading.Event()

    def builder() -> None:
        with build_lock(home):
            locked.set()
            release.wait(5)
            (home / "kb-being-built").rename(paths.kb_dir(home))

    thread = threading.Thread(target=builder)
    thread.start()
    locked.wait(5)
    threading.Timer(0.3, release.set).start()

    kb = AgentContext(config=AgentConfig(home=home)).kb
    thread.join()

    assert kb.store.count_pathways("reactome") == 7  # the small KB it published, not the embedded one
    assert f"Waiting for the knowledge-base build of PID {os.getpid()}" in capsys.readouterr().err
