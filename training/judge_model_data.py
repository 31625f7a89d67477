"""Examples that teach the model to judge: the agent's judge prompt (genes + the ranker's numbered shortlist) and
the number of the best candidate.

One row serves every stage of the judge recipes (stage "judge"):
  SFT   prompt -> completion "Answer: n" (n: the shown candidate closest to the true name; listwise)
  DPO   prompt, chosen "Answer: n", rejected "Answer: m" for a worse candidate: the ranker's first when it is not
        the best, else the worst shown; or, when the best is supported, an unsupported one (FDR > 0.05 or a search hit)
  GRPO  prompt plus per-candidate `choice_labels` (cosine to the true name) and `choice_supported` for the rewards
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import numpy as np

from gene_r1.agent.prompts import JUDGE_ANSWER_PREFIX
from gene_r1.tools.thresholds import SIGNIFICANT_FDR

SUPPORT_FDR = SIGNIFICANT_FDR


def answer(number: int) -> list[dict]:
    return [{"role": "assistant", "content": f"{JUDGE_ANSWER_PREFIX}{number}"}]


def is_supported(candidate: dict) -> bool:
    return candidate["fdr"] is not None and candidate["fdr"] <= SUPPORT_FDR


def judge_example(row: dict, ranked: Sequence[dict], shown: int, rng: random.Random) -> dict | None:
    """One example from a judge-data row whose pool the ranker has ordered (`ranked`, numbered)."""
    from gene_r1.agent.judge import judge_prompt

    shortlist = list(ranked[:shown])
    if len(shortlist) < 2:
        return None
    labels = {c["pathway_id"]: c["label"] for c in row["pool"]}
    scores = [labels[c["pathway_id"]] for c in shortlist]
    best = int(np.argmax(scores))
    worse = [i for i, s in enumerate(scores) if s < scores[best] - 0.05]
    if not worse:
        return None
    unsupported = [i for i in worse if not is_supported(shortlist[i])]
    if is_supported(shortlist[best]) and unsupported and rng.random() < 0.3:
        rejected = rng.choice(unsupported)
    elif best != 0 and 0 in worse:
        rejected = 0
    else:
        rejected = min(worse, key=lambda i: scores[i])
    return {"id": f"judge-{row['id']}", "stage": "judge", "split": "train", "target": row["true_name"],
            "target_source": row["source"], "genes": row["genes"],
            "prompt": judge_prompt(row["genes"], shortlist),
            "completion": answer(shortlist[best]["number"]),
            "chosen": answer(shortlist[best]["number"]), "rejected": answer(shortlist[rejected]["number"]),
            "choice_labels": [round(s, 4) for s in scores],
            "choice_supported": [is_supported(c) for c in shortlist]}


def judge_examples(rows: Sequence[dict], ranker, embed: Callable[[list[str]], np.ndarray], shown: int,
                   seed: int = 0) -> list[dict]:
    from gene_r1.agent.judge import rank

    rng = random.Random(seed)
    out = []
    for row in rows:
        example = judge_example(row, rank(row["pool"], len(row["genes"]), ranker, embed), shown, rng)
        if example is not None:
            out.append(example)
    return out
