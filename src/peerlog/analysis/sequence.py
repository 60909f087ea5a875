"""Each log's place in its person's series: the evaluation's "month k" (its k-th log).

The evaluation's table A4.1 and figure 4.4 count a participant's k-th log as "month k": month 1
holds every participant once (649 = the number of people with a log), month 2 those with two or
more. Calendar months since the first log give other, smaller numbers, so the staff console and
the analysis both number logs with :func:`log_sequence`, which is pure Python (no Django, no
pandas) so either side can call it.

Rules (the analysis contract's): a person is their personal ID as written on the log, registered
or not; two logs of one person on the same ``completed_on`` are one log entered twice, and the
one submitted last is kept (no submission time sorts first; ties keep the later input row).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

_NOBODY = object()


def _missing(value: Any) -> bool:
    return value is None or value != value  # NaN / NaT compare unequal to themselves


def log_sequence(
    person: Sequence[Hashable],
    completed_on: Sequence[Any],
    submitted_at: Sequence[Any] | None = None,
) -> list[int | None]:
    """For each input log (in input order), its 1-based number among its person's kept logs,
    or ``None`` if it is a duplicate that the analysis removes."""
    n = len(person)
    if len(completed_on) != n or (submitted_at is not None and len(submitted_at) != n):
        raise ValueError("log_sequence: the columns must have the same length")
    sub = submitted_at if submitted_at is not None else [None] * n

    def key(i: int) -> tuple:
        s = sub[i]
        return (person[i], completed_on[i], (0,) if _missing(s) else (1, s), i)

    order = sorted(range(n), key=key)
    out: list[int | None] = [None] * n
    k, current = 0, _NOBODY
    for pos, i in enumerate(order):
        nxt = order[pos + 1] if pos + 1 < n else None
        if nxt is not None and person[nxt] == person[i] and completed_on[nxt] == completed_on[i]:
            continue  # a later submission of the same log follows: this one is the duplicate
        if person[i] != current:
            k, current = 0, person[i]
        k += 1
        out[i] = k
    return out
