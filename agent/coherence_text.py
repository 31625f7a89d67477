"""The coherence verdict in words a biologist reads. Every number below is quoted from the `Coherence` and `Theme`
fields, never computed in the sentence."""

from __future__ import annotations

from collections.abc import Sequence

from gene_r1.agent.state import Coherence, Theme
from gene_r1.tools.formatting import count_text as plural
from gene_r1.tools.formatting import fdr_text


def null_phrase(c: Coherence) -> str:
    sets = f"random sets of about {plural(c['null_set_size'], 'gene')}"
    if c["null_reached"] == 0:
        return f"none of {c['null_draws']} {sets} reached evidence this strong (fewer than 1 in {c['null_draws']})"
    return f"{c['null_reached']} of {c['null_draws']} {sets} reached evidence this strong"


def theme_phrase(theme: Theme) -> str:
    return f"{theme['name']} ({plural(len(theme['genes']), 'gene')}, FDR {fdr_text(theme['best_fdr'], spec='.1e')})"


def summary(c: Coherence, themes: Sequence[Theme]) -> str:
    n = c["set_size"]
    if c["verdict"] == "no coherent function":
        closest = f" The closest weak theme is {theme_phrase(themes[0])}." if themes else ""
        return (f"No coherent function: {null_phrase(c)}, so these {plural(n, 'gene')} look like genes drawn at "
                f"random.{closest}")
    if not themes:
        return f"No significant specific pathway covers these {plural(n, 'gene')}."
    lead = themes[0]
    # a theme's genes are those its pathways hold together; its name is one of them (which may hold fewer)
    text = (f"{len(lead['genes'])} of {plural(n, 'gene')} fall in one theme, {lead['name']} "
            f"(best FDR {fdr_text(lead['best_fdr'], spec='.1e')}); {null_phrase(c)}.")
    if c["verdict"] == "partly coherent" or len(themes) > 1:
        others = "; ".join(theme_phrase(t) for t in themes[1:])
        unexplained = n - c["explained_genes"]
        text += (f" Other themes: {others}." if others else "") + (
            f" {plural(unexplained, 'gene')} {'stays' if unexplained == 1 else 'stay'} unexplained."
            if unexplained else "")
    return text


def reasons(c: Coherence, themes: Sequence[Theme]) -> list[str]:
    n = c["set_size"]
    out = [
        f"Strength: {null_phrase(c)}.",
        f"Coverage: the themes explain {c['explained_genes']} of {plural(n, 'gene')}; the strongest covers "
        f"{c['covered_genes']}.",
        f"Themes: {len(themes)} group{'s' if len(themes) != 1 else ''} of significant pathways (at most 500 genes "
        "each, sharing at least two genes with the set) that cover different genes.",
        f"Coherence {c['coherence']:.2f}: the probability, calibrated on development gene sets (real, half random "
        "and random versions), that the set as a whole shares a specific function.",
    ]
    if c["verdict"] != "no coherent function" and themes:
        out.append(f"Name confidence {c['name_confidence']:.2f}: the calibrated chance that the headline name "
                   "matches the set's true function (name similarity at least 0.5 on development sets).")
    return out
