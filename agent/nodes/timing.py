"""Per-node wall time, accumulated in `AgentState.timings`."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable


def timed(name: str) -> Callable:
    def decorate(node: Callable) -> Callable:
        @functools.wraps(node)
        def run(state, runtime):
            started = time.perf_counter()
            update = node(state, runtime)
            update["timings"] = {name: time.perf_counter() - started}
            return update

        return run

    return decorate
