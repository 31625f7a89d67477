"""benchmarks/model_signal.py: the name likelihood it reports is the model's own, computed once for the prompt."""

from __future__ import annotations

import numpy as np
import pytest

from tests.benchmarks.scripts import load_script as load_benchmark


def load_script():
    return load_benchmark("model_signal")


def test_the_cached_prompt_gives_the_same_name_likelihood_as_one_plain_forward_pass(tiny_model_dir):
    import torch

    from gene_r1.agent.backends.transformers_backend import TransformersBackend
    from gene_r1.agent.model_types import ModelConfig

    backend = TransformersBackend.load(ModelConfig(model=str(tiny_model_dir), adapter="none", threads=1))
    prefix, names = "Genes: MLH1, MSH2, MSH6\nProcess:", ["Mismatch repair", "DNA Repair", "Cell cycle"]
    fast = load_script().name_loglik(backend, prefix, names)
    tokenize = backend.tokenizer
    expected = []
    for name in names:
        head = tokenize(prefix, add_special_tokens=False)["input_ids"]
        tail = tokenize(" " + name, add_special_tokens=False)["input_ids"]
        with torch.inference_mode():
            logits = backend.model(input_ids=torch.tensor([head + tail])).logits[0].float()
        logp = torch.log_softmax(logits, -1)
        expected.append(sum(float(logp[len(head) + i - 1, t]) for i, t in enumerate(tail)))
    assert fast == pytest.approx(np.array(expected), abs=1e-3)


def test_spearman_reads_agreement_of_order_and_nan_without_variation():
    spearman = load_script().spearman
    assert spearman(np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.5, 0.9])) == pytest.approx(1.0)
    assert spearman(np.array([3.0, 2.0, 1.0]), np.array([0.1, 0.5, 0.9])) == pytest.approx(-1.0)
    assert np.isnan(spearman(np.array([1.0, 1.0, 1.0]), np.array([0.1, 0.5, 0.9])))
