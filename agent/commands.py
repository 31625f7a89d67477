"""`gene-r1 analyze | verify | batch`: the agent from the command line."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import typer

from gene_r1.agent.batch.thresholds import Thresholds, threshold_fields
from gene_r1.agent.config import SELECTION_RULES, AgentConfig
from gene_r1.agent.model_options import ModelChoice, with_model_choice
from gene_r1.tools.formatting import FDR_CONVENTION, count_text, fdr_text

SelectionOption = typer.Option(
    "judge", "--selection",
    help=f"How each analysis chooses the final name among grounded candidates: {', '.join(SELECTION_RULES)}.",
)
ExplainOption = typer.Option(
    False, "--explain",
    help="Each analysis also asks the model for a short explanation that cites candidates by number.",
)
SourcesOption = typer.Option(
    None, "--sources", help="Evidence sources, comma-separated (default: reactome,wikipathways). Add go for Gene "
    "Ontology terms (opt-in: needs `gene-r1 kb build --with-go`)."
)


def threshold_option(name: str):
    """The `gene-r1 batch` option of one cut-off, from its `Thresholds` field (default and meaning)."""
    cut = threshold_fields()[name]
    return typer.Option(cut.default, help=cut.metadata["help"])


def parse_sources(text: str | None) -> tuple[str, ...] | None:
    """'reactome,wikipathways,go' -> ('reactome', 'wikipathways', 'go'); None keeps the default."""
    from gene_r1.knowledge_base.store import EVIDENCE_SOURCES, OPT_IN_SOURCES

    if text is None:
        return None
    names = tuple(dict.fromkeys(name.strip().lower() for name in text.split(",") if name.strip()))
    known = (*EVIDENCE_SOURCES, *OPT_IN_SOURCES)
    if not names or set(names) - set(known):
        raise ValueError(f"--sources {text!r}: choose a comma-separated list from {', '.join(known)}.")
    return names


def friendly_errors(command):
    """Known problems (bad input, missing KB, unreachable server) print a message and exit 1, no traceback."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except (ValueError, RuntimeError, OSError) as error:
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None

    return run


def make_config(choice: ModelChoice, **overrides) -> AgentConfig:
    return AgentConfig.from_env(**choice.settings(), **overrides)


def read_gene_list(path: Path) -> list[str]:
    """A plain list of genes: one per line, or separated by commas, tabs or spaces."""
    if not path.is_file():
        raise ValueError(f"No such file: {path}")
    if path.suffix.lower() == ".gmt":
        raise ValueError(f"{path} is a GMT file of gene sets: analyse it with `gene-r1 batch {path} --out DIR`.")
    return [g for g in re.split(r"[,;\s]+", path.read_text(encoding="utf-8", errors="replace")) if g]


