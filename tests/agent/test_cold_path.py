"""The default `gene-r1 analyze` path answers from stored vectors and numpy trees, running the graph's nodes
in-process: it loads no model stack, no vector database, no LightGBM and no LangGraph, and its answers equal those
of the engines it replaced (the live embedder and LightGBM's predict; LangGraph's run: tests/agent/test_flow.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.fixtures_kb import sample_gene_sets

ROOT = Path(__file__).resolve().parents[2]
MITOSIS = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]
HEAVY = ("torch", "transformers", "sentence_transformers", "chromadb", "lightgbm", "sklearn", "pandas", "langgraph",
         "langchain_core", "langsmith", "langchain")
PROBE = """
import json, sys
from gene_r1.agent.cli import app
sys.argv = ["gene-r1", *sys.argv[1:]]
try:
    app()
except SystemExit:
    pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def modules_loaded_by(home: Path, *args: str) -> set[str]:
    """The top-level packages a fresh `gene-r1 ARGS` process has imported when it exits."""
    env = {**os.environ, "GENE_R1_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_analyze_loads_no_model_stack_vector_database_lightgbm_or_langgraph(embedded_kb_home):
    loaded = modules_loaded_by(embedded_kb_home, "analyze", *MITOSIS)

    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_help_loads_no_numerical_library(embedded_kb_home):
    loaded = modules_loaded_by(embedded_kb_home, "--help")

    assert loaded.isdisjoint({*HEAVY, "numpy", "scipy", "jinja2", "rich"})


def live_embedding_kb(home: Path):
    """The knowledge base with every text embedded by the model at run time (the engine before the stored name
    vectors)."""
    from gene_r1.knowledge_base.embedding import get_embedder
    from gene_r1.tools.context import KnowledgeBase

    kb = KnowledgeBase.open(home)
    kb.embed = lambda texts, fallback=None: get_embedder().encode(list(texts))
    return kb


class LightGBMTrees:
    """LightGBM's own predict behind the interface of `agent.trees.TreeEnsemble`."""

    def __init__(self, path: Path):
        import lightgbm

        self.booster = lightgbm.Booster(model_file=str(path))

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.booster.predict(features, num_threads=1)


@pytest.fixture(scope="module")
def reference_and_fast(embedded_kb_home):
    """Analyses of 30 seeded sets by the reference engines and by the default path."""
    import dataclasses

    from gene_r1.agent.api import analyze
    from gene_r1.agent.config import AgentConfig
    from gene_r1.agent.context import AgentContext
    from gene_r1.agent.ranker import DEFAULT_ASSETS, load_ranker
    from gene_r1.tools.context import open_knowledge_base

    config = AgentConfig(home=embedded_kb_home)
    sets = sample_gene_sets(open_knowledge_base(embedded_kb_home).store, 30, seed=7)
    fast = AgentContext(config=config)
    reference = AgentContext(config=config, kb_override=live_embedding_kb(embedded_kb_home))
    reference.ranker = dataclasses.replace(load_ranker(DEFAULT_ASSETS),
                                           trees=LightGBMTrees(DEFAULT_ASSETS / "ranker.txt"))
    return ([analyze(genes, context=reference) for genes in sets], [analyze(genes, context=fast) for genes in sets])


def test_the_default_path_names_every_set_as_the_reference_engines_do(reference_and_fast):
    reference, fast = reference_and_fast

    assert [a.name for a in fast] == [a.name for a in reference]
    assert [a.confidence for a in fast] == [a.confidence for a in reference]


def test_the_default_path_ranks_and_weighs_the_candidates_as_the_reference_engines_do(reference_and_fast):
    reference, fast = reference_and_fast

    for ours, theirs in zip(fast, reference, strict=True):
        assert [c["pathway_id"] for c in ours.candidates] == [c["pathway_id"] for c in theirs.candidates]
        assert [c["probability"] for c in ours.candidates] == [c["probability"] for c in theirs.candidates]
        np.testing.assert_allclose([c["ranker_score"] for c in ours.candidates],
                                   [c["ranker_score"] for c in theirs.candidates], atol=1e-4)
        assert [v["verdict"] for v in ours.verdicts] == [v["verdict"] for v in theirs.verdicts]
