"""`gene-r1 kb build|update|info`: build the local knowledge base, update it from the network, show what it holds.

Imports of the builder, Chroma and torch happen inside the commands, so `gene-r1 --help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.changes import CHANGES_FILE
from gene_r1.knowledge_base.store import EVIDENCE_SOURCES, SCHEMA_VERSION, KnowledgeBaseError, PathwayStore

if TYPE_CHECKING:
    from gene_r1.knowledge_base.build import BuildReport

DOCS = "Docs: docs/configuration.md"
app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, epilog=DOCS)

_SHOWN_SKIPS = 5


_HOME_OPTION = typer.Option(None, "--home", help="The data home (default: $GENE_R1_HOME or the user's cache dir).",
                            file_okay=False, metavar="DIR")
_WITH_GO_OPTION = typer.Option(False, "--with-go", help="Also store Gene Ontology terms (BP/MF/CC) as the opt-in "
                               "evidence source 'go' (`analyze --sources reactome,wikipathways,go`); from "
                               "go-basic.obo + goa_human.gaf[.gz] or the GO mirror layout in the source directory.")
_SHOWN_CHANGES = 10


@app.command(epilog=DOCS)
def build(
    source_dir: Path | None = typer.Option(
        None, "--source-dir", help="Build from local release files in DIR (default: $GENE_R1_SOURCE_DIR, else the "
        "releases embedded in gene-r1). DIR holds ReactomePathways*.gmt and/or WikiPathway*_Human.txt or "
        "wikipathways-*-gmt-Homo_sapiens.gmt, optionally hgnc_complete_set.txt.", file_okay=False, metavar="DIR"),
    download: bool = typer.Option(False, "--download", help="Download the current official releases first "
                                  "(the only way this command uses the network)."),
    force: bool = typer.Option(False, "--force", help="Rebuild the search index from scratch (after damage)."),
    no_index: bool = typer.Option(False, "--no-index", help="Build the store only, without the search index."),
    with_go: bool = _WITH_GO_OPTION,
    home: Path | None = _HOME_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Build (or rebuild) the knowledge base: Reactome + WikiPathways store, gene symbols, search index."""
    _build(source_dir=source_dir, download=download, force=force, no_index=no_index, with_go=with_go, home=home,
           quiet=quiet)


@app.command(epilog=DOCS)
def update(
    with_go: bool = _WITH_GO_OPTION,
    home: Path | None = _HOME_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Download the current official Reactome, WikiPathways and HGNC releases, rebuild, and say what changed."""
    report = _build(source_dir=None, download=True, force=False, no_index=False, with_go=with_go, home=home,
                    quiet=quiet)
    changes = report.changes
    typer.echo(f"Changes: {changes.summary()} Recorded in {report.store_path.parent / CHANGES_FILE}.")
    if changes.first_build:
        return
    for label, rows in (("added", changes.added), ("removed", changes.removed)):
        for pid, name in rows[:_SHOWN_CHANGES]:
            typer.echo(f"  {label}: {pid} {name}")
    for renamed in changes.renamed[:_SHOWN_CHANGES]:
        typer.echo(f"  renamed: {renamed.id} {renamed.old!r} -> {renamed.new!r}")


def _build(*, source_dir: Path | None, download: bool, force: bool, no_index: bool, with_go: bool,
           home: Path | None, quiet: bool) -> BuildReport:
    from gene_r1.knowledge_base.build import build_knowledge_base

    if download and source_dir is not None:
        _fail("--download and --source-dir exclude each other: build from the network or from DIR.")
    try:
        report = build_knowledge_base(home, source_dir=source_dir, download=download, force=force,
                                      with_index=not no_index, with_go=with_go, show_progress=not quiet)
    except KnowledgeBaseError as error:
        _fail(str(error))
    for skipped in report.skipped[:_SHOWN_SKIPS]:
        typer.echo(f"warning: skipped malformed line {skipped}", err=True)
    if len(report.skipped) > _SHOWN_SKIPS:
        typer.echo(f"warning: ... {len(report.skipped) - _SHOWN_SKIPS} more malformed line(s) skipped", err=True)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    releases = {r.source: r.release for r in report.releases}
    counts = ", ".join(f"{source} {n} pathways ({releases.get(source, '?')})" for source, n in report.pathways.items())
    typer.echo(f"Built {report.store_path}: {counts}; {report.genes} genes, {report.aliases} aliases; "
               f"{len(report.skipped)} malformed line(s) skipped.")
    timing = f"store {report.store_seconds:.1f} s"
    if report.download_seconds >= 0.05:
        timing = f"download {report.download_seconds:.1f} s, " + timing
    if report.index_documents is not None:
        timing += f", search index {report.index_seconds:.1f} s ({report.index_documents} documents)"
    typer.echo(f"Took {timing}.")
    return report


@app.command(epilog=DOCS)
def info(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    home: Path | None = _HOME_OPTION,
) -> None:
    """Show the knowledge base's source releases and counts."""
    try:
        summary = kb_summary(home)
    except KnowledgeBaseError as error:
        _fail(str(error))
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        _print_table(summary)


def kb_summary(home: Path | None = None) -> dict[str, Any]:
    """What `kb info --json` prints: releases and counts per source, genes, aliases, index documents."""
    from gene_r1.knowledge_base.index import index_document_count

    home = home or paths.data_home()
    store = PathwayStore.open(paths.store_path(home))
    try:
        meta, releases = store.meta(), {r.source: r for r in store.releases()}
        summary: dict[str, Any] = {"home": str(home), "schema_version": int(meta.get("schema_version", 0)),
                                   "built_at": meta.get("built_at", "")}
        for source in sorted(set(EVIDENCE_SOURCES) | set(store.sources())):
            release = releases.get(source)
            summary[source] = {"pathways": store.count_pathways(source),
                               "release": release.release if release else None,
                               "origin": release.origin if release else None,
                               "sha256": release.sha256 if release else None}
        symbols = [r for s, r in releases.items() if s not in summary]
        summary["symbols"] = ({"source": symbols[0].source, "release": symbols[0].release,
                               "origin": symbols[0].origin, "sha256": symbols[0].sha256} if symbols else None)
        summary["genes"] = store.count_genes()
        summary["aliases"] = store.count_aliases()
    finally:
        store.close()
    summary["index"] = {"documents": index_document_count(paths.index_dir(home))}  # says how to rebuild a damaged one
    return summary


def _print_table(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"gene-r1 knowledge base ({summary['home']})", show_lines=False)
    for column in ("source", "pathways", "release", "origin"):
        table.add_column(column)
    for key, value in summary.items():
        if isinstance(value, dict) and "pathways" in value:
            table.add_row(key, str(value["pathways"]), str(value["release"]), str(value["origin"]))
    symbols = summary.get("symbols") or {}
    table.add_row(f"genes ({symbols.get('source', '-')})", f"{summary['genes']} genes, {summary['aliases']} "
                  "aliases", str(symbols.get("release", "-")), str(symbols.get("origin", "-")))
    table.add_row("search index", f"{summary['index']['documents']} documents", "", "")
    console = Console()
    console.print(table)
    console.print(f"built {summary['built_at']}, schema version {summary['schema_version']} "
                  f"(this gene-r1 reads {SCHEMA_VERSION})")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)
