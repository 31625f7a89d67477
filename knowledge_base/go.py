"""Gene Ontology gene sets for training and evaluation, and as the opt-in evidence source "go".

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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from gene_r1.knowledge_base.go_terms import GoTerm, propagated_genes
from gene_r1.knowledge_base.store import KnowledgeBaseError, Pathway

if TYPE_CHECKING:
    from gene_r1.knowledge_base.locate import LocatedFile

NAMESPACES = ("BP", "MF", "CC")
_GO_ID = re.compile(r"^GO:\d{7}$")
GO_URL = "https://amigo.geneontology.org/amigo/term/{id}"
NAMESPACE_NAMES = {"BP": "biological process", "MF": "molecular function", "CC": "cellular component"}
# As evidence, terms of 5-1000 genes (the usual bounds of GO enrichment tools, e.g. clusterProfiler's 10-500 widened):
# smaller ones rarely reach significance, larger ones ("protein binding", "cytoplasm") explain any gene list.
EVIDENCE_MIN_GENES, EVIDENCE_MAX_GENES = 5, 1000


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


def evidence_go_terms(files: Mapping[str, LocatedFile]) -> tuple[dict[str, GoTerm], LocatedFile]:
    """The GO terms the "go" evidence source holds, from located files (`locate_sources`): the official go-basic.obo +
    goa_human.gaf[.gz] when present, else the mirror layout; sized EVIDENCE_MIN_GENES..EVIDENCE_MAX_GENES. Returns
    them with the file that dates them."""
    from gene_r1.knowledge_base.go_official import load_official_go

    if "go_obo" in files and "go_gaf" in files:
        terms, located = load_official_go(files["go_obo"].path, files["go_gaf"].path), files["go_gaf"]
    elif "go_mirror" in files:
        terms, located = load_go(files["go_mirror"].path.parent), files["go_mirror"]
    else:
        raise KnowledgeBaseError("No Gene Ontology files found: need go-basic.obo and goa_human.gaf[.gz] "
                                 "(`gene-r1 kb build --with-go --download` fetches them), or the GO mirror layout "
                                 "(BP_collapsed_go.symbol, BP_goID_2_name.tab, MF_go_terms.csv, CC_go_terms.csv).")
    sized = {i: t for i, t in terms.items() if EVIDENCE_MIN_GENES <= len(t.genes) <= EVIDENCE_MAX_GENES}
    return sized, located


def go_gene_sets(source_dir: Path) -> dict[str, frozenset[str]]:
    """GO id -> genes of every term the "go" evidence source holds when built from `source_dir`."""
    from gene_r1.knowledge_base.locate import locate_sources

    return {i: t.genes for i, t in evidence_go_terms(locate_sources(source_dir))[0].items()}


def go_pathways(terms: Mapping[str, GoTerm]) -> list[Pathway]:
    """GO terms as store pathways of the source "go" (described from what they are; GO is not in the search index)."""
    return [Pathway(id=t.id, source="go", name=t.name or t.id, genes=tuple(sorted(t.genes)), url=GO_URL.format(id=t.id),
                    description=f"{t.name} is a Gene Ontology {NAMESPACE_NAMES[t.namespace]} term of "
                                f"{len(t.genes)} genes.")
            for t in sorted(terms.values(), key=lambda t: t.id)]


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
    genes_of = propagated_genes(children, own)

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
