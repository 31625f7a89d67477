"""Does the model know which grounded name fits a gene set? Two measurements on the judge's dev split.

1. **The vote, with and without its position bias.** The model's log-probability of each shown number
   (`agent.judge.model_votes`) for the ranker's shortlist shown best-first and shown reversed. The mean
   log-probability of each *position* is its positional prior; what is left after subtracting it is the model's
   opinion of the *candidate*. Printed: the positional prior, the dev mean cosine of the names chosen by the vote
   alone and by ranker + weight x vote, and the mean within-set Spearman correlation of vote and label.
2. **Name likelihood (PMI).** log p(name | genes) - log p(name | no genes) for every candidate of the pool, from the
   model's next-token probabilities after "Process:" (the shared prompt is run once and its cache reused). A model
   that knows what the genes do gives the right name a higher PMI.

Usage: GENE_R1_HOME=... python benchmarks/model_signal.py --data-dir JUDGE_DATA [--sets 200] [--adapter PATH|none]
       [--record LABEL]
Dev sets only (their terms are in no training split and no benchmark or reserved id). Prints JSON; `--record`
also stores a summary under `facts.model_signal[LABEL]` of the shipped judge settings (kept across retraining).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WEIGHTS = (0.1, 0.25, 0.5, 1.0, 2.0)
PMI_WEIGHTS = (0.02, 0.05, 0.1, 0.2)  # PMI sums over a name's tokens: a larger scale than a vote


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Rank correlation (ties share their mean rank); NaN when either side does not vary."""
    from scipy.stats import rankdata

    rx, ry = rankdata(x), rankdata(y)
    return float(np.corrcoef(rx, ry)[0, 1]) if len(x) > 2 and rx.std() and ry.std() else float("nan")


def chosen(scores: list[np.ndarray], labels: list[np.ndarray]) -> float:
    return float(np.mean([lab[int(np.argmax(s))] for s, lab in zip(scores, labels, strict=True)]))


