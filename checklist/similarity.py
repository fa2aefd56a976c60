"""Which library case a cluster most resembles. Pure Python.

Measure: over the points both scorecards can rate (level known), the root-mean-square
difference of the point scores; similarity = 100 - that distance. Cases sharing fewer than
four rated points are not compared. The points with the smallest differences are the
figures that make the resemblance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import criteria
from .scoring import Scorecard

MIN_SHARED_POINTS = 4


@dataclass(frozen=True)
class Resemblance:
    subject: str
    key: str  # the case slug
    similarity: float  # 0..100
    shared_points: tuple[int, ...]
    closest: tuple[tuple[int, float, float], ...]  # (point, this score, case score), nearest first


def _rated(card: Scorecard) -> dict[int, float]:
    return {p.number: p.score for p in card.points if p.level != criteria.UNKNOWN_LEVEL}


def resemblances(card: Scorecard, cases: dict[str, Scorecard]) -> list[Resemblance]:
    """The cases ordered from most to least similar (ties broken by case key)."""
    mine = _rated(card)
    found = []
    for key, other in cases.items():
        theirs = _rated(other)
        shared = sorted(set(mine) & set(theirs))
        if len(shared) < MIN_SHARED_POINTS:
            continue
        distance = math.sqrt(sum((mine[n] - theirs[n]) ** 2 for n in shared) / len(shared))
        closest = sorted(shared, key=lambda n: (abs(mine[n] - theirs[n]), n))[:3]
        found.append(
            Resemblance(
                subject=other.subject,
                key=key,
                similarity=round(100 - distance, 1),
                shared_points=tuple(shared),
                closest=tuple((n, mine[n], theirs[n]) for n in closest),
            )
        )
    return sorted(found, key=lambda r: (-r.similarity, r.key))
