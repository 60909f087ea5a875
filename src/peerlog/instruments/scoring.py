"""Scores from stored answers, following the instruments' published rules.

The analysis contract names these scores. Rules that protect the analysis:
a score is computed only when every one of its items is answered (otherwise it is missing with
the reason kept), a tick stays a tick (never a number), and an impossible answer raises
ScoringError instead of producing a plausible-looking wrong score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import PREFER_NOT, TICKED, Instrument, Item


@dataclass(frozen=True)
class Score:
    """A score value, or None with the reason it is missing."""

    value: float | int | str | None
    missing_reason: str | None = None


class ScoringError(ValueError):
    """An answer cannot be right (out of range, wrong type); it names the item and the value."""


PS_TYPES = ("informal", "one_to_one", "pairs", "groups", "peer_led_groups", "networks",
            "elefriends", "other_online")
#: Grouped forms of peer support (analysis contract).
PS_FORMS: Mapping[str, tuple[str, ...]] = {
    "informal": ("informal",),
    "one_to_one_pairs": ("one_to_one", "pairs"),
    "group": ("groups", "peer_led_groups"),
    "online": ("elefriends", "other_online"),
}
DIRECTIONS = ("given", "received")

SWEMWBS_ITEMS = tuple(f"swemwbs_{n}" for n in range(1, 8))
HHI_ITEMS = tuple(f"hhi_{n}" for n in range(1, 13))
HHI_REVERSED = frozenset({"hhi_3", "hhi_6"})
MHSES_ITEMS = tuple(f"mhses_{n}" for n in range(1, 7))
LSNS_BLOCKS = {
    block: tuple(f"lsns_{block}_{n}" for n in range(1, 4))
    for block in ("family", "friends", "neighbours")
}
EQ5D_ITEMS = ("eq5d_mobility", "eq5d_selfcare", "eq5d_activities", "eq5d_pain", "eq5d_anxiety")

#: SWEMWBS raw score (7-35) to metric score, the scale's published conversion table.
SWEMWBS_METRIC: Mapping[int, float] = dict(zip(range(7, 36), (
    7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98,
    18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31,
    30.70, 32.55, 35.00,
), strict=True))

#: EQ-5D-3L UK TTO value set (Dolan 1997): decrement for level 2 and level 3 per dimension.
EQ5D_DECREMENTS: Mapping[str, tuple[float, float]] = {
    "eq5d_mobility": (0.069, 0.314),
    "eq5d_selfcare": (0.104, 0.214),
    "eq5d_activities": (0.036, 0.094),
    "eq5d_pain": (0.123, 0.386),
    "eq5d_anxiety": (0.071, 0.236),
}
EQ5D_CONSTANT = 0.081  # any dimension not at level 1
EQ5D_N3 = 0.269  # any dimension at level 3

SCORE_NAMES = (
    "wellbeing_raw", "wellbeing", "hope", "self_efficacy",
    "contact_family", "contact_friends", "contact_neighbours",
    "eq5d_index", "health_status",
    "types_given", "types_received",
    *(f"{form}_{d}" for d in DIRECTIONS for form in PS_FORMS),
    "projects_attended",
)

_MISSING = object()
_DECLINED = object()


def _as_int(item: Item, raw: object) -> int:
    if isinstance(raw, bool):
        raise ScoringError(f"{item.code}: {raw!r} is not a number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    raise ScoringError(f"{item.code}: {raw!r} is not a whole number")


def check_answer(item: Item, raw: object) -> object:
    """The stored answer normalised for scoring (ints for numbers), or ScoringError.

    Not answered (None or "") and "prefer not to answer" come back as private markers so the
    caller can report the right missing reason.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _MISSING
    if raw == PREFER_NOT:
        return _DECLINED
    if item.type == "count" and raw == TICKED:
        return TICKED
    if item.type in ("integer", "count"):
        value = _as_int(item, raw)
        lo = item.min if item.min is not None else -math.inf
        hi = item.max if item.max is not None else math.inf
        if not lo <= value <= hi:
            raise ScoringError(f"{item.code}: {raw!r} is out of range {item.min}-{item.max}")
        return value
    if item.type == "single":
        values = item.option_values
        value = _as_int(item, raw) if values and isinstance(values[0], int) else raw
        if value not in values:
            raise ScoringError(f"{item.code}: {raw!r} is not one of the options "
                               f"{', '.join(map(str, values))}")
        return value
    if item.type == "multi":
        chosen = [raw] if isinstance(raw, str) else raw
        if not isinstance(chosen, list | tuple | set | frozenset):
            raise ScoringError(f"{item.code}: {raw!r} is not a list of options")
        bad = [v for v in chosen if v not in item.option_values]
        if bad:
            raise ScoringError(f"{item.code}: {bad!r} are not options")
        return tuple(chosen)
    return raw


