"""Is the model's explanation worth reading? `--explain` measured on the naming dev split, with rows to read by hand.

For N dev sets of `gene-r1 train naming-data` (terms in no training split, no benchmark and no reserved id), the agent
analyses the genes (its default selection), then its model explains the choice exactly as `analyze --explain` does
(`agent.nodes.judge.explain_choice`). Printed (JSON): the share of drafts that are non-empty; the share in which the
sanitiser keeps a sentence (well-formed: every number a citation of a shown candidate); the share that cite the chosen
candidate; the share shown to the user as the model's text (it passed `is_worth_reading`), the rest being the
code's explanation; seconds per set. `--rows` writes each set's genes, true name, chosen name, the model's draft and
the text shown, for reading.

Usage: python benchmarks/explain_eval.py --data DIR [--limit 40] [--adapter PATH|none] [--rows rows.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def explanation_shares(rows: list[dict]) -> dict:
    """The shares printed, from rows with `draft`, `kept` (the sanitised draft), `chosen` and `by_model`."""
    count = max(len(rows), 1)

    def share(test) -> float:
        return round(sum(1 for row in rows if test(row)) / count, 3)

    return {
        "sets": len(rows),
        "non_empty_draft": share(lambda r: r["draft"].strip() != ""),
        "well_formed": share(lambda r: r["kept"] != ""),
        "cites_the_choice": share(lambda r: f"[{r['chosen']}]" in r["kept"]),
        "shown_as_model_text": share(lambda r: r["by_model"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="naming data folder (its dev.jsonl is read)")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--adapter", help="the explaining model's adapter (default: the agent's)")
    parser.add_argument("--rows", type=Path, help="write one JSON line per set, for reading by hand")
    args = parser.parse_args()

    from gene_r1.agent.api import analyze
    from gene_r1.agent.config import AgentConfig
    from gene_r1.agent.context import AgentContext
    from gene_r1.agent.nodes.judge import explain_choice

    dev = [json.loads(line) for line in (args.data / "dev.jsonl").read_text().splitlines()[: args.limit]]
    context = AgentContext(config=AgentConfig.from_env(adapter=args.adapter))
    rows, seconds = [], 0.0
    for example in dev:
        result = analyze(example["genes"], context=context)
        if not result.candidates or result.chosen_number is None:
            continue
        chosen = result.chosen_number
        shown = context.ranker.settings.shown
        started = time.perf_counter()
        written = explain_choice(example["genes"], result.candidates, chosen, shown, context.model,
                                 context.config.explain_tokens)
        seconds += time.perf_counter() - started
        rows.append({"id": example["id"], "target": example["target"], "genes": example["genes"],
                     "chosen": chosen, "name": result.name,
                     "shown": [f"[{c['number']}] {c['name']}" for c in result.candidates[:shown]],
                     "draft": written.draft, "kept": written.sanitised,
                     "text": written.text, "by_model": written.by_model})
    summary = explanation_shares(rows) | {"seconds_per_explanation": round(seconds / max(len(rows), 1), 2),
                                          "adapter": args.adapter or "the agent's default"}
    if args.rows:
        args.rows.write_text("".join(json.dumps(row) + "\n" for row in rows))
    print(json.dumps(summary, indent=2))
    for row in rows[:3]:
        draft = re.sub(r"\s+", " ", row["draft"])[:300]
        print(f"\n{row['target']} -> {row['name']}\n  draft: {draft}")


if __name__ == "__main__":
    main()
