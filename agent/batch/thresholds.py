"""The cut-offs that turn a differential-expression or marker table into gene sets, each declared once.

A cut-off's default, meaning and valid range live on its `Thresholds` field. `gene-r1 batch` builds its options from
them (`threshold_option`), the web app its upload form, and `Thresholds` itself refuses a value out of range, so
the command line, the HTTP API and the Python API take the same values and say the same about them.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from typing import Any

BOUNDS = {"gt": (operator.gt, ">"), "ge": (operator.ge, ">="), "le": (operator.le, "<=")}


def cutoff(default: float, meaning: str, **bounds: float) -> Any:
    """A `Thresholds` field: its default, what it means (the help text) and its bounds (pydantic's gt/ge/le)."""
    unknown = set(bounds) - set(BOUNDS)
    if unknown:
        raise TypeError(f"Unknown bounds {sorted(unknown)}: use {', '.join(BOUNDS)}.")
    return field(default=default, metadata={"help": meaning, "bounds": bounds})


@dataclass(frozen=True)
class Thresholds:
    """Which rows of a DE or marker table make the gene sets (`gene-r1 batch --padj --log2fc --max-genes --top-n`)."""

    padj: float = cutoff(0.05, "DE/marker tables: adjusted p-value cut-off.", gt=0, le=1)
    log2fc: float = cutoff(1.0, "DE tables: |log2 fold change| cut-off.", ge=0)
    max_genes: int = cutoff(200, "DE tables: at most this many genes per up/down set (by adjusted p).", ge=1, le=5000)
    top_n: int = cutoff(50, "Marker tables: top N markers per group.", ge=1, le=5000)

    def __post_init__(self) -> None:
        for cut in fields(self):
            value, bounds = getattr(self, cut.name), cut.metadata["bounds"]
            if not all(BOUNDS[name][0](value, limit) for name, limit in bounds.items()):
                allowed = " and ".join(f"{BOUNDS[name][1]} {limit}" for name, limit in bounds.items())
                flag = "--" + cut.name.replace("_", "-")
                raise ValueError(f"{flag} {value}: {cut.metadata['help']} It must be {allowed}.")


def threshold_fields() -> dict[str, Any]:
    """Each cut-off's dataclass field, by name, in declaration order."""
    return {cut.name: cut for cut in fields(Thresholds)}
