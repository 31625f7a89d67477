"""Backend parity and throughput: the transformers backend beside vLLM (its server through `--backend openai`, and
its in-process engine through `--backend vllm`) on the same prompts (issue 20).

Three steps, because the in-process vLLM engine runs in vLLM's own environment (`gene-r1 vllm-cpu build`):

    python benchmarks/vllm_parity.py prompts --out DIR --sets 24          # the agent's prompts for 24 gene sets
    python benchmarks/vllm_parity.py run --backend transformers --dir DIR
    python benchmarks/vllm_parity.py run --backend openai --base-url http://127.0.0.1:8011/v1 --dir DIR
    $ENV/venv/bin/python benchmarks/vllm_parity.py run --backend vllm --dir DIR    # inside the vLLM env
    python benchmarks/vllm_parity.py table --dir DIR                      # Markdown tables

Paths compared, one prompt per gene set, greedy, float32, the naming adapter on every backend:
- naming: the model naming step's prompt (`agent.naming.naming_prompt`), 64 new tokens;
- explain: `analyze --explain`'s follow-up turn (`agent.nodes.judge.explain`'s messages), 96 new tokens;
- votes: the judge's log-probabilities of the shown numbers (`choice_logprobs`).
Each prompt runs alone for parity (a batch pads, and padding moves float sums). Throughput sends 16 requests at 1, 4
and 16 concurrent clients: threads for the server, `generate_batch` chunks of that size in-process.

Gene sets: pathways of the local knowledge base (15-60 genes), 10 members each plus 2 random genes, seeded; never the
benchmark sets.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

NAMING_TOKENS = 64
EXPLAIN_TOKENS = 96
CLIENTS = (1, 4, 16)
REQUESTS = 16
OPTIONS = [f" {n}" for n in range(1, 7)]
FLOOR = -30.0


def gene_sets(count: int, seed: int) -> list[list[str]]:
    import sqlite3

    from gene_r1.knowledge_base.paths import store_path

    connection = sqlite3.connect(store_path())
    sizes = connection.execute("SELECT pathway_id, COUNT(*) FROM membership GROUP BY pathway_id").fetchall()
    eligible = sorted(p for p, n in sizes if 15 <= n <= 60)
    everyone = sorted(g for (g,) in connection.execute("SELECT DISTINCT gene FROM membership"))
    rng = random.Random(seed)
    sets = []
    for pathway in rng.sample(eligible, count):
        members = sorted(g for (g,) in connection.execute("SELECT gene FROM membership WHERE pathway_id = ?",
                                                          (pathway,)))
        sets.append(rng.sample(members, 10) + rng.sample(everyone, 2))
    return sets


def build_prompts(out: Path, count: int, seed: int) -> None:
    from gene_r1.agent.api import get_context
    from gene_r1.agent.config import AgentConfig
    from gene_r1.agent.graph import build_graph
    from gene_r1.agent.judge import judge_prompt
    from gene_r1.agent.naming import naming_prompt, naming_shortlist
    from gene_r1.agent.nodes.judge import explain_messages
    from gene_r1.knowledge_base.gene_names import full_names

    context = get_context(AgentConfig(selection="ranker"))
    graph = build_graph(direct=True)
    prompts = {"naming": [], "explain": [], "votes": [], "sets": []}
    for genes in gene_sets(count, seed):
        state = graph.invoke({"input_genes": genes}, context=context)
        candidates = state.get("candidates", [])
        if len(candidates) < 2:
            continue
        shown = candidates[: context.ranker.settings.shown]
        chosen = state["judgement"]["chosen_number"]
        judge = judge_prompt(state["genes"], shown)
        prompts["sets"].append(genes)
        prompts["votes"].append({"messages": judge, "options": len(shown)})
        prompts["explain"].append(explain_messages(state["genes"], shown, chosen))
        names = full_names(state["genes"], context.kb.store)
        prompts["naming"].append(naming_prompt(state["genes"], naming_shortlist(candidates), names))
    out.mkdir(parents=True, exist_ok=True)
    (out / "prompts.json").write_text(json.dumps(prompts, indent=1))
    print(f"{len(prompts['sets'])} gene sets -> {out / 'prompts.json'}")


def load_backend(name: str, base_url: str | None, clients: int = 1):
    from gene_r1.agent.model import ModelConfig, load_model

    if name == "openai":
        config = ModelConfig(backend="openai", base_url=base_url, adapter="gene-r1", max_batch_size=clients,
                             request_timeout_s=600)
    else:
        from gene_r1.agent.embedded import embedded_model_dir
        from gene_r1.agent.naming import NAMING_ADAPTER_DIR

        config = ModelConfig(backend=name, model=str(embedded_model_dir()), adapter=str(NAMING_ADAPTER_DIR),
                             dtype="float32", threads=1 if name == "transformers" else None, max_batch_size=clients)
    return load_model(config)


def run_backend(name: str, directory: Path, base_url: str | None) -> None:
    from gene_r1.agent.model import GenerationConfig
    from gene_r1.agent.prompts import JUDGE_ANSWER_PREFIX

    prompts = json.loads((directory / "prompts.json").read_text())
    started = time.perf_counter()
    backend = load_backend(name, base_url, max(CLIENTS))
    result: dict = {"backend": name, "load_seconds": round(time.perf_counter() - started, 1),
                    "info": {k: str(v) for k, v in backend.info().items()}}
    for path, tokens in (("naming", NAMING_TOKENS), ("explain", EXPLAIN_TOKENS)):
        result[path] = []
        for messages in prompts[path]:
            generation = backend.generate(messages, GenerationConfig(max_new_tokens=tokens))
            result[path].append({"text": generation.text, "completion_tokens": generation.completion_tokens,
                                 "seconds": round(generation.seconds, 3)})
        print(f"{name}: {path} done", flush=True)
    prefix = JUDGE_ANSWER_PREFIX.rstrip()
    result["votes"] = [backend.choice_logprobs([p["messages"]], prefix, OPTIONS[: p["options"]])[0]
                       for p in prompts["votes"]]
    result["throughput"] = throughput(backend, name, prompts)
    (directory / f"{name}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result["throughput"], indent=1))


def throughput(backend, name: str, prompts: dict) -> dict:
    """requests/s and completion tokens/s for explanations and votes at 1, 4 and 16 concurrent clients."""
    from gene_r1.agent.model import GenerationConfig
    from gene_r1.agent.prompts import JUDGE_ANSWER_PREFIX

    config = GenerationConfig(max_new_tokens=EXPLAIN_TOKENS)
    explain = (prompts["explain"] * REQUESTS)[:REQUESTS]
    votes = (prompts["votes"] * REQUESTS)[:REQUESTS]
    prefix = JUDGE_ANSWER_PREFIX.rstrip()
    widest = max(p["options"] for p in votes)
    results: dict = {"explain": {}, "votes": {}}
    for clients in CLIENTS:
        started = time.perf_counter()
        if name == "openai":
            with ThreadPoolExecutor(max_workers=clients) as pool:
                generations = list(pool.map(lambda m: backend.generate(m, config), explain))
        else:
            generations = [g for start in range(0, REQUESTS, clients)
                           for g in backend.generate_batch(explain[start : start + clients], config)]
        seconds = time.perf_counter() - started
        tokens = sum(g.completion_tokens for g in generations)
        results["explain"][clients] = {"requests_per_s": round(REQUESTS / seconds, 3),
                                       "tokens_per_s": round(tokens / seconds, 1), "seconds": round(seconds, 1)}
        started = time.perf_counter()
        messages = [p["messages"] for p in votes]
        if name == "openai":
            with ThreadPoolExecutor(max_workers=clients) as pool:
                list(pool.map(lambda m: backend.choice_logprobs([m], prefix, OPTIONS[:widest]), messages))
        else:
            for start in range(0, REQUESTS, clients):
                backend.choice_logprobs(messages[start : start + clients], prefix, OPTIONS[:widest])
        seconds = time.perf_counter() - started
        results["votes"][clients] = {"requests_per_s": round(REQUESTS / seconds, 3), "seconds": round(seconds, 1)}
        print(f"{name}: {clients} clients {results['explain'][clients]} {results['votes'][clients]}", flush=True)
    return results


def common_prefix(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def table(directory: Path) -> str:
    runs = {name: json.loads((directory / f"{name}.json").read_text())
            for name in ("transformers", "openai", "vllm") if (directory / f"{name}.json").is_file()}
    reference = runs["transformers"]
    lines = ["| path | backend | prompts | greedy text identical | first difference at (chars) | "
             "vote log-prob max abs diff | votes outside top-20 |", "|---|---|---|---|---|---|---|"]
    for path in ("naming", "explain", "votes"):
        for name, run in runs.items():
            if name == "transformers":
                continue
            if path == "votes":
                diffs = [abs(a - b) for row_a, row_b in zip(reference["votes"], run["votes"], strict=True)
                         for a, b in zip(row_a, row_b, strict=True) if b != FLOOR]
                floors = sum(b == FLOOR for row in run["votes"] for b in row)
                lines.append(f"| votes | {name} | {len(run['votes'])} | - | - | {max(diffs):.2e} | {floors} |")
                continue
            pairs = list(zip(reference[path], run[path], strict=True))
            same = sum(a["text"] == b["text"] for a, b in pairs)
            firsts = sorted(common_prefix(a["text"], b["text"]) for a, b in pairs if a["text"] != b["text"])
            first = ", ".join(map(str, firsts)) if firsts else "none"
            lines.append(f"| {path} | {name} | {len(pairs)} | {same}/{len(pairs)} | {first} | - | - |")
    lines += ["", "| backend | load s | clients | explain req/s | explain tokens/s | votes req/s |",
              "|---|---|---|---|---|---|"]
    for name, run in runs.items():
        for clients, row in run["throughput"]["explain"].items():
            vote = run["throughput"]["votes"][clients]
            lines.append(f"| {name} | {run['load_seconds']} | {clients} | {row['requests_per_s']} | "
                         f"{row['tokens_per_s']} | {vote['requests_per_s']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    make = sub.add_parser("prompts")
    make.add_argument("--out", type=Path, required=True)
    make.add_argument("--sets", type=int, default=24)
    make.add_argument("--seed", type=int, default=20)
    run = sub.add_parser("run")
    run.add_argument("--backend", choices=("transformers", "openai", "vllm"), required=True)
    run.add_argument("--dir", type=Path, required=True)
    run.add_argument("--base-url", default=os.environ.get("GENE_R1_VLLM_URL"))
    show = sub.add_parser("table")
    show.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    if args.step == "prompts":
        build_prompts(args.out, args.sets, args.seed)
    elif args.step == "run":
        run_backend(args.backend, args.dir, args.base_url)
    else:
        print(table(args.dir))


if __name__ == "__main__":  # vLLM's engine starts its core with multiprocessing's spawn: it needs this guard
    main()
