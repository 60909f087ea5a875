"""A synthetic cohort shaped like the Side by Side evaluation, with effects of known size.

``generate(seed, scale)`` returns a :class:`Cohort`: the analysis contract's two frames
(``participants``, ``logs``; strings, exactly as ``peerlog export`` writes them), the raw
answers of every log (which score to the contract's values), what the database needs beyond
the contract, and the planted associations with their true values. Pure numpy/pandas: no
Django. The calibration targets are data in :mod:`peerlog.synth.calibration`; how they are
met, and what is not calibrated, is in docs/synthetic-cohort.md.

How the cohort is built:

1. Per region, people and their k-th logs are allocated so that table A4.1's cells
   (quarterly/monthly; its "month k" is the k-th log) are met at ``scale=1``; registered participants
   (A4.2's region n) with their demographic mix (A4.2's counts per region); 83 unregistered
   people with 125 logs among the people with logs (A4.1 covers them too).
2. Peer support: each person has a propensity per type and direction around the region's
   baseline rate (A4.4); each log draws use and counts from it. Projects attended per log:
   a person-level rate (negative binomial over people; 27% none, ~20% three or more).
3. Outcomes: each person has an own level per outcome (A4.3's region mean and SD at the
   first log); between logs an outcome reverts towards that level, plus noise, plus the
   planted effects of the *category* of change in a peer support variable (decreased,
   same, increased), with participant-level variation in the effect. Scores are made into
   item answers that score back exactly.
4. Versions, modes, ticks, duplicates, dates: 25% of logs short (people in short-version
   projects and A4.3's share of first logs without the Herth Hope Index), 50% paper, 18%
   with ticks, 30 same-day duplicates submitted before the log they duplicate; recruitment
   25/09/15-30/09/16 peaking March-June 2016; logs until 21/12/16.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peerlog.capture.personal_ids import check_digit
from peerlog.export.columns import (
    LOG_COLUMNS,
    OUTCOMES,
    PARTICIPANT_COLUMNS,
    PS_COLUMNS,
    profile_cells,
)
from peerlog.instruments import TICKED, load_instrument
from peerlog.instruments.scoring import (
    EQ5D_ITEMS,
    HHI_ITEMS,
    HHI_REVERSED,
    LSNS_BLOCKS,
    MHSES_ITEMS,
    PS_TYPES,
    SWEMWBS_ITEMS,
    SWEMWBS_METRIC,
    eq5d_index,
)

from . import calibration as cal

LEVELS = ("decreased", "same", "increased")
MONTH_DAYS = 30.4375  # days in an average month: the gap between monthly logs
_NAMESPACE = uuid.UUID("6f1d2f52-3b8e-4c3e-9a51-2b7d0c6a9e10")

# Integer outcome ranges (score bounds) and their item blocks.
RANGES = {
    "hope": (12, 48), "self_efficacy": (6, 60), "contact_family": (0, 15),
    "contact_friends": (0, 15), "contact_neighbours": (0, 15), "health_status": (1, 10),
}
_METRIC_RAW = np.array(list(SWEMWBS_METRIC))
_METRIC_VALUE = np.array(list(SWEMWBS_METRIC.values()))


def region_profile(region: str) -> dict[str, str]:
    partner, hub, rurality = cal.REGION_PROFILES[region]
    return {"strategic_partner": partner, "hub": hub, "rural_urban": rurality}


def profile_columns(projects: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Profile column -> {project code: cell}, written as ``peerlog export`` writes them."""
    out: dict[str, dict[str, str]] = {}
    for code, row in projects.iterrows():
        project = {"approach": row["approach"], **cal.PROJECT_PROFILES[code]}
        for col, cell in profile_cells(project, region_profile(row["region"])).items():
            out.setdefault(col, {})[code] = cell
    return out


