"""Comparison studies: run optimizers x problems x seeds, then summarize and plot them.

The names below are imported on first use, so that a study's worker processes, which need
only the runner, do not pay for matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "RunRecord",
    "Study",
    "load_journal",
    "load_study",
    "read_journal",
    "run_study",
    "summary_table",
    "write_report",
]

_HOMES = {
    "RunRecord": "hpo.bench.records",
    "Study": "hpo.bench.study",
    "load_journal": "hpo.bench.journal",
    "load_study": "hpo.bench.study",
    "read_journal": "hpo.bench.journal",
    "run_study": "hpo.bench.runner",
    "summary_table": "hpo.bench.report",
    "write_report": "hpo.bench.report",
}


def __getattr__(name: str) -> Any:  # PEP 562
    if name not in _HOMES:
        raise AttributeError(f"module 'hpo.bench' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return sorted(__all__)