@friendly_errors
@with_model_choice
def analyze_command(
    genes: list[str] = typer.Argument(None, help="Gene symbols, e.g. CDK1 CCNB1 PLK1 AURKA."),
    file: Path = typer.Option(
        None, "--file", "-f", help="A file with one gene set (one symbol per line or comma-separated)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
    markdown: bool = typer.Option(False, "--markdown", help="Print a Markdown report."),
    html: Path = typer.Option(
        None, "--html", help="Write the HTML report to this file (instead of the terminal report)."
    ),
    selection: str = SelectionOption,
    explain: bool = ExplainOption,
    choice: ModelChoice = ModelChoice(),
    sources: str = SourcesOption,
) -> None:
    """Name the biological process of ONE gene set, with reasoning, evidence and verified claims.

    Example: gene-r1 analyze CDK1 CCNB1 CCNA2 PLK1 AURKA BUB1 MAD2L1 CDC20

    Docs: docs/usage.md
    """
    from gene_r1.agent.api import analyze
    from gene_r1.agent.render import to_html, to_markdown

    symbols = list(genes or []) + (read_gene_list(file) if file else [])
    if not symbols:
        raise ValueError("No genes given: list symbols as arguments or pass --file FILE.")
    config = make_config(choice, selection=selection, explain=explain, sources=parse_sources(sources))
    result = analyze(symbols, config=config).to_dict()
    if html:
        html.write_text(to_html([result], title=f"gene-r1: {result['name'] or 'no name'}"), encoding="utf-8")
        typer.echo(f"Report written to {html}", err=as_json or markdown)  # stdout stays pure JSON/Markdown
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    elif markdown:
        typer.echo(to_markdown(result))
    elif result["error"]:
        typer.echo(failure_text(result), err=True)  # no empty report around it
    elif not html:
        print_summary(result)
    if result["error"]:
        raise typer.Exit(1)


def failure_text(result: dict) -> str:
    """What the terminal says when a set could not be analysed: the error and the symbols it is about."""
    lines = [f"Error: {result['error']}"]
    if result["unknown_genes"]:
        lines.append("Unknown symbols: " + ", ".join(result["unknown_genes"]) + " (use HGNC symbols; aliases and "
                     "previous symbols are mapped).")
    for ambiguous in result["ambiguous_genes"]:
        lines.append(f"{ambiguous['input']} is ambiguous (could be {', '.join(ambiguous['candidates'])}): pass "
                     "the one you mean.")
    return "\n".join(lines)


def print_summary(result: dict) -> None:
    """The report in the terminal: Markdown, with the evidence as a table whose ids and FDRs never wrap."""
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.markup import escape
    from rich.table import Table

    from gene_r1.agent.render import citation, report_evidence, row_role, to_markdown

    head, _, verification = to_markdown(result, evidence=False).partition("## Verification")
    console = Console()
    console.print(Markdown(head))
    table = Table(title="Evidence", title_justify="left", show_lines=False,
                  caption=escape(f"[n]: the candidate number the reasoning cites. {FDR_CONVENTION}."),
                  caption_justify="left")
    table.add_column(escape("[n]"), no_wrap=True, justify="right")
    table.add_column("kind", no_wrap=True)
    table.add_column("pathway", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("overlap", no_wrap=True, justify="right")
    table.add_column("FDR", no_wrap=True, justify="right")
    for row in report_evidence(result):
        role = f" ({row_role(row)})" if row_role(row) else ""
        table.add_row(escape(citation(row)), row["kind_label"], row["pathway_id"], escape(row["name"] + role),
                      f"{len(row['overlap_genes'])}/{row['pathway_size']}", fdr_text(row["fdr"]))
    console.print(table)
    console.print(Markdown("## Verification" + verification))


@friendly_errors
def verify_command(
    genes: list[str] = typer.Argument(..., help="Gene symbols of the set."),
    claim: str = typer.Option(..., "--claim", "-c", help='The proposed function, e.g. "DNA mismatch repair".'),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    literature: bool = typer.Option(False, "--literature", help="Also search PubMed online for papers naming the "
                                    "claim and the genes (PMIDs and titles; they do not change the verdict)."),
    pubmed_url: str = typer.Option(None, "--pubmed-url", help="E-utilities base URL for --literature "
                                   "(default: NCBI's)."),
) -> None:
    """Check a proposed function for a gene set against Reactome and WikiPathways (no model involved).

    Example: gene-r1 verify --claim "DNA mismatch repair" MLH1 MSH2 MSH6 PMS2 EXO1

    Docs: docs/verify.md
    """
    from gene_r1.agent.api import verify

    result = verify(claim, genes, config=AgentConfig.from_env()).to_dict()
    if literature:
        result["literature"] = literature_for(result, pubmed_url)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"Claim: {result['claim']!r}\nVerdict: {result['verdict']}\n{result['explanation']}")
    typer.echo(f"Supporting genes: {', '.join(result['supporting_genes']) or 'none'}")
    stronger = result["stronger_alternative"]
    if stronger:
        covers = f"{len(stronger['overlap_genes'])} of {len(result['genes'])} genes"
        typer.echo(f"Stronger alternative: {stronger['pathway_id']} {stronger['name']} covers {covers} "
                   f"(FDR {fdr_text(stronger['fdr'])})")
    for label, rows in (
        ("Supporting", result["supporting_pathways"]),
        ("Pointing elsewhere", result["contradicting_pathways"]),
    ):
        for row in rows:
            fdr = fdr_text(row["fdr"])
            typer.echo(f"  {label}: {row['pathway_id']} {row['name']} (overlap {len(row['overlap_genes'])}, FDR {fdr})")
    if result["supporting_pathways"] or result["contradicting_pathways"]:
        typer.echo(f"  ({FDR_CONVENTION}.)")
    if result["unknown_genes"]:
        typer.echo(f"Unknown symbols: {', '.join(result['unknown_genes'])}")
    if literature:
        echo_literature(result["literature"])


def literature_for(result: dict, base_url: str | None) -> dict:
    """PubMed papers on the claim and the supporting genes (all genes when none support it), or the error."""
    from gene_r1.tools.errors import OnlineServiceError
    from gene_r1.tools.literature import EUTILS, find_papers

    try:
        found = find_papers(result["claim"], result["supporting_genes"] or result["genes"], base_url=base_url or EUTILS)
    except OnlineServiceError as error:
        return {"error": str(error), "papers": []}
    return {"query": found.query, "source": found.source, "papers": [vars(paper) for paper in found.papers]}


def echo_literature(found: dict) -> None:
    if found.get("error"):
        typer.secho(f"Literature: not available ({found['error']})", fg=typer.colors.YELLOW, err=True)
        return
    typer.echo(f"Literature (PubMed, online; search hits, not checked: {found['query']}):")
    for paper in found["papers"]:
        typer.echo(f"  PMID {paper['pmid']}: {paper['title']}")
    if not found["papers"]:
        typer.echo("  no paper found")


@friendly_errors
@with_model_choice
def batch_command(
    input_file: Path = typer.Argument(..., help="GMT, gene-set table, DE table or marker table."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (results.jsonl, summary.tsv, report.html)."),
    fmt: str = typer.Option("auto", "--format", help="auto | gmt | sets | de | markers."),
    workers: int = typer.Option(1, help="Threads for the model-free steps (evidence, verification)."),
    batch_size: int = typer.Option(8, help="Gene sets per batched generation call."),
    padj: float = threshold_option("padj"),
    log2fc: float = threshold_option("log2fc"),
    max_genes: int = threshold_option("max_genes"),
    top_n: int = threshold_option("top_n"),
    limit: int = typer.Option(None, help="Only the first N gene sets."),
    choice: ModelChoice = ModelChoice(),
    sources: str = SourcesOption,
    engine: str = typer.Option("local", help="local (this process) | ray (Ray actors; pip install -e '.[ray]')."),
    address: str = typer.Option(
        None, help="Ray engine: cluster to join (auto | HOST:PORT | ray://HOST:PORT); default: a local Ray."
    ),
    actors: int = typer.Option(None, help="Ray engine: actors (default: one per CPU, or per --gpus-per-actor GPUs)."),
    gpus_per_actor: float = typer.Option(0.0, help="Ray engine: GPUs per actor (e.g. 1 with --backend vllm)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress (a terminal gets a live bar, a file or "
                               "pipe a line at most every 10 s)."),
) -> None:
    """Run the agent over many gene sets. Resumable: re-running skips finished sets; a killed run loses nothing.

    Example: gene-r1 batch markers.csv --out results/ --top-n 30
    Scale out: gene-r1 batch sets.gmt --out results/ --engine ray --address auto

    Docs: docs/usage.md (Ray: docs/scale-out.md)
    """
    from gene_r1.agent.api import get_context
    from gene_r1.agent.batch.inputs import read_gene_sets
    from gene_r1.agent.batch.runner import read_results, run_batch
    from gene_r1.agent.render import to_html, to_summary_tsv

    sets = read_gene_sets(input_file, fmt, Thresholds(padj=padj, log2fc=log2fc, max_genes=max_genes, top_n=top_n))
    sets = sets[:limit] if limit else sets
    config = make_config(choice, sources=parse_sources(sources))
    if engine == "ray":
        from gene_r1.agent.batch.ray_engine import RayOptions, run_batch_ray

        options = RayOptions(address=address, actors=actors, gpus_per_actor=gpus_per_actor)
        summary = run_batch_ray(sets, out, config=config, options=options, batch_size=batch_size, workers=workers,
                                show_progress=not quiet)
    elif engine == "local":
        summary = run_batch(sets, out, context=get_context(config), batch_size=batch_size, workers=workers,
                            show_progress=not quiet)
    else:
        raise ValueError(f"--engine must be local or ray, not {engine!r}")
    wanted = {s.id for s in sets}
    results = [r for r in read_results(summary.results_path) if r["id"] in wanted]
    (out / "summary.tsv").write_text(to_summary_tsv(results), encoding="utf-8")
    (out / "report.html").write_text(to_html(results, title=f"gene-r1: {input_file.name}"), encoding="utf-8")
    per_set = summary.seconds / summary.analysed if summary.analysed else 0.0
    typer.echo(
        f"{summary.analysed} analysed, {summary.skipped} already done, {summary.failed} with errors "
        f"({per_set:.2f} s per set). Results: {summary.results_path}, {out / 'summary.tsv'}, {out / 'report.html'}"
    )


@friendly_errors
@with_model_choice
def chat_command(
    thread: str = typer.Option("default", "--thread", "-t", help="Thread id; a thread keeps its gene set and history."),
    message: list[str] = typer.Option(None, "--message", "-m", help="Send these turns and exit (else interactive)."),
    choice: ModelChoice = ModelChoice(),
) -> None:
    """Interrogate a gene set over several turns. Threads persist across restarts.

    Start with a gene list, then ask: "is this set coherent?", "what are its themes?", "which genes are not
    explained?", "what about DNA repair?", "which genes support that?", "drop the ribosomal genes",
    "is this more immune or stress response?", "verify DNA repair", "why?". Ctrl-D or "exit" quits.

    Docs: docs/usage.md
    """
    from gene_r1.agent.api import get_context
    from gene_r1.agent.chat import build_chat_graph, chat_turn, open_checkpointer

    context = get_context(make_config(choice))
    graph = build_chat_graph(open_checkpointer(context.config.home))
    history = graph.get_state({"configurable": {"thread_id": thread}}).values
    if history.get("genes"):
        typer.echo(
            f"Resuming thread {thread!r}: {count_text(len(history['genes']), 'gene')}, "
            f"current name: {history['analysis']['name']!r}"
        )

    from rich.console import Console
    from rich.markdown import Markdown

    console, answer = Console(), []

    def show(chunk: dict) -> None:
        if "status" in chunk:
            typer.secho(chunk["status"], fg=typer.colors.BRIGHT_BLACK, err=True)
        else:
            answer.append(chunk["answer"])

    turns = iter(message) if message else _prompt_turns()
    for text in turns:
        if text.strip().lower() in ("exit", "quit"):
            break
        if text.strip():
            answer.clear()
            chat_turn(graph, thread, text, context, on_chunk=show)
            console.print(Markdown("".join(answer)))  # answers are Markdown: render it, not its asterisks
            typer.echo("")


def _prompt_turns():
    while True:
        try:
            yield input("you> ")
        except EOFError:
            return
