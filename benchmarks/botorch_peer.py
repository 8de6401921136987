"""A vanilla BoTorch LogEI loop with hpo's ask/tell shape, as a peer for benchmarks only.

BoTorch's standard loop (its "closed-loop BO" tutorial, with LogEI as Ament et al. 2023
recommend): a scrambled-Sobol initial design of ``n_initial`` points, then at each step a
``SingleTaskGP`` (its default kernel and priors, listed below) on the inputs scaled to the
unit cube and the outputs standardized (``Normalize``, ``Standardize``), fitted by
``fit_gpytorch_mll``, and the maximizer of ``LogExpectedImprovement`` (negated outputs:
BoTorch maximizes) by ``optimize_acqf`` with 10 restarts from 512 raw samples. Real
parameters only (the synthetic suite). Needs ``pip install botorch``; hpo never imports it.

BoTorch 0.18.1's ``SingleTaskGP`` defaults (checked on the installed version): an ARD RBF
kernel without an output scale, lengthscale prior ``LogNormal(sqrt(2) + log(d)/2, sqrt(3))``
(Hvarfner et al. 2024), lengthscales at least 0.025, noise prior ``LogNormal(-4, 1)``; the
restarts of ``optimize_acqf`` are drawn from the raw samples by Boltzmann sampling of their
standardized acquisition values (``initialize_q_batch``, eta = 1, the best always kept).

Probes of the differences with hpo's ``bayes`` (issue 16's funnels; defaults: none):
``topn=True`` takes the ``num_restarts`` best raw samples as starts (as hpo does);
``matern=True`` uses hpo's model instead, ``c * Matern-5/2`` with hpo's priors
(``LogNormal(0, 1.5)`` lengthscales, ``LogNormal(0, 1)`` scale, ``LogNormal(log 1e-3, 2.5)``
noise).
"""

from __future__ import annotations

import numpy as np


class BotorchLogEI:
    """``ask()`` / ``tell(params, value)`` over a :class:`hpo.Space` of reals."""

    def __init__(
        self,
        space,
        seed: int = 0,
        n_initial: int | None = None,
        topn: bool = False,
        matern: bool = False,
    ) -> None:
        import torch

        self.topn, self.matern = topn, matern
        self.space, self.dim = space, space.dim
        self.n_initial = n_initial or min(10, max(5, self.dim + 1))  # as hpo's bayes
        self.seed = seed
        torch.manual_seed(seed)
        sobol = torch.quasirandom.SobolEngine(self.dim, scramble=True, seed=seed)
        self._design = sobol.draw(self.n_initial).double().numpy()
        self.U: list[np.ndarray] = []
        self.y: list[float] = []

    def ask(self) -> dict:
        n = len(self.y)
        if n < self.n_initial:
            return self.space.from_unit(self._design[n])
        return self.space.from_unit(self._propose())

    def tell(self, params: dict, value: float) -> None:
        self.U.append(np.asarray(self.space.to_unit(params), dtype=float))
        self.y.append(float(value))

    def _propose(self) -> np.ndarray:
        import torch
        from botorch.acquisition import LogExpectedImprovement
        from botorch.fit import fit_gpytorch_mll
        from botorch.models import SingleTaskGP
        from botorch.models.transforms import Normalize, Standardize
        from botorch.optim import optimize_acqf
        from gpytorch.mlls import ExactMarginalLogLikelihood

        torch.manual_seed(self.seed * 100_003 + len(self.y))
        X = torch.tensor(np.array(self.U), dtype=torch.double)
        Y = -torch.tensor(self.y, dtype=torch.double).unsqueeze(-1)  # BoTorch maximizes
        model = {}
        if self.matern:  # hpo's kernel and priors (hpo.gp.priors), for a probe
            import math

            from gpytorch.kernels import MaternKernel, ScaleKernel
            from gpytorch.likelihoods import GaussianLikelihood
            from gpytorch.priors import LogNormalPrior

            model["covar_module"] = ScaleKernel(
                MaternKernel(
                    nu=2.5, ard_num_dims=self.dim, lengthscale_prior=LogNormalPrior(0.0, 1.5)
                ),
                outputscale_prior=LogNormalPrior(0.0, 1.0),
            )
            model["likelihood"] = GaussianLikelihood(
                noise_prior=LogNormalPrior(math.log(1e-3), 2.5)
            )
        gp = SingleTaskGP(
            X,
            Y,
            **model,
            input_transform=Normalize(
                d=self.dim, bounds=torch.stack([X.new_zeros(self.dim), X.new_ones(self.dim)])
            ),
            outcome_transform=Standardize(m=1),
        )
        fit_gpytorch_mll(ExactMarginalLogLikelihood(gp.likelihood, gp))
        acq = LogExpectedImprovement(gp, best_f=Y.max())
        bounds = torch.stack([torch.zeros(self.dim), torch.ones(self.dim)]).double()
        options = {"topn": True} if self.topn else None
        x, _ = optimize_acqf(
            acq, bounds=bounds, q=1, num_restarts=10, raw_samples=512, options=options
        )
        return x.detach().numpy()[0]