class _Answers:
    """Answers checked once, with lookups that yield a value or the reason it is missing."""

    def __init__(self, instrument: Instrument, answers: Mapping[str, object]) -> None:
        self.instrument = instrument
        self.values = {
            code: check_answer(item, answers.get(code)) for code, item in instrument.items.items()
        }

    def block(self, codes: Sequence[str]) -> tuple[list[int] | None, Score | None]:
        """All values of ``codes``, or a missing Score naming the first unusable item."""
        if any(c not in self.values for c in codes):
            return None, Score(None, "not_asked")
        out = []
        for code in codes:
            reason = self.reason(code)
            if reason:
                return None, Score(None, reason)
            out.append(self.values[code])
        return out, None

    def reason(self, code: str) -> str | None:
        value = self.values[code]
        if value is _MISSING:
            return f"missing_item:{code}"
        if value is _DECLINED:
            return f"declined:{code}"
        return None


def _sum_score(ans: _Answers, codes: Sequence[str], reverse: frozenset[str] = frozenset(),
               top: int = 0) -> Score:
    values, missing = ans.block(codes)
    if missing:
        return missing
    assert values is not None
    return Score(sum(top - v if c in reverse else v for c, v in zip(codes, values, strict=True)))


def eq5d_index(levels: Mapping[str, int]) -> float:
    """EQ-5D-3L index from the five levels (UK TTO, Dolan 1997), to 3 decimals."""
    decrement = 0.0
    for code, (level2, level3) in EQ5D_DECREMENTS.items():
        level = levels[code]
        decrement += {1: 0.0, 2: level2, 3: level3}[level]
    if any(v != 1 for v in levels.values()):
        decrement += EQ5D_CONSTANT
    if any(v == 3 for v in levels.values()):
        decrement += EQ5D_N3
    return round(1.0 - decrement, 3)


def _peer_support(ans: _Answers, direction: str) -> dict[str, Score]:
    codes = {t: f"ps_{t}_{direction}" for t in PS_TYPES}
    if any(c not in ans.values for c in codes.values()):
        return {f"types_{direction}": Score(None, "not_asked"),
                **{f"{f}_{direction}": Score(None, "not_asked") for f in PS_FORMS}}
    out: dict[str, Score] = {}
    # Empty means "not given" = 0 (analysis contract); declining is not the same as none.
    declined = next((c for c in codes.values() if ans.values[c] is _DECLINED), None)
    if declined:
        out[f"types_{direction}"] = Score(None, f"declined:{declined}")
    else:
        out[f"types_{direction}"] = Score(sum(
            1 for c in codes.values() if ans.values[c] == TICKED
            or (isinstance(ans.values[c], int) and ans.values[c] > 0)
        ))
    for form, types in PS_FORMS.items():
        total, reason = 0, None
        for t in types:
            v = ans.values[codes[t]]
            if v is _DECLINED:
                reason = f"declined:{codes[t]}"
                break
            if v == TICKED:
                reason = "ticked"  # a tick is "some", never a number
                break
            if isinstance(v, int):
                total += v
        out[f"{form}_{direction}"] = Score(None, reason) if reason else Score(total)
    return out


def score(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, Score]:
    """Every score of SCORE_NAMES for one completed form (``not_asked`` where it has no items).

    Raises ScoringError if any answer of the form is impossible, even one no score uses, so bad
    data is caught at entry rather than in the analysis.
    """
    ans = _Answers(instrument, answers)
    out: dict[str, Score] = {}

    raw = _sum_score(ans, SWEMWBS_ITEMS)
    out["wellbeing_raw"] = raw
    out["wellbeing"] = Score(SWEMWBS_METRIC[int(raw.value)]) if raw.value is not None else raw
    out["hope"] = _sum_score(ans, HHI_ITEMS, HHI_REVERSED, top=5)
    out["self_efficacy"] = _sum_score(ans, MHSES_ITEMS)
    for block, codes in LSNS_BLOCKS.items():
        out[f"contact_{block}"] = _sum_score(ans, codes)

    levels, missing = ans.block(EQ5D_ITEMS)
    out["eq5d_index"] = missing or Score(eq5d_index(dict(zip(EQ5D_ITEMS, levels or (),
                                                              strict=True))))
    vas, missing = ans.block(("health_today",))
    out["health_status"] = missing or Score(vas[0] if vas else None)

    given, received = _peer_support(ans, "given"), _peer_support(ans, "received")
    out["types_given"], out["types_received"] = given["types_given"], received["types_received"]
    for direction, scores in (("given", given), ("received", received)):
        for form in PS_FORMS:
            out[f"{form}_{direction}"] = scores[f"{form}_{direction}"]

    projects, missing = ans.block(("projects_attended",))
    out["projects_attended"] = missing or Score(projects[0] if projects else None)
    return {name: out[name] for name in SCORE_NAMES}
