"""The hand-written F tail and t quantile (analysis/distributions.py) against scipy's
``fdtrc`` and ``stdtrit``, which they replace in the model code (scipy stays a dependency
of the power calculation and of these tests)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from peerlog.analysis import distributions as dist

DFS = np.concatenate([np.geomspace(0.3, 5, 60), np.geomspace(5, 30, 60),
                      np.geomspace(30, 1e5, 120), [1.0, 2.0, 3.0, 10.0]])


@pytest.mark.parametrize("p", [0.975, 0.995, 0.6, 0.5001, 0.025, 0.9999])
def test_t_quantile_matches_scipy(p):
    ours = dist.t_quantile(DFS, p)
    np.testing.assert_allclose(ours, special.stdtrit(DFS, p), rtol=5e-12, atol=1e-12)


def test_t_quantile_edges():
    assert dist.t_quantile(np.inf, 0.975) == pytest.approx(1.959963984540054, rel=1e-14)
    assert dist.t_quantile(4.0, 0.5) == 0.0
    assert math.isnan(dist.t_quantile(math.nan, 0.975))
    assert math.isnan(dist.t_quantile(-1.0, 0.975))
    assert dist.t_quantile(7.0, 1.0) == math.inf and dist.t_quantile(7.0, 0.0) == -math.inf
    assert dist.t_quantile(1.0, 0.975) == pytest.approx(12.706204736174707, rel=1e-13)
    # arrays keep their shape; a NaN df (a non-estimable mean) stays NaN
    out = dist.t_quantile(np.array([[3.0, np.nan], [np.inf, 50.0]]))
    assert out.shape == (2, 2) and math.isnan(out[0, 1])


@pytest.mark.parametrize("dfn", [1, 2, 3, 4, 6, 10, 150])
def test_f_upper_tail_matches_scipy(dfn):
    for dfd in [0.5, 1.3, 3.7, 10.2, 55.5, 410.3, 5000.0, 1e5]:
        for f in [1e-6, 0.01, 0.3, 1.0, 2.5, 7.9, 30.0, 300.0]:
            want = float(special.fdtrc(dfn, dfd, f))
            assert dist.f_sf(dfn, dfd, f) == pytest.approx(want, rel=1e-10, abs=1e-300), \
                (dfn, dfd, f)


def test_f_upper_tail_edges():
    assert dist.f_sf(2, 30.0, 0.0) == 1.0 and dist.f_sf(2, 30.0, -1.0) == 1.0
    assert dist.f_sf(2, 30.0, math.inf) == 0.0
    assert math.isnan(dist.f_sf(2, math.nan, 3.0)) and math.isnan(dist.f_sf(2, 30.0, math.nan))
    # infinite denominator df: the chi-squared limit, as R's pf(3, 2, Inf, lower = FALSE)
    assert dist.f_sf(2, math.inf, 3.0) == pytest.approx(math.exp(-3.0), rel=1e-13)
    assert dist.f_sf(3, math.inf, 2.0) == pytest.approx(float(special.chdtrc(3, 6.0)), rel=1e-12)
    # a tiny p-value keeps its relative precision
    assert dist.f_sf(2, 500.0, 80.0) == pytest.approx(float(special.fdtrc(2, 500.0, 80.0)),
                                                      rel=1e-10)


def test_betainc_matches_scipy():
    for a, b in [(0.5, 0.5), (2.0, 3.0), (0.7, 40.0), (250.0, 0.5), (1e4, 3.0), (30.0, 30.0)]:
        for x in [0.0, 1e-8, 0.05, 0.3, 0.5, 0.77, 0.999, 1.0]:
            assert dist.betainc(a, b, x) == pytest.approx(float(special.betainc(a, b, x)),
                                                          rel=1e-11, abs=1e-300), (a, b, x)
