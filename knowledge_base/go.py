"""Gene Ontology gene sets for training and evaluation (not an evidence source of the agent unless enabled).

Reads the GO mirror layout (`../shared/data/go/`):
  BP_goID_2_name.tab      `GO:id<TAB>name` (its first line, `<TAB>0`, is not a term)
  BP_collapsed_go.symbol  `term<TAB>child<TAB>default` (term -> child-term edge) and `term<TAB>gene<TAB>gene`
  BP_go.tab               `parent<TAB>child<TAB>relation<TAB>namespace`: the BP DAG
  MF_go_terms.csv, CC_go_terms.csv   `,GO,Genes,Gene_Count,Term_Description` (genes space-separated)
A BP term's genes are its own plus all its descendants' (through the collapsed file's `default` edges).
Parsing all three namespaces takes well under a second, so nothing is cached.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.store import KnowledgeBaseError

NAMESPACES = ("BP", "MF", "CC")
_GO_ID = re.compile(r"^GO:\d{7}$")


@dataclass(frozen=True)
class GoTerm:
    id: str
    name: str
    namespace: str  # BP | MF | CC
    genes: frozenset[str]


def load_go(go_dir: Path, namespaces: Iterable[str] = NAMESPACES) -> dict[str, GoTerm]:
    """GO id -> term with its full gene set, for the namespaces asked (terms without genes are left out)."""
    wanted = tuple(dict.fromkeys(n.upper() for n in namespaces))
    unknown = set(wanted) - set(NAMESPACES)
    if unknown:
        raise KnowledgeBaseError(f"Unknown GO namespace(s) {sorted(unknown)}; choose from {list(NAMESPACES)}.")
    terms: dict[str, GoTerm] = {}
    for namespace in wanted:
        terms.update(_load_namespace(go_dir, namespace))
    return terms


def go_parents(go_dir: Path) -> dict[str, frozenset[str]]:
    """The GO:BP DAG from `BP_go.tab`: child -> its parents (all relations: is_a, part_of, regulates...)."""
    parents: dict[str, set[str]] = {}
    for fields in _tsv(_require(go_dir / "BP_go.tab")):
        if len(fields) >= 2 and _GO_ID.match(fields[0]) and _GO_ID.match(fields[1]):
            parents.setdefault(fields[1], set()).add(fields[0])
    return {child: frozenset(ps) for child, ps in parents.items()}


def load_go_names(go_dir: Path) -> dict[str, str]:
    """GO id -> name (all namespaces' ids are listed in `BP_goID_2_name.tab`)."""
    return {f[0]: f[1].strip() for f in _tsv(_require(go_dir / "BP_goID_2_name.tab"))
            if len(f) >= 2 and _GO_ID.match(f[0])}


def load_reserved_ids(path: Path) -> frozenset[str]:
    """GO ids held out for the final evaluation (one a line); never train or tune on them."""
    lines = [line.strip() for line in _require(path).read_text(encoding="utf-8").splitlines()]
    ids = [line for line in lines if line and not line.startswith("#")]
    bad = [i for i in ids if not _GO_ID.match(i)]
    if bad:
        raise KnowledgeBaseError(f"{path} should list one GO id a line; not GO ids: {bad[:3]}.")
    return frozenset(ids)


def _load_namespace(go_dir: Path, namespace: str) -> dict[str, GoTerm]:
    for path in _files(go_dir, namespace):
        _require(path)
    return _parse_bp(go_dir) if namespace == "BP" else _parse_csv(_files(go_dir, namespace)[0], namespace)


def _files(go_dir: Path, namespace: str) -> list[Path]:
    if namespace == "BP":
        return [go_dir / "BP_collapsed_go.symbol", go_dir / "BP_goID_2_name.tab"]
    return [go_dir / f"{namespace}_go_terms.csv"]


def _parse_bp(go_dir: Path) -> dict[str, GoTerm]:
    names = load_go_names(go_dir)
    children: dict[str, list[str]] = {}
    own: dict[str, set[str]] = {}
    for fields in _tsv(go_dir / "BP_collapsed_go.symbol"):
        if len(fields) < 3 or not _GO_ID.match(fields[0]):
            continue
        term, target, kind = fields[0], fields[1].strip(), fields[2].strip()
        if kind == "default" and _GO_ID.match(target):
            children.setdefault(term, []).append(target)
        elif kind == "gene" and target:
            own.setdefault(term, set()).add(target)
    full: dict[str, frozenset[str]] = {}

    def genes_of(root: str) -> frozenset[str]:
        # Iterative post-order walk: the DAG is deep enough to exhaust Python's recursion limit.
        stack = [root]
        while stack:
            term = stack[-1]
            if term in full:
                stack.pop()
                continue
            pending = [c for c in children.get(term, ()) if c not in full and c not in stack]
            if pending:
                stack.extend(pending)
                continue
            genes = set(own.get(term, ()))
            for child in children.get(term, ()):
                genes |= full.get(child, frozenset())
            full[term] = frozenset(genes)
            stack.pop()
        return full[root]

    terms = {}
    for term in sorted(set(children) | set(own) | {c for cs in children.values() for c in cs}):
        genes = genes_of(term)
        if genes:
            terms[term] = GoTerm(term, names.get(term, ""), "BP", genes)
    return terms


def _parse_csv(path: Path, namespace: str) -> dict[str, GoTerm]:
    terms: dict[str, GoTerm] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"GO", "Genes", "Term_Description"} - set(reader.fieldnames or ())
        if missing:
            raise KnowledgeBaseError(f"{path} lacks column(s) {sorted(missing)}; expected ',GO,Genes,Gene_Count,"
                                     "Term_Description'.")
        for row in reader:
            term, genes = (row["GO"] or "").strip(), frozenset((row["Genes"] or "").split())
            if _GO_ID.match(term) and genes:
                terms[term] = GoTerm(term, (row["Term_Description"] or "").strip(), namespace, genes)
    return terms


def _tsv(path: Path) -> Iterable[list[str]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield line.rstrip("\r\n").split("\t")


def _require(path: Path) -> Path:
    if not path.is_file():
        raise KnowledgeBaseError(f"Missing GO file {path} (see ../shared/data/README.md for the layout).")
    return path
