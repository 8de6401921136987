"""Gaussian-process regression: Cholesky fit, posterior, and MAP hyperparameters.

Notation (as in :mod:`hpo.gp.kernels`, plus)
-------------------------------------------
y        : training outputs, shape ``(n,)``; ``y_s = (y - m_y) / s_y`` their standardized form.
k        : the kernel (by default ``c * Matern52(l_1..l_d)``), ``K = k(X, X)``.
sigma2   : the noise variance (standardized units); ``K_y = K + (sigma2 + jitter) I``.
L        : the lower Cholesky factor, ``K_y = L L^T``.
alpha    : ``K_y^{-1} y_s``.
k_*      : ``k(X, x_*)``, the covariances between the training inputs and a test point.
eta      : all hyperparameters as natural logs, ``eta = [theta_kernel, log sigma2]``.

The formulas are those of Rasmussen & Williams (2006), *Gaussian Processes for Machine
Learning*: the predictive equations (2.25, 2.26) computed as in Algorithm 2.1, the log
marginal likelihood (eq. 2.30) and its gradient (eq. 5.9).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable

import numpy as np
from scipy.linalg import LinAlgError, lapack

from hpo.exceptions import NumericalWarning
from hpo.gp._lbfgsb import BfgsResult, minimize_bfgs_box, minimize_lbfgsb
from hpo.gp._linalg import cho_solve_lower, cholesky_lower, solve_lower
from hpo.gp._standardize import Standardization
from hpo.gp._threads import single_blas_thread
from hpo.gp.kernels import Constant, Kernel, Matern
from hpo.gp.priors import HyperPrior, LogNormal, default_prior

__all__ = ["GaussianProcess", "cholesky_jitter", "log_marginal_likelihood"]

logger = logging.getLogger("hpo")

#: Relative jitter steps tried when a Cholesky factorization fails (times mean(diag K)).
JITTERS = (0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2)


class _FitFailure(Exception):
    """A hyperparameter vector at which the model cannot be evaluated."""


SKIP_DROP = 0.05  # nats per point: a larger drop of the warm fit's density calls the restarts
WARM_FITS = ("lbfgsb", "bfgs", "bfgs-always")  # how a fit runs from its warm start
RESTART_FITS = ("restarts", "prior-centre")  # how a fit asked for restarts runs
SKIP_MOVE = 0.5  # largest move of a log-hyperparameter (a factor 1.6) that skips them
FIT_GTOL = 1e-4  # L-BFGS-B's projected-gradient tolerance of the hyperparameter fit


def cholesky_jitter(K: np.ndarray, start: int = 0) -> tuple[np.ndarray, float]:
    """Lower Cholesky factor of ``K + jitter I`` with the smallest jitter of :data:`JITTERS`
    (from position ``start``) that works.

    Returns
    -------
    L : ndarray of shape (n, n)
    jitter : float
        The jitter added to the diagonal (absolute).

    Raises
    ------
    numpy.linalg.LinAlgError
        If even the largest jitter fails (a matrix with NaN, or far from positive definite).
    """
    # np.mean's own sum and division, without its wrappers (bit-identical)
    scale = float(np.diag(K).sum() / len(K)) if K.size else 1.0
    for rel in JITTERS[start:]:
        jitter = rel * scale
        try:
            if jitter:  # K + jitter I: the off-diagonal entries plus 0.0 are unchanged
                A = K.copy()
                A.flat[:: len(K) + 1] += jitter
            else:
                A = K
            return cholesky_lower(A), jitter
        except (LinAlgError, ValueError):
            continue
    raise LinAlgError("the covariance matrix is not positive definite, even with jitter")


def log_marginal_likelihood(L: np.ndarray, alpha: np.ndarray, y: np.ndarray) -> float:
    """``log p(y | X) = -y^T alpha / 2 - sum_i log L_ii - n log(2 pi) / 2`` (R&W eq. 2.30,
    Algorithm 2.1 line 8)."""
    n = len(y)
    return float(-0.5 * y @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * math.log(2 * math.pi))


def _inverse_from_cholesky(L: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """``K^{-1}`` from its lower Cholesky factor (LAPACK potri, half the work of solving
    against the identity); ``overwrite``: in the memory of ``L`` (Fortran-ordered), which
    is then lost."""
    inv, info = lapack.dpotri(L, lower=1, overwrite_c=int(overwrite))
    if info != 0:
        raise _FitFailure(f"potri failed with info={info}")
    # potri fills the lower triangle; the upper one is the zeros of the clean factor L
    inv += np.tril(inv, -1).T
    return inv


class GaussianProcess:
    """Gaussian-process regression with MAP hyperparameters.

    Parameters
    ----------
    kernel : Kernel, optional
        Covariance of the latent function. Default ``Constant(1) * Matern(ones(d), nu=2.5)``
        (ARD, ``d`` taken from the first ``fit``), with the priors of
        :func:`hpo.gp.priors.default_prior`.
    noise : float, default 1e-4
        Initial (or, with ``fit_noise=False``, fixed) noise variance, in standardized units.
    fit_noise : bool, default True
        Learn the noise variance with the other hyperparameters.
    noise_bounds : (float, float), default (1e-6, 1.0)
    prior : HyperPrior, "default" or None
        Prior on ``eta`` (``None``: maximum likelihood). ``"default"`` uses
        :func:`~hpo.gp.priors.default_prior` with the default kernel, and no prior otherwise.
    standardize : bool, default True
        Subtract the mean of ``y`` and divide by its standard deviation inside the model,
        computed scale-free (on ``y / max |y|``, see :mod:`hpo.gp._standardize`), so any
        positive rescaling and shift of ``y`` gives the same model; predictions are returned
        in the original units.
    warm_fit : {"lbfgsb", "bfgs", "bfgs-always"}, default "lbfgsb"
        How a fit after an earlier one runs from the warm start (the last hyperparameters):
        L-BFGS-B (its curvature memory rebuilt from nothing), or a projected dense BFGS
        that starts from the inverse-Hessian approximation the last such run ended with
        (:func:`hpo.gp._lbfgsb.minimize_bfgs_box`; same stopping tolerance, fewer
        evaluations when the data grew by a point): ``"bfgs"`` in fits without restarts,
        ``"bfgs-always"`` also for the warm start of fits with restarts (which still run
        L-BFGS-B).
    restart_fit : {"restarts", "prior-centre"}, default "restarts"
        How a fit asked for restarts (``n_restarts > 0`` in :meth:`fit`) runs: from the warm
        start and then the restarts, or (``"prior-centre"``) as one L-BFGS-B run from the
        prior's centre, every log-hyperparameter at its prior's ``mu``, with no warm start,
        no restarts and no draws from ``rng`` (as BoTorch's ``SingleTaskGP`` is refitted
        from its initial hyperparameters at every step). Without a prior it runs the warm
        start only.

    Attributes
    ----------
    X_train, y_train : ndarray
        The data conditioned on.
    L, alpha : ndarray
        Cholesky factor of ``K_y`` and ``K_y^{-1} y_s``.
    jitter : float
        Jitter added to the diagonal beyond the noise (0 when none was needed).
    n_fit_evals : int
        Marginal-likelihood evaluations used by the last hyperparameter fit.
    n_fit_starts : int
        L-BFGS-B runs of the last hyperparameter fit (fewer than its starts when
        ``skip_restarts`` skipped some).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).random((20, 2))
    >>> gp = GaussianProcess().fit(X, np.sin(6 * X[:, 0]), rng=np.random.default_rng(0))
    >>> mean, var = gp.predict(X[:3], return_var=True)
    """

    def __init__(
        self,
        kernel: Kernel | None = None,
        *,
        noise: float = 1e-4,
        fit_noise: bool = True,
        noise_bounds: tuple[float, float] = (1e-6, 1.0),
        prior: HyperPrior | str | None = "default",
        standardize: bool = True,
        warm_fit: str = "lbfgsb",
        restart_fit: str = "restarts",
    ) -> None:
        if warm_fit not in WARM_FITS:
            raise ValueError(f"warm_fit must be one of {WARM_FITS}, got {warm_fit!r}")
        if restart_fit not in RESTART_FITS:
            raise ValueError(f"restart_fit must be one of {RESTART_FITS}, got {restart_fit!r}")
        if not (noise_bounds[0] > 0 and noise_bounds[0] <= noise <= noise_bounds[1]):
            raise ValueError(f"noise must lie in noise_bounds {noise_bounds}, got {noise!r}")
        self.kernel = kernel
        self.noise = float(noise)
        self.fit_noise = fit_noise
        self.noise_bounds = noise_bounds
        self.prior = prior
        self.standardize = standardize
        self.warm_fit = warm_fit
        self.restart_fit = restart_fit
        self._hess_inv: np.ndarray | None = None  # the last warm BFGS fit's, for the next
        self.jitter = 0.0
        self.n_fit_evals = 0
        self.n_fit_starts = 0
        self._fit_density: float | None = None  # log posterior per point of the last fit
        self._default: bool | None = None  # default kernel and prior, decided at first fit
        self._standardization = Standardization()
        self.X_train: np.ndarray | None = None
        self.y_train: np.ndarray | None = None

    def __setstate__(self, state: dict) -> None:
        # models pickled before the scale-free standardization stored its mean and std
        if "_y_mean" in state:
            mean, std = state.pop("_y_mean"), state.pop("_y_std")
            state["_standardization"] = Standardization(1.0, mean, std)
        state.setdefault("_standardization", Standardization())
        state.setdefault("warm_fit", "lbfgsb")
        state.setdefault("restart_fit", "restarts")
        state.setdefault("_hess_inv", None)
        self.__dict__.update(state)

    # -- hyperparameters ----------------------------------------------------------------
    def _default_kernel(self, dim: int) -> Kernel:
        return Constant(1.0, bounds=(1e-2, 1e2)) * Matern(np.ones(dim), 2.5, bounds=(5e-3, 2e2))

    def _prior(self) -> HyperPrior | None:
        if isinstance(self.prior, HyperPrior) or self.prior is None:
            return self.prior
        if self._default:
            n_ls = self.kernel.n_params - 1
            return default_prior(n_ls, n_ls, self.fit_noise)
        return None

    def _log_prior(self, size: int) -> Callable[[np.ndarray], tuple[float, np.ndarray]] | None:
        """``HyperPrior.log_density`` of :meth:`_prior`, built once per prior and number
        ``size`` of hyperparameters (the fit calls it at every step)."""
        key = (id(self.prior), self._default, size, self.fit_noise)
        cached = getattr(self, "_log_prior_cache", None)
        if cached is None or cached[0] != key:
            cached = (key, _fast_log_density(self._prior()))
            self._log_prior_cache = cached
        return cached[1]

    @property
    def eta(self) -> np.ndarray:
        """All hyperparameters as natural logs: kernel ``theta``, then ``log(noise)`` when
        the noise is learned."""
        tail = [math.log(self.noise)] if self.fit_noise else []
        return np.concatenate([self.kernel.theta, tail])

    @eta.setter
    def eta(self, value: np.ndarray) -> None:
        p = self.kernel.n_params
        self.kernel.theta = value[:p]
        if self.fit_noise:
            self.noise = float(np.exp(value[p]))

    @property
    def eta_bounds(self) -> np.ndarray:
        tail = [np.log(self.noise_bounds)] if self.fit_noise else []
        return np.vstack([self.kernel.bounds, *tail])

    @property
    def hyperparameters(self) -> dict[str, float]:
        """Current hyperparameters by name (natural units, not logs)."""
        out = {name: float(v) for name, v in zip(self.kernel.names, np.exp(self.kernel.theta))}
        out["noise"] = self.noise
        return out

    # -- the marginal likelihood and the MAP objective -------------------------------------
    def _log_density(
        self,
        kernel: Kernel,
        eta: np.ndarray,
        X: np.ndarray,
        ys: np.ndarray,
        *,
        prior: bool,
        jitter_start: int,
        gradient: bool = True,
    ) -> tuple[float, np.ndarray | None]:
        """``log p(ys | X, eta)``, plus ``log p(eta)`` when ``prior``, and its gradient.

        Computed with ``kernel``, a working copy of :attr:`kernel` whose ``theta`` this sets:
        the model itself is left as it is. ``ys`` is in the model's standardized units.
        Raises ``_FitFailure`` where the density cannot be evaluated.
        """
        p = kernel.n_params
        kernel.theta = eta[:p]
        noise = float(np.exp(eta[p])) if self.fit_noise else self.noise
        if gradient:
            K, contract = kernel.with_gradient(X)
            K = K.copy()
        else:
            K = kernel(X)
        K.flat[:: len(K) + 1] += noise  # the diagonal (K[np.diag_indices_from(K)])
        try:
            L, _ = cholesky_jitter(K, start=jitter_start)
        except LinAlgError as err:
            raise _FitFailure(str(err)) from None
        alpha = cho_solve_lower(L, ys)
        value = log_marginal_likelihood(L, alpha, ys)
        grad = None
        if gradient:
            # R&W eq. 5.9: d lml / d eta_i = tr((alpha alpha^T - K_y^{-1}) dK_y/deta_i) / 2
            Kinv = _inverse_from_cholesky(L, overwrite=True)  # L is not used after this
            W = np.subtract(np.outer(alpha, alpha), Kinv, out=Kinv)
            grad = 0.5 * contract(W)
            if self.fit_noise:  # dK_y / dlog(sigma2) = sigma2 I
                grad = np.append(grad, 0.5 * noise * np.trace(W))
        hyperprior = self._log_prior(len(eta)) if prior else None
        if hyperprior is not None:
            lp, dlp = hyperprior(eta)
            value = value + lp
            grad = None if grad is None else grad + dlp
        if not (np.isfinite(value) and (grad is None or np.all(np.isfinite(grad)))):
            raise _FitFailure("non-finite marginal likelihood")
        return value, grad

    def _evaluate(
        self, eta: np.ndarray | None, prior: bool, gradient: bool
    ) -> float | tuple[float, np.ndarray]:
        """The public log densities: at ``eta`` on the conditioned data, model unchanged."""
        if self.X_train is None:
            raise RuntimeError("the model has no data; call fit first")
        eta = self.eta if eta is None else np.asarray(eta, dtype=float).ravel()
        if eta.shape != (len(self.eta),):
            raise ValueError(f"eta must have {len(self.eta)} entries, got shape {eta.shape}")
        with single_blas_thread():
            try:
                value, grad = self._log_density(
                    self.kernel.clone(),
                    eta,
                    self.X_train,
                    self.standardize_y(self.y_train),
                    prior=prior,
                    jitter_start=0,
                    gradient=gradient,
                )
            except _FitFailure:
                value, grad = -np.inf, np.full(len(eta), np.nan)
        return (value, grad) if gradient else value

    def log_marginal_likelihood(
        self, eta: np.ndarray | None = None, *, gradient: bool = False
    ) -> float | tuple[float, np.ndarray]:
        """The log marginal likelihood of the conditioned data at hyperparameters ``eta``.

        ``log p(y_s | X, eta) = -y_s^T K_y^{-1} y_s / 2 - log|K_y| / 2 - n log(2 pi) / 2``
        (R&W eq. 2.30) and its gradient (R&W eq. 5.9), for the training data in the model's
        standardized units. The model is not changed: evaluate it anywhere (a map over
        lengthscale and noise, say) and the fitted hyperparameters stay as they are.

        Parameters
        ----------
        eta : ndarray of shape (n_hyperparameters,), optional
            Natural logs of the hyperparameters, in the order of :attr:`eta` (the kernel's
            ``theta``, then the log noise variance when it is learned). Default: the current
            ones.
        gradient : bool, default False
            Also return the gradient with respect to ``eta``.

        Returns
        -------
        value : float
            ``-inf`` where ``K_y`` cannot be factored even with jitter.
        grad : ndarray of shape (n_hyperparameters,), when ``gradient``
        """
        if eta is None and not gradient:  # the factorization at hand
            if self.X_train is None:
                raise RuntimeError("the model has no data; call fit first")
            with single_blas_thread():
                return log_marginal_likelihood(self.L, self.alpha, self.standardize_y(self.y_train))
        return self._evaluate(eta, prior=False, gradient=gradient)

    def log_posterior(
        self, eta: np.ndarray | None = None, *, gradient: bool = False
    ) -> float | tuple[float, np.ndarray]:
        """What the MAP fit maximizes: :meth:`log_marginal_likelihood` plus the log prior
        density of ``eta`` (:mod:`hpo.gp.priors`; nothing when the model has no prior).
        Same parameters and returns; the model is not changed."""
        return self._evaluate(eta, prior=True, gradient=gradient)

    # -- fitting ------------------------------------------------------------------------
    def _check(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = np.asarray(y, dtype=float).ravel()
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"X and y differ in length: {X.shape[0]} and {y.shape[0]}")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must be finite (leave failed trials out of the model)")
        return X, y

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        rng: np.random.Generator | None = None,
        optimize: bool = True,
        n_restarts: int = 0,
        maxiter: int = 200,
        skip_restarts: bool = False,
        gtol: float = FIT_GTOL,
    ) -> GaussianProcess:
        """Fit the hyperparameters (MAP, L-BFGS-B in log space) and condition on the data.

        Parameters
        ----------
        X : ndarray of shape (n, d)
        y : ndarray of shape (n,)
        rng : numpy.random.Generator, optional
            Source of the restarts (needed when ``n_restarts > 0``).
        optimize : bool, default True
            ``False`` keeps the current hyperparameters and only conditions on the data.
        n_restarts : int, default 0
            Extra starts besides the current hyperparameters (a warm start after the first
            fit): the prior mode, then draws from the prior. With
            ``restart_fit="prior-centre"``, any positive value instead makes the fit one run
            from the prior's centre (the mode) alone.
        maxiter : int, default 200
            Iteration limit of each L-BFGS-B run.
        skip_restarts : bool, default False
            Fit from the warm start first and skip the other starts when it stayed put: its
            log posterior per point did not drop (by more than :data:`SKIP_DROP` nats) from
            the previous fit's and no log-hyperparameter moved by more than
            :data:`SKIP_MOVE`. The restarts are drawn from ``rng`` all the same, so the
            random stream does not depend on the skip.
        gtol : float, default :data:`FIT_GTOL`
            Projected-gradient tolerance of each L-BFGS-B run.

        Returns
        -------
        self
        """
        X, y = self._check(X, y)
        if len(y) == 0:
            raise ValueError("fit needs at least one observation: X and y are empty")
        if self.kernel is None:
            self.kernel = self._default_kernel(X.shape[1])
        if self._default is None:
            self._default = self.prior == "default" and _is_default(self.kernel, X.shape[1])
        self._standardization = Standardization.of(y) if self.standardize else Standardization()
        ys = self.standardize_y(y)
        with single_blas_thread():
            if optimize:
                self._optimize(X, ys, rng, n_restarts, maxiter, skip_restarts, gtol)
            return self._condition(X, y)

    def _optimize(
        self,
        X: np.ndarray,
        ys: np.ndarray,
        rng: np.random.Generator | None,
        n_restarts: int,
        maxiter: int,
        skip_restarts: bool = False,
        gtol: float = FIT_GTOL,
    ) -> None:
        bounds = self.eta_bounds
        last_good = self.eta
        starts = [np.clip(last_good, bounds[:, 0], bounds[:, 1])]
        prior = self._prior()
        centre = n_restarts > 0 and prior is not None and self.restart_fit == "prior-centre"
        if centre:  # one run from the prior's centre replaces the warm start and restarts
            starts = [prior.mode(last_good)]
        elif n_restarts > 0 and prior is not None:
            starts.append(prior.mode(last_good))
            if rng is None:
                raise ValueError("rng is required when n_restarts > 0")
            starts += [prior.sample(rng, last_good) for _ in range(n_restarts - 1)]
        work = self.kernel.clone()  # the objective sets hyperparameters on this copy

        def objective(eta: np.ndarray) -> tuple[float, np.ndarray]:
            # some jitter at once (start=2): no failed factorization, no warning, per step
            value, grad = self._log_density(work, eta, X, ys, prior=True, jitter_start=2)
            return -value, -grad

        best, best_value, evals, errors = None, np.inf, 0, []
        previous = getattr(self, "_fit_density", None)  # log posterior per point, last fit
        self.n_fit_starts = 0
        warm_bfgs = (
            not centre
            and previous is not None
            and (self.warm_fit == "bfgs-always" or (self.warm_fit == "bfgs" and len(starts) == 1))
        )
        if not warm_bfgs:
            self._hess_inv = None
        for i, start in enumerate(starts):
            start = np.clip(start, bounds[:, 0], bounds[:, 1])
            if i == 1 and skip_restarts and best is not None and previous is not None:
                # the warm start stayed put: it still explains the data as well per point
                # and no hyperparameter moved much, so the restarts would find it again
                moved = float(np.max(np.abs(best - starts[0]))) if len(best) else 0.0
                if -best_value / len(ys) >= previous - SKIP_DROP and moved <= SKIP_MOVE:
                    break
            self.n_fit_starts += 1
            try:
                if i == 0 and warm_bfgs:
                    res = self._warm_bfgs(objective, start, bounds, maxiter, gtol)
                else:
                    res = minimize_lbfgsb(  # scipy's L-BFGS-B, bit for bit, leaner
                        objective, start, bounds[:, 0], bounds[:, 1], maxiter=maxiter, gtol=gtol
                    )
            except _FitFailure as err:
                errors.append(str(err))
                continue
            evals += res.nfev
            if np.isfinite(res.fun) and res.fun < best_value:
                best, best_value = res.x, res.fun
                if i > 0:  # a restart won: the warm run's curvature is of another basin
                    self._hess_inv = None
        self.n_fit_evals = evals
        self._fit_density = None if best is None else -best_value / len(ys)
        if best is None:
            warnings.warn(
                f"GP hyperparameter fit failed ({errors[-1] if errors else 'no start'}); "
                "keeping the last good hyperparameters",
                NumericalWarning,
                stacklevel=3,
            )
            best = last_good
        self.eta = best

    def _warm_bfgs(
        self,
        objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
        start: np.ndarray,
        bounds: np.ndarray,
        maxiter: int,
        gtol: float,
    ) -> BfgsResult:
        """The warm start's run of ``warm_fit="bfgs"``: projected BFGS from ``start`` with
        the inverse Hessian the last such run ended with, kept for the next one. Raises
        ``_FitFailure`` when even the start cannot be evaluated."""

        def safe(eta: np.ndarray) -> tuple[float, np.ndarray]:
            try:
                return objective(eta)
            except _FitFailure:  # the line search steps back from such points
                return np.inf, np.full(len(eta), np.nan)

        H = self._hess_inv
        H = H if H is not None and H.shape == (len(start), len(start)) else None
        res = minimize_bfgs_box(
            safe, start, bounds[:, 0], bounds[:, 1], hess_inv=H, maxiter=maxiter, gtol=gtol
        )
        self._hess_inv = res.hess_inv
        if not np.isfinite(res.fun):
            self._hess_inv = None
            raise _FitFailure("the warm start cannot be evaluated")
        return res

    def _condition(self, X: np.ndarray, y: np.ndarray) -> GaussianProcess:
        """Factor ``K_y`` with the current hyperparameters and compute ``alpha``."""
        K = self.kernel(X)
        K[np.diag_indices_from(K)] += self.noise
        self.L, self.jitter = cholesky_jitter(K)
        if self.jitter > 1e-8 * float(np.mean(np.diag(K))):
            warnings.warn(
                f"added jitter {self.jitter:.2g} to the GP covariance to factor it",
                NumericalWarning,
                stacklevel=3,
            )
        self.X_train, self.y_train = X, y
        self.alpha = cho_solve_lower(self.L, self.standardize_y(y))
        return self

    def add_observations(self, X_new: np.ndarray, y_new: np.ndarray) -> GaussianProcess:
        """Condition on more points, hyperparameters and standardization unchanged, by a
        rank-k update of the Cholesky factor in ``O(n^2 k)``.

        With ``K_y = [[A, B], [B^T, C]]`` and ``A = L L^T``:
        ``L_new = [[L, 0], [V^T, chol(C - V^T V)]]`` where ``V = L^{-1} B``.
        """
        X_new, y_new = self._check(X_new, y_new)
        if self.X_train is None:
            raise RuntimeError("add_observations needs a fitted model; call fit first")
        with single_blas_thread():
            return self._add_observations(X_new, y_new)

    def _add_observations(self, X_new: np.ndarray, y_new: np.ndarray) -> GaussianProcess:
        B = self.kernel(self.X_train, X_new)
        C = self.kernel(X_new)
        C[np.diag_indices_from(C)] += self.noise + self.jitter
        V = solve_lower(self.L, B)
        S = C - V.T @ V
        try:
            L22, _ = cholesky_jitter(S)  # any extra jitter enters the new block only
        except LinAlgError:
            warnings.warn("rank-k update failed; refactoring", NumericalWarning, stacklevel=4)
            X = np.vstack([self.X_train, X_new])
            return self._condition(X, np.concatenate([self.y_train, y_new]))
        n, k = len(self.L), len(X_new)
        L = np.zeros((n + k, n + k))
        L[:n, :n], L[n:, :n], L[n:, n:] = self.L, V.T, L22
        self.L = L
        self.X_train = np.vstack([self.X_train, X_new])
        self.y_train = np.concatenate([self.y_train, y_new])
        self.alpha = cho_solve_lower(self.L, self.standardize_y(self.y_train))
        return self

    def set_targets(self, y: np.ndarray) -> GaussianProcess:
        """Replace the outputs (same inputs, same hyperparameters): new standardization and
        ``alpha``, the Cholesky factor reused, ``O(n^2)``."""
        y = np.asarray(y, dtype=float).ravel()
        if self.X_train is None or len(y) != len(self.X_train) or not np.all(np.isfinite(y)):
            raise ValueError("y must be finite, one value per training point")
        self._standardization = Standardization.of(y) if self.standardize else Standardization()
        self.y_train = y
        with single_blas_thread():
            self.alpha = cho_solve_lower(self.L, self.standardize_y(y))
        return self

    # -- prediction ---------------------------------------------------------------------
    def posterior(self, X: np.ndarray, gradient: bool = False) -> tuple[np.ndarray, ...]:
        """Posterior mean and variance of the latent function, in *standardized* units.

        Parameters
        ----------
        X : ndarray of shape (m, d)
        gradient : bool, default False
            Also return ``dmean/dx`` and ``dvar/dx``, each of shape ``(m, d)`` (stationary
            kernels only).

        Returns
        -------
        mean, var : ndarray of shape (m,)
        dmean, dvar : ndarray of shape (m, d), when ``gradient``
        """
        if self.X_train is None:
            raise RuntimeError("posterior needs a fitted model; call fit first")
        with single_blas_thread():
            return self._posterior(np.atleast_2d(np.asarray(X, dtype=float)), gradient)

    def _posterior(self, X: np.ndarray, gradient: bool) -> tuple[np.ndarray, ...]:
        if gradient:  # k_*^T of shape (m, n) and its gradient (m, n, d)
            Ks, dKs = self.kernel.value_and_gradient_x(X, self.X_train)
        else:
            Ks = self.kernel(X, self.X_train)
        # R&W Algorithm 2.1: mean = k_*^T alpha; v = L \ k_*; var = k(x_*, x_*) - v^T v
        mean = Ks @ self.alpha
        V = solve_lower(self.L, Ks.T)
        var = self.kernel.diag(X) - np.einsum("nm,nm->m", V, V)
        var = self._clip(var)
        if not gradient:
            return mean, var
        dmean = np.einsum("mnd,n->md", dKs, self.alpha)
        # dvar/dx = dk(x, x)/dx - 2 (dk_*/dx)^T K_y^{-1} k_*   (the first term is 0 for
        # stationary k; not for GPConfig(quadratic=True)'s Polynomial)
        KinvKs = solve_lower(self.L, V, transpose=True)  # (n, m)
        dvar = -2.0 * np.einsum("mnd,nm->md", dKs, KinvKs)
        if (ddiag := self.kernel.diag_gradient_x(X)) is not None:
            dvar = dvar + ddiag
        return mean, var, dmean, dvar

    @staticmethod
    def _clip(var: np.ndarray) -> np.ndarray:
        if np.any(var < -1e-6):
            warnings.warn(
                "negative predicted variances (round-off) clipped to 0",
                NumericalWarning,
                stacklevel=4,
            )
        return np.maximum(var, 0.0)

    def predict(self, X: np.ndarray, return_var: bool = False) -> np.ndarray | tuple:
        """Posterior mean (and variance) of the latent function in the units of ``y``.

        Parameters
        ----------
        X : ndarray of shape (m, d)
        return_var : bool, default False

        Returns
        -------
        mean : ndarray of shape (m,)
        var : ndarray of shape (m,), when ``return_var``
        """
        if self.X_train is None:
            raise RuntimeError("predict needs a fitted model; call fit first")
        with single_blas_thread():
            mean, var = self._posterior(np.atleast_2d(np.asarray(X, dtype=float)), False)
        mean = self._standardization.inverse(mean)
        return (mean, var * self._standardization.std**2) if return_var else mean

    def standardize_y(self, y: np.ndarray | float) -> np.ndarray | float:
        """Map outputs to the standardized units of :meth:`posterior`."""
        return self._standardization(y)

    def __repr__(self) -> str:
        n = 0 if self.X_train is None else len(self.X_train)
        return f"GaussianProcess(kernel={self.kernel!r}, noise={self.noise:.3g}, n={n})"


def _fast_log_density(
    prior: HyperPrior | None,
) -> Callable[[np.ndarray], tuple[float, np.ndarray]] | None:
    """``prior.log_density`` as one function: :class:`_LogNormalDensity` for log-normal (or
    flat) entries, any other prior as it is."""
    if prior is None:
        return None
    if not all(p is None or type(p) is LogNormal for p in prior.priors):
        return prior.log_density
    return _LogNormalDensity(prior)


class _LogNormalDensity:
    """``HyperPrior.log_density`` of log-normal entries as a loop over Python floats, with
    the operations of :meth:`LogNormal.log_density` in the same order: bit-identical, at a
    tenth of the cost (the fit calls it at every step)."""

    def __init__(self, prior: HyperPrior) -> None:
        self.terms = [(i, p.mu, p.sigma) for i, p in enumerate(prior.priors) if p is not None]

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = 0.0, np.zeros(len(theta))
        t = theta.tolist()
        for i, mu, sigma in self.terms:
            z = (t[i] - mu) / sigma
            value += -0.5 * z**2
            grad[i] = -z / sigma
        return value, grad


def _is_default(kernel: Kernel, dim: int) -> bool:
    from hpo.gp.kernels import Product

    return (
        isinstance(kernel, Product)
        and isinstance(kernel.k1, Constant)
        and isinstance(kernel.k2, Matern)
        and len(kernel.k2.lengthscale) == dim
    )
