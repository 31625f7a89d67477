"""The judge: rank the grounded candidates with the feature ranker, then let the model choose among the best few.

The model reads the genes and the numbered shortlist (`agent.prompts.judge_messages`) and answers with a number; one
forward pass gives its log-probability for every number. The final score of a candidate is the ranker's score plus
`model_weight` times the model's log-probability (both chosen on the dev split, `training/judge_train.py`); a softmax
with the dev-chosen temperature turns scores into probabilities, and the calibration table turns the winner's
probability into a confidence (the dev-measured chance that its name is right).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gene_r1.agent.candidates import Candidate, numbered
from gene_r1.agent.features import candidate_features
from gene_r1.agent.model import ModelError
from gene_r1.agent.prompts import JUDGE_ANSWER_PREFIX, judge_messages
from gene_r1.agent.ranker import FeatureRanker

logger = logging.getLogger(__name__)
MAX_PROMPT_GENES = 20


@dataclass(frozen=True)
class Judgement:
    candidates: list[Candidate]  # numbered in the ranker's order; `probability` over the shortlist
    chosen: Candidate | None
    confidence: float
    method: str  # "ranker+model" | "ranker"
    shown: int  # how many candidates the model saw
    model_seconds: float = 0.0


def rank(pool: Sequence[Candidate], set_size: int, ranker: FeatureRanker,
         embed: Callable[[list[str]], np.ndarray]) -> list[Candidate]:
    if not pool:
        return []
    vectors = embed([c["name"] for c in pool])
    return numbered(pool, ranker.scores(candidate_features(pool, set_size, vectors, ranker.projection)))


def rank_rows(rows: Sequence[dict], set_size: int, ranker: FeatureRanker,
              embed: Callable[[list[str]], np.ndarray]) -> list[Candidate]:
    """Evidence rows (e.g. one theme's pathways) as their own candidate pool, ranked by the same ranker."""
    from gene_r1.agent.candidates import candidate_pool

    return rank(candidate_pool(list(rows), [], len(rows)), set_size, ranker, embed)


def prompt_genes(genes: Sequence[str], candidates: Sequence[Candidate]) -> list[str]:
    """At most MAX_PROMPT_GENES genes, those in the shown candidates first (a 5,000-gene list fits no prompt)."""
    if len(genes) <= MAX_PROMPT_GENES:
        return list(genes)
    covered = {g for c in candidates for g in c["overlap_genes"]}
    return ([g for g in genes if g in covered] + [g for g in genes if g not in covered])[:MAX_PROMPT_GENES]


def judge_prompt(genes: Sequence[str], shortlist: Sequence[Candidate]) -> list[dict]:
    """The judge's messages: symbols only (a few pathway members are free text, e.g. "18S rRNA"), capped."""
    from gene_r1.agent.prompts import is_symbol

    shown = [{**c, "set_size": len(genes)} for c in shortlist]
    symbols = [g for g in genes if is_symbol(g)]
    return judge_messages(prompt_genes(symbols, shortlist) or ["(none)"], shown)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Scores as probabilities at a temperature (the dev-chosen one turns judge scores into beliefs)."""
    z = np.asarray(scores, dtype=np.float64) / max(temperature, 1e-6)
    probabilities = np.exp(z - z.max())
    return probabilities / probabilities.sum()


def decide(ranked: Sequence[Candidate], settings, model_logprobs: Sequence[float] | None,
           model_seconds: float = 0.0) -> Judgement:
    """Combine the ranker's scores with the model's vote over the shortlist; pick, give probabilities, calibrate."""
    if not ranked:
        return Judgement([], None, 0.0, "ranker", 0)
    shortlist = list(ranked[: settings.shown])
    scores = np.array([c["ranker_score"] for c in shortlist])
    method = "ranker"
    if model_logprobs is not None:
        votes = np.asarray(model_logprobs[: len(shortlist)], dtype=np.float64)
        votes = votes - np.logaddexp.reduce(votes)  # renormalised over the numbers shown
        scores = scores + settings.model_weight * votes
        method = "ranker+model"
    probabilities = softmax(scores, settings.temperature)
    best = int(np.argmax(scores))
    out = [{**c, "probability": round(float(probabilities[i]), 4) if i < len(shortlist) else 0.0}
           for i, c in enumerate(ranked)]
    chosen = out[best]
    return Judgement(out, chosen, round(settings.calibrated(float(probabilities[best])), 3), method,
                     len(shortlist), model_seconds)


def model_votes(model, prompts: Sequence[list[dict]], sizes: Sequence[int]) -> list[list[float]] | None:
    """The model's log-probability of each shown number, for many prompts in one batched call; None when the
    backend cannot score choices."""
    if not prompts:
        return []
    scorer = getattr(model, "choice_logprobs", None)
    if scorer is None:
        return None
    widest = max(sizes)
    options = [f" {n}" for n in range(1, widest + 1)]
    rows = scorer(list(prompts), JUDGE_ANSWER_PREFIX.rstrip(), options)
    return [list(row[:size]) for row, size in zip(rows, sizes, strict=True)]


def judge_many(items: Sequence[tuple[Sequence[str], list[Candidate]]], settings, model) -> list[Judgement]:
    """Judge several gene sets: `items` are (genes, ranked candidates); one batched model call for all."""
    ready = [i for i, (_, ranked) in enumerate(items) if len(ranked) > 1]
    votes: dict[int, list[float]] = {}
    seconds = 0.0
    if model is not None and settings.model_weight != 0 and ready:
        prompts = [judge_prompt(items[i][0], items[i][1][: settings.shown]) for i in ready]
        sizes = [min(len(items[i][1]), settings.shown) for i in ready]
        started = time.perf_counter()
        try:
            rows = model_votes(model, prompts, sizes)
        except ModelError as error:  # e.g. a server without log-probabilities: the ranker's order stands
            logger.warning("the judge's model vote failed (%s); using the feature ranker alone", error)
            rows = None
        seconds = (time.perf_counter() - started) / len(ready)
        if rows is not None:
            votes = dict(zip(ready, rows, strict=True))
    return [decide(ranked, settings, votes.get(i), seconds if i in votes else 0.0)
            for i, (_, ranked) in enumerate(items)]
