"""The evidence tools: plain typed functions over the local knowledge base, each also a LangChain tool.

    from tools import normalise_genes, enrich, search_pathways, pathway_details, gene_info
    from tools import reactome_pathways, wikipathways_pathways, langchain_tools

Every function takes `kb=None` (the cached KB of `$GENE_R1_HOME`) or a `tools.context.KnowledgeBase`.
Importing this package is cheap: numpy and pydantic, no torch, transformers or chromadb.
"""

# Submodules `gene_info` and `langchain_tools` share their function's name: importing the functions here, once,
# leaves the package attribute bound to the function.
from tools.context import KnowledgeBase, open_knowledge_base
from tools.enrichment import EnrichmentHit, EnrichmentIndex, EnrichmentResult, enrich, run_enrichment
from tools.errors import OnlineServiceError, ToolInputError, UnknownPathwayError
from tools.gene_info import GeneInfo, gene_info
from tools.genes import GeneInputError, GeneNormalisation, SymbolMapping, normalise_genes
from tools.langchain_tools import langchain_tools
from tools.overlap import PathwayLookup, PathwayOverlap
from tools.pathways import PathwayDetails, PathwayRef, pathway_details
from tools.reactome import reactome_pathways
from tools.search import SearchHit, search_pathways
from tools.wikipathways import wikipathways_pathways

__all__ = [
    "EnrichmentHit", "EnrichmentIndex", "EnrichmentResult", "GeneInfo", "GeneInputError", "GeneNormalisation",
    "KnowledgeBase", "OnlineServiceError", "PathwayDetails", "PathwayLookup", "PathwayOverlap", "PathwayRef",
    "SearchHit", "SymbolMapping", "ToolInputError", "UnknownPathwayError", "enrich", "gene_info",
    "langchain_tools", "normalise_genes", "open_knowledge_base", "pathway_details", "reactome_pathways",
    "run_enrichment", "search_pathways", "wikipathways_pathways",
]
