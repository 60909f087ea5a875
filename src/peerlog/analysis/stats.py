"""Small statistics the report needs, kept free of heavy imports.

- :func:`bh_qvalues`: Benjamini-Hochberg adjusted p-values (q-values), the step-up rule
  q_(i) = min_{j >= i} p_(j) m / j, capped at 1 (as R's ``p.adjust(method = "BH")``).
- :func:`bounded_mean_ci`: a mean with a 95% interval that stays inside the variable's range:
  computed on the logit scale for scores with both ends fixed (and for counts with a known
  maximum), on the log scale for counts (>= 0), by the delta method, then transformed back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .distributions import t_quantile


def bh_qvalues(p: Sequence[float]) -> np.ndarray:
    """BH q-values for a family of p-values; NaN p-values stay NaN and are not counted."""
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    return q


def bounded_mean_ci(values: np.ndarray, low: float = -math.inf, high: float = math.inf,
                    level: float = 0.95) -> tuple[float, float, float, int]:
    """(mean, ci_low, ci_high, n) of the finite values; the interval never leaves
    [low, high]. With fewer than 2 values, or no spread, the interval is empty (NaN)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(v.mean())
    if n < 2:
        return m, math.nan, math.nan, n
    se = float(v.std(ddof=1)) / math.sqrt(n)
    t = float(t_quantile(n - 1, 0.5 + level / 2))
    if se == 0:
        return m, m, m, n
    if math.isfinite(low) and math.isfinite(high):
        width = high - low
        share = (m - low) / width
        if share <= 0 or share >= 1:
            return m, m, m, n  # every value at one end: no spread on this scale
        g = math.log(share / (1 - share))
        half = t * se / (width * share * (1 - share))
        lo, hi = g - half, g + half
        return m, low + width / (1 + math.exp(-lo)), low + width / (1 + math.exp(-hi)), n
    if math.isfinite(low):
        g = math.log(m - low)
        half = t * se / (m - low)
        return m, low + math.exp(g - half), low + math.exp(g + half), n
    return m, m - t * se, m + t * se, n
