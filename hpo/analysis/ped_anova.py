"""A PED-ANOVA style importance for many trials, with no surrogate model.

Watanabe, Bansal & Hutter (2023), IJCAI, "PED-ANOVA: Efficiently quantifying hyperparameter
importance in arbitrary subspaces", Theorem 1: for the binary function
``b(x) = 1[f(x) <= f^{gamma'}]`` (the top ``gamma'`` fraction of the trials) on the
distribution ``p`` of the trials, the first-order variance of ``b`` along axis ``i`` is
``r^2 D_i`` with ``r = gamma'`` (the share of the top set) and ``D_i`` the Pearson divergence
``int (p'_i / p_i - 1)^2 p_i`` between the marginal densities of the top set (``p'_i``) and
of all trials (``p_i``). Since ``Var b = r (1 - r)``, the first-order Sobol index of ``b`` is
``S_i = r D_i / (1 - r)``: a variance fraction, of the "is it among the best" indicator of the
loss rather than of the loss itself. It costs one histogram per axis, so suits thousands of
trials from any optimizer.

The densities are histograms on the unit axis (``n_bins`` cells; one per value for integer
axes with fewer values and one per level for categoricals) smoothed with a Gaussian kernel of
Scott's bandwidth and a prior of one pseudo-count spread evenly, as Watanabe et al. do with
their Parzen estimators.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ped_anova"]


def _density(u: np.ndarray, n_cells: int, smooth: bool) -> np.ndarray:
    """Probability of each of ``n_cells`` equal cells of ``[0, 1]`` under the points ``u``."""
    cell = np.minimum((u * n_cells).astype(int), n_cells - 1)
    counts = np.bincount(cell, minlength=n_cells).astype(float)
    if smooth and len(u) > 1:
        # Scott's rule h = 1.06 sigma n^(-1/5), in cells; reflected at both ends.
        h = max(1.06 * float(np.std(u)) * len(u) ** -0.2 * n_cells, 0.5)
        offsets = np.arange(-n_cells + 1, n_cells)
        kernel = np.exp(-0.5 * (offsets / h) ** 2)
        padded = np.concatenate([counts[::-1], counts, counts[::-1]])
        counts = np.convolve(padded, kernel / kernel.sum(), mode="same")[n_cells : 2 * n_cells]
    counts += 1.0 / n_cells  # one pseudo-count over the whole axis
    return counts / counts.sum()


def ped_anova(
    X: np.ndarray,
    y: np.ndarray,
    n_levels: np.ndarray,
    is_categorical: np.ndarray,
    *,
    quantile: float = 0.1,
    n_bins: int = 50,
) -> np.ndarray:
    """First-order indices of ``1[y <= its quantile]`` from the trials themselves.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Unit points of the trials.
    y : ndarray of shape (n,)
    n_levels : ndarray of int of shape (d,)
        0 for real axes, the number of values of integer and categorical axes.
    is_categorical : ndarray of bool of shape (d,)
    quantile : float, default 0.1
        ``gamma'``, the share of the best trials forming the top set.
    n_bins : int, default 50

    Returns
    -------
    ndarray of shape (d,)
    """
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must lie in (0, 1), got {quantile!r}")
    n = len(y)
    n_top = max(1, int(np.ceil(quantile * n)))
    if n_top >= n:
        return np.zeros(X.shape[1])
    top = np.argsort(y, kind="stable")[:n_top]
    r = n_top / n
    out = np.empty(X.shape[1])
    for i in range(X.shape[1]):
        k = int(n_levels[i])
        n_cells = k if is_categorical[i] or 0 < k <= n_bins else n_bins
        smooth = not is_categorical[i]
        p_all = _density(X[:, i], n_cells, smooth)
        p_top = _density(X[top, i], n_cells, smooth)
        pearson = float(np.sum((p_top / p_all - 1.0) ** 2 * p_all))
        out[i] = r * pearson / (1.0 - r)
    return out
