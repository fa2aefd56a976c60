"""What changed between two scorecards of a cluster, and why. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass

from engine.scoring import Scorecard


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


def _row(row: dict) -> str:
    """A list row in words: its answered columns, e.g. "Name: Agra Fair, Kind: Trade fair"."""
    return ", ".join(
        f"{question}: {answer}"
        for question, answer in row.items()
        if answer not in (None, "", "Unknown", "Don't know", "Not judged")
    )


def answer_changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """The answers that differ, as (question, before, after), from two sets of worded answers
    (`checklist.forms.answer_sheets`); list answers as rows removed and rows added."""

    def scalars(sheets):
        return {(a["step"], a["question"]): a["answer"] for a in sheets["answers"]}

    old, new = scalars(before), scalars(after)
    changes = [
        (f"{step}: {question}", old.get((step, question)) or "—", answer or "—")
        for (step, question), answer in new.items()
        if old.get((step, question)) != answer
    ]
    for title in after["lists"].keys() | before["lists"].keys():
        old_rows = [_row(r) for r in before["lists"].get(title, [])]
        new_rows = [_row(r) for r in after["lists"].get(title, [])]
        removed = [r for r in old_rows if r not in new_rows]
        added = [r for r in new_rows if r not in old_rows]
        if removed or added:
            changes.append((title, "; ".join(removed) or "—", "; ".join(added) or "—"))
    return changes
