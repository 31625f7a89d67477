"""The evidence tools: plain typed functions over the local knowledge base, each also a LangChain tool.

    from gene_r1.tools import normalise_genes, enrich, search_pathways, pathway_details, gene_info
    from gene_r1.tools import reactome_pathways, wikipathways_pathways, langchain_tools

Every function takes `kb=None` (the cached KB of `$GENE_R1_HOME`) or a `tools.context.KnowledgeBase`.
Importing this package costs nothing: each name is imported from its module on first use (PEP 562), so a caller of
`tools.formatting` does not pay for `langchain_tools` (langchain-core, ~0.5-0.9 s of a cold start) or scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOME = {  # name -> its module, relative to this package
    "KnowledgeBase": ".context", "open_knowledge_base": ".context",
    "EnrichmentHit": ".enrichment", "EnrichmentIndex": ".enrichment", "EnrichmentResult": ".enrichment",
    "enrich": ".enrichment", "run_enrichment": ".enrichment",
    "OnlineServiceError": ".errors", "ToolInputError": ".errors", "UnknownPathwayError": ".errors",
    "GeneInfo": ".gene_details", "gene_info": ".gene_details",
    "GeneInputError": ".genes", "GeneNormalisation": ".genes", "SymbolMapping": ".genes",
    "normalise_genes": ".genes",
    "langchain_tools": ".langchain_adapter",
    "PathwayLookup": ".overlap", "PathwayOverlap": ".overlap",
    "PathwayDetails": ".pathways", "PathwayRef": ".pathways", "pathway_details": ".pathways",
    "reactome_pathways": ".reactome",
    "SearchHit": ".search", "search_pathways": ".search",
    "wikipathways_pathways": ".wikipathways",
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
        raise AttributeError(f"module 'gene_r1.tools' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name], __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase, open_knowledge_base
    from gene_r1.tools.enrichment import EnrichmentHit, EnrichmentIndex, EnrichmentResult, enrich, run_enrichment
    from gene_r1.tools.errors import OnlineServiceError, ToolInputError, UnknownPathwayError
    from gene_r1.tools.gene_details import GeneInfo, gene_info
    from gene_r1.tools.genes import GeneInputError, GeneNormalisation, SymbolMapping, normalise_genes
    from gene_r1.tools.langchain_adapter import langchain_tools
    from gene_r1.tools.overlap import PathwayLookup, PathwayOverlap
    from gene_r1.tools.pathways import PathwayDetails, PathwayRef, pathway_details
    from gene_r1.tools.reactome import reactome_pathways
    from gene_r1.tools.search import SearchHit, search_pathways
    from gene_r1.tools.wikipathways import wikipathways_pathways
