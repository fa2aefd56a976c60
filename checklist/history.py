"""What changed between two scorecards of a cluster, and why. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass

from .scoring import Scorecard


@dataclass(frozen=True)
class IndicatorChange:
    code: str
    name: str
    before: float | None
    after: float | None


@dataclass(frozen=True)
class PointChange:
    number: int
    title: str
    before: float | None
    after: float | None
    indicators: tuple[IndicatorChange, ...]

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


def compare_scorecards(before: Scorecard, after: Scorecard) -> list[PointChange]:
    """Per point, the two scores and the indicators whose values differ between them."""
    changes = []
    for old, new in zip(before.points, after.points, strict=True):
        moved = tuple(
            IndicatorChange(e_new.indicator, e_new.name, e_old.value, e_new.value)
            for e_old, e_new in zip(old.evidence, new.evidence, strict=True)
            if e_old.value != e_new.value
        )
        changes.append(PointChange(new.number, new.title, old.score, new.score, moved))
    return changes


def answer_changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """The answers that differ, as (question, before, after)."""
    keys = [k for k in after if k != "steps_done"] + [k for k in before if k not in after]
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
