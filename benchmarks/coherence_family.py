"""Would gene-family evidence help the coherence verdict? Measured on the dev records only, and not shipped.

A gene family is read from HGNC symbol stems (the leading letters: SLC2A1 and SLC2A3 share "SLC"; single letters and
open reading frames excluded). Feature: the share of the set's genes whose stem another gene of the set shares, and
its excess over what a random set of that size from the knowledge base's background shares. The coherence model is
refitted with and without it (5-fold CV grouped by term, as `gene-r1 train analyst` does), and the script prints
the share of random sets called "no coherent function" at 2, 3 and 5 % of real sets called, by P(random).

    python benchmarks/coherence_family.py [--records $GENE_R1_HOME/training/analyst/dev.jsonl]

Measured (600 dev terms x 3 versions): at 3 % of real sets, random 0.763 without and 0.765 with the family
feature; random pairs sharing a stem 0 of 81, real pairs 25 of 80 — but 7 of the 39 real pairs that share no small
pathway share a stem, so the sets the verdict misses stay missed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

_STEM = re.compile(r"^([A-Z]{2,})")


def stem(symbol: str) -> str | None:
    upper = symbol.upper()
    if "ORF" in upper:
        return None
    match = _STEM.match(upper)
    return match.group(1) if match else None


def family_share(genes: Sequence[str]) -> float:
    stems = [stem(g) for g in genes]
    counts = Counter(s for s in stems if s)
    return sum(1 for s in stems if s and counts[s] > 1) / max(len(genes), 1)


def expected_share(frequencies: np.ndarray, size: int) -> float:
    """A random set's expected family share at `size` (draws with replacement from the background's stems)."""
    return float(np.sum(frequencies * (1 - (1 - frequencies) ** (size - 1)))) if size > 1 else 0.0


def random_called(p_random: np.ndarray, y: np.ndarray, rates=(0.02, 0.03, 0.05)) -> dict[str, float]:
    real = np.sort(p_random[y == 0])
    out = {}
    for rate in rates:
        threshold = real[len(real) - int(math.floor(rate * len(real))) - 1] + 1e-9
        out[f"{rate:.2f}"] = round(float((p_random[y == 2] >= threshold).mean()), 3)
    return out


def main(argv=None) -> int:
    from gene_r1.agent.api import get_context
    from gene_r1.knowledge_base.paths import data_home
    from gene_r1.training.analyst_train import cross_validated, design

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=Path, default=data_home() / "training" / "analyst" / "dev.jsonl")
    args = parser.parse_args(argv)
    records = [r for r in map(json.loads, args.records.read_text(encoding="utf-8").splitlines()) if "tested" in r]
    context = get_context()
    background = context.kb.enrichment_index.background(context.config.sources)
    counts = Counter(s for s in map(stem, background) if s)
    frequencies = np.array([c / len(background) for c in counts.values()])
    x, y, groups = design(records)
    share = np.array([family_share(r.get("genes", [])) for r in records])
    excess = share - np.array([expected_share(frequencies, len(r.get("genes", []))) for r in records])
    log_size = np.log10(np.maximum([r["tested"] for r in records], 1))
    with_family = np.column_stack([x, share, excess, share * log_size, excess * log_size])
    for name, features in (("pathway evidence (shipped)", x), ("+ gene families", with_family)):
        p_random = cross_validated(features, y, groups, 3.0)[:, 2]
        print(f"{name:28} random called at real 2/3/5 %: {random_called(p_random, y)}")
    pairs = [r for r in records if r["tested"] == 2]
    for version in ("real", "random"):
        chosen = [r for r in pairs if r["version"] == version]
        print(f"{version} pairs sharing a stem: {sum(family_share(r['genes']) > 0 for r in chosen)} of {len(chosen)}")
    apart = [r for r in pairs if r["version"] == "real" and r["stats"]["connected_fraction"] == 0]
    print(f"real pairs sharing no small pathway: {len(apart)}; of them sharing a stem: "
          f"{sum(family_share(r['genes']) > 0 for r in apart)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
