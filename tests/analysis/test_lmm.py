"""Unit checks of the hand-written mixed model that do not need R's outputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from peerlog.analysis import lmm
from peerlog.analysis.power import paired_power, paired_sample_size

LEVELS = ("decreased", "same", "increased")


def _frame(seed, group_sd, n_groups=60):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, n_groups)
    group = np.repeat(np.arange(n_groups), sizes)
    n = len(group)
    ps = rng.integers(0, 3, n)
    base = rng.normal(20, 4, n)
    y = 3 - 0.15 * base + 0.5 * (ps == 2) + rng.normal(0, group_sd, n_groups)[group]
    y = y + rng.normal(0, 2, n)
    return lmm.ModelFrame.build(y, group, ("baseline", base),
                                {"ps": lmm.factor_from_codes(ps, LEVELS)},
                                [("baseline",), ("ps",)])


def _ell(gs, theta, sigma):
    """-2 REML log-likelihood in (θ, σ), constants dropped (lmerTest's devfun_vp)."""
    lam = theta * theta
    a, b, c = lmm._abc(gs, lam)
    r = c - b @ np.linalg.solve(a, b)
    return ((gs.n - gs.p) * math.log(sigma**2) + float(gs.counts @ np.log1p(gs.sizes * lam))
            + np.linalg.slogdet(a)[1] + r / sigma**2)


def test_analytic_hessian_matches_finite_differences():
    fit = lmm.fit_reml(_frame(1, 1.5))
    assert not fit.singular
    x0 = np.array([fit.theta, fit.sigma])
    h = 1e-4
    num = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            num[i, j] = (_ell(fit.gsums, *(x0 + e_i + e_j)) - _ell(fit.gsums, *(x0 + e_i - e_j))
                         - _ell(fit.gsums, *(x0 - e_i + e_j))
                         + _ell(fit.gsums, *(x0 - e_i - e_j))) / (4 * h * h)
    analytic = lmm._varpar_hessian(fit.gsums, fit.theta, fit.sigma)
    np.testing.assert_allclose(analytic, num, rtol=1e-4)


def test_profiled_optimum_and_gls_estimates():
    frame = _frame(2, 1.0)
    fit = lmm.fit_reml(frame)
    # the REML optimum: neighbouring λ values are worse
    lam = fit.theta**2
    d0 = lmm.reml_deviance(fit.gsums, lam)
    assert d0 <= lmm.reml_deviance(fit.gsums, lam * 1.01)
    assert d0 <= lmm.reml_deviance(fit.gsums, lam * 0.99)
    # β equals dense GLS with V = I + λ Z Z'
    x = frame.design()
    z = np.eye(frame.group.max() + 1)[frame.group]
    v = np.eye(frame.n) + lam * z @ z.T
    vi = np.linalg.inv(v)
    beta = np.linalg.solve(x.T @ vi @ x, x.T @ vi @ frame.y)
    np.testing.assert_allclose(fit.beta, beta, rtol=1e-8)


def test_no_group_variance_gives_singular_fit():
    fit = lmm.fit_reml(_frame(5, 0.0, n_groups=40))  # seed whose REML optimum is λ = 0
    assert fit.singular and fit.theta == 0.0
    # at λ = 0 the model is ordinary least squares
    frame = fit.frame
    x = frame.design()
    ols = np.linalg.lstsq(x, frame.y, rcond=None)[0]
    np.testing.assert_allclose(fit.beta, ols, rtol=1e-8)
    test = lmm.anova_type3(fit, ("ps",))
    assert test.ndf == 2 and test.ddf == pytest.approx(frame.n - 4, rel=1e-6)


def test_pivot_keeps_earlier_columns():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20, 3))
    x = np.column_stack([a, a[:, 0] + a[:, 1], rng.normal(size=20)])
    assert lmm.pivot_keep(x).tolist() == [0, 1, 2, 4]


def test_power_matches_the_evaluation():
    res = paired_sample_size(0.5, 0.8, 0.05)
    assert res.n == 34
    assert paired_power(33, 0.5) < 0.8 <= res.achieved_power
    assert paired_sample_size(0.2).n > 150


def test_fminbound_matches_scipy_step_for_step():
    from scipy.optimize import minimize_scalar

    from peerlog.analysis.lmm import fminbound

    for f, lo, hi in ((lambda v: (v - 0.3) ** 2 + math.sin(3 * v), -2.0, 2.0),
                      (lambda v: abs(v - 1.7) ** 1.5, 0.0, 4.0),
                      (lambda v: math.exp(v) - 2 * v, -12.0, -10.0)):
        ref = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
        x, fx = fminbound(f, lo, hi)
        assert (x, fx) == (float(ref.x), float(ref.fun))