def labels_and_scores(candidates: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Each ranked candidate's dev label (cosine to the true name; kept by `rank`) and its ranker score."""
    return np.array([c["label"] for c in candidates]), np.array([c["ranker_score"] for c in candidates])


def signal_against_labels(signal: list[np.ndarray], ranker_scores: list[np.ndarray], labels: list[np.ndarray],
                          weights: tuple[float, ...]) -> dict:
    """A per-candidate signal judged by the names it picks: alone, added to the ranker at each weight, and its
    mean within-set rank correlation with the labels."""
    return {"alone": chosen(signal, labels),
            "ranker_plus_weight": {w: chosen([r + w * x for r, x in zip(ranker_scores, signal, strict=True)], labels)
                                   for w in weights},
            "spearman_with_label": float(np.nanmean([spearman(x, lab) for x, lab in zip(signal, labels,
                                                                                        strict=True)]))}


def vote_signal(rows, model, ranker, embed, shown: int) -> dict:
    from gene_r1.agent.judge import judge_prompt, model_votes, rank

    forward, backward, labels, ranker_scores = [], [], [], []
    for row in rows:
        shortlist = rank(row["pool"], len(row["genes"]), ranker, embed)[:shown]
        if len(shortlist) != shown:
            continue
        reversed_list = shortlist[::-1]
        votes = model_votes(model, [judge_prompt(row["genes"], shortlist), judge_prompt(row["genes"], reversed_list)],
                            [shown, shown])
        row_labels, row_scores = labels_and_scores(shortlist)
        labels.append(row_labels)
        ranker_scores.append(row_scores)
        forward.append(np.array(votes[0]) - np.logaddexp.reduce(votes[0]))
        backward.append((np.array(votes[1]) - np.logaddexp.reduce(votes[1]))[::-1])  # back in the ranker's order
    forward_m, backward_m = np.array(forward), np.array(backward)
    debiased = forward_m - forward_m.mean(0) + backward_m - backward_m.mean(0)
    out = {"sets": len(labels), "ranker": chosen(ranker_scores, labels),
           "oracle_shown": float(np.mean([lab.max() for lab in labels])),
           "positional_prior_best_first": forward_m.mean(0).round(3).tolist()}
    for name, votes in (("vote", forward_m), ("vote_debiased", debiased)):
        out[name] = signal_against_labels(list(votes), ranker_scores, labels, WEIGHTS)
    return out


def name_loglik(backend, prefix: str, names: list[str]) -> np.ndarray:
    """Sum of the log-probabilities of each name's tokens after `prefix` (one cached pass over the prefix)."""
    import torch

    tokenizer, model = backend.tokenizer, backend.model
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    prefix_ids = torch.tensor([tokenizer(prefix, add_special_tokens=False)["input_ids"]])
    width = prefix_ids.shape[1]
    sequences = [tokenizer(" " + n, add_special_tokens=False)["input_ids"][:24] for n in names]
    longest = max(map(len, sequences))
    pad = tokenizer.pad_token_id or 0
    with torch.inference_mode():
        out = model(input_ids=prefix_ids, use_cache=True, logits_to_keep=1)
        first = torch.log_softmax(out.logits[0, -1].float(), -1)
        cache = out.cache
        cache.batch_repeat_interleave(len(sequences))
        ids = torch.tensor([s + [pad] * (longest - len(s)) for s in sequences])
        mask = torch.cat([torch.ones(len(sequences), width, dtype=torch.long),
                          torch.tensor([[1] * len(s) + [0] * (longest - len(s)) for s in sequences])], 1)
        positions = torch.arange(width, width + longest).unsqueeze(0).expand(len(sequences), longest)
        hidden = base.model(input_ids=ids, attention_mask=mask, position_ids=positions, cache=cache)
        hidden = hidden.last_hidden_state
        totals = []
        for i, s in enumerate(sequences):
            total = float(first[s[0]])
            if len(s) > 1:
                logp = torch.log_softmax(base.lm_head(hidden[i, : len(s) - 1]).float(), -1)
                total += float(logp[torch.arange(len(s) - 1), torch.tensor(s[1:])].sum())
            totals.append(total)
    return np.array(totals)


def pmi_signal(rows, backend, ranker, embed) -> dict:
    from gene_r1.agent.judge import rank
    from gene_r1.agent.prompts import SYSTEM_PROMPT

    def prefix(genes: list[str]) -> str:
        listed = ", ".join(genes[:20]) if genes else "(none)"
        messages = [{"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": "Propose a brief name for the most prominent biological process "
                                                f"performed by these genes: {listed}"}]
        return backend.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False) + "Process:"

    unconditional: dict[str, float] = {}
    pmis, labels, ranker_scores = [], [], []
    for row in rows:
        ranked = rank(row["pool"], len(row["genes"]), ranker, embed)
        names = [c["name"] for c in ranked]
        conditional = name_loglik(backend, prefix(row["genes"]), names)
        missing = list(dict.fromkeys(n for n in names if n not in unconditional))
        if missing:
            unconditional.update(zip(missing, name_loglik(backend, prefix([]), missing).tolist(), strict=True))
        pmis.append(conditional - np.array([unconditional[n] for n in names]))
        row_labels, row_scores = labels_and_scores(ranked)
        labels.append(row_labels)
        ranker_scores.append(row_scores)
    found = signal_against_labels(pmis, ranker_scores, labels, PMI_WEIGHTS)
    return {"sets": len(labels), "ranker": chosen(ranker_scores, labels), "pmi_alone": found["alone"],
            "ranker_plus_weight": found["ranker_plus_weight"], "spearman_with_label": found["spearman_with_label"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="judge data (its dev.jsonl is read)")
    parser.add_argument("--sets", type=int, default=200)
    parser.add_argument("--adapter", default=None, help="LoRA adapter (default: the shipped one; 'none': base)")
    parser.add_argument("--skip", choices=("vote", "pmi"), default=None)
    parser.add_argument("--record", metavar="LABEL", help="store the summary in the shipped judge.json's facts")
    args = parser.parse_args()

    from gene_r1.agent.backends.transformers_backend import TransformersBackend
    from gene_r1.agent.model_types import ModelConfig
    from gene_r1.agent.ranker import load_ranker
    from gene_r1.training.judge_pipeline import embedder
    from gene_r1.training.judge_train import read_rows

    rows = read_rows(args.data_dir / "dev.jsonl")[: args.sets]
    ranker, embed = load_ranker(), embedder()
    backend = TransformersBackend.load(ModelConfig(adapter=args.adapter, threads=1))
    result: dict = {"adapter": backend.adapter or "none", "dev_sets": len(rows)}
    started = time.perf_counter()
    if args.skip != "vote":
        result["vote"] = vote_signal(rows, backend, ranker, embed, ranker.settings.shown)
    if args.skip != "pmi":
        result["pmi"] = pmi_signal(rows, backend, ranker, embed)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))
    if args.record:
        record(ranker.directory / "judge.json", args.record, result)


def summary(result: dict) -> dict:
    out = {"adapter": result["adapter"], "dev_sets": result["dev_sets"]}
    if "vote" in result:
        vote = result["vote"]
        out["vote"] = {"ranker": round(vote["ranker"], 4), "vote_alone": round(vote["vote"]["alone"], 4),
                       "debiased_vote_alone": round(vote["vote_debiased"]["alone"], 4),
                       "best_ranker_plus_debiased_vote": round(max(vote["vote_debiased"]["ranker_plus_weight"]
                                                                   .values()), 4),
                       "debiased_spearman_with_label": round(vote["vote_debiased"]["spearman_with_label"], 3),
                       "positional_prior_best_first": vote["positional_prior_best_first"]}
    if "pmi" in result:
        pmi = result["pmi"]
        out["pmi"] = {"ranker": round(pmi["ranker"], 4), "pmi_alone": round(pmi["pmi_alone"], 4),
                      "best_ranker_plus_pmi": round(max(pmi["ranker_plus_weight"].values()), 4),
                      "spearman_with_label": round(pmi["spearman_with_label"], 3)}
    return out


def record(path: Path, label: str, result: dict) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.setdefault("facts", {}).setdefault("model_signal", {})[label] = summary(result)
    path.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
