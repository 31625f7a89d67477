"""The evidence tools as LangChain `StructuredTool`s: pydantic argument schemas, JSON-serialisable dict outputs.

A problem the caller can fix (bad input, unknown id, missing KB, unreachable service) comes back as
`{"error": "..."}` instead of an exception, so a tool-calling loop can read it and try again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from gene_r1.knowledge_base.store import KnowledgeBaseError
from gene_r1.tools.errors import OnlineServiceError, ToolInputError

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from gene_r1.tools.context import KnowledgeBase

Source = Literal["reactome", "wikipathways"]


class GenesArgs(BaseModel):
    genes: list[str] = Field(description="Gene symbols (HGNC; previous symbols, aliases and Ensembl ids are mapped).")


class EnrichArgs(GenesArgs):
    sources: list[Source] = Field(default=["reactome", "wikipathways"], description="Libraries to test against.")
    max_results: int = Field(default=20, ge=1, le=200, description="How many pathways to return, best first.")


class SearchArgs(BaseModel):
    text: str = Field(description="A process or pathway description, e.g. 'DNA mismatch repair'.")
    k: int = Field(default=5, ge=1, le=100, description="How many pathways to return.")
    genes: list[str] | None = Field(default=None, description="Only pathways containing at least one of these genes.")
    sources: list[Source] | None = Field(default=None, description="Only pathways of these sources.")


class PathwayArgs(BaseModel):
    pathway_id: str = Field(description="A Reactome (R-HSA-...) or WikiPathways (WP...) id.")


class SourceLookupArgs(GenesArgs):
    online: bool = Field(default=False, description="Ask the source's web service (falls back to local).")
    max_results: int = Field(default=20, ge=1, le=200, description="How many pathways to return.")


class GeneArgs(BaseModel):
    symbol: str = Field(description="One gene symbol, e.g. TP53.")


def jsonable(value: Any) -> Any:
    """Dataclasses (nested) -> plain dicts/lists/str/float/int, ready for `json.dumps`."""
    def plain(item: Any) -> Any:
        if is_dataclass(item) and not isinstance(item, type):
            return asdict(item)
        if isinstance(item, list | tuple):
            return [plain(i) for i in item]
        return item

    return json.loads(json.dumps(plain(value), default=str))


def _safe(call):
    def run(**kwargs: Any) -> dict:
        try:
            return call(**kwargs)
        except (ToolInputError, KnowledgeBaseError, OnlineServiceError) as error:
            return {"error": str(error)}

    return run


def langchain_tools(kb: KnowledgeBase) -> list[BaseTool]:
    """The tools bound to `kb`: normalise_genes, enrich, search_pathways, pathway_details, reactome_pathways,
    wikipathways_pathways, gene_info."""
    from langchain_core.tools import StructuredTool

    from gene_r1.tools.enrichment import run_enrichment
    from gene_r1.tools.gene_details import gene_info
    from gene_r1.tools.genes import normalise_genes
    from gene_r1.tools.pathways import pathway_details
    from gene_r1.tools.reactome import reactome_pathways
    from gene_r1.tools.search import search_pathways
    from gene_r1.tools.wikipathways import wikipathways_pathways

    def normalise(genes: list[str]) -> dict:
        result = normalise_genes(genes, kb=kb)
        return {**jsonable(result), "notes": result.notes()}

    def enrichment(genes: list[str], sources: list[str], max_results: int) -> dict:
        result = run_enrichment(genes, tuple(sources), kb=kb, max_results=max_results)
        out = jsonable(result)
        out["normalisation"] = {**out["normalisation"], "notes": result.normalisation.notes()}
        return out

    def search(text: str, k: int, genes: list[str] | None, sources: list[str] | None) -> dict:
        return {"hits": jsonable(search_pathways(text, k, genes=genes, kb=kb, sources=sources))}

    specs = [
        ("normalise_genes", normalise, GenesArgs,
         "Map gene symbols to approved HGNC symbols; reports mapped, ambiguous, unknown and duplicate inputs."),
        ("enrich", enrichment, EnrichArgs,
         "Over-representation of the genes in Reactome/WikiPathways pathways (hypergeometric p, BH FDR, "
         "odds ratio, overlapping genes), best first."),
        ("search_pathways", search, SearchArgs,
         "Semantic search of pathway descriptions; optionally only pathways containing some of the genes."),
        ("pathway_details", lambda pathway_id: jsonable(pathway_details(pathway_id, kb=kb)), PathwayArgs,
         "Name, source, description, parent/child pathways and member genes of one pathway."),
        ("reactome_pathways",
         lambda genes, online, max_results: jsonable(reactome_pathways(genes, online=online, kb=kb,
                                                                       max_results=max_results)),
         SourceLookupArgs, "Reactome pathways containing the genes, ranked by how many they contain."),
        ("wikipathways_pathways",
         lambda genes, online, max_results: jsonable(wikipathways_pathways(genes, online=online, kb=kb,
                                                                           max_results=max_results)),
         SourceLookupArgs, "WikiPathways pathways containing the genes, ranked by how many they contain."),
        ("gene_info", lambda symbol: jsonable(gene_info(symbol, kb=kb)), GeneArgs,
         "A gene's approved name and groups (when known) and the pathways containing it, per source."),
    ]
    return [
        StructuredTool.from_function(func=_safe(call), name=name, description=description, args_schema=schema)
        for name, call, schema, description in specs
    ]
