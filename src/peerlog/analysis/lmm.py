"""Random-intercept linear mixed model, fitted by REML, with Satterthwaite inference.

Written out by hand (see ``docs/analysis.md`` and the design note ``lmm-notes.md``) so that it
reproduces R's lme4 + lmerTest + emmeans to numerical precision while costing milliseconds per
model at any number of rows. The three stages mirror lme4:

* :class:`ModelFrame` - design matrices (sum-to-zero coding, R's column order) and the
  participant-level sums that every later step needs;
* :func:`fit_reml` - the profiled REML fit over one parameter, λ = σ_b²/σ²;
* :func:`anova_type3` and :func:`emmeans` - the Type III F test of a term and the estimated
  marginal means, both with Satterthwaite degrees of freedom in lmerTest's (θ, σ)
  parametrisation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import distributions

RANK_TOL = 1e-7  # R's qr() tolerance, used by lme4 and lmerTest to drop aliased columns
MISSING_CELLS_NOTE = "missing cells: interpret type III hypotheses with care"


# ----------------------------------------------------------------------------- model frame


@dataclass(frozen=True)
class Factor:
    """A categorical variable: integer codes into ``levels`` (only levels present in the data)."""

    codes: np.ndarray
    levels: tuple[str, ...]


def make_factor(values: Sequence | np.ndarray, order: Sequence[str] | None = None) -> Factor:
    """Code ``values`` (no missing values) as a factor, keeping only levels that occur.

    Levels follow ``order`` when given (R's ``factor(x, levels=...)`` followed by lme4's
    ``drop.unused.levels``), otherwise sorted by code point (R's ``sort(method="radix")``).
    """
    arr = np.asarray(values, dtype=object)
    present = set(pd.unique(arr))
    if order is None:
        levels = tuple(sorted(str(v) for v in present))
    else:
        unknown = present - set(order)
        if unknown:
            raise ValueError(f"values not in the level order: {sorted(map(str, unknown))}")
        levels = tuple(v for v in order if v in present)
    lookup = {lev: i for i, lev in enumerate(levels)}
    codes = np.fromiter((lookup[str(v)] for v in arr), dtype=np.int64, count=len(arr))
    return Factor(codes=codes, levels=levels)


def factor_from_codes(codes: np.ndarray, levels: Sequence[str]) -> Factor:
    """Factor from integer codes into ``levels``, dropping levels that do not occur (fast path)."""
    codes = np.asarray(codes, dtype=np.int64)
    used = np.bincount(codes, minlength=len(levels)) > 0
    remap = np.cumsum(used) - 1
    return Factor(codes=remap[codes], levels=tuple(lev for lev, u in zip(levels, used, strict=False) if u))


def _sum_contrasts(k: int) -> np.ndarray:
    """R's contr.sum(k): k x (k-1), last level coded -1."""
    c = np.zeros((k, k - 1))
    c[: k - 1] = np.eye(k - 1)
    c[k - 1] = -1.0
    return c


def _treatment_contrasts(k: int) -> np.ndarray:
    """R's contr.treatment(k): first level is the reference."""
    c = np.zeros((k, k - 1))
    c[1:] = np.eye(k - 1)
    return c


@dataclass
class ModelFrame:
    """Response, grouping, one covariate and factor terms, as lme4's formula module builds them.

    ``terms`` lists the fixed-effect terms after the intercept in R's order (main effects in
    formula order, then interactions), each a tuple of variable names; the covariate is the
    one-variable term naming ``covariate_name``.
    """

    y: np.ndarray
    group: np.ndarray  # integer participant codes 0..G-1
    covariate: np.ndarray
    covariate_name: str
    factors: dict[str, Factor]
    terms: list[tuple[str, ...]]
    # filled by _build
    columns: list[str] = field(default_factory=list)
    column_term: list[int] = field(default_factory=list)  # index into terms (-1 = intercept)
    cells: np.ndarray | None = None  # (C, F) level codes of the factor cells present
    cell_of_row: np.ndarray | None = None
    cell_stats: np.ndarray | None = None  # (C, 3): count, sum covariate, sum covariate^2
    _cell_rows: dict = field(default_factory=dict, repr=False)  # coding -> factor_rows(cells)

    @classmethod
    def build(
        cls,
        y: np.ndarray,
        group: Sequence | np.ndarray,
        covariate: tuple[str, np.ndarray],
        factors: Mapping[str, Factor],
        terms: Sequence[tuple[str, ...]],
    ) -> ModelFrame:
        """Assemble a frame; ``group`` may hold any hashable participant identifiers."""
        y = np.asarray(y, dtype=float)
        group = np.asarray(group)
        if np.issubdtype(group.dtype, np.integer):
            gcodes = group.astype(np.int64, copy=False)
        else:
            gcodes = pd.factorize(group, sort=False)[0].astype(np.int64)
        name, cov = covariate
        frame = cls(
            y=y,
            group=gcodes,
            covariate=np.asarray(cov, dtype=float),
            covariate_name=name,
            factors=dict(factors),
            terms=[tuple(t) for t in terms],
        )
        frame._build()
        return frame

    @property
    def n(self) -> int:
        return int(self.y.shape[0])

    @property
    def factor_names(self) -> list[str]:
        return list(self.factors)

    def _build(self) -> None:
        names = self.factor_names
        for f in self.factors.values():
            if len(f.levels) < 2:
                raise ValueError("every factor needs at least two levels present")
        codes = np.stack([self.factors[f].codes for f in names], axis=1)
        radix = np.array([len(self.factors[f].levels) for f in names])
        key = np.zeros(self.n, dtype=np.int64)
        for j in range(len(names)):
            key = key * radix[j] + codes[:, j]
        present = np.bincount(key, minlength=int(np.prod(radix))) > 0
        uniq = np.flatnonzero(present)
        inverse = (np.cumsum(present) - 1)[key]
        self.cell_of_row = inverse
        cells = np.zeros((len(uniq), len(names)), dtype=np.int64)
        rest = uniq.copy()
        for j in reversed(range(len(names))):
            cells[:, j] = rest % radix[j]
            rest //= radix[j]
        self.cells = cells
        cnt = np.bincount(inverse, minlength=len(uniq)).astype(float)
        s1 = np.bincount(inverse, weights=self.covariate, minlength=len(uniq))
        s2 = np.bincount(inverse, weights=self.covariate**2, minlength=len(uniq))
        self.cell_stats = np.stack([cnt, s1, s2], axis=1)
        self.columns, self.column_term = _column_names(self, "sum")

    # -- design rows for a given coding -------------------------------------------------
    def factor_rows(self, cells: np.ndarray, coding: str) -> np.ndarray:
        """Design rows (without the covariate's value) for factor cells, in column order.

        The covariate column is returned as 0; callers add covariate x its unit vector.
        """
        contrast = _sum_contrasts if coding == "sum" else _treatment_contrasts
        names = self.factor_names
        blocks = [np.ones((len(cells), 1))]
        for term in self.terms:
            if term == (self.covariate_name,):
                blocks.append(np.zeros((len(cells), 1)))
                continue
            block = np.ones((len(cells), 1))
            for var in term:  # first factor varies fastest, as in R
                j = names.index(var)
                c = contrast(len(self.factors[var].levels))[cells[:, j]]
                block = (block[:, None, :] * c[:, :, None]).reshape(len(cells), -1)
            blocks.append(block)
        return np.concatenate(blocks, axis=1)

    def covariate_column(self) -> int:
        return 1 + self.terms.index((self.covariate_name,))

    def design(self) -> np.ndarray:
        """The full n x p sum-coded fixed-effects design matrix (all columns)."""
        rows = self.cell_rows("sum")[self.cell_of_row]
        rows[:, self.covariate_column()] = self.covariate
        return rows

    def compressed(self, coding: str) -> np.ndarray:
        """A small matrix with the same cross-product as the n-row design (2 rows per cell).

        Row pair per cell c: sqrt(n_c) * (u_c + m_c e) and s_c * e, where m_c and s_c² are the
        covariate's mean and centred sum of squares in the cell. Rank, null space and
        least-squares maps computed on it equal those of the full design.
        """
        key = "compressed " + coding
        if key not in self._cell_rows:
            out = _compress(self, self.cell_rows(coding), self.covariate_column())
            out.flags.writeable = False
            self._cell_rows[key] = out
        return self._cell_rows[key]

    def cell_rows(self, coding: str) -> np.ndarray:
        """``factor_rows`` of the cells present, built once per coding (read-only): the fit,
        the Type III contrasts and the marginal means all start from them."""
        if coding not in self._cell_rows:
            out = self.factor_rows(self.cells, coding)
            out.flags.writeable = False
            self._cell_rows[coding] = out
        return self._cell_rows[coding]


def _compress(frame: ModelFrame, rows: np.ndarray, cov_col: int) -> np.ndarray:
    cnt, s1, s2 = frame.cell_stats.T
    mean = s1 / cnt
    css = np.maximum(s2 - cnt * mean**2, 0.0)
    top = rows.copy()
    top[:, cov_col] = mean
    top *= np.sqrt(cnt)[:, None]
    bottom = np.zeros_like(rows)
    bottom[:, cov_col] = np.sqrt(css)
    return np.concatenate([top, bottom], axis=0)


def _column_names(frame: ModelFrame, coding: str) -> tuple[list[str], list[int]]:
    cols, owner = ["(Intercept)"], [-1]
    for t, term in enumerate(frame.terms):
        if term == (frame.covariate_name,):
            cols.append(frame.covariate_name)
            owner.append(t)
            continue
        parts = []
        for var in term:
            levels = frame.factors[var].levels
            if coding == "sum":
                parts.append([f"{var}{i + 1}" for i in range(len(levels) - 1)])
            elif coding == "treatment":
                parts.append([f"{var}{lev}" for lev in levels[1:]])
            else:  # full dummy coding, as model.matrix(~ 0 + a:b)
                parts.append([f"{var}{lev}" for lev in levels])
        # first factor varies fastest
        for combo in itertools.product(*reversed(parts)):
            cols.append(":".join(reversed(combo)))
            owner.append(t)
    return cols, owner


def pivot_keep(x: np.ndarray, tol: float = RANK_TOL) -> np.ndarray:
    """Columns kept by R's LINPACK qr(x, tol): earlier columns win, aliased ones are dropped.

    A column is kept when its residual on the columns kept so far is not below ``tol`` times
    its norm. The kept columns' orthonormal basis grows one column at a time (Gram-Schmidt,
    projected twice for accuracy) instead of a QR of the kept block for every column.
    """
    keep: list[int] = []
    basis = np.empty((x.shape[0], x.shape[1]))
    for j in range(x.shape[1]):
        col = x[:, j]
        norm = math.sqrt(float(col @ col))
        if norm == 0.0:
            continue
        q = basis[:, :len(keep)]
        resid = col - q @ (q.T @ col)
        resid -= q @ (q.T @ resid)
        rnorm = math.sqrt(float(resid @ resid))
        if rnorm >= tol * norm:
            basis[:, len(keep)] = resid / rnorm
            keep.append(j)
    return np.array(keep, dtype=np.int64)


# ----------------------------------------------------------------------------- REML fit


@dataclass
class GroupSums:
    """Sufficient statistics of the random-intercept model, aggregated by group size."""

    n: int
    p: int
    xtx: np.ndarray
    xty: np.ndarray
    yty: float
    sizes: np.ndarray  # distinct group sizes n_k
    counts: np.ndarray  # number of groups of each size
    ss: np.ndarray  # (K, p, p) sum of s_i s_i^T
    st: np.ndarray  # (K, p) sum of s_i t_i
    tt: np.ndarray  # (K,) sum of t_i^2


def group_sums(x: np.ndarray, y: np.ndarray, group: np.ndarray) -> GroupSums:
    """One pass over the rows: per-participant sums, then sums by distinct group size."""
    n, p = x.shape
    g = int(group.max()) + 1
    sizes_i = np.bincount(group, minlength=g)
    s = np.empty((g, p))
    for j in range(p):
        s[:, j] = np.bincount(group, weights=x[:, j], minlength=g)
    t = np.bincount(group, weights=y, minlength=g)
    nonempty = sizes_i > 0
    s, t, sizes_i = s[nonempty], t[nonempty], sizes_i[nonempty]
    sizes, inv = np.unique(sizes_i, return_inverse=True)
    k = len(sizes)
    ss = np.zeros((k, p, p))
    st = np.zeros((k, p))
    tt = np.zeros(k)
    order = np.argsort(inv, kind="stable")
    bounds = np.searchsorted(inv[order], np.arange(k + 1))
    for m in range(k):
        idx = order[bounds[m] : bounds[m + 1]]
        sm = s[idx]
        ss[m] = sm.T @ sm
        st[m] = sm.T @ t[idx]
        tt[m] = t[idx] @ t[idx]
    return GroupSums(
        n=n,
        p=p,
        xtx=x.T @ x,
        xty=x.T @ y,
        yty=float(y @ y),
        sizes=sizes.astype(float),
        counts=np.bincount(inv, minlength=k).astype(float),
        ss=ss,
        st=st,
        tt=tt,
    )


def _abc(gs: GroupSums, lam: float) -> tuple[np.ndarray, np.ndarray, float]:
    w = lam / (1.0 + gs.sizes * lam)
    a = gs.xtx - (w @ gs.ss.reshape(len(w), -1)).reshape(gs.p, gs.p)
    b = gs.xty - w @ gs.st
    c = gs.yty - float(w @ gs.tt)
    return a, b, c


def reml_deviance(gs: GroupSums, lam: float) -> float:
    """Profiled REML deviance d(λ) without constants (lmm-notes.md)."""
    a, b, c = _abc(gs, lam)
    sign, logdet = np.linalg.slogdet(a)
    if sign <= 0:
        return math.inf
    r = c - b @ np.linalg.solve(a, b)
    if r <= 0:
        return math.inf
    return (gs.n - gs.p) * math.log(r) + float(gs.counts @ np.log1p(gs.sizes * lam)) + logdet


def _grid_deviance(gs: GroupSums, lams: np.ndarray) -> np.ndarray:
    """reml_deviance at many λ at once (batched linear algebra), for the coarse grid."""
    w = lams[:, None] / (1.0 + gs.sizes[None, :] * lams[:, None])
    a = gs.xtx[None] - (w @ gs.ss.reshape(len(gs.sizes), -1)).reshape(len(lams), gs.p, gs.p)
    b = gs.xty[None] - w @ gs.st
    c = gs.yty - w @ gs.tt
    sign, logdet = np.linalg.slogdet(a)
    dev = np.full(len(lams), math.inf)
    ok = sign > 0
    if ok.any():
        r = c[ok] - np.einsum("ij,ij->i", b[ok], np.linalg.solve(a[ok], b[ok][..., None])[..., 0])
        good = r > 0
        logs = np.log1p(gs.sizes[None, :] * lams[ok][:, None]) @ gs.counts
        vals = np.full(len(r), math.inf)
        vals[good] = (gs.n - gs.p) * np.log(r[good]) + logs[good] + logdet[ok][good]
        dev[ok] = vals
    return dev


def fminbound(func, lo: float, hi: float, xatol: float = 1e-9, maxiter: int = 500
              ) -> tuple[float, float]:
    """Brent's bounded minimiser, step for step as scipy.optimize.minimize_scalar(
    method="bounded") (same iterates, same result), without importing scipy.optimize (a
    tenth of a second of the command's start-up). Returns (x, f(x))."""
    sqrt_eps = math.sqrt(2.2e-16)
    golden_mean = 0.5 * (3.0 - math.sqrt(5.0))
    a, b = lo, hi
    fulc = a + golden_mean * (b - a)
    nfc, xf = fulc, fulc
    rat = e = 0.0
    x = xf
    fx = func(x)
    num = 1
    ffulc = fnfc = fx
    xm = 0.5 * (a + b)
    tol1 = sqrt_eps * abs(xf) + xatol / 3.0
    tol2 = 2.0 * tol1
    while abs(xf - xm) > (tol2 - 0.5 * (b - a)):
        golden = True
        if abs(e) > tol1:  # try a parabolic step
            golden = False
            r = (xf - nfc) * (fx - ffulc)
            q = (xf - fulc) * (fx - fnfc)
            p = (xf - fulc) * q - (xf - nfc) * r
            q = 2.0 * (q - r)
            if q > 0.0:
                p = -p
            q = abs(q)
            r, e = e, rat
            if abs(p) < abs(0.5 * q * r) and p > q * (a - xf) and p < q * (b - xf):
                rat = (p + 0.0) / q
                x = xf + rat
                if (x - a) < tol2 or (b - x) < tol2:
                    si = math.copysign(1.0, xm - xf) if xm != xf else 1.0
                    rat = tol1 * si
            else:
                golden = True
        if golden:
            e = (a - xf) if xf >= xm else (b - xf)
            rat = golden_mean * e
        si = math.copysign(1.0, rat) if rat != 0 else 1.0
        x = xf + si * max(abs(rat), tol1)
        fu = func(x)
        num += 1
        if fu <= fx:
            if x >= xf:
                a = xf
            else:
                b = xf
            fulc, ffulc = nfc, fnfc
            nfc, fnfc = xf, fx
            xf, fx = x, fu
        else:
            if x < xf:
                a = x
            else:
                b = x
            if fu <= fnfc or nfc == xf:
                fulc, ffulc = nfc, fnfc
                nfc, fnfc = x, fu
            elif fu <= ffulc or fulc in (xf, nfc):
                fulc, ffulc = x, fu
        xm = 0.5 * (a + b)
        tol1 = sqrt_eps * abs(xf) + xatol / 3.0
        tol2 = 2.0 * tol1
        if num >= maxiter:
            break
    return xf, fx


def _optimise_lambda(gs: GroupSums) -> float:
    grid = np.arange(-12.0, 8.01, 1.0)
    dev = _grid_deviance(gs, np.exp(grid))
    i = int(np.argmin(dev))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    x, fun = fminbound(lambda v: reml_deviance(gs, math.exp(v)), float(lo), float(hi))
    best_v, best_d = (float(x), float(fun)) if fun < dev[i] else (grid[i], dev[i])
    lam = math.exp(best_v)
    if reml_deviance(gs, 0.0) <= best_d or lam < 1e-10:
        return 0.0  # singular fit, as lme4 reports it (theta = 0)
    return lam


@dataclass
class LmmFit:
    """A fitted model: REML estimates on the kept (non-aliased) columns and inference pieces."""

    frame: ModelFrame
    keep: np.ndarray  # kept column indices of the full sum-coded design
    beta: np.ndarray  # on kept columns
    theta: float
    sigma: float
    vcov: np.ndarray  # sigma^2 A^-1, kept columns
    vcov_varpar: np.ndarray  # W = 2 H^-1 (pseudo-inverse), (theta, sigma)
    jac: np.ndarray  # (2, p, p): dC/dtheta, dC/dsigma
    reml_criterion: float
    gsums: GroupSums

    @property
    def singular(self) -> bool:
        return self.theta == 0.0

    @property
    def sigma_b(self) -> float:
        return abs(self.theta) * self.sigma

    @property
    def dropped(self) -> list[str]:
        kept = set(self.keep.tolist())
        return [c for i, c in enumerate(self.frame.columns) if i not in kept]

    def satterthwaite(self, contrast: np.ndarray) -> tuple[float, float]:
        """Variance of l'β and its Satterthwaite df, as lmerTest's contest1D computes them."""
        v = float(contrast @ self.vcov @ contrast)
        g = np.array([contrast @ self.jac[k] @ contrast for k in range(2)])
        denom = float(g @ self.vcov_varpar @ g)
        df = 2.0 * v * v / denom if denom > 0 else math.inf
        return v, df


def fit_reml(frame: ModelFrame) -> LmmFit:
    """Fit y = Xβ + b_group + e by REML (profiled over λ, with a λ = 0 check)."""
    x_full = frame.design()
    keep = pivot_keep(frame.compressed("sum"))
    x = x_full[:, keep]
    gs = group_sums(x, frame.y, frame.group)
    lam = _optimise_lambda(gs)
    a, b, c = _abc(gs, lam)
    a_inv = np.linalg.inv(a)
    beta = a_inv @ b
    r = c - b @ beta
    sigma2 = r / (gs.n - gs.p)
    sigma = math.sqrt(sigma2)
    theta = math.sqrt(lam)
    hess = _varpar_hessian(gs, theta, sigma)
    evals, evecs = np.linalg.eigh(hess)
    pos = evals > 1e-8
    h_inv = (evecs[:, pos] / evals[pos]) @ evecs[:, pos].T
    jac = _vcov_jacobian(gs, theta, sigma, a_inv)
    crit = reml_deviance(gs, lam) + (gs.n - gs.p) * (1.0 + math.log(2 * math.pi / (gs.n - gs.p)))
    return LmmFit(
        frame=frame,
        keep=keep,
        beta=beta,
        theta=theta,
        sigma=sigma,
        vcov=sigma2 * a_inv,
        vcov_varpar=2.0 * h_inv,
        jac=jac,
        reml_criterion=crit,
        gsums=gs,
    )


def _lambda_derivatives(gs: GroupSums, lam: float) -> dict[str, float]:
    """f = Σ log(1+n_i λ) + log|A|, and r, with first and second derivatives in λ."""
    a, b, c = _abc(gs, lam)
    a_inv = np.linalg.inv(a)
    beta = a_inv @ b
    d = 1.0 + gs.sizes * lam
    w1 = 1.0 / d**2
    w2 = -2.0 * gs.sizes / d**3
    a1 = -np.tensordot(w1, gs.ss, axes=1)
    a2 = -np.tensordot(w2, gs.ss, axes=1)
    b1, b2 = -(w1 @ gs.st), -(w2 @ gs.st)
    c1, c2 = -float(w1 @ gs.tt), -float(w2 @ gs.tt)
    ai_a1 = a_inv @ a1
    f1 = float(gs.counts @ (gs.sizes / d)) + float(np.trace(ai_a1))
    f2 = (
        -float(gs.counts @ (gs.sizes**2 / d**2))
        + float(np.trace(a_inv @ a2))
        - float(np.trace(ai_a1 @ ai_a1))
    )
    beta1 = a_inv @ (b1 - a1 @ beta)
    g1 = 2 * b1 @ beta - beta @ a1 @ beta
    g2 = 2 * b2 @ beta + 2 * b1 @ beta1 - 2 * beta @ a1 @ beta1 - beta @ a2 @ beta
    r = c - b @ beta
    return {"r": r, "f1": f1, "f2": f2, "r1": c1 - g1, "r2": c2 - g2}


def _varpar_hessian(gs: GroupSums, theta: float, sigma: float) -> np.ndarray:
    """Analytic Hessian of ℓ(θ, σ) = -2 REML log-likelihood (lmerTest's devfun_vp)."""
    dv = _lambda_derivatives(gs, theta * theta)
    s2 = sigma * sigma
    fr1 = dv["f1"] + dv["r1"] / s2
    fr2 = dv["f2"] + dv["r2"] / s2
    h_tt = 2.0 * fr1 + 4.0 * theta * theta * fr2
    h_ts = -4.0 * theta * dv["r1"] / (s2 * sigma)
    h_ss = -2.0 * (gs.n - gs.p) / s2 + 6.0 * dv["r"] / (s2 * s2)
    return np.array([[h_tt, h_ts], [h_ts, h_ss]])


def _vcov_jacobian(gs: GroupSums, theta: float, sigma: float, a_inv: np.ndarray) -> np.ndarray:
    """dC/dθ and dC/dσ for C(θ, σ) = σ² A(θ²)⁻¹ (lmerTest's get_covbeta)."""
    dw = 2.0 * theta / (1.0 + gs.sizes * theta * theta) ** 2
    da_neg = np.tensordot(dw, gs.ss, axes=1)  # -dA/dθ
    d_theta = sigma * sigma * (a_inv @ da_neg @ a_inv)
    d_sigma = 2.0 * sigma * a_inv
    return np.stack([d_theta, d_sigma])


# ----------------------------------------------------------------------------- Type III


def _zapsmall(x: np.ndarray, digits: int = 7) -> np.ndarray:
    mx = float(np.max(np.abs(x))) if x.size else 0.0
    if mx <= 0 or not np.isfinite(mx):
        return x
    return np.round(x, max(0, digits - math.ceil(math.log10(mx))))


def missing_cells(frame: ModelFrame) -> list[str]:
    """Cells of the model's interaction terms without any period (lmerTest's message)."""
    present = {tuple(c) for c in frame.cells.tolist()}
    names = frame.factor_names
    out = []
    for term in frame.terms:
        if len(term) < 2:
            continue
        idx = [names.index(v) for v in term]
        seen = {tuple(c[i] for i in idx) for c in present}
        for combo in itertools.product(*(range(len(frame.factors[v].levels)) for v in term)):
            if combo not in seen:
                out.append(
                    ":".join(f"{v}{frame.factors[v].levels[k]}" for v, k in zip(term, combo, strict=False))
                )
    return out


def type3_contrasts(fit: LmmFit) -> dict[tuple[str, ...], np.ndarray]:
    """lmerTest's Type III hypothesis matrices on the kept coefficients, one per term.

    Same algorithm as lmerTest's get_contrasts_type3: treatment-coded full-rank design, the
    over-parametrised dummy design, containment orthogonalisation, then mapping back to the
    model's sum-to-zero coefficients. Equal to plain column selection when no cell is empty.
    """
    frame = fit.frame
    cov_col = frame.covariate_column()
    # treatment-coded design, made full rank (ensure_full_rank)
    x_trt_all = frame.compressed("treatment")
    trt_cols, trt_owner = _column_names(frame, "treatment")
    keep_trt = pivot_keep(x_trt_all)
    x_trt = x_trt_all[:, keep_trt]
    trt_cols = [trt_cols[i] for i in keep_trt]
    trt_owner = [trt_owner[i] for i in keep_trt]
    # over-parametrised design rdX: intercept, covariate, full dummies per term
    rd_cols, rd_owner = _column_names(frame, "full")
    rd_rows = _full_dummy_rows(frame)
    x_rd = _compress(frame, rd_rows, cov_col)
    pinv = np.linalg.pinv(x_trt)
    lmat = _zapsmall((pinv @ x_rd).T)  # rows: rd params, cols: trt columns
    contained = _containment(frame.terms)
    order = sorted(range(len(frame.terms)), key=lambda t: -len(frame.terms[t]))
    owner = np.array(trt_owner)
    for t in order:
        if not contained[t]:
            continue
        ycols = np.flatnonzero(owner == t)
        xcols = np.flatnonzero(np.isin(owner, contained[t]))
        if len(ycols) == 0 or len(xcols) == 0:
            continue
        xm, ym = lmat[:, xcols], lmat[:, ycols]
        coef, *_ = np.linalg.lstsq(xm, ym, rcond=None)
        lmat[:, ycols] = _zapsmall(ym - xm @ coef)
    sel = [rd_cols.index(c) for c in trt_cols]
    lmat = lmat[sel]
    kept_sum = frame.compressed("sum")[:, fit.keep]
    cmap = _zapsmall(pinv @ kept_sum)
    out = {}
    for t, term in enumerate(frame.terms):
        cols = np.flatnonzero(owner == t)
        lt = lmat[:, cols].T
        lt = lt[np.abs(lt).sum(axis=1) > 1e-8]
        out[term] = lt @ cmap
    return out


def _full_dummy_rows(frame: ModelFrame) -> np.ndarray:
    names = frame.factor_names
    cells = frame.cells
    blocks = [np.ones((len(cells), 1))]
    for term in frame.terms:
        if term == (frame.covariate_name,):
            blocks.append(np.zeros((len(cells), 1)))
            continue
        block = np.ones((len(cells), 1))
        for var in term:
            j = names.index(var)
            d = np.eye(len(frame.factors[var].levels))[cells[:, j]]
            block = (block[:, None, :] * d[:, :, None]).reshape(len(cells), -1)
        blocks.append(block)
    return np.concatenate(blocks, axis=1)


def _containment(terms: list[tuple[str, ...]]) -> list[list[int]]:
    """For each term, the terms that contain it (all of its variables and more)."""
    out = []
    for t in terms:
        out.append([u for u, other in enumerate(terms) if set(t) < set(other)])
    return out


@dataclass(frozen=True)
class FTest:
    f_value: float
    ndf: int
    ddf: float
    p_value: float


def contest(fit: LmmFit, lmat: np.ndarray, eps: float = math.sqrt(np.finfo(float).eps)) -> FTest:
    """Multi-df F test of Lβ = 0 with Satterthwaite df (lmerTest's contestMD)."""
    if lmat.shape[0] == 0:
        return FTest(math.nan, 0, math.nan, math.nan)
    vl = lmat @ fit.vcov @ lmat.T
    d, p = np.linalg.eigh(vl)
    d, p = d[::-1], p[:, ::-1]
    tol = max(eps * d[0], 0.0)
    q = int(np.sum(d > tol))
    if q == 0:
        return FTest(math.nan, 0, math.nan, math.nan)
    ptl = (p.T @ lmat)[:q]
    t2 = (ptl @ fit.beta) ** 2 / d[:q]
    f_value = float(t2.sum() / q)
    nu = np.array([fit.satterthwaite(ptl[m])[1] for m in range(q)])
    if q == 1:
        ddf = float(nu[0])
    elif np.all(np.abs(np.diff(nu)) < 1e-8):
        ddf = float(nu.mean())
    elif np.any(nu <= 2):
        ddf = 2.0
    else:
        e = float(np.sum(nu / (nu - 2)))
        ddf = 2 * e / (e - q)
    p_value = distributions.f_sf(q, ddf, f_value)
    return FTest(f_value, q, ddf, p_value)


def anova_type3(fit: LmmFit, term: tuple[str, ...]) -> FTest:
    """Type III F test of one term (lmerTest's anova(type = 3, ddf = "Satterthwaite"))."""
    return contest(fit, type3_contrasts(fit)[tuple(term)])


# ----------------------------------------------------------------------------- emmeans


def emmeans(fit: LmmFit, specs: Sequence[str], level: float = 0.95) -> list[dict]:
    """Estimated marginal means of each combination of ``specs`` factors (emmeans' defaults),
    one record per combination (factor levels, emmean, se, df, lower, upper).

    Reference grid: all level combinations, covariate at its mean; other factors weighted
    equally. Non-estimable means (empty cells in a rank-deficient fit) come back as NaN.
    All combinations are computed at once (one matrix of contrasts).
    """
    frame = fit.frame
    names = frame.factor_names
    grid = np.array(list(itertools.product(*(range(len(frame.factors[f].levels)) for f in names))))
    rows = frame.factor_rows(grid, "sum")
    rows[:, frame.covariate_column()] = float(frame.covariate.mean())
    spec_idx = [names.index(s) for s in specs]
    nbasis = _null_basis(frame.compressed("sum"))
    combos = list(itertools.product(*(range(len(frame.factors[s].levels)) for s in specs)))
    l_full = np.array([rows[np.all(grid[:, spec_idx] == np.array(c), axis=1)].mean(axis=0)
                       for c in combos])
    if nbasis.shape[1]:
        chk = l_full @ nbasis
        estimable = np.einsum("ij,ij->i", chk, chk) <= 1e-8 * np.einsum("ij,ij->i", l_full,
                                                                          l_full)
    else:
        estimable = np.ones(len(combos), dtype=bool)
    lr = l_full[:, fit.keep]
    est = lr @ fit.beta
    var = np.einsum("ij,jk,ik->i", lr, fit.vcov, lr)
    g = np.stack([np.einsum("ij,jk,ik->i", lr, fit.jac[k], lr) for k in range(2)], axis=1)
    denom = np.einsum("ij,jk,ik->i", g, fit.vcov_varpar, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(denom > 0, 2.0 * var * var / denom, np.inf)
    se = np.sqrt(var)
    half = distributions.t_quantile(df, 0.5 + level / 2) * se
    nan = np.where(estimable, 0.0, np.nan)
    out = []
    for i, combo in enumerate(combos):
        rec = {s: frame.factors[s].levels[k] for s, k in zip(specs, combo, strict=False)}
        rec.update(emmean=float(est[i] + nan[i]), se=float(se[i] + nan[i]),
                   df=float(df[i] + nan[i]), lower=float(est[i] - half[i] + nan[i]),
                   upper=float(est[i] + half[i] + nan[i]))
        out.append(rec)
    return out


def _null_basis(x: np.ndarray) -> np.ndarray:
    _, s, vt = np.linalg.svd(x, full_matrices=True)
    rank = int(np.sum(s > RANK_TOL * s[0])) if s.size else 0
    return vt[rank:].T
