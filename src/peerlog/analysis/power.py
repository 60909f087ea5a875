"""Sample size for a within-person change (the evaluation's calculation).

The evaluation planned "to detect a within subject effect size of 0.5 with 80% power at a 5%
significance level" and needed 34 participants: a paired (one-sample on the differences)
two-sided t test, power from the noncentral t distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class PowerResult:
    n: int
    achieved_power: float


def paired_power(n: int, effect: float, alpha: float = 0.05) -> float:
    """Power of the two-sided paired t test with ``n`` pairs for standardised effect d."""
    df = n - 1
    crit = stats.t.ppf(1 - alpha / 2, df)
    ncp = effect * math.sqrt(n)
    return float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))


def paired_sample_size(effect: float = 0.5, power: float = 0.8, alpha: float = 0.05) -> PowerResult:
    """Smallest number of participants whose paired t test reaches ``power``."""
    if not (effect > 0 and 0 < power < 1 and 0 < alpha < 1):
        raise ValueError("need effect > 0 and power, alpha strictly between 0 and 1")
    n = 2
    while paired_power(n, effect, alpha) < power:
        n += 1
    return PowerResult(n, paired_power(n, effect, alpha))
