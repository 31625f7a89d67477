"""The coherence verdict and the themes as every surface shows them (Markdown, HTML, terminal, chat, batch tables).

The sentences of the verdict itself (`Coherence["summary"]`, `Coherence["reasons"]`) are written by
`agent.coherence_text` when the set is assessed; this module lays them out and adds only words whose numbers are
fields of `agent.state.Coherence` and `agent.state.Theme` (a probability with two decimals, a count, an FDR as
`tools.formatting.fdr_text` prints it). Results written before the verdict existed have `coherence` None and no
themes; every function here accepts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gene_r1.tools.formatting import count_text, fdr_text

VERDICT_MEANING = {
    "coherent": "a specific function covers most of the genes.",
    "partly coherent": "themes cover part of the set; the genes they leave are listed as not explained.",
    "no coherent function": "the evidence shows no specific function these genes share; the closest themes are "
    "listed, marked weak, and are not claims.",
}
CALIBRATION = "calibrated on development gene sets: real ones, the same with half their genes random, and random ones"
NO_VERDICT = "No coherence verdict: this result was made before gene-r1 judged coherence; analyse the set again."
MAX_THEME_GENES = 20
MAX_THEME_PATHWAYS = 5
# Reasons that already explain one of the two numbers (agent.coherence_text writes them): shown as that number's
# explanation instead of a second sentence of ours.
_COHERENCE_REASON = "Coherence "
_NAME_REASON = "Name confidence "


@dataclass(frozen=True)
class VerdictWords:
    """The verdict block: a headline, the summary sentence, the two numbers explained, the reasons."""

    verdict: str  # "coherent" | "partly coherent" | "no coherent function"
    headline: str  # "Partly coherent: themes cover part of the set; ..."
    summary: str  # the coherence summary sentence (rendered by code from the fields)
    coherence: str  # "Coherence 0.62: the probability that ..."
    name_confidence: str  # "Name confidence 0.41: ..." or why there is none
    reasons: tuple[str, ...]  # the evidence behind the verdict (number explanations moved to the two fields)


def verdict_words(result: dict) -> VerdictWords | None:
    """The verdict block of an analysis (an `agent.api.Analysis` dict), or None when it has no verdict."""
    coherence = result.get("coherence")
    if not coherence:
        return None
    verdict = coherence["verdict"]
    reasons = list(coherence.get("reasons", []))
    said_coherence = next((r for r in reasons if r.startswith(_COHERENCE_REASON)), None)
    said_name = next((r for r in reasons if r.startswith(_NAME_REASON)), None)
    if said_coherence is None:
        said_coherence = (f"Coherence {coherence['coherence']:.2f}: the probability that these "
                          f"{count_text(coherence['set_size'], 'gene')} share a specific function, {CALIBRATION}.")
    if verdict == "no coherent function":
        said_name = ("Name confidence: none, since no coherent function is claimed; the weak themes are the closest "
                     "the evidence comes.")
    elif said_name is None:
        said_name = (f"Name confidence {coherence['name_confidence']:.2f}: the probability that the headline name is "
                     "right for the genes it covers, calibrated the same way.")
    meaning = VERDICT_MEANING.get(verdict)
    return VerdictWords(
        verdict=verdict,
        headline=f"{verdict[:1].upper()}{verdict[1:]}" + (f": {meaning}" if meaning else "."),
        summary=coherence.get("summary", ""),
        coherence=said_coherence,
        name_confidence=said_name,
        reasons=tuple(r for r in reasons if not r.startswith((_COHERENCE_REASON, _NAME_REASON))),
    )


def verdict_label(result: dict) -> str:
    """The verdict for a table cell: `coherent`, `partly coherent`, `no coherent function`, or empty."""
    coherence = result.get("coherence")
    return coherence["verdict"] if coherence else result.get("verdict", "")


def theme_label(theme: dict) -> str:
    """`Cholesterol biosynthesis (R-HSA-191273)`, with `(weak)` when the set has no coherent function."""
    return f"{theme['name']} ({theme['pathway_id']})" + (" (weak)" if theme.get("weak") else "")


def theme_title(theme: dict) -> str:
    """`Theme 2: Cholesterol biosynthesis (R-HSA-191273)`."""
    return f"Theme {theme['number']}: {theme_label(theme)}"


def theme_facts(theme: dict) -> str:
    """`20 genes, 7 pathways; strongest FDR 1.2e-30; name confidence 0.71`."""
    return (f"{count_text(len(theme['genes']), 'gene')}, {count_text(len(theme['pathway_ids']), 'pathway')}; "
            f"strongest FDR {fdr_text(theme['best_fdr'])}; name confidence {theme['name_confidence']:.2f}")


def theme_genes(theme: dict, limit: int = MAX_THEME_GENES) -> str:
    """The first `limit` genes, then an ellipsis (the count is in `theme_facts`: no number is worked out here)."""
    genes = theme["genes"]
    return ", ".join(genes[:limit]) + (", …" if len(genes) > limit else "")


def theme_pathways(theme: dict, rows_by_id: dict[str, dict], limit: int = MAX_THEME_PATHWAYS) -> list[str]:
    """A theme's strongest pathways as `ID Name (FDR x)`: its chosen one, then the others the result holds a row
    (evidence or candidate) for, `limit` in all; `…` when the theme has more (their count is in `theme_facts`)."""
    ids = [theme["pathway_id"]] + [p for p in theme.get("pathway_ids", []) if p != theme["pathway_id"]]
    texts = []
    for pathway_id in ids:
        row = rows_by_id.get(pathway_id)
        if row is None and pathway_id != theme["pathway_id"]:
            continue
        if row is None:
            texts.append(f"{pathway_id} {theme['name']}")
        else:
            tested = f" (FDR {fdr_text(row['fdr'])})" if row.get("fdr") is not None else ""
            texts.append(f"{pathway_id} {row['name']}{tested}")
    return texts[:limit] + (["…"] if len(theme.get("pathway_ids", [])) > min(limit, len(texts)) else [])


def theme_names(themes: Sequence[dict]) -> str:
    """Theme names for one table cell: `Interferon alpha/beta signaling | Cholesterol biosynthesis` (weak themes
    are those of a set with no coherent function, which the verdict beside them says)."""
    return " | ".join(theme["name"] for theme in themes)
