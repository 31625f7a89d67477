"""Gene Ontology from its official files: `go-basic.obo` (terms and their is_a/part_of parents) and the human GAF
(`goa_human.gaf[.gz]`: gene product -> term annotations).

A term's gene set is every gene annotated to it or to any of its descendants (the true-path rule over is_a and
part_of, which is what go-basic guarantees to be acyclic and closed); NOT-qualified annotations and obsolete terms are
left out. The result has the same shape as the mirror loader's (`knowledge_base.go_terms.GoTerm`).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

from gene_r1.knowledge_base.go_terms import GoTerm, propagated_genes
from gene_r1.knowledge_base.store import KnowledgeBaseError

NAMESPACE_CODES = {"biological_process": "BP", "molecular_function": "MF", "cellular_component": "CC"}
_ASPECTS = {"P": "BP", "F": "MF", "C": "CC"}


def parse_obo(path: Path) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """GO id -> (name, namespace code, parents through is_a and part_of), obsolete terms left out."""
    terms: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for stanza in _stanzas(_lines(path)):
        if stanza.get("id", [""])[0].startswith("GO:") and stanza.get("is_obsolete", ["false"])[0] != "true":
            parents = [p.split()[0] for p in stanza.get("is_a", [])]
            parents += [r.split()[1] for r in stanza.get("relationship", []) if r.startswith("part_of ")]
            namespace = NAMESPACE_CODES.get(stanza.get("namespace", [""])[0], "")
            terms[stanza["id"][0]] = (stanza.get("name", [""])[0], namespace, tuple(dict.fromkeys(parents)))
    if not terms:
        raise KnowledgeBaseError(f"No GO term in {path}. Is it go-basic.obo?")
    return terms


def parse_gaf(path: Path) -> dict[str, set[str]]:
    """GO id -> gene symbols directly annotated (GAF 2.x: symbol in column 3, qualifier 4, GO id 5)."""
    direct: dict[str, set[str]] = {}
    for line in _lines(path):
        if line.startswith("!"):
            continue
        fields = line.split("\t")
        if len(fields) < 9 or "NOT" in fields[3].split("|") or not fields[4].startswith("GO:"):
            continue
        direct.setdefault(fields[4], set()).add(fields[2].strip())
    if not direct:
        raise KnowledgeBaseError(f"No annotation in {path}. Is it a GAF file (e.g. goa_human.gaf.gz)?")
    return direct


def load_official_go(obo: Path, gaf: Path, namespaces: Iterable[str] = ("BP", "MF", "CC")) -> dict[str, GoTerm]:
    """GO id -> term with its propagated gene set, for the namespaces asked (terms without genes left out)."""
    terms = parse_obo(obo)
    direct = parse_gaf(gaf)
    children: dict[str, list[str]] = {}
    for term, (_, _, parents) in terms.items():
        for parent in parents:
            children.setdefault(parent, []).append(term)
    genes_of = propagated_genes(children, direct)

    wanted = {n.upper() for n in namespaces}
    found = {}
    for term, (name, namespace, _) in terms.items():
        if namespace in wanted and (genes := genes_of(term)):
            found[term] = GoTerm(term, name, namespace, genes)
    return found


def _lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                yield line.rstrip("\r\n")
    except (OSError, EOFError) as error:
        raise KnowledgeBaseError(f"Cannot read {path}: {error}.") from error


def _stanzas(lines: Iterable[str]) -> Iterator[dict[str, list[str]]]:
    current: dict[str, list[str]] | None = None
    for line in lines:
        if line.startswith("["):
            if current is not None:
                yield current
            current = {} if line.strip() == "[Term]" else None
        elif current is not None and ": " in line:
            key, value = line.split(": ", 1)
            current.setdefault(key, []).append(value.split(" ! ")[0].strip())
    if current is not None:
        yield current
