"""Greedy decoding that checks a drafted continuation in one forward pass (lossless speculative decoding).

A trained answer has a fixed shape (the naming model writes `<think>`, `Closest: [n].`, `</think>`, `Process: ...`),
so most of its tokens are known before the model writes them. Each step feeds the last token plus the tokens a lookup in
`reference` predicts will follow it; the model's own greedy choice at every fed position decides how many of them are
kept (those it would have written itself) and gives the next token. The answer is the one greedy decoding writes,
found with fewer forward passes: one per step instead of one per token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_DRAFT = 8  # tokens proposed per step: the longest fixed run of the naming answer's shape is about this long
LOOKUP_NGRAMS = (3, 2, 1)


@dataclass(frozen=True)
class DraftedGeneration:
    tokens: list[int]  # the completion's token ids, up to and including an end token
    forward_passes: int  # for the whole batch, the prompt's included


def lookup_draft(reference: Sequence[int], generated: Sequence[int], most: int = MAX_DRAFT) -> list[int]:
    """The tokens that follow the longest suffix of `generated` (3, 2 or 1 tokens) found in `reference`, at most
    `most` of them; nothing when no suffix occurs."""
    for n in LOOKUP_NGRAMS:
        if len(generated) < n:
            continue
        suffix = list(generated[-n:])
        for start in range(len(reference) - n):
            if list(reference[start:start + n]) == suffix:
                return list(reference[start + n:start + n + most])
    return []


def greedy_with_draft(model: Any, input_ids: Any, attention_mask: Any, reference: Sequence[int],
                      max_new_tokens: int, eos_ids: set[int]) -> list[DraftedGeneration]:
    """Greedy decoding of a left-padded batch of prompts (`input_ids` and `attention_mask`, B x L) whose drafts
    come from `reference` (token ids of the answer's expected shape). Returns, row by row, what plain greedy
    decoding returns (up to float rounding in near ties).

    Rows keep different numbers of drafted tokens, so nothing is cut from the cache: a fed token the model would not
    have written is masked out of the attention for every later step, and positions count only the unmasked tokens.
    """
    import torch

    rows = int(input_ids.shape[0])
    device = input_ids.device
    mask = attention_mask.clone()
    with torch.inference_mode():
        positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
        output = model(input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=True,
                       logits_to_keep=1)
        cache = output.cache
        generated = [[int(token)] for token in output.logits[:, -1].argmax(dim=-1).tolist()]
        passes = 1
        while True:
            open_rows = [r for r, tokens in enumerate(generated)
                         if len(tokens) < max_new_tokens and tokens[-1] not in eos_ids]
            if not open_rows:
                break
            drafts = [lookup_draft(reference, tokens)[: max_new_tokens - len(tokens) - 1] if r in open_rows else []
                      for r, tokens in enumerate(generated)]
            width = 1 + max(len(draft) for draft in drafts)
            # Each row: its last token, its draft, then its last token again as filler (never kept: see below).
            fed = torch.tensor([[tokens[-1], *draft] + [tokens[-1]] * (width - 1 - len(draft))
                                for tokens, draft in zip(generated, drafts, strict=True)], device=device)
            fed_mask = torch.tensor([[int(r in open_rows)] * width for r in range(rows)], dtype=mask.dtype,
                                    device=device)
            base = mask.sum(dim=1, keepdim=True)
            fed_positions = base + torch.arange(width, device=device).unsqueeze(0)
            mask = torch.cat([mask, fed_mask], dim=1)
            output = model(input_ids=fed, attention_mask=mask, position_ids=fed_positions, cache=cache,
                           use_cache=True)
            cache = output.cache
            passes += 1
            chosen = output.logits.argmax(dim=-1).tolist()  # chosen[r][i]: the model's token after fed[r][i]
            for r in open_rows:
                draft, kept = drafts[r], 0
                while kept < len(draft) and draft[kept] == chosen[r][kept]:
                    kept += 1
                # Only the last token and the kept drafts are the model's own: mask out the rest of what was fed.
                mask[r, mask.shape[1] - width + 1 + kept:] = 0
                for token in [*draft[:kept], chosen[r][kept]]:
                    generated[r].append(int(token))
                    if token in eos_ids or len(generated[r]) >= max_new_tokens:
                        break
    return [DraftedGeneration(tokens, passes) for tokens in generated]
