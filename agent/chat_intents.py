"""What a chat turn asks for, read by rules: a 135M model cannot be trusted to route a conversation.

Pure functions over the user's text and the current gene set; `agent/chat.py` acts on the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Intent = Literal["new_set", "drop", "add", "support", "unexplained", "themes", "coherence", "compare", "verify",
                 "explain", "help", "ask"]

GENE_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-.]*$")
# Asked before "which genes ...": "which genes are not explained?" asks for the genes left over, not the support.
UNEXPLAINED = re.compile(r"\bunexplained\b|\bnot (?:been )?(?:explained|covered)\b|\bleft ?over\b|\bno pathway\b")
THEMES = re.compile(r"\bthemes?\b|\bclusters?\b|\bwhat (?:functions|processes)\b|\bmore than one (?:function|process)")
COHERENCE = re.compile(
    r"\b(?:in)?coheren|\brandom\b|\bunrelated\b|\bnoise\b|\bmeaningful\b|\bshare (?:a|any|one) (?:function|process)"
)
WHAT_ABOUT = re.compile(r"^\s*(?:what|how) about\s+(.+?)\s*\??\s*$", re.IGNORECASE)
# Families a biologist drops by name; a pattern over approved symbols for each.
GENE_FAMILIES: dict[str, re.Pattern] = {
    "ribosomal": re.compile(r"^(RPL|RPS|MRPL|MRPS)\d"),
    "mitochondrial": re.compile(r"^MT-"),
    "histone": re.compile(r"^H(1|2A|2B|3|4)[-C0-9]"),
    "heat shock": re.compile(r"^(HSPA|HSPB|HSPH|HSP90|DNAJ)"),
    "immunoglobulin": re.compile(r"^IG[HKL][VDJC]"),
}


@dataclass(frozen=True)
class TurnIntent:
    intent: Intent
    genes: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    claims: tuple[str, ...] = field(default_factory=tuple)


def looks_like_gene_list(text: str) -> list[str] | None:
    """The genes of a message that is a gene list ("CDK1, CCNB1 PLK1" or "genes: ..."), else None."""
    body = re.sub(r"^\s*(genes?|set|analy[sz]e)\s*[:=]?\s*", "", text, flags=re.IGNORECASE)
    tokens = [t for t in re.split(r"[,;\s]+", body.strip()) if t]
    if len(tokens) >= 2 and all(GENE_TOKEN.match(t) and t.upper() == t for t in tokens):
        return tokens
    if re.match(r"^\s*(genes?|set|analy[sz]e)\s*[:=]", text, re.IGNORECASE) and tokens:
        return tokens
    return None


def read_intent(text: str, current_genes: list[str]) -> TurnIntent:
    stripped = text.strip()
    lowered = stripped.lower()
    listed = looks_like_gene_list(stripped)
    if listed is not None:
        return TurnIntent("new_set", genes=tuple(listed))
    if not current_genes:
        return TurnIntent("help")
    change = re.match(r"^\s*(drop|remove|exclude|without|add|include)\b(.*)$", lowered)
    if change:
        verb, rest = change.groups()
        families = tuple(f for f in GENE_FAMILIES if f in rest)
        original_rest = stripped[change.end(1) :]
        genes = tuple(t for t in re.split(r"[,;\s]+", original_rest) if t and t.upper() == t and GENE_TOKEN.match(t))
        intent: Intent = "add" if verb in ("add", "include") else "drop"
        return TurnIntent(intent, genes=genes, families=families)
    if UNEXPLAINED.search(lowered):
        return TurnIntent("unexplained")
    if THEMES.search(lowered):
        return TurnIntent("themes")
    if COHERENCE.search(lowered):
        return TurnIntent("coherence")
    if re.search(r"\bwhich genes\b|\bwhat genes\b|\bsupporting genes\b|\bgenes support", lowered):
        return TurnIntent("support")
    about = WHAT_ABOUT.match(stripped)
    if about:  # a process asked about while a set is loaded: check it against that set
        return TurnIntent("verify", claims=(about.group(1).strip(" ?"),))
    compare = re.search(r"(?:more|rather)?\s*(?:like\s+)?(.+?)\s+or\s+(.+?)\s*\??$", lowered)
    if compare and re.match(r"^\s*(is|are|would|does)\b", lowered):
        first = re.sub(
            r"^\s*(is|are|would|does)\s+(this|it|the set)\s+(more\s+)?(about\s+|like\s+)?", "", compare.group(1)
        )
        return TurnIntent("compare", claims=(first.strip(" ?"), compare.group(2).strip(" ?")))
    claim = re.match(
        r"^\s*(?:verify|check|is (?:this|it)|could (?:this|it) be|is the set)\s+(?:about\s+)?(.+?)\??$", lowered
    )
    if claim:
        return TurnIntent("verify", claims=(claim.group(1).strip(),))
    if re.search(r"\bwhy\b|\bevidence\b|\bexplain\b|\breason", lowered):
        return TurnIntent("explain")
    if lowered in ("help", "?"):
        return TurnIntent("help")
    return TurnIntent("ask")


def genes_in_families(genes: list[str], families: tuple[str, ...]) -> list[str]:
    return [g for g in genes if any(GENE_FAMILIES[f].match(g) for f in families)]
