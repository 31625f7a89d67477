"""Naming data: the model learns to write the name of a gene set from the genes' full names and the ranker's best
candidates, in Gene-R1's format (a brief `<think>` citing candidates by number, then `Process: <true name>`).

Gene sets and their candidates come from the judge-data builder (`training.judge_data.build_judge_data`): GO BP/MF/CC,
Reactome and WikiPathways targets; reserved ids, benchmark ids and near-duplicates of benchmark sets never used; the
target and every pathway with Jaccard >= 0.5 to it left out of the evidence; split by term (`dev_bucket`). Each
candidate carries the builder's label (MiniLM cosine of its name to the true name). The shipped feature ranker orders
the candidates as the agent does (`agent.judge.rank`); the prompt is the agent's (`agent.naming.naming_prompt`).

The `<think>` cites the shown candidates whose labels are within NEAR of the best (at most two), and says when even
the best is far from the true name (label < WEAK): what a reader can check against the candidates, in few tokens.

Deterministic given the seed. Writes `train.jsonl` and `dev.jsonl` (stage "naming"; TRL's prompt/completion format)
and keeps the judge rows they came from under `judge/`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

NEAR = 0.05  # candidates this close to the best label are cited with it
WEAK = 0.4  # below this the best candidate's name is far from the true one (cosine)
MAX_CITED = 2


@dataclass(frozen=True)
class NamingDataConfig:
    seed: int = 0
    train: int = 4000
    dev: int = 400
    pool_k: int = 15  # the agent's pool: enrichment hits offered as candidates (plus search hits)
    shown: int = 6  # candidates in the prompt (the judge's shortlist)


def naming_answer(shortlist: Sequence[dict], true_name: str) -> str:
    """The target completion: which shown candidates are nearest the true name (by `label`), then the name."""
    labels = [c["label"] for c in shortlist]
    best = max(labels)
    cited = [c["number"] for c in shortlist if c["label"] >= best - NEAR][:MAX_CITED]
    refs = ", ".join(f"[{n}]" for n in cited)
    reason = f"Closest: {refs}." if best >= WEAK else f"No candidate names it well; closest: {refs}."
    return f"<think>\n{reason}\n</think>\nProcess: {true_name}"


def naming_example(row: dict, ranked: Sequence[dict], names: Mapping[str, str], shown: int, split: str) -> dict | None:
    """One example from a judge-data row whose pool the ranker has ordered (`ranked`, numbered 1..n)."""
    from gene_r1.agent.naming import naming_prompt

    labels = {c["pathway_id"]: c["label"] for c in row["pool"]}
    shortlist = [{**c, "label": labels[c["pathway_id"]]} for c in ranked[:shown]]
    if not shortlist:
        return None
    return {
        "id": f"naming-{row['id']}", "stage": "naming", "split": split, "target": row["true_name"],
        "target_source": row["source"], "genes": row["genes"],
        "prompt": naming_prompt(row["genes"], shortlist, names),
        "completion": [{"role": "assistant", "content": naming_answer(shortlist, row["true_name"])}],
        "candidates": [{"number": c["number"], "name": c["name"], "pathway_id": c["pathway_id"],
                        "overlap": len(c["overlap_genes"]), "fdr": c["fdr"], "label": c["label"]}
                       for c in shortlist],
        "augmentation": row.get("augmentation", {}),
    }


def naming_examples(rows: Sequence[dict], ranker, embed: Callable[[list[str]], np.ndarray],
                    names: Callable[[Sequence[str]], Mapping[str, str]], shown: int, split: str) -> list[dict]:
    """Naming examples for judge-data rows: rank each pool with the shipped ranker, look the genes' names up."""
    from gene_r1.agent.judge import rank

    out = []
    for row in rows:
        ranked = rank(row["pool"], len(row["genes"]), ranker, embed)
        example = naming_example(row, ranked, names(row["genes"]), shown, split)
        if example is not None:
            out.append(example)
    return out


def build_naming_data(source_dir: Path, kb, out_dir: Path, config: NamingDataConfig,
                      embed: Callable[[list[str]], np.ndarray], ranker,
                      names: Callable[[Sequence[str]], Mapping[str, str]],
                      progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Judge rows (kept in `out_dir/judge`), then `train.jsonl` / `dev.jsonl` of naming examples."""
    from gene_r1.training.data import read_jsonl, write_jsonl
    from gene_r1.training.judge_data import JudgeDataConfig, build_judge_data

    judge_config = JudgeDataConfig(seed=config.seed, train=config.train, dev=config.dev, pool_k=config.pool_k)
    judge_dir = out_dir / "judge"
    build_judge_data(source_dir, kb, judge_dir, judge_config, embed, progress)
    written = {}
    for split in ("train", "dev"):
        rows = read_jsonl(judge_dir / f"{split}.jsonl")
        written[split] = write_jsonl(out_dir / f"{split}.jsonl",
                                     naming_examples(rows, ranker, embed, names, config.shown, split))
    facts = {"config": asdict(config), "near": NEAR, "weak": WEAK, "written": written}
    (out_dir / "config.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    return written


def build(source_dir: Path, home: Path | None, out_dir: Path, config: NamingDataConfig,
          log: Callable[[str], None] = print) -> dict[str, int]:
    """`gene-r1 train naming-data`: the data home's knowledge base, the shipped ranker, MiniLM, full names offline."""
    import time

    from gene_r1.agent.ranker import load_ranker
    from gene_r1.knowledge_base.gene_names import full_names
    from gene_r1.tools.context import open_knowledge_base
    from gene_r1.training.judge_pipeline import embedder

    kb = open_knowledge_base(home)
    started = time.perf_counter()

    def report(done: int, total: int) -> None:
        log(f"naming data: {done}/{total} gene sets ({time.perf_counter() - started:.0f} s)")

    ranker = load_ranker()
    written = build_naming_data(source_dir, kb, out_dir, config, embedder(), ranker,
                                lambda genes: full_names(genes, kb.store), report)
    facts = json.loads((out_dir / "config.json").read_text(encoding="utf-8")) | {"ranker": str(ranker.directory)}
    (out_dir / "config.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    log(f"naming data: {written} in {time.perf_counter() - started:.0f} s -> {out_dir}")
    return written
