"""The evidence tools: plain typed functions over the local knowledge base, each also a LangChain tool.

    from tools import normalise_genes, enrich, search_pathways, pathway_details, gene_info
    from tools import reactome_pathways, wikipathways_pathways, langchain_tools

Every function takes `kb=None` (the cached KB of `$GENE_R1_HOME`) or a `tools.context.KnowledgeBase`.
Importing this package costs nothing: each name is imported from its module on first use (PEP 562), so a caller of
`tools.formatting` does not pay for `langchain_tools` (langchain-core, ~0.5-0.9 s of a cold start) or scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOME = {
    "KnowledgeBase": "tools.context", "open_knowledge_base": "tools.context",
    "EnrichmentHit": "tools.enrichment", "EnrichmentIndex": "tools.enrichment", "EnrichmentResult": "tools.enrichment",
    "enrich": "tools.enrichment", "run_enrichment": "tools.enrichment",
    "OnlineServiceError": "tools.errors", "ToolInputError": "tools.errors", "UnknownPathwayError": "tools.errors",
    "GeneInfo": "tools.gene_details", "gene_info": "tools.gene_details",
    "GeneInputError": "tools.genes", "GeneNormalisation": "tools.genes", "SymbolMapping": "tools.genes",
    "normalise_genes": "tools.genes",
    "langchain_tools": "tools.langchain_adapter",
    "PathwayLookup": "tools.overlap", "PathwayOverlap": "tools.overlap",
    "PathwayDetails": "tools.pathways", "PathwayRef": "tools.pathways", "pathway_details": "tools.pathways",
    "reactome_pathways": "tools.reactome",
    "SearchHit": "tools.search", "search_pathways": "tools.search",
    "wikipathways_pathways": "tools.wikipathways",
}
__all__ = [
    "EnrichmentHit", "EnrichmentIndex", "EnrichmentResult", "GeneInfo", "GeneInputError", "GeneNormalisation",
    "KnowledgeBase", "OnlineServiceError", "PathwayDetails", "PathwayLookup", "PathwayOverlap", "PathwayRef",
    "SearchHit", "SymbolMapping", "ToolInputError", "UnknownPathwayError", "enrich", "gene_info",
    "langchain_tools", "normalise_genes", "open_knowledge_base", "pathway_details", "reactome_pathways",
    "run_enrichment", "search_pathways", "wikipathways_pathways",
]


def __getattr__(name: str) -> Any:
    # No module is named like a function it exports (the import system would bind the module over the function).
    if name not in _HOME:
        raise AttributeError(f"module 'tools' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from tools.context import KnowledgeBase, open_knowledge_base
    from tools.enrichment import EnrichmentHit, EnrichmentIndex, EnrichmentResult, enrich, run_enrichment
    from tools.errors import OnlineServiceError, ToolInputError, UnknownPathwayError
    from tools.gene_details import GeneInfo, gene_info
    from tools.genes import GeneInputError, GeneNormalisation, SymbolMapping, normalise_genes
    from tools.langchain_adapter import langchain_tools
    from tools.overlap import PathwayLookup, PathwayOverlap
    from tools.pathways import PathwayDetails, PathwayRef, pathway_details
    from tools.reactome import reactome_pathways
    from tools.search import SearchHit, search_pathways
    from tools.wikipathways import wikipathways_pathways
