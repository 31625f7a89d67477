"""A quiet terminal: library warnings, logging and weight-loading bars only with `--verbose`.

transformers prints a FutureWarning and a "Loading weights" bar on every model load, and Hugging Face / sentence-
transformers log at INFO/WARNING; none of that helps someone naming a gene set. Our own progress (batch sets,
knowledge-base builds) uses its own tqdm bars and stays visible.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

LIBRARY_LOGGERS = ("transformers", "huggingface_hub", "sentence_transformers", "chromadb", "httpx", "accelerate")


def configure_output(verbose: bool) -> None:
    """Called once by the CLI before any heavy import. Verbose leaves every library at its default."""
    if verbose:
        return
    # read by transformers / huggingface_hub at import time
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"(transformers|torch|peft|sentence_transformers)")
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    if "transformers" in sys.modules:  # already imported (tests, the web app): set it directly
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