@dataclass
class Cohort:
    """One generated cohort. ``participants`` and ``logs`` are the contract's frames (strings,
    as ``peerlog export`` writes them; ``logs`` includes the duplicates); ``answers[i]`` are
    the raw answers of ``logs.iloc[i]``; ``log_meta`` and ``people`` carry what the database
    load needs; ``planted`` the true values (see :func:`planted_table`)."""

    seed: int
    scale: float
    participants: pd.DataFrame
    logs: pd.DataFrame
    answers: list[dict]
    log_meta: pd.DataFrame
    people: pd.DataFrame
    planted: pd.DataFrame
    projects: pd.DataFrame
    stats: dict = field(default_factory=dict)

    @property
    def key_prefix(self) -> str:
        return submission_prefix(self.seed, self.scale)

    def write(self, out: str | Path) -> dict[str, Path]:
        """Write participants.csv, logs.csv (the contract) and planted_effects.csv."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "participants": out / "participants.csv",
            "logs": out / "logs.csv",
            "planted": out / "planted_effects.csv",
        }
        self.participants.to_csv(paths["participants"], index=False, lineterminator="\n")
        self.logs.to_csv(paths["logs"], index=False, lineterminator="\n")
        self.planted.to_csv(paths["planted"], index=False, lineterminator="\n")
        from peerlog.export import items

        fields = self.logs[["log_id", "personal_id", "completed_on", "instrument", "version",
                            "language", "mode"]].to_dict("records")
        items.write(out, zip(fields, self.answers, strict=True), labelled=False)
        paths["items"], paths["items_wide"] = out / "items.csv", out / "items_wide.csv"
        return paths


def submission_prefix(seed: int, scale: float) -> str:
    return f"synth-{seed}-{scale:g}-"


def planted_table() -> pd.DataFrame:
    """The planted associations: the true estimated marginal mean change per level.

    For a planted (outcome, variable) with size delta, the analysis's estimated marginal mean
    change is -delta for "decreased", 0 for "same" and +delta for "increased" (other planted
    variables of the same outcome change symmetrically and average out; see
    docs/synthetic-cohort.md). Every (outcome, overall variable) pair not listed has true
    value 0 at every level.
    """
    rows = []
    for (outcome, variable), delta in cal.PLANTED.items():
        for level, sign in zip(LEVELS, (-1, 0, 1), strict=True):
            rows.append({"outcome": outcome, "ps_variable": variable, "change": level,
                         "true_mean": sign * delta, "delta": delta})
    return pd.DataFrame(rows)


def quota(weights, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum to ``total`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    out = np.zeros(len(w), dtype=int)
    if total <= 0 or w.sum() <= 0:
        return out
    raw = w / w.sum() * total
    out = np.floor(raw).astype(int)
    rest = int(total - out.sum())
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:rest]] += 1
    return out


def _shuffled(rng: np.random.Generator, values, counts, n: int) -> np.ndarray:
    return rng.permutation(np.repeat(np.asarray(values, dtype=object), quota(counts, n)))


def _scaled(x: int, scale: float) -> int:
    return int(round(x * scale))


# --- who logs when --------------------------------------------------------------------------

def _log_counts(cells: list[tuple[int, int]]) -> np.ndarray:
    """People with exactly k logs (k = 1, 2, ...) from A4.1's k-th-log totals."""
    at_least = np.minimum.accumulate(np.array([q + m for q, m in cells]))
    return at_least - np.r_[at_least[1:], 0]


def _recruitment_months() -> list[tuple[dt.date, dt.date]]:
    out, year, month = [], 2015, 9
    for _ in cal.RECRUITMENT_MONTH_WEIGHTS:
        start = dt.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        out.append((start, dt.date(year, month, 1) - dt.timedelta(days=1)))
    return out


_RECRUIT_MONTHS = _recruitment_months()


def _registration_date(rng, latest: dt.date) -> dt.date:
    """A date in the recruitment window, by the monthly weights, not after ``latest``."""
    latest = min(latest, cal.RECRUITMENT_END)
    weights, spans = [], []
    for (start, end), w in zip(_RECRUIT_MONTHS, cal.RECRUITMENT_MONTH_WEIGHTS, strict=True):
        lo, hi = max(start, cal.RECRUITMENT_START), min(end, latest)
        if lo <= hi:
            weights.append(w * ((hi - lo).days + 1) / ((end - start).days + 1))
            spans.append((lo, hi))
    if not spans:
        return cal.RECRUITMENT_START
    p = np.asarray(weights) / sum(weights)
    lo, hi = spans[int(rng.choice(len(spans), p=p))]
    return lo + dt.timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


# --- scores into item answers ---------------------------------------------------------------

