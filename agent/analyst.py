"""Judge like an analyst: the themes of a set, a grounded name for each, whether the set shares a function at all,
and the set's headline.

Pure functions of the evidence, the judge's ranked candidates, the random-set null and the fitted models; the
agent's assess node, batch runs and the evaluation call the same `assess`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gene_r1.agent.coherence import CoherenceInputs, CoherenceModel, features
from gene_r1.agent.headline import grounded_choices, set_headline
from gene_r1.agent.state import Coherence, Theme
from gene_r1.agent.themes import PathwayGroup, pathway_groups

NAME_FEATURES = ("coherence", "theme_share", "log_fdr", "overlap_share", "ranker_score", "choices", "theme_number")


@dataclass(frozen=True)
class Assessment:
    themes: list[Theme]
    coherence: Coherence
    headline: dict | None  # the candidate that names the set (None: no coherent function, or no evidence)
    candidates: list[dict]  # the judge's candidates, plus theme names found outside its pool (numbered on)


def name_features(coherence: float, group: PathwayGroup, chosen: dict, tested: int, choices: int,
                  theme_number: int) -> np.ndarray:
    return np.array([
        coherence,
        len(group.genes) / max(tested, 1),
        min(-math.log10(max(chosen["fdr"], 1e-300)), 50.0),
        len(chosen["overlap_genes"]) / max(tested, 1),
        float(chosen.get("ranker_score", 0.0)),
        float(choices),
        float(theme_number),
    ])


def name_confidence(model: dict | None, x: np.ndarray) -> float:
    """Calibrated P(the name is right: cosine >= 0.5 to the true name), a logistic model fitted on dev."""
    if not model:
        return 0.0
    z = float(np.dot(np.asarray(model["coef"]), (x - np.asarray(model["mean"])) / np.asarray(model["scale"])))
    return 1.0 / (1.0 + math.exp(-(z + float(model["intercept"]))))


def name_group(group: PathwayGroup, ranked: list[dict], rank_rows: Callable[[Sequence[dict]], list[dict]],
               tested: int, fdr_threshold: float) -> dict | None:
    """The grounded judge on one theme: the best candidate of the ranked pool that may name it; when none of the
    pool's candidates belongs to the theme, its own pathways ranked by the same ranker."""
    ids = set(group.pathway_ids)
    best_overlap = max(len(r["overlap_genes"]) for r in group.rows)
    choices = grounded_choices(ranked, ids, best_overlap, tested, fdr_threshold)
    if not choices:
        choices = grounded_choices(rank_rows(group.rows), ids, best_overlap, tested, fdr_threshold)
    return choices[0] if choices else None


def named_groups(genes: Sequence[str], tested: int, evidence: Sequence[dict], ranked: list[dict],
                 rank_rows: Callable[[Sequence[dict]], list[dict]],
                 fdr_threshold: float = 0.05) -> tuple[list[tuple[PathwayGroup, dict]], list[dict]]:
    """Each theme with the candidate that names it, strongest first; and the candidates, with theme names found
    outside the judge's pool appended (numbered on)."""
    candidates = list(ranked)
    named = []
    for group in pathway_groups(genes, evidence, fdr_threshold):
        chosen = name_group(group, candidates, lambda rows: _renumbered(rank_rows(rows), candidates), tested,
                            fdr_threshold)
        if chosen is None:
            continue
        if all(c["pathway_id"] != chosen["pathway_id"] for c in candidates):
            chosen = {**chosen, "number": len(candidates) + 1, "probability": 0.0}
            candidates.append(chosen)
        named.append((group, chosen))
    return named, candidates


def lead_with_headline(named: list[tuple[PathwayGroup, dict]], headline: dict | None
                       ) -> list[tuple[PathwayGroup, dict]]:
    """Themes with the headline's theme first, named by the headline; the others keep their evidence order."""
    if headline is None:
        return named
    for i, (group, _) in enumerate(named):
        if headline["pathway_id"] in group.pathway_ids:
            return [(group, headline)] + named[:i] + named[i + 1:]
    return named


def judged_themes(genes: Sequence[str], tested: int, evidence: Sequence[dict], ranked: list[dict],
                  rank_rows: Callable[[Sequence[dict]], list[dict]], fdr_threshold: float = 0.05
                  ) -> tuple[list[tuple[PathwayGroup, dict]], list[tuple[PathwayGroup, dict]], list[dict]]:
    """The named themes in evidence order (what the coherence model reads), the same led by the headline's theme
    (what users read: `lead_with_headline` of `set_headline`), and the candidates with theme names appended."""
    named, candidates = named_groups(genes, tested, evidence, ranked, rank_rows, fdr_threshold)
    return named, lead_with_headline(named, set_headline(ranked, tested, fdr_threshold)), candidates


def assess(genes: Sequence[str], tested: int, evidence: Sequence[dict], ranked: list[dict],
           rank_rows: Callable[[Sequence[dict]], list[dict]], statistics, null, model: CoherenceModel,
           fdr_threshold: float = 0.05) -> Assessment:
    """Themes, coherence and the headline of one set. `statistics`: `tools.enrichment_null.SetStatistics` of the
    tested genes; `null`: the random-set null; `rank_rows`: ranks evidence rows with the judge's ranker."""
    by_evidence, named, candidates = judged_themes(genes, tested, evidence, ranked, rank_rows, fdr_threshold)
    groups = [group for group, _ in by_evidence]  # evidence order: what the coherence model was fitted on
    reached, draws = null.reached(tested, statistics.best_log_p)
    inputs = CoherenceInputs(tested, statistics.best_log_p, statistics.explained_fraction,
                             statistics.connected_fraction, reached, draws, null.moments(tested),
                             [len(g.genes) for g in groups], groups[0].best_fdr if groups else None)
    probabilities = model.probabilities(features(inputs))
    verdict = model.verdict(probabilities, reached / max(draws, 1))
    themes: list[Theme] = []
    for group, chosen in named:
        confidence = name_confidence(model.facts.get("name_model"),
                                     name_features(probabilities["real"], group, chosen, tested, len(group.rows),
                                                   len(themes) + 1))
        themes.append(Theme(number=len(themes) + 1, name=chosen["name"], pathway_id=chosen["pathway_id"],
                            genes=list(group.genes), pathway_ids=group.pathway_ids, best_fdr=group.best_fdr,
                            name_confidence=round(confidence if verdict != "no coherent function" else 0.0, 3),
                            weak=verdict == "no coherent function"))
    headline = named[0][1] if named and verdict != "no coherent function" else None
    coherence = Coherence(
        verdict=verdict,
        coherence=round(probabilities["real"], 3),
        name_confidence=themes[0]["name_confidence"] if headline is not None else 0.0,
        set_size=tested,
        covered_genes=len(themes[0]["genes"]) if themes else 0,
        explained_genes=len({g for t in themes for g in t["genes"]}),
        null_set_size=int(null.sizes[null.nearest(tested)]),
        null_draws=draws,
        null_reached=reached,
        summary="",
        reasons=[],
    )
    from gene_r1.agent.coherence_text import reasons, summary

    coherence["summary"] = summary(coherence, themes)
    coherence["reasons"] = reasons(coherence, themes)
    return Assessment(themes, coherence, headline, candidates)


def _renumbered(ranked_rows: list[dict], existing: Sequence[dict]) -> list[dict]:
    """Theme pathways ranked outside the judge's pool keep the pool's numbers when the pool has them."""
    numbers = {c["pathway_id"]: c["number"] for c in existing}
    start = len(existing)
    return [{**c, "number": numbers.get(c["pathway_id"], start + c["number"])} for c in ranked_rows]
