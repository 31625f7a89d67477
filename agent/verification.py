"""Checking claims against the knowledge base (GeneAgent-style self-verification), with degrees.

A claim ("Base excision repair") is weighed against the pathways that share genes with the set: every enrichment row
the caller holds plus a semantic search for the claim (`weigh_pathways`). A pathway *matches* the claim when

- its name means the same: the cosine of the MiniLM embeddings of claim and name is at least MIN_NAME_SIMILARITY, and
- no qualifier was substituted (`name_relation`): MiniLM rates "Type I interferon signaling" 0.95 similar to
  "Type II Interferon Signaling" and "Base excision repair" 0.75 to "Nucleotide Excision Repair", so the embedding
  alone cannot tell a claim from its sibling; the token alignment can.

Matching pathways as specific as the claim (every word of the claim in the name, e.g. "PCNA-Dependent Long Patch Base
Excision Repair" for "Base excision repair") speak for it; more general ones ("Interferon Signaling" for "Type II
interferon signaling") only when nothing as specific shares genes with the set. The verdict (`judge_claim`):

- supported: a significant matching pathway covers the genes about as well as the best significant, specific
  (<= 500 genes, `agent.explained`) pathway that points elsewhere: at least MIN_COVERAGE_RATIO of its count;
- partly supported: a significant matching pathway exists but a stronger one points elsewhere (named, with how many
  genes it covers), or a matching pathway shares at least two genes without being significant;
- not supported: otherwise.

The two thresholds were chosen on dev claims (`python benchmarks/verify_calibration.py`, 200 GO:BP terms of the dev
split with 10-50 genes, seed 7): each term's genes against its true name, a sibling's name (same is_a parent, Jaccard
< 0.2) and a random term's name. Share of claims called `supported` (true / sibling / random):

    name similarity    coverage ratio 0.5    0.67                  0.8                   1.0
    0.65               0.23 / 0.09 / 0.01    0.18 / 0.06 / 0.01    0.14 / 0.06 / 0.01    0.10 / 0.04 / 0.01
    0.70               0.20 / 0.07 / 0.01    0.15 / 0.04 / 0.01    0.12 / 0.04 / 0.01    0.08 / 0.03 / 0.01
    0.75               0.15 / 0.03 / 0.01    0.14 / 0.01 / 0.01    0.10 / 0.01 / 0.01    0.07 / 0.01 / 0.01
    0.80               0.11 / 0.03 / 0.01    0.10 / 0.01 / 0.01    0.07 / 0.01 / 0.01    0.04 / 0.01 / 0.01
    before (search score >= 0.45, any significant hit):   0.35 / 0.15 / 0.03

Chosen: 0.75 and 0.67, the most true names supported among the rules that call at most 2% of sibling and random
claims `supported`; 99% of random claims are `not supported` (before: 87%). Another 200 terms (seed 11) are noisier on
siblings: 0.12 / 0.06 / 0.00 (before: 0.35 / 0.17 / 0.06); the sibling names it supports are mostly a process the
genes do share at the databases' resolution ("chromatin organization" for protein-DNA complex disassembly genes,
through "Chromatin organization"; "acidic amino acid transport" through "Amino acid transport across the plasma
membrane"). Most true GO names (81%) find no
matching Reactome/WikiPathways pathway at all: the knowledge base is coarser than GO, so `not supported` there means
"not in these databases"; of the 32 claims called `supported`, 27 are true names (before: 71 of 107).
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.evidence import is_significant, row_from_pathway
from gene_r1.agent.explained import DEFAULT_MIN_OVERLAP, explaining_rows
from gene_r1.agent.state import ClaimVerdict, EvidenceRow
from gene_r1.tools.formatting import fdr_text

# A gene-symbol-like token standing alone: not part of a complex or pathway name such as "APC/C" or "MCM2-7".
SYMBOL_PATTERN = re.compile(r"(?<![\w/:-])[A-Z][A-Z0-9]{1,9}(?:-[A-Z0-9]+)?(?![\w/:-])")

# Chosen on dev claims (the table in the module docstring; benchmarks/verify_calibration.py).
MIN_NAME_SIMILARITY = 0.75
MIN_COVERAGE_RATIO = 0.67
CLAIM_SEARCH_K = 10  # pathways found by searching for the claim, besides the enrichment rows

Relation = Literal["same", "narrower", "broader", "conflict", "unrelated"]
_ELSEWHERE = ("conflict", "unrelated")

# Names for the same thing that share no word: the interferon types by their ligands (Reactome says "Interferon
# alpha/beta signaling", GO "type I interferon-mediated signaling pathway").
_EQUIVALENTS = (
    (re.compile(r"\b(?:interferon|ifn)[\s-]*(?:alpha|beta|α|β)(?:\s*/\s*(?:beta|β))?\b"), "type i interferon"),
    (re.compile(r"\b(?:alpha|α)(?:\s*/\s*(?:beta|β))?[\s-]*(?:interferon|ifn)\b"), "type i interferon"),
    (re.compile(r"\bifna(?:\s*/\s*ifnb)?\b|\bifnb\b"), "type i interferon"),
    (re.compile(r"\b(?:interferon|ifn)[\s-]*(?:gamma|γ)\b|\b(?:gamma|γ)[\s-]*(?:interferon|ifn)\b|\bifng\b"),
     "type ii interferon"),
    (re.compile(r"\b(?:interferon|ifn)[\s-]*(?:lambda|λ)\b|\bifnl\b"), "type iii interferon"),
    (re.compile(r"\bifns?\b"), "interferon"),
    (re.compile(r"\bsignal+ing by (?:the )?([^,(]+)"), r"\1 signaling"),  # Reactome's word order: "Signaling by EGFR"
    (re.compile(r"\btype[\s-]*1\b"), "type i"),
    (re.compile(r"\btype[\s-]*2\b"), "type ii"),
    (re.compile(r"\btype[\s-]*3\b"), "type iii"),
)
# Words that tell members of a family apart: "Type I", "complex II", "alpha", "B cell", "class 1".
_DESIGNATOR = re.compile(r"^(?:[ivx]+|[a-z]|[0-9]+|alpha|beta|gamma|delta|epsilon|kappa|lambda|[α-ω])$")
_WORD = re.compile(r"[0-9a-zα-ω]+")
_STOPWORDS = frozenset("a an and as at by during for from in into involved of on or the to via with within".split())
_GENERIC = ("process", "pathway", "mediated")  # GO's "...-mediated signaling pathway", "... process"
_SUFFIXES = sorted(
    "ational ation ition ional ically mental ment atory ating ated ate ities ity ing isms ism sis ses tic ical ic al "
    "ive ory ion es s e y".split(),
    key=len,
    reverse=True,
)


def _stem(word: str) -> str:
    """A crude stem, enough to make "biosynthetic"/"biosynthesis" and "signaling"/"signalling" one word."""
    word = word.replace("lling", "ling").replace("isation", "ization")
    while True:
        suffix = next((s for s in _SUFFIXES if word.endswith(s) and len(word) - len(s) >= 4), None)
        if suffix is None:
            return word
        word = word[: -len(suffix)]


_GENERIC_STEMS = frozenset(_stem(w) for w in _GENERIC)


def name_tokens(text: str) -> list[str]:
    """The content words of a claim or pathway name, stemmed, in order."""
    text = text.lower()
    for pattern, replacement in _EQUIVALENTS:
        text = pattern.sub(replacement, text)
    stems = (_stem(w) for w in _WORD.findall(text) if w not in _STOPWORDS)
    return [w for w in stems if w not in _GENERIC_STEMS]


def name_relation(claim: str, name: str) -> Relation:
    """How a pathway name relates to a claim, word by word.

    The token sequences are aligned (difflib). Words of the claim replaced by words of the name (neither held by the
    other side) in front of a shared word are a substituted qualifier: "conflict" ("Nucleotide excision" for "Base
    excision repair", "negative" for "positive regulation", "DNA repair" for "Base excision repair"); so is a replaced
    designator anywhere ("Type II" for "Type I", "complex II" for "complex I"). A replaced last word is not a conflict
    on its own ("p38MAPK events" for "p38MAPK cascade", "Nuclear Envelope Reassembly" for "nuclear envelope
    organization"): the embedding judges those.
    Otherwise: "same" (the same words), "narrower" (the name adds words: "PCNA-Dependent Long Patch Base Excision
    Repair"), "broader" (some claim words are missing: "Interferon Signaling" for "Type I interferon signaling"), or
    "unrelated" (no shared word; then only the embedding can say whether they match).
    """
    a, b = name_tokens(claim), name_tokens(name)
    if not set(a) & set(b):
        return "unrelated"
    abbreviated: set[str] = set()  # words spelled out on one side, abbreviated on the other ("TCR")
    opcodes = SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        lost, new = [w for w in a[i1:i2] if w not in b], [w for w in b[j1:j2] if w not in a]
        if tag != "replace" or not lost or not new:
            continue
        if _abbreviates(lost, new) or _abbreviates(new, lost):
            abbreviated |= {*lost, *new}
        elif k + 1 < len(opcodes) or any(_DESIGNATOR.match(w) for w in lost + new):
            return "conflict"
    claim_words, name_words = set(a) - abbreviated, set(b) - abbreviated
    if claim_words <= name_words:
        return "same" if claim_words == name_words else "narrower"
    return "broader"


def _abbreviates(words: list[str], short: list[str]) -> bool:
    """"TCR" for "T cell receptor": one word of three or more letters made of the others' initials."""
    return len(short) == 1 and len(words) >= 3 and short[0] == "".join(w[0] for w in words)


@dataclass(frozen=True)
class WeighedPathway:
    """A pathway that shares genes with the set, weighed against a claim."""

    row: EvidenceRow
    similarity: float  # cosine of the MiniLM embeddings of claim and pathway name
    relation: Relation  # `name_relation(claim, row["name"])`


@dataclass(frozen=True)
class ClaimCheck:
    verdict: ClaimVerdict
    stronger_alternative: EvidenceRow | None  # the best significant pathway pointing elsewhere, when it beats the claim
    elsewhere: list[EvidenceRow]  # significant, specific pathways that do not match the claim, most genes first


def weigh_pathways(
    claim: str, genes: Sequence[str], kb, enrichment: dict[str, EvidenceRow], config: AgentConfig
) -> list[WeighedPathway]:
    """Every enrichment row plus the pathways a search for `claim` finds among those holding some of `genes`, each
    with its name's similarity and relation to the claim."""
    from gene_r1.agent.context import embed_memoised
    from gene_r1.tools import search_pathways

    rows = {pid: row for pid, row in enrichment.items() if row["source"] in config.sources}
    for hit in search_pathways(claim, k=CLAIM_SEARCH_K, genes=list(genes), kb=kb, sources=config.sources):
        if hit.pathway_id not in rows:
            pathway = kb.store.pathway(hit.pathway_id)
            if pathway is not None:
                rows[hit.pathway_id] = row_from_pathway(pathway, genes, enrichment)
    if not rows:
        return []
    # Pathway names (the usual claim is one) are read from the index; free text is embedded.
    vectors = kb.embed([claim] + [row["name"] for row in rows.values()], fallback=embed_memoised)
    similarity = vectors[1:] @ vectors[0]
    return [
        WeighedPathway(row, float(s), name_relation(claim, row["name"]))
        for row, s in zip(rows.values(), similarity, strict=True)
    ]


def judge_claim(
    claim: str,
    genes: Sequence[str],
    weighed: Sequence[WeighedPathway],
    *,
    fdr_threshold: float,
    min_similarity: float = MIN_NAME_SIMILARITY,
    min_coverage_ratio: float = MIN_COVERAGE_RATIO,
) -> ClaimCheck:
    """The verdict on `claim` from the weighed pathways (no I/O: the calibration replays it over a grid)."""
    n, needed = len(genes), min(DEFAULT_MIN_OVERLAP, len(genes))
    matching = [w for w in weighed if w.similarity >= min_similarity and w.relation != "conflict"]
    matching_ids = {w.row["pathway_id"] for w in matching}
    specific = [w.row for w in matching if w.relation in ("same", "narrower") and w.row["overlap_genes"]]
    tier = specific or [w.row for w in matching if w.row["overlap_genes"]]
    significant = sorted((r for r in tier if is_significant(r, fdr_threshold) and _count(r) >= needed), key=_strength)
    overlapping = sorted((r for r in tier if _count(r) >= needed), key=_strength)
    # A name that shares words with the claim without substituting any ("DNA Repair" for "DNA mismatch repair")
    # generalises or refines it: it does not point elsewhere, even below the similarity threshold.
    others = [w.row for w in weighed if w.row["pathway_id"] not in matching_ids and w.relation in _ELSEWHERE]
    elsewhere = sorted(explaining_rows(others, fdr_threshold=fdr_threshold), key=_strength)
    alternative = elsewhere[0] if elsewhere else None
    if significant:
        best, rows = significant[0], significant
        said = f"{_quote(best)} matches the claim and covers {_count(best)} of {n} genes at FDR {_fdr_text(best)}"
        if alternative is None or _count(best) >= min_coverage_ratio * _count(alternative):
            verdict, stronger = "supported", None
            why = said + (f"; nothing pointing elsewhere covers clearly more (best: {_covers(alternative, n)})."
                          if alternative else "; no significant pathway points elsewhere.")
        else:
            verdict, stronger = "partly supported", alternative
            why = f"{said}, but a stronger pathway points elsewhere: {_covers(alternative, n)}."
    elif overlapping:
        best, rows, verdict = overlapping[0], overlapping, "partly supported"
        stronger = alternative if alternative and _count(alternative) > _count(best) else None
        why = (f"{_quote(best)} matches the claim and contains {_count(best)} of the {n} genes, but not significantly "
               f"(FDR {_fdr_text(best)})" + (f"; {_covers(stronger, n)}." if stronger else "."))
    else:
        rows, verdict, stronger = [], "not supported", alternative
        why = "No pathway matching the claim shares genes with the set in Reactome or WikiPathways" + (
            f"; the evidence points elsewhere: {_covers(alternative, n)}." if alternative else ".")
    supporting = sorted({g for row in rows for g in row["overlap_genes"]})
    unsupported = [g for g in genes if g not in supporting]
    return ClaimCheck(_verdict(claim, "name", claim, verdict, why, rows, supporting, unsupported), stronger, elsewhere)


def check_claim(
    claim: str, genes: Sequence[str], kb, enrichment: dict[str, EvidenceRow], config: AgentConfig
) -> ClaimCheck:
    """Is there a pathway named like `claim` that covers the genes about as well as anything else does?"""
    if not claim.strip():
        return ClaimCheck(_verdict(claim, "name", claim, "not supported", "The model gave no process name.", [], [],
                                   list(genes)), None, [])
    weighed = weigh_pathways(claim, genes, kb, enrichment, config)
    return judge_claim(claim, genes, weighed, fdr_threshold=config.fdr_threshold)


def check_name(
    name: str, genes: Sequence[str], kb, enrichment: dict[str, EvidenceRow], config: AgentConfig
) -> ClaimVerdict:
    """The verdict on a proposed name (`check_claim` without the alternative's row)."""
    return check_claim(name, genes, kb, enrichment, config).verdict


def _count(row: EvidenceRow) -> int:
    return len(row["overlap_genes"])


def _strength(row: EvidenceRow) -> tuple:
    """Most genes first, then the lower FDR (a specific pathway beats a broad one covering the same genes)."""
    return -_count(row), row["fdr"] if row["fdr"] is not None else 2.0, row["pathway_id"]


def _quote(row: EvidenceRow) -> str:
    return f"{row['name']} ({row['pathway_id']})"


def _covers(row: EvidenceRow, n: int) -> str:
    return f"{_quote(row)} covers {_count(row)} of {n} genes (FDR {_fdr_text(row)})"


def mentioned_genes(text: str, genes: Sequence[str], known_symbols: Container[str]) -> tuple[list[str], list[str]]:
    """Gene symbols the text mentions: (those in the input set, known genes that are not in it).

    `known_symbols` holds upper-cased approved symbols (the tokens matched here are upper case)."""
    inside, outside = [], []
    wanted = set(genes)
    for token in dict.fromkeys(SYMBOL_PATTERN.findall(text)):
        if token in wanted:
            inside.append(token)
        elif token in known_symbols:
            outside.append(token)
    return inside, outside


def check_outside_genes(outside: Sequence[str]) -> ClaimVerdict:
    return _verdict(
        f"The reasoning names genes outside the input set: {', '.join(outside)}",
        "mentioned_genes",
        ", ".join(outside),
        "not supported",
        "These genes are not in the gene set; statements about them are not evidence for this set.",
        [],
        [],
        list(outside),
    )


def _fdr_text(row: EvidenceRow) -> str:
    return fdr_text(row["fdr"], missing="not tested")


def _verdict(claim, kind, about, verdict, why, rows, supporting, unsupported=()) -> ClaimVerdict:
    return ClaimVerdict(
        claim=claim,
        kind=kind,
        about=about,
        verdict=verdict,
        explanation=why,
        supporting_pathways=list(rows)[:5],
        supporting_genes=list(supporting),
        unsupported_genes=list(unsupported),
    )


def check_quoted_candidate(candidate: dict, genes: Sequence[str], kb) -> ClaimVerdict:
    """Re-derive a candidate the reasoning quotes from the store: does the pathway exist, under this name, and
    contain exactly the genes the reasoning says it does?"""
    claim = f"[{candidate['number']}] {candidate['name']} ({candidate['pathway_id']}) contains " \
            f"{len(candidate['overlap_genes'])} of the {len(genes)} genes"
    pathway = kb.store.pathway(candidate["pathway_id"])
    if pathway is None:
        return _verdict(claim, "evidence", candidate["pathway_id"], "not supported",
                        f"{candidate['pathway_id']} is not in the knowledge base.", [], [],
                        list(candidate["overlap_genes"]))
    members = set(pathway.genes)
    actual = sorted(g for g in genes if g in members)
    if actual == sorted(candidate["overlap_genes"]) and pathway.name == candidate["name"]:
        return _verdict(claim, "evidence", candidate["pathway_id"], "supported",
                        f"The knowledge base holds {pathway.id} with these {len(actual)} genes of the set.",
                        [], actual)
    return _verdict(claim, "evidence", candidate["pathway_id"], "not supported",
                    f"The knowledge base's {pathway.id} ({pathway.name}) holds {len(actual)} of the genes, "
                    "not what the reasoning says.", [], actual,
                    sorted(set(candidate["overlap_genes"]) - set(actual)))
