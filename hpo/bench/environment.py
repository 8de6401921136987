"""What a study ran on: Python, platform, CPU and library versions, for the record."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from typing import Any

__all__ = ["describe_environment"]

_LIBRARIES = (
    "hpo",
    "numpy",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "scikit-optimize",
    "optuna",
    "pymoo",
    "torch",
    "dask",
    "distributed",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe_environment() -> dict[str, Any]:
    """Python, OS, CPU (model and logical cores) and the installed versions of hpo's
    dependencies and peers (``None`` where not installed), read without importing them."""
    versions: dict[str, str | None] = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "libraries": versions,
    }
