"""Non-parametric bootstrap for skewed costs: percentile 95% CIs, resampling people.

People, not logs, are resampled (a cluster bootstrap): one person's quarters are correlated,
and resampling logs would make the intervals too narrow. Each statistic is a ratio of sums over
the resampled people: the sum of a measure over the number of its observations (a mean per
observation; with one observation per person, the plain mean) or, with ``weights``, over the
sum of the weights (QALYs over years observed: QALYs per person-year). One set of replicates
of the whole sample serves every table (costs, QALYs, change periods), so a group's size
varies between replicates as it would in a new sample. The percentile method is used (not
BCa): it is transparent, and BCa's jackknife over every person is costly at programme scale;
with few people and very skewed costs, read the intervals with care.

Each chunk of replicates is drawn as 32-bit person indices, counted per person with
``bincount`` (chunks sized so the counts stay in cache) and summed with one single-precision
matrix product per cell; point estimates are computed in double precision from the data. The
products are many and small, so BLAS runs single-threaded here: on a shared machine its
threads were 5-25x slower.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

REPLICATES = 2000
SEED = 20170
CHUNK_CELLS = 1_600_000  # counts of a chunk stay in cache: scattered increments are the cost
RESULT_COLUMNS = ("grouping", "level", "measure", "n_people", "n_obs", "mean", "ci_low",
                  "ci_high", "zeros_pct")


@dataclass
class Cell:
    """One table cell group: the people in it (``cols``: indices into the people array), per
    person the sums and counts of each measure, and facts for the table."""

    grouping: str
    level: str
    measures: list[str]
    cols: np.ndarray
    sums: np.ndarray  # (len(cols), k)
    counts: np.ndarray  # (len(cols), k)
    n_obs: np.ndarray  # (k,)
    zeros_pct: np.ndarray  # (k,)

    @property
    def both_t(self) -> np.ndarray:
        """Sums and counts side by side, transposed (2k, people), in single precision for the
        replicate products (their rounding, ~1e-6 of a mean, is far below the bootstrap's own
        variation; point estimates stay in double precision)."""
        return np.ascontiguousarray(np.hstack([self.sums, self.counts]).T, dtype=np.float32)


def person_sums(codes: np.ndarray, n_people: int, values: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per person (``codes`` index people) the sum of non-missing values and their count."""
    present = ~np.isnan(values)
    sums = np.zeros((n_people, values.shape[1]))
    counts = np.zeros((n_people, values.shape[1]))
    for j in range(values.shape[1]):
        sums[:, j] = np.bincount(codes, np.where(present[:, j], values[:, j], 0.0), n_people)
        counts[:, j] = np.bincount(codes, present[:, j], n_people)
    return sums, counts


def make_cells(grouping: str, codes: np.ndarray, n_people: int, values: np.ndarray,
               measures: list[str], groups: np.ndarray | None = None,
               weights: np.ndarray | None = None) -> list[Cell]:
    """Cells of one grouping from observations: ``codes`` (person index of each observation),
    ``values`` (obs x k, NaN = missing), ``groups`` (level of each observation, None = one
    level "all"). ``weights`` (obs x k) replace the count of 1 per observation (e.g. years)."""
    cells = []
    if groups is None:
        levels = [("all", np.ones(len(codes), bool))]
    else:
        keys = pd.Series(groups)
        levels = [(str(k), (keys == k).to_numpy()) for k in sorted(keys.dropna().unique())]
    for level, mask in levels:
        v = values[mask]
        sums, counts = person_sums(codes[mask], n_people, v)
        if weights is not None:
            w = np.where(np.isnan(v), 0.0, weights[mask])
            counts = np.stack([np.bincount(codes[mask], w[:, j], n_people)
                               for j in range(v.shape[1])], axis=1)
        cols = np.flatnonzero(np.bincount(codes[mask], minlength=n_people))
        present = ~np.isnan(v)
        with np.errstate(invalid="ignore"):
            zeros = 100 * np.where(present, v == 0, False).sum(axis=0) / present.sum(axis=0)
        cells.append(Cell(grouping, level, measures, cols, sums[cols], counts[cols],
                          present.sum(axis=0), zeros))
    return cells


