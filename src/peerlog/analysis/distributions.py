"""The two distribution functions the models need: the F distribution's upper tail (p-values
of the Type III tests) and Student's t quantile (confidence intervals of marginal means).

Written here rather than taken from ``scipy.special`` (``fdtrc``, ``stdtrit``) for one
reason: importing ``scipy.special`` loads ``scipy.linalg`` and scipy's array-API layer,
~0.13 s, a seventh of a whole ``peerlog analyse --no-figures --no-pdf`` (bench/README.md).
Both functions rest on the regularized incomplete beta function, evaluated by its continued
fraction (modified Lentz; Numerical Recipes 3rd ed. 6.4, Cephes ``incbet``), and agree
with scipy to ~1e-13 relative over the range the models use; tests/analysis/test_distributions.py
compares them with scipy on a grid of degrees of freedom and probabilities.
"""

from __future__ import annotations

import math

import numpy as np

_EPS = 1e-15
_TINY = 1e-300
_HUGE = 1e300


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction for I_x(a, b) (converges fast for x < (a + 1) / (a + b + 2)).
    A zero denominator, which Lentz's method guards against, is replaced by a tiny one."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / d if d else _HUGE
    h = d
    for m in range(1, 10_000):
        m2 = m + m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / d if d else _HUGE
        c = 1.0 + aa / c
        if not c:
            c = _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / d if d else _HUGE
        c = 1.0 + aa / c
        if not c:
            c = _TINY
        delta = d * c
        h *= delta
        if -_EPS < delta - 1.0 < _EPS:
            break
    return h


def _stirling_rest(z: float) -> float:
    """lgamma(z) - ((z - 0.5) log z - z + log(2 pi) / 2), for z >= 100 (error < 1e-20)."""
    z2 = z * z
    return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * z2)) / z2) / z2) / z


def _log_beta(a: float, b: float) -> float:
    """log B(a, b). With a large argument (a Satterthwaite df of thousands), lgamma(a + b) -
    lgamma(a) cancels: it is taken from Stirling's series instead."""
    big, small = (a, b) if a >= b else (b, a)
    if big < 100:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    rise = ((big - 0.5) * math.log1p(small / big) + small * math.log(big + small) - small
            + _stirling_rest(big + small) - _stirling_rest(big))  # lgamma(big+small)-lgamma(big)
    return math.lgamma(small) - rise


def betainc(a: float, b: float, x: float, y: float | None = None) -> float:
    """Regularized incomplete beta function I_x(a, b) for a, b > 0, 0 <= x <= 1; ``y``,
    if given, is 1 - x computed by the caller without cancellation (x near 1)."""
    y = 1.0 - x if y is None else y
    if not (a > 0 and b > 0) or not 0.0 <= x <= 1.0:
        return math.nan
    if x == 0.0 or y == 0.0:
        return 0.0 if x == 0.0 else 1.0
    log_x = math.log1p(-y) if y < 0.5 else math.log(x)
    log_y = math.log1p(-x) if x < 0.5 else math.log(y)
    log_front = a * log_x + b * log_y - _log_beta(a, b)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, y) / b


def f_sf(dfn: float, dfd: float, f: float) -> float:
    """P(F > f) for F with (dfn, dfd) degrees of freedom (``scipy.special.fdtrc``)."""
    if not (dfn > 0 and dfd > 0) or math.isnan(f):
        return math.nan
    if f <= 0:
        return 1.0
    if math.isinf(f):
        return 0.0
    if math.isinf(dfd):  # chi-squared / dfn: I_x(dfn/2, .) limit, through the gamma tail
        return _chi2_sf(dfn, dfn * f)
    total = dfd + dfn * f
    return betainc(dfd / 2.0, dfn / 2.0, dfd / total, dfn * f / total)


def _chi2_sf(k: float, x: float) -> float:
    """Upper tail of chi-squared with k degrees of freedom (regularized upper gamma)."""
    a, z = k / 2.0, x / 2.0
    if z < a + 1.0:  # series for the lower tail
        term = total = 1.0 / a
        n = a
        while abs(term) > abs(total) * _EPS:
            n += 1.0
            term *= z / n
            total += term
        return 1.0 - total * math.exp(-z + a * math.log(z) - math.lgamma(a))
    b, c, d = z + 1.0 - a, 1.0 / _TINY, 1.0 / (z + 1.0 - a)  # continued fraction
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = b + an / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return math.exp(-z + a * math.log(z) - math.lgamma(a)) * h


def _t_density(q: float, df: float, log_c: float) -> float:
    """Student's t density at q; ``log_c`` = -log B(df/2, 1/2) - log(df)/2."""
    return math.exp(log_c - (df + 1) / 2 * math.log1p(q * q / df))


