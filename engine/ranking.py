"""Weight sensitivity: rank compared clusters by an overall score with point weights.

Pure Python, no Django. The rule, which static/js/compare-tools.js follows step by step:

- a subject's weighted overall is the weighted mean of the scores of its points whose level
  is known (`PointScore.rated_score`); unknown points are left out, never counted as zero;
- it is rounded to one decimal like the engine's overall (Python's `round`), so with equal
  weights it is exactly `Scorecard.overall`; no rated point, or weights of 0 on all of them,
  gives no overall and no rank;
- rank = 1 + the number of subjects with a higher weighted overall (ties share a rank);
  rows are ordered by rank, ties and unranked subjects in the order chosen.

Only the eight point weights move; the weights of the indicators inside each point stay
the engine's (criteria.DEFAULT_WEIGHTS).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .scoring import Scorecard

POINTS = 8
MAX_WEIGHT = 3.0
STEP = 0.5
EQUAL: tuple[float, ...] = (1.0,) * POINTS


@dataclass(frozen=True)
class Ranked:
    name: str
    overall: float | None  # weighted, one decimal; None when nothing rated has weight
    rank: int | None
    equal_rank: int | None  # the rank with equal weights
    rated: int  # points with a known level

    @property
    def moved(self) -> int | None:
        """Places gained over the equal-weights ranking (negative: lost)."""
        if self.rank is None or self.equal_rank is None:
            return None
        return self.equal_rank - self.rank

    @property
    def change(self) -> str:
        """The move, as the ranking table shows it: "▲ 2 (was 4)", "▼ 1 (was 2)", "same"."""
        if self.moved is None:
            return "—"
        if self.moved == 0:
            return "same"
        arrow = "▲" if self.moved > 0 else "▼"
        return f"{arrow} {abs(self.moved)} (was {self.equal_rank})"


def weighted_overall(card: Scorecard, weights: Sequence[float]) -> float | None:
    total = weighted = 0.0
    for point, weight in zip(card.points, weights, strict=True):
        if point.rated_score is not None:
            total += weight
            weighted += weight * point.rated_score
    return round(weighted / total, 1) if total else None


def _ranks(overalls: list[float | None]) -> list[int | None]:
    return [
        None if mine is None else 1 + sum(1 for o in overalls if o is not None and o > mine)
        for mine in overalls
    ]


def ranking(subjects: Sequence[tuple[str, Scorecard]], weights: Sequence[float]) -> list[Ranked]:
    """The subjects ranked by weighted overall, best first; see the module docstring."""
    overalls = [weighted_overall(card, weights) for _, card in subjects]
    equal = _ranks([weighted_overall(card, EQUAL) for _, card in subjects])
    rows = [
        Ranked(name, overall, rank, equal_rank, card.rated)
        for (name, card), overall, rank, equal_rank in zip(
            subjects, overalls, _ranks(overalls), equal, strict=True
        )
    ]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0))  # stable: ties keep order


def parse_weights(values: Sequence[str]) -> tuple[float, ...]:
    """Weights from the query: one comma-separated value (`w=1,1,2,...`, what the page's
    address carries) or eight values (`w=1&w=1&...`, what the sliders submit without
    JavaScript). Each is 0 to 3 in steps of 0.5, as the sliders allow.

    Raises ValueError with a message for the researcher."""
    if len(values) == 1:
        values = values[0].split(",")
    if len(values) != POINTS:
        raise ValueError(f"Give {POINTS} weights, one per point; got {len(values)}.")
    weights = []
    for number, text in enumerate(values, start=1):
        try:
            weight = float(text)
        except ValueError:
            raise ValueError(
                f"The weight of point {number} is not a number: {text[:20]!r}."
            ) from None
        if not math.isfinite(weight) or not 0 <= weight <= MAX_WEIGHT:
            raise ValueError(
                f"The weight of point {number} must be from 0 to {MAX_WEIGHT:g}; got {text[:20]}."
            )
        if weight % STEP:
            raise ValueError(
                f"The weight of point {number} must be a multiple of {STEP:g}; got {text[:20]}."
            )
        weights.append(weight + 0.0)  # -0 becomes 0
    return tuple(weights)
