"""Numbers as people read them: one place decides how an FDR (or any p-value-like number) is printed."""

from __future__ import annotations

MISSING = "—"


def fdr_text(value: float | None, missing: str = MISSING, spec: str = ".2g") -> str:
    """`value` with two significant digits (`spec` for another format), or `missing` when it was not tested."""
    return missing if value is None else format(value, spec)
