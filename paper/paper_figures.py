"""The one figure of the paper that :mod:`hpo.bench.plots` does not draw: optimizer overhead.

Drawn without pyplot (like :mod:`hpo.bench.plots`), in the optimizers' fixed colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from hpo.bench.plots import optimizer_colors

__all__ = ["overhead_figure"]

_LINESTYLES = {"random": "--"}


def overhead_figure(overhead: Mapping[str, Any]) -> Figure:
    """Median ask + tell time per step against n (left) and d (right), log-log, with the
    fitted slope in the legend."""
    names = list(dict.fromkeys([*overhead["n"], *overhead["d"]]))
    colors = optimizer_colors(names)
    fig = Figure(figsize=(9.0, 4.4), layout="constrained")
    axes = fig.subplots(1, 2)
    settings = overhead["settings"]
    fixed = {"n": f"d = {settings['d_fixed']}", "d": f"n = {settings['n_fixed']}"}
    for ax, sweep in zip(axes, ("n", "d")):
        for name, cells in overhead[sweep].items():
            xs = sorted(cells, key=int)
            x = np.array([int(k) for k in xs])
            y = np.array([cells[k]["median"] for k in xs])
            steps = [np.add(cells[k]["ask"], cells[k]["tell"]) for k in xs]
            lo = np.array([np.quantile(t, 0.25) for t in steps])
            hi = np.array([np.quantile(t, 0.75) for t in steps])
            slope = overhead["slopes"][sweep].get(name)
            label = f"{name} (slope {slope:.2f})" if slope is not None else name
            style = dict(color=colors[name], linestyle=_LINESTYLES.get(name, "-"), linewidth=1.6)
            ax.plot(x, y, marker="o", markersize=3.5, label=label, **style)
            ax.fill_between(x, lo, hi, color=colors[name], alpha=0.15, linewidth=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sorted({int(k) for c in overhead[sweep].values() for k in c}))
        ax.get_xaxis().set_major_formatter("{x:g}")
        ax.minorticks_off()
        ax.set_xlabel("observations n" if sweep == "n" else "dimension d")
        ax.set_ylabel("ask + tell per step (s)")
        ax.set_title(f"{settings['objective']}, {fixed[sweep]}", fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(
            fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2
        )
    return fig