def _items_summing(rng, totals: np.ndarray, k: int, lo: int, hi: int,
                   shuffles: int = 3) -> np.ndarray:
    """An (n, k) array of item values in [lo, hi] whose rows sum to ``totals``."""
    n = len(totals)
    if n == 0:
        return np.zeros((0, k), dtype=int)
    base = np.asarray(totals, dtype=int) - lo * k
    out = np.full((n, k), base[:, None] // k) + lo
    rest = base - (base // k) * k
    ranks = np.argsort(rng.random((n, k)), axis=1)
    out += (ranks < rest[:, None]).astype(int)
    rows = np.arange(n)
    for _ in range(shuffles * k):  # move a point from one item to another, within range
        a, b = rng.integers(0, k, n), rng.integers(0, k, n)
        ok = (a != b) & (out[rows, a] > lo) & (out[rows, b] < hi)
        out[rows[ok], a[ok]] -= 1
        out[rows[ok], b[ok]] += 1
    return out


def _metric_to_raw(latent: np.ndarray) -> np.ndarray:
    """SWEMWBS raw sum whose metric score is nearest to each latent metric value."""
    idx = np.abs(latent[:, None] - _METRIC_VALUE[None, :]).argmin(axis=1)
    return _METRIC_RAW[idx]


# --- the generator ---------------------------------------------------------------------------

def generate(seed: int = 1, scale: float = 1.0) -> Cohort:
    """Generate the cohort for ``seed`` at ``scale`` (1.0 = the evaluation's size).

    Deterministic: the same seed and scale give identical frames.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    # Stream 13 (service use) was added later; spawn keys keep streams 1-12 as they were.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(13)]
    (r_people, r_months, r_demo, r_dates, r_ps, r_out, r_items, r_mode, r_dup, r_ids,
     r_contact, r_misc, r_econ) = streams
    nreg = len(cal.REGIONS)

    # 1. How many people of each kind per region ------------------------------------------
    # A4.1's "month k" is each person's k-th log (its month-2 total is the 403 people with
    # two or more logs, month 4 the 213 with four or more, ...).
    n_registered = quota(cal.A42_N, _scaled(cal.REGISTERED, scale))
    cells = {r: [(_scaled(q, scale), _scaled(m, scale)) for q, m in cal.a41_cells(cal.A41[r])]
             for r in cal.REGIONS}
    exactly = {r: _log_counts(cells[r]) for r in cal.REGIONS}
    with_logs = np.array([exactly[r].sum() for r in cal.REGIONS])
    ones = np.array([exactly[r][0] for r in cal.REGIONS])
    pairs = np.array([exactly[r][1] if len(exactly[r]) > 1 else 0 for r in cal.REGIONS])
    n_unreg_total = _scaled(cal.UNREGISTERED_PEOPLE, scale)
    lower = np.maximum(0, with_logs - n_registered)
    n_unreg = lower + quota(with_logs, max(0, n_unreg_total - int(lower.sum())))
    n_unreg = np.minimum(n_unreg, ones + pairs)
    twos_total = _scaled(cal.UNREGISTERED_LOGS, scale) - int(n_unreg.sum())
    twos = np.maximum(0, n_unreg - ones)  # more unregistered than one-log people
    room = np.minimum(pairs, n_unreg) - twos
    while twos.sum() < twos_total and room.sum() > 0:  # by share of unregistered, with room
        add = np.minimum(quota(n_unreg * (room > 0), int(twos_total - twos.sum())), room)
        if add.sum() == 0:
            add[int(np.argmax(room))] = 1
        twos, room = twos + add, room - add

    # 2. People: registered (with and without logs) and unregistered ----------------------
    people_rows = []
    for j, region in enumerate(cal.REGIONS):
        counts_k = np.repeat(np.arange(1, len(exactly[region]) + 1), exactly[region])
        unreg = [2] * int(twos[j]) + [1] * int(n_unreg[j] - twos[j])
        pool = list(counts_k)
        for k in unreg:
            pool.remove(k)
        pool = list(r_months.permutation(np.array(pool, dtype=int)))
        for i in range(int(n_registered[j])):
            people_rows.append({"region": region, "registered": True,
                                "n_logs": int(pool[i]) if i < len(pool) else 0})
        for k in unreg:
            people_rows.append({"region": region, "registered": False, "n_logs": k})
    people = pd.DataFrame(people_rows)
    people["rj"] = people["region"].map({r: j for j, r in enumerate(cal.REGIONS)})

    # Personal IDs: 5 random digits + Damm check digit (6 if the cohort is very large).
    body = 5 if len(people) < 40_000 else 6
    lo_id, hi_id = 10 ** (body - 1), 10 ** body
    bodies = r_ids.choice(hi_id - lo_id, size=len(people), replace=False) + lo_id
    people["personal_id"] = [f"{b}{check_digit(str(b))}" for b in bodies]

    # Demographics of registered participants: A4.2's counts per region, shuffled.
    demo_cols = ("age_band", "gender", "transgender_history", "sexual_orientation", "area",
                 "ethnicity")
    for col in (*demo_cols, *cal.A42_YES):
        people[col] = pd.Series([""] * len(people), dtype=object)
    people["mh_services_years"] = pd.Series([None] * len(people), dtype=object)
    for j in range(nreg):
        idx = np.flatnonzero((people["rj"] == j) & people["registered"])
        n = len(idx)
        for col in demo_cols:
            table = cal.A42[col]
            people.loc[idx, col] = _shuffled(r_demo, list(table),
                                             [c[j] for c in table.values()], n)
        for col, yes in cal.A42_YES.items():
            k = quota([yes[j], cal.A42_N[j] - yes[j]], n)
            people.loc[idx, col] = r_demo.permutation(np.repeat(
                np.array(["yes", "no"], dtype=object), k))
        mean, sd = cal.A42_MH_YEARS[j]
        users = idx[people.loc[idx, "uses_mh_services"].to_numpy() == "yes"]
        shape = (mean / sd) ** 2 if sd else 1.0
        years = r_demo.gamma(shape, (sd ** 2 / mean) if mean else 1.0, len(users))
        people.loc[users, "mh_services_years"] = np.clip(np.round(years), 0, 60).astype(int)
    groups = {str(o.value): o.group
              for o in load_instrument("registration").items["ethnicity"].options}
    people["ethnic_group"] = people["ethnicity"].map(lambda v: groups.get(v, "") if v else "")

    # Projects: within the region, by weight; BaME-specific projects draw from non-white people.
    project_rows = []
    for region in cal.REGIONS:
        for (code, name, approach, funding, diag, bame, short, weight) in cal.PROJECTS[region]:
            project_rows.append({
                "code": code, "name": name, "region": region, "approach": approach,
                "funding": funding, "diagnosis_specific": diag, "bame_specific": bame,
                "short_version": short, "weight": weight,
            })
    projects = pd.DataFrame(project_rows)
    people["project"] = pd.Series([""] * len(people), dtype=object)
    for j, region in enumerate(cal.REGIONS):
        plist = projects[projects["region"] == region]
        idx = np.flatnonzero(people["rj"] == j)
        for i in idx:
            nonwhite = people.at[i, "ethnic_group"] not in ("white", "")
            w = plist["weight"].to_numpy() * np.where(
                plist["bame_specific"].to_numpy(), 4.0 if nonwhite else 0.1, 1.0)
            people.at[i, "project"] = plist["code"].iloc[int(r_people.choice(len(w),
                                                                             p=w / w.sum()))]
    proj = projects.set_index("code")
    people["project_short"] = people["project"].map(proj["short_version"]).astype(bool)

    # 3. Logs: one row per (person, k-th log) -----------------------------------------------
    log_person = np.repeat(np.arange(len(people)), people["n_logs"].to_numpy())
    logs = pd.DataFrame({"person": log_person})
    logs["number"] = logs.groupby("person").cumcount().to_numpy() + 1
    number = logs["number"].to_numpy()
    logs["rj"] = people["rj"].to_numpy()[log_person]
    # Kind: A4.1's quarterly count per region and log number; scheduled quarterly logs
    # (1st, 4th, 7th, ...) first.
    kind = np.full(len(logs), "monthly", dtype=object)
    sched = (number - 1) % 3 == 0
    priority = sched * 0.8 + r_months.random(len(logs))
    for j, region in enumerate(cal.REGIONS):
        for k, (q, _m) in enumerate(cells[region], start=1):
            idx = np.flatnonzero((logs["rj"].to_numpy() == j) & (number == k))
            if len(idx) and q:
                kind[idx[np.argsort(-priority[idx], kind="stable")[:q]]] = "quarterly"
    logs["kind"] = kind

    # Dates: a log a month, sometimes a month or two skipped; all logs by 21/12/16.
    gaps = np.where(number == 1, 0, r_dates.choice([1, 2, 3], len(logs), p=[.75, .18, .07]))
    days = np.where(number == 1, 0,
                    np.round(gaps * MONTH_DAYS + r_dates.normal(0, 4, len(logs)))).astype(int)
    days = np.where(number == 1, 0, np.maximum(days, 14))
    first, registered_at = {}, {}
    span_limit = (cal.LOGS_END - cal.RECRUITMENT_START).days
    offsets = np.zeros(len(logs), dtype=int)
    starts = np.r_[0, np.cumsum(people["n_logs"].to_numpy())]
    for i in range(len(people)):
        a, b = starts[i], starts[i + 1]
        d = days[a:b].copy()
        if d.sum() > span_limit:  # a long-time logger: one log every month
            d = np.where(np.arange(len(d)) == 0, 0, 30)
        offsets[a:b] = np.cumsum(d)
        span = int(offsets[b - 1]) if b > a else 0
        latest_first = cal.LOGS_END - dt.timedelta(days=span)
        reg = _registration_date(r_dates, latest_first)
        lag = 0 if r_dates.random() < 0.5 else int(r_dates.geometric(1 / 7))
        registered_at[i] = reg
        first[i] = min(reg + dt.timedelta(days=lag), latest_first)
    base = np.array([first[p] for p in log_person], dtype="datetime64[D]")
    logs["completed_on"] = base + offsets.astype("timedelta64[D]")
    n_logs = len(logs)

    # 4. Versions, modes --------------------------------------------------------------------
    # Short-version users: A4.3's share of first logs without HHI, per region, preferring
    # members of short-version projects; then topped up or down to 25% of logs.
    people["short"] = False
    logs_per_person = people["n_logs"].to_numpy()
    for j in range(nreg):
        idx = np.flatnonzero((people["rj"] == j) & (people["n_logs"] > 0))
        k = int(round(cal.A43_HOPE_MISSING[j] / cal.A43_N[j] * len(idx)))
        pref = people.loc[idx, "project_short"].to_numpy() * 2.0 + (
            people.loc[idx, "learning_disability"].to_numpy() == "yes") + r_mode.random(len(idx))
        people.loc[idx[np.argsort(-pref, kind="stable")[:k]], "short"] = True
    target = cal.SHORT_SHARE * n_logs
    short_logs = logs_per_person[people["short"].to_numpy()].sum()
    cand_pref = people["project_short"] * 2.0 + (people["learning_disability"] == "yes") \
        + r_mode.random(len(people))
    order = np.argsort(-cand_pref.to_numpy(), kind="stable")
    for i in order if short_logs < target else order[::-1]:
        if logs_per_person[i] == 0:
            continue
        if short_logs < target and not people.at[i, "short"]:
            if short_logs + logs_per_person[i] > target + 2:
                continue
            people.at[i, "short"] = True
            short_logs += logs_per_person[i]
        elif short_logs > target and people.at[i, "short"]:
            if short_logs - logs_per_person[i] < target - 2:
                continue
            people.at[i, "short"] = False
            short_logs -= logs_per_person[i]
        if abs(short_logs - target) <= 2:
            break
    logs["version"] = np.where(people["short"].to_numpy()[log_person], "short", "full")

    # Paper: people in short-version projects and with learning disability lean to paper,
    # Elefriends people to online; exactly half of the logs.
    lean = 0.5 + 0.3 * people["short"].to_numpy() + 0.2 * (
        people["learning_disability"].to_numpy() == "yes") - 0.45 * (
        people["region"].to_numpy() == "elefriends")
    paper_person = r_mode.random(len(people)) < np.clip(lean, 0.05, 0.95)
    score = paper_person[log_person] + r_mode.normal(0, 0.35, n_logs)
    paper = np.zeros(n_logs, dtype=bool)
    paper[np.argsort(-score, kind="stable")[:int(round(cal.PAPER_SHARE * n_logs))]] = True
    logs["mode"] = np.where(paper, "paper", "online")

    # 5. Peer support ------------------------------------------------------------------------
    kappa = 3.0
    counts = {}
    rj = people["rj"].to_numpy()
    for t in PS_TYPES:
        for d, rates in zip(("given", "received"), cal.A44[t], strict=True):
            r = np.clip(np.asarray(rates, float) / np.asarray(cal.A43_N, float), 0.01, 0.99)[rj]
            prop = r_ps.beta(kappa * r, kappa * (1 - r))
            used = r_ps.random(n_logs) < prop[log_person]
            times = 1 + r_ps.poisson(cal.PS_TIMES_MEAN[t] - 1, n_logs)
            counts[f"ps_{t}_{d}"] = np.where(used, times, 0)
    nb_k, nb_mean = 4.0, 1.5
    rate = r_ps.gamma(nb_k, nb_mean / nb_k, len(people))
    projects_attended = np.minimum(r_ps.poisson(rate[log_person]), 99)
    ps_vars = {
        "types_given": sum((counts[f"ps_{t}_given"] > 0).astype(int) for t in PS_TYPES),
        "types_received": sum((counts[f"ps_{t}_received"] > 0).astype(int) for t in PS_TYPES),
        "projects": projects_attended,
    }
    prev = np.r_[-1, np.arange(n_logs - 1)]
    has_prev = np.r_[False, log_person[1:] == log_person[:-1]]
    change_sign = {v: np.where(has_prev, np.sign(x - x[prev]), 0) for v, x in ps_vars.items()}

    # 6. Outcomes ------------------------------------------------------------------------------
    latent = {}
    for outcome in ("wellbeing", "hope", "self_efficacy", "contact_family", "contact_friends",
                    "contact_neighbours", "health_status"):
        if outcome == "health_status":
            mu = np.full(len(people), cal.HEALTH_STATUS_BASELINE[0])
            sd = np.full(len(people), cal.HEALTH_STATUS_BASELINE[1])
        else:
            mu = np.array([m for m, _ in cal.A43[outcome]])[rj]
            sd = np.array([s for _, s in cal.A43[outcome]])[rj]
        b = cal.BETWEEN_SHARE
        level = mu + np.sqrt(b) * sd * r_out.standard_normal(len(people))
        within = np.sqrt(1 - b) * sd
        noise_sd = within * np.sqrt(1 - (1 - cal.REVERSION) ** 2)
        effects = [(v, d * (1 + cal.EFFECT_PERSON_SD * r_out.standard_normal(len(people))))
                   for (o, v), d in cal.PLANTED.items() if o == outcome]
        y = np.empty(n_logs)
        firsts = number == 1
        y[firsts] = level[log_person[firsts]] + within[log_person[firsts]] * \
            r_out.standard_normal(int(firsts.sum()))
        eps = r_out.standard_normal(n_logs)
        for k in range(2, int(number.max(initial=1)) + 1):
            idx = np.flatnonzero(number == k)
            p = log_person[idx]
            step = -cal.REVERSION * (y[idx - 1] - level[p]) + noise_sd[p] * eps[idx]
            for v, delta in effects:
                step += delta[p] * change_sign[v][idx]
            y[idx] = y[idx - 1] + step
        latent[outcome] = y

    wellbeing_raw = _metric_to_raw(latent["wellbeing"])
    totals = {o: np.clip(np.round(latent[o]), lo, hi).astype(int) for o, (lo, hi) in RANGES.items()}
    # EQ-5D-3L levels from health today plus dimension noise.
    z = (latent["health_status"] - cal.HEALTH_STATUS_BASELINE[0]) / cal.HEALTH_STATUS_BASELINE[1]
    eq_levels = {}
    for code, cut2, cut3 in zip(EQ5D_ITEMS, (-0.9, -1.3, -0.1, -0.2, 0.3),
                                (-2.2, -2.6, -2.0, -1.9, -1.6), strict=True):
        w = 0.7 * z + 0.7 * r_out.standard_normal(n_logs)
        eq_levels[code] = np.where(w < cut3, 3, np.where(w < cut2, 2, 1))

    # 7. Item answers that score back exactly ------------------------------------------------
    sw = _items_summing(r_items, wellbeing_raw, 7, 1, 5)
    hhi_scored = _items_summing(r_items, totals["hope"], 12, 1, 4)
    hhi = hhi_scored.copy()
    for c, code in enumerate(HHI_ITEMS):
        if code in HHI_REVERSED:
            hhi[:, c] = 5 - hhi_scored[:, c]
    mh = _items_summing(r_items, totals["self_efficacy"], 6, 1, 10)
    lsns = {b: _items_summing(r_items, totals[f"contact_{b}"], 3, 0, 5) for b in LSNS_BLOCKS}

    # Ticks: 18% of the logs (after duplicates are removed), paper logs with some use.
    any_use = np.zeros(n_logs, dtype=bool)
    for c in PS_COLUMNS:
        any_use |= counts[c] > 0
    ticker = r_mode.random(len(people))[log_person]
    cand = np.flatnonzero(paper & any_use)
    n_ticks = min(len(cand), int(round(cal.TICKED_SHARE * n_logs)))
    tick_score = ticker[cand] + r_mode.normal(0, 0.3, len(cand))
    ticked = np.zeros(n_logs, dtype=bool)
    ticked[cand[np.argsort(-tick_score, kind="stable")[:n_ticks]]] = True

    version = logs["version"].to_numpy()
    instrument = np.where(version == "short",
                          np.where(kind == "quarterly", "quarterly_short", "monthly_short"),
                          kind)
    pids = people["personal_id"].to_numpy()
    project_name = people["project"].map(proj["name"]).fillna("").to_numpy()
    econ_codes = ("full_time", "part_time", "voluntary", "unemployed", "not_working_illness",
                  "retired", "student", "homemaker", "family_caregiver")
    econ_p = np.array([.18, .13, .27, .22, .27, .085, .13, .11, .07])  # A4.3 employment
    answers: list[dict] = []
    completed_str = pd.to_datetime(logs["completed_on"]).dt.strftime("%Y-%m-%d").to_numpy()
    for i in range(n_logs):
        p = log_person[i]
        a: dict = {"personal_id": pids[p], "date_completed": completed_str[i]}
        for c in PS_COLUMNS:
            v = int(counts[c][i])
            if v > 0:
                a[c] = TICKED if ticked[i] and r_items.random() < 0.85 else v
            elif not paper[i]:
                a[c] = 0
        if ticked[i] and not any(a.get(c) == TICKED for c in PS_COLUMNS):
            first_used = next(c for c in PS_COLUMNS if counts[c][i] > 0)
            a[first_used] = TICKED
        a["projects_attended"] = int(projects_attended[i])
        if project_name[p] and projects_attended[i] > 0:
            a["project_names"] = project_name[p]
        for c, code in enumerate(SWEMWBS_ITEMS):
            a[code] = int(sw[i, c])
        if version[i] == "full":
            for c, code in enumerate(HHI_ITEMS):
                a[code] = int(hhi[i, c])
            for block, codes in LSNS_BLOCKS.items():
                for c, code in enumerate(codes):
                    a[code] = int(lsns[block][i, c])
            for c, code in enumerate(MHSES_ITEMS):
                a[code] = int(mh[i, c])
        for code in EQ5D_ITEMS:
            a[code] = int(eq_levels[code][i])
        a["health_today"] = int(totals["health_status"][i])
        if kind[i] == "quarterly":
            a["visits_ae_mental_health"] = int(r_items.random() < 0.04)
            if version[i] == "full":
                chosen = [e for e, q in zip(econ_codes, econ_p, strict=True)
                          if r_items.random() < q]
                if chosen:
                    a["econ_status"] = chosen
                a["med_taken"] = "yes" if r_items.random() < 0.57 else "no"
        answers.append(a)
    _add_service_use(r_econ, answers, kind, version, log_person,
                     people["uses_mh_services"].to_numpy() == "yes")

    # Scores as the contract writes them.
    eq_cache: dict[tuple, float] = {}
    eq_index = np.empty(n_logs)
    for i in range(n_logs):
        key = tuple(int(eq_levels[c][i]) for c in EQ5D_ITEMS)
        if key not in eq_cache:
            eq_cache[key] = eq5d_index(dict(zip(EQ5D_ITEMS, key, strict=True)))
        eq_index[i] = eq_cache[key]
    full = version == "full"
    score_cols = {
        "wellbeing": [f"{SWEMWBS_METRIC[int(r)]:.2f}" for r in wellbeing_raw],
        "hope": np.where(full, totals["hope"].astype(str), ""),
        "self_efficacy": np.where(full, totals["self_efficacy"].astype(str), ""),
        "contact_family": np.where(full, totals["contact_family"].astype(str), ""),
        "contact_friends": np.where(full, totals["contact_friends"].astype(str), ""),
        "contact_neighbours": np.where(full, totals["contact_neighbours"].astype(str), ""),
        "health_status": totals["health_status"].astype(str),
        "eq5d_index": [f"{v:.3f}" for v in eq_index],
    }

    # Submission times: online the same day; paper entered by staff 2-28 days later.
    hours = r_dates.integers(8, 22, n_logs)
    minutes = r_dates.integers(0, 60, n_logs)
    delay = np.where(paper, r_dates.integers(2, 29, n_logs), 0)
    submitted = (logs["completed_on"].to_numpy().astype("datetime64[D]")
                 + delay.astype("timedelta64[D]")).astype("datetime64[m]") \
        + (hours * 60 + minutes).astype("timedelta64[m]")

    # 8. Duplicates: copies submitted before the log they duplicate ----------------------------
    n_dup = _scaled(cal.SAME_DAY_DUPLICATES, scale)
    registered_log = people["registered"].to_numpy()[log_person]
    dup_of = np.sort(r_dup.choice(np.flatnonzero(registered_log), size=n_dup, replace=False))
    dup_rows = []
    for i in dup_of:
        a = dict(answers[i])
        if kind[i] == "quarterly":  # the wrong version first, then the right one
            inst = "monthly_short" if version[i] == "short" else "monthly"
            allowed = load_instrument(inst).items
            a = {k: v for k, v in a.items() if k in allowed}
            dkind, before = "monthly", np.timedelta64(int(r_dup.integers(15, 90)), "m")
        else:  # a paper log entered twice, the first time earlier
            inst, dkind = instrument[i], kind[i]
            before = np.timedelta64(int(r_dup.integers(1, 5)), "D")
        dup_rows.append((i, a, inst, dkind, submitted[i] - before))

    # 9. Assemble the frames -------------------------------------------------------------------
    order_rows = list(range(n_logs)) + [None] * len(dup_rows)
    src = np.r_[np.arange(n_logs), dup_of].astype(int)
    all_answers = answers + [d[1] for d in dup_rows]
    all_instrument = np.r_[instrument, [d[2] for d in dup_rows]]
    all_kind = np.r_[kind, [d[3] for d in dup_rows]]
    all_submitted = np.r_[submitted, np.array([d[4] for d in dup_rows],
                                              dtype="datetime64[m]")]
    is_dup = np.r_[np.zeros(n_logs, bool), np.ones(len(dup_rows), bool)]
    prefix = submission_prefix(seed, scale)
    keys = [f"{prefix}{k:06d}" for k in range(len(order_rows))]
    frame = {
        "log_id": [str(uuid.uuid5(_NAMESPACE, k)) for k in keys],
        "personal_id": pids[log_person[src]],
        "completed_on": completed_str[src],
        "submitted_at": [f"{pd.Timestamp(t).isoformat()}+00:00" for t in all_submitted],
        "kind": all_kind,
        "version": version[src],
        "mode": logs["mode"].to_numpy()[src],
        "projects_attended": projects_attended[src].astype(str),
    }
    for c in PS_COLUMNS:
        frame[c] = [_ps_cell(a.get(c)) for a in all_answers]
    for o in OUTCOMES:
        frame[o] = np.asarray(score_cols[o], dtype=object)[src]
    frame["language"] = "en"
    frame["instrument"] = all_instrument
    logs_out = pd.DataFrame(frame, columns=list(LOG_COLUMNS))
    log_meta = pd.DataFrame({
        "submission_key": keys,
        "person": log_person[src],
        "region": people["region"].to_numpy()[log_person[src]],
        "registered": registered_log[src],
        "duplicate": is_dup,
        "number": number[src],
        "ticked": [any(v == TICKED for v in a.values()) for a in all_answers],
    })
    people["registered_on"] = [registered_at[i].isoformat() for i in range(len(people))]
    people["first_log"] = [first[i].isoformat() for i in range(len(people))]
    reg = people[people["registered"]]
    parts = pd.DataFrame({
        "personal_id": reg["personal_id"],
        "region": reg["region"].map(cal.REGION_NAMES),
        "project_type": reg["project"].map(proj["approach"]),
        "age_band": reg["age_band"], "gender": reg["gender"],
        "sexual_orientation": reg["sexual_orientation"], "ethnicity": reg["ethnicity"],
        "ethnic_group": reg["ethnic_group"], "area": reg["area"],
        "uses_mh_services": reg["uses_mh_services"],
        "physical_condition": reg["physical_condition"],
        "learning_disability": reg["learning_disability"],
        "project": reg["project"],
        "project_funding": reg["project"].map(proj["funding"]),
        "diagnosis_specific": reg["project"].map(proj["diagnosis_specific"]).map(
            {True: "yes", False: "no"}),
        "bame_specific": reg["project"].map(proj["bame_specific"]).map(
            {True: "yes", False: "no"}),
        "registered_on": reg["registered_on"],
        **{col: reg["project"].map(cells) for col, cells in profile_columns(proj).items()},
    }, columns=list(PARTICIPANT_COLUMNS)).sort_values("personal_id").reset_index(drop=True)
    logs_out = logs_out.sort_values(["completed_on", "submitted_at"], kind="stable")
    log_meta = log_meta.loc[logs_out.index].reset_index(drop=True)
    all_answers = [all_answers[i] for i in logs_out.index]
    logs_out = logs_out.reset_index(drop=True)
    return Cohort(seed=seed, scale=scale, participants=parts, logs=logs_out,
                  answers=all_answers, log_meta=log_meta, people=people,
                  planted=planted_table(), projects=projects)


# Planted service use per quarterly log (3 months): skewed, mostly zeros, some hospital stays.
ECON_PLANTED = {
    "mh_admission": 0.03,  # share of quarterly logs with a mental health admission
    "mh_nights_mean": 14.0,  # nights per mental health admission (geometric)
    "physical_admission": 0.04,
    "physical_nights_mean": 4.0,
    "ae_physical": 0.08,
    "gp_any": 0.55,  # share with any GP contact
    "gp_contacts_mean": 2.5,  # contacts among those with any (1 + Poisson)
    "cmht_any_mh_users": 0.40,  # share with CMHT contacts among users of MH services
    "cmht_any_others": 0.05,
    "cmht_contacts_mean": 4.0,
    "crisis_any": 0.04,
    "informal_zero": 0.5,  # share with no family help
    "family_hours_median": 4.0,  # lognormal among those with help
}
_MINUTES = {"gp": 10, "cmht": 45, "crisis_team": 60, "individual_therapy": 50,
            "practice_nurse": 15, "day_centre": 240}


def _add_service_use(rng: np.random.Generator, answers: list[dict], kind: np.ndarray,
                     version: np.ndarray, log_person: np.ndarray, mh_user: np.ndarray) -> None:
    """Add the quarterly log's service use answers (the planted patterns of ECON_PLANTED).

    Blank where the form says "leave blank if not used" (community services); 0 where it
    says "state 0" (inpatient stays, hospital visits). The short form keeps its subset only.
    """
    p = ECON_PLANTED
    idx = np.flatnonzero(kind == "quarterly")
    n = len(idx)
    frailty = rng.gamma(1.0, 1.0, len(mh_user))[log_person[idx]]  # skew between people
    user = mh_user[log_person[idx]]

    def stays(rate: float, mean_nights: float) -> tuple[np.ndarray, np.ndarray]:
        adm = (rng.random(n) < rate * frailty).astype(int)
        nights = np.where(adm > 0, rng.geometric(1 / mean_nights, n), 0)
        return adm, nights

    mh_adm, mh_nights = stays(p["mh_admission"], p["mh_nights_mean"])
    ph_adm, ph_nights = stays(p["physical_admission"], p["physical_nights_mean"])
    ae_ph = (rng.random(n) < p["ae_physical"]).astype(int)
    out_mh = np.where(user & (rng.random(n) < 0.15), 1 + rng.poisson(1.0, n), 0)
    out_other = np.where(rng.random(n) < 0.2, 1 + rng.poisson(0.5, n), 0)

    def contacts(share: np.ndarray | float, mean: float) -> np.ndarray:
        any_ = rng.random(n) < np.clip(share * frailty, 0, 0.95)
        return np.where(any_, 1 + rng.poisson(mean - 1, n), 0)

    services = {
        "gp": contacts(p["gp_any"], p["gp_contacts_mean"]),
        "cmht": contacts(np.where(user, p["cmht_any_mh_users"], p["cmht_any_others"]),
                         p["cmht_contacts_mean"]),
        "crisis_team": contacts(p["crisis_any"], 3.0),
        "individual_therapy": contacts(0.12, 4.0),
        "practice_nurse": contacts(0.2, 1.5),
        "day_centre": contacts(0.06, 6.0),
    }
    helped = rng.random(n) >= p["informal_zero"]
    family = np.where(helped, np.round(rng.lognormal(np.log(p["family_hours_median"]), 0.9,
                                                     n)), 0).clip(0, 168).astype(int)
    friends = np.where(rng.random(n) < 0.4, rng.integers(1, 6, n), 0)
    short_items = load_instrument("quarterly_short").items
    for j, i in enumerate(idx):
        a = answers[i]
        a |= {"inpatient_mental_health_admissions": int(mh_adm[j]),
              "inpatient_mental_health_nights": int(mh_nights[j]),
              "inpatient_physical_health_admissions": int(ph_adm[j]),
              "inpatient_physical_health_nights": int(ph_nights[j]),
              "inpatient_maternity_admissions": 0, "inpatient_maternity_nights": 0,
              "inpatient_residential_care_admissions": 0,
              "inpatient_residential_care_nights": 0,
              "visits_ae_physical_health": int(ae_ph[j]),
              "visits_outpatient_mental_health": int(out_mh[j]),
              "visits_outpatient_other": int(out_other[j]),
              "family_hours": int(family[j]), "family_friends_hours": int(friends[j])}
        for s, counts in services.items():
            if counts[j] > 0:
                a[f"service_{s}_contacts"] = int(counts[j])
                a[f"service_{s}_minutes"] = _MINUTES[s]
        if version[i] == "short":
            for key in [k for k in a if k not in short_items]:
                del a[key]


def _ps_cell(value) -> str:
    if value is None or value == "":
        return ""
    if value == TICKED:
        return TICKED
    return str(int(value))