def _normal_upper(p: float) -> float:
    """z with P(Z > z) = p (Acklam's rational approximation, refined by one Halley step,
    ~1e-15 relative)."""
    q = min(p, 1 - p)
    if q > 0.02425:
        r = (q - 0.5) ** 2
        s = q - 0.5
        z = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r
                - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r
              - 3.066479806614716e+01) * r + 2.506628277459239e+00) * s / (
            ((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r
               - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r
             - 1.328068155288572e+01) * r + 1)
    else:
        r = math.sqrt(-2 * math.log(q))
        z = (((((-7.784894002430293e-03 * r - 3.223964580411365e-01) * r
                - 2.400758277161838e+00) * r - 2.549671498436549e+00) * r
              + 4.374664141464968e+00) * r + 2.938163982698783e+00) / (
            (((7.784695709041462e-03 * r + 3.224671290700398e-01) * r
              + 2.445134137142996e+00) * r + 3.754408661907416e+00) * r + 1)
    # z is now the lower-tail quantile of q; one Halley step on Phi(z) - q
    e = 0.5 * math.erfc(-z / math.sqrt(2)) - q
    u = e * math.sqrt(2 * math.pi) * math.exp(z * z / 2)
    z = z - u / (1 + z * u / 2)
    return -z if p == q else z


def _hill(p2: float, n: float) -> float:
    """Hill (1970), ACM algorithm 396: t quantile for two-tailed probability ``p2`` and
    ``n`` >= 1 degrees of freedom; ~1e-9 relative for n >= 30, a starting point below."""
    a = 1 / (n - 0.5)
    b = 48 / a ** 2
    c = ((20700 * a / b - 98) * a - 16) * a + 96.36
    d = ((94.5 / (b + c) - 3) / b + 1) * math.sqrt(a * math.pi / 2) * n
    x = d * p2
    y = x ** (2 / n)
    if y > 0.05 + a:
        x = _normal_upper(p2 * 0.5)
        y = x * x
        if n < 5:
            c += 0.3 * (n - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x
        y = a * y * y
        y = math.expm1(y) if y > 0.002 else 0.5 * y * y + y
    else:
        y = ((1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4))
             * y - 1) * (n + 1) / (n + 2) + 1 / y
    return math.sqrt(n * y)


def _t_upper(q: float, df: float) -> float:
    """P(T > q) for q >= 0, without the cancellation of 1 - cdf."""
    total = df + q * q
    return 0.5 * betainc(df / 2.0, 0.5, df / total, q * q / total)


def _t_quantile_one(df: float, p: float) -> float:
    if not df > 0 or not 0.0 <= p <= 1.0:
        return math.nan
    if p in (0.0, 1.0):
        return math.copysign(math.inf, p - 0.5)
    if p == 0.5:
        return 0.0
    upper = p > 0.5
    tail = 1.0 - p if upper else p
    if math.isinf(df):
        q = _normal_upper(tail)
    elif df == 1.0:
        q = math.tan(math.pi * (0.5 - tail))
    elif df == 2.0:
        q = math.sqrt(2.0 / (4.0 * tail * (1.0 - tail)) - 2.0)
    else:
        log_c = -_log_beta(df / 2, 0.5) - math.log(df) / 2
        q = _hill(2 * tail, df) if df >= 1 else 1.0
        if df >= 5:
            # Hill's relative error is < 1e-6 from 30 df, < 5e-5 from 5 df; Newton's
            # quadratic steps take it below 1e-12 in one step, or two.
            for _ in range(1 if df >= 30 else 2):
                q += (_t_upper(q, df) - tail) / _t_density(q, df, log_c)
        else:  # Hill is only a start here (up to 20% off): Newton, kept in a bracket
            lo, hi = 0.0, math.inf
            for _ in range(200):
                g = _t_upper(q, df) - tail  # decreasing in q
                if g > 0:
                    lo = q
                else:
                    hi = q
                new = q + g / _t_density(q, df, log_c)
                if not lo < new < hi:
                    new = (lo + hi) / 2 if math.isfinite(hi) else 2 * q
                done = abs(new - q) <= 1e-12 * q
                q = new
                if done:
                    break
    return q if upper else -q


def t_quantile(df: np.ndarray | float, p: float = 0.975) -> np.ndarray | float:
    """Quantile of Student's t with ``df`` degrees of freedom (``scipy.special.stdtrit``);
    element-wise over an array of ``df``."""
    if np.ndim(df) == 0:
        return _t_quantile_one(float(df), p)
    arr = np.asarray(df, dtype=float)
    return np.array([_t_quantile_one(d, p) for d in arr.ravel().tolist()]).reshape(arr.shape)
