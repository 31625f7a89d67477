"""Naming SFT on a CPU: `training.sft.run_sft` on the naming examples, the LM head run on the answer's tokens only.

TRL 1.16's SFTTrainer replaces the LM head with a chunked log-probability kernel. On devices with Triton it projects
only the positions that carry a label; elsewhere (CPU) it projects every position and masks afterwards, so that
tile shapes stay fixed for compilers this CPU run does not use. Naming examples are a 391-token prompt (median) and a
27-token answer: py-spy on the running CPU job (90 s, 1,799 samples) put 54% of each step in that kernel (forward 18%,
backward 36%). `answer_tokens_only` makes TRL take its Triton-device branch for the selection of positions (the
kernels themselves stay TRL's CPU code); the loss is the same (tested on the tiny model). Measured with 1 thread
(bf16, LoRA on the last 10 layers, 2 examples of 420 tokens with 27 answer tokens): 4.6 -> 2.2 CPU seconds per
forward+backward.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def answer_tokens_only() -> Iterator[None]:
    """Within the block, TRL's fused LM head scores only the positions with a label on a CPU too."""
    import trl.trainer.utils as trl_utils

    original = trl_utils._use_triton

    def compact(device) -> bool:
        return device.type == "cpu" or original(device)

    trl_utils._use_triton = compact
    try:
        yield
    finally:
        trl_utils._use_triton = original
