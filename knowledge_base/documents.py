"""The text of a pathway as the search index embeds it, and the hash that keys its vector.

Both the index (`knowledge_base.index`) and the vectors shipped with the package (`knowledge_base.embedded`) key
vectors by `content_hash(text, model_id)`: a vector is reused exactly when its text and model are unchanged. A
pathway's name is hashed the same way (its vector is what the ranker and the search query use); a name is one line
and a document several, so the two never share a hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from gene_r1.knowledge_base.store import EVIDENCE_SOURCES, Pathway, PathwayStore

GENES_IN_DOCUMENT = 20
SOURCE_LABELS = {"reactome": "Reactome", "wikipathways": "WikiPathways"}


def pathway_document(pathway: Pathway, parent_names: Sequence[str] = ()) -> str:
    """The text indexed for `pathway`: what it is, where it sits, and which genes it holds."""
    lines = [pathway.name]
    if pathway.description.strip():
        lines.append(" ".join(pathway.description.split()))
    if parent_names:
        lines.append("Part of: " + "; ".join(parent_names) + ".")
    lines.append(f"{SOURCE_LABELS.get(pathway.source, pathway.source)} pathway.")
    if pathway.genes:
        shown = ", ".join(pathway.genes[:GENES_IN_DOCUMENT])
        more = f" and {len(pathway.genes) - GENES_IN_DOCUMENT} more" if len(pathway.genes) > GENES_IN_DOCUMENT else ""
        lines.append(f"Genes ({len(pathway.genes)}): {shown}{more}.")
    return "\n".join(lines)


def pathway_documents(store: PathwayStore, sources: Sequence[str] = EVIDENCE_SOURCES) -> dict[str, tuple[Pathway, str]]:
    """Every evidence pathway of `store` with its document, by id."""
    pathways = store.pathways(sources)
    names = {p.id: p.name for p in pathways}
    documents = {}
    for p in pathways:
        parents = [names.get(parent) or _parent_name(store, parent) for parent in p.parents]
        documents[p.id] = (p, pathway_document(p, [n for n in parents if n]))
    return documents


def document_of(store: PathwayStore, pathway: Pathway) -> str:
    """One pathway's document (as `pathway_documents` writes it), without building all of them."""
    parents = [_parent_name(store, parent) for parent in pathway.parents]
    return pathway_document(pathway, [n for n in parents if n])


def _parent_name(store: PathwayStore, pathway_id: str) -> str:
    parent = store.pathway(pathway_id)
    return parent.name if parent else ""


def content_hash(text: str, model_id: str) -> str:
    return hashlib.sha256(f"{model_id}\n{text}".encode()).hexdigest()