def merge_cells(first: list[Cell], second: list[Cell]) -> list[Cell]:
    """Cells of the same grouping and level side by side (one product instead of two: the
    products, not the draws, are most of the time)."""
    by_level = {c.level: c for c in second}
    out = []
    for a in first:
        b = by_level.pop(a.level, None)
        if b is None:
            out.append(a)
            continue
        cols = np.union1d(a.cols, b.cols)
        ka, kb = a.sums.shape[1], b.sums.shape[1]
        sums, counts = np.zeros((len(cols), ka + kb)), np.zeros((len(cols), ka + kb))
        ia, ib = np.searchsorted(cols, a.cols), np.searchsorted(cols, b.cols)
        sums[ia, :ka], counts[ia, :ka] = a.sums, a.counts
        sums[ib, ka:], counts[ib, ka:] = b.sums, b.counts
        out.append(Cell(a.grouping, a.level, a.measures + b.measures, cols, sums, counts,
                        np.r_[a.n_obs, b.n_obs], np.r_[a.zeros_pct, b.zeros_pct]))
    return out + list(by_level.values())


def run_cells(cells: list[Cell], n_people: int, seed: int = SEED,
              replicates: int = REPLICATES) -> pd.DataFrame:
    """Means with percentile 95% CIs for every cell, from one set of person resamples."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    reps = [np.empty((replicates, c.sums.shape[1])) for c in cells]
    both = [c.both_t for c in cells]
    full = [len(c.cols) == n_people for c in cells]
    chunk = max(1, CHUNK_CELLS // max(n_people, 1))
    done = 0
    with threadpool_limits(limits=1, user_api="blas"):
        while done < replicates and n_people:
            b = min(chunk, replicates - done)
            # Draws are made replicate by replicate (rows), as (b, n); counted per person.
            idx = rng.integers(0, n_people, size=(b, n_people), dtype=np.int32)
            idx *= b  # fits: n_people * b <= CHUNK_CELLS
            idx += np.arange(b, dtype=np.int32)[:, None]
            weights = np.bincount(idx.ravel(), minlength=n_people * b).reshape(n_people, b)
            weights = weights.astype(np.float32)
            for cell, out, matrix, everyone in zip(cells, reps, both, full, strict=True):
                totals = matrix @ (weights if everyone else weights[cell.cols])
                k = cell.sums.shape[1]
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[done:done + b] = (totals[:k].astype(float) / totals[k:]).T
            done += b
    rows = []
    for cell, r in zip(cells, reps, strict=True):
        with np.errstate(invalid="ignore", divide="ignore"):
            point = cell.sums.sum(axis=0) / cell.counts.sum(axis=0)
        low, high = percentile_ci(r)
        has = cell.counts > 0
        for j, m in enumerate(cell.measures):
            rows.append((cell.grouping, cell.level, m, int(has[:, j].sum()),
                         int(cell.n_obs[j]), point[j], low[j], high[j], cell.zeros_pct[j]))
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def percentile_ci(reps: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    alpha = 100 * (1 - level) / 2
    if len(reps) == 0:
        nan = np.full(reps.shape[1], np.nan)
        return nan, nan
    if not np.isnan(reps).any():
        low, high = np.percentile(reps, [alpha, 100 - alpha], axis=0)
        return low, high
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a group absent from a replicate
        low, high = np.nanpercentile(reps, [alpha, 100 - alpha], axis=0)
    return low, high


def grouped_means(frame: pd.DataFrame, measures: list[str], group: str | None,
                  seed: int = SEED, replicates: int = REPLICATES, label: str = "") -> pd.DataFrame:
    """Mean per observation of each measure with a bootstrap CI, per level of ``group``.

    ``frame`` has one row per observation with ``personal_id``, the measures (NaN = missing)
    and ``group``.
    """
    codes, people = pd.factorize(frame["personal_id"])
    groups = None if group is None else frame[group].astype(object).where(
        frame[group].notna(), None).to_numpy()
    cells = make_cells(label or group or "overall", codes, len(people),
                       frame[measures].to_numpy(dtype=float), measures, groups)
    return run_cells(cells, len(people), seed, replicates)
