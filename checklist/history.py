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


LABELS = {
    "steps_done": "Steps answered",
    "evidence_year": "Year of the evidence",
    "producer_count": "Producing firms",
    "large_firms": "Large firms",
    "export_share": "Share of output exported (%)",
    "competes_on": "Firms compete on",
    "foreign_buyers": "Foreign buyers",
    "key_buyers": "Key buyers",
    "state_created": "Started by administrative decision",
    "trade_regime": "Trade regime",
    "sme_incentives": "Size-based incentives",
    "contract_rules": "Rules on large-firm contracts",
    "intervention_style": "Intervention style",
    "groups": "Firm groups",
    "ties": "Linkages",
    "institutions": "Institutions",
}


def _row_label(row: dict) -> str:
    return ", ".join(f"{v}" for v in row.values() if v not in (None, "", "unknown"))


def _show(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def answer_changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """The answers that differ, as (label, before, after); list answers as rows removed and
    rows added."""
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        if old == new or key == "steps_done":
            continue
        label = LABELS.get(key, key.replace("_", " ").capitalize())
        if (
            isinstance(old, list)
            and old
            and isinstance(old[0], dict)
            or (isinstance(new, list) and new and isinstance(new[0], dict))
        ):
            removed = [_row_label(r) for r in old or [] if r not in (new or [])]
            added = [_row_label(r) for r in new or [] if r not in (old or [])]
            changes.append((label, "; ".join(removed) or "—", "; ".join(added) or "—"))
        else:
            changes.append((label, _show(old), _show(new)))
    return changes
