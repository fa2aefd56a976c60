"""The side-by-side comparison of cases and assessments: rows of features, cells with sources.

Builds from objects already fetched (cases with their library prefetched, assessments with
their answers) and their scorecards; no queries of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cases.models import CaseStudy, Conclusion, Figure
from checklist import criteria
from checklist.models import Assessment
from checklist.profile import ClusterProfile
from checklist.scoring import Scorecard


@dataclass(frozen=True)
class Subject:
    key: str  # "case:sinos-valley" or "assessment:12"
    name: str
    url: str
    card: Scorecard
    case: CaseStudy | None = None
    assessment: Assessment | None = None
    profile: ClusterProfile | None = None  # a case's profile, as its card was scored from


@dataclass(frozen=True)
class Cell:
    value: str
    lines: tuple[int, int] | None = None  # paper lines, for library data
    citation: str = ""
    note: str = ""  # why a cell is uncertain, or where it comes from


@dataclass(frozen=True)
class Row:
    group: str
    feature: str
    cells: tuple[Cell, ...]


EMPTY = Cell("—")


def _cited(obj, value: str) -> Cell:
    note = obj.note if obj.confidence != "certain" else ""
    return Cell(value, (obj.line_from, obj.line_to), obj.citation, note)


def _conclusion_cells(subjects: list[Subject]) -> list[Row]:
    rows = []
    for row in Conclusion.Row:
        cells = []
        for s in subjects:
            if s.case is None:
                cells.append(Cell("—", note="The paper's table covers its five cases only."))
                continue
            found = next((c for c in s.case.conclusions.all() if c.row == row.value), None)
            cells.append(_cited(found, found.value or "—") if found else EMPTY)
        rows.append(Row("The paper's conclusions", row.label, tuple(cells)))
    return rows


def _employment(case: CaseStudy, figures: list[Figure]) -> Cell | None:
    """Per cluster, its headline employment figure (else its largest); clusters side by side.

    Only the cluster's own workforce counts: not a firm's, an institution's or a supplier
    group's (Bangalore's 70 consortium staff are not Bangalore's employment)."""
    chosen = []
    for cluster in case.clusters.all():
        candidates = [
            f
            for f in figures
            if f.metric == Figure.Metric.EMPLOYMENT
            and f.cluster_id == cluster.id
            and f.scope == Figure.Scope.CLUSTER
            # the cluster's own workforce, not a firm's, an institution's or a supplier group's
            and f.firm_id is None
            and f.institution_id is None
            and (f.actor_group is None or f.actor_group.role == "producer")
        ]
        if candidates:
            chosen.append(max(candidates, key=lambda f: (f.headline, f.value)))
    if not chosen:
        return None
    if len(chosen) == 1:
        return _cited(chosen[0], chosen[0].display_value)
    value = "; ".join(f"{f.cluster.name} {f.display_value}" for f in chosen)
    lines = (min(f.line_from for f in chosen), max(f.line_to for f in chosen))
    return Cell(value, lines, chosen[0].citation)


def _case_headlines(case: CaseStudy, profile: ClusterProfile) -> dict[str, Cell]:
    figures = list(case.figures.all())
    cells = {}
    if profile.producer_count:
        fact = profile.producer_count
        cells["Producing firms"] = Cell(
            f"{fact.value:,}", fact.source.lines, note=fact.source.label
        )
    employment = _employment(case, figures)
    if employment:
        cells["Employment"] = employment
    exported = [f for f in figures if f.metric == Figure.Metric.OUTPUT_EXPORTED]
    if exported:
        best = sorted(exported, key=lambda f: (f.scope != Figure.Scope.CLUSTER, -(f.year or 0)))
        first = best[0]
        scope = "" if first.scope == Figure.Scope.CLUSTER else f" ({first.get_scope_display()})"
        cells["Share of output exported"] = _cited(first, first.display_value + scope)
    institutions = list(case.institutions.all())
    cells["Institutions named"] = Cell(str(len(institutions)))
    return cells


def _assessment_headlines(a: Assessment) -> dict[str, Cell]:
    cells = {}
    source = "Officer's answer"
    if a.producer_count is not None:
        cells["Producing firms"] = Cell(f"{a.producer_count:,}", note=source)
    if a.employment is not None:
        cells["Employment"] = Cell(f"{a.employment:,}", note=source)
    if a.export_share is not None:
        cells["Share of output exported"] = Cell(f"{a.export_share.normalize():f}%", note=source)
    if a.step_done("institutions"):
        cells["Institutions named"] = Cell(str(len(a.institutions.all())), note=source)
    return cells


HEADLINES = ["Producing firms", "Employment", "Share of output exported", "Institutions named"]


def comparison_rows(subjects: list[Subject]) -> list[Row]:
    headlines = [
        _case_headlines(s.case, s.profile) if s.case else _assessment_headlines(s.assessment)
        for s in subjects
    ]
    rows = [
        Row("Headline figures", name, tuple(h.get(name, EMPTY) for h in headlines))
        for name in HEADLINES
    ]
    rows += _conclusion_cells(subjects)
    for point in criteria.POINTS:
        cells = []
        for s in subjects:
            p = s.card.point(point.number)
            if p.rated_score is None:
                provisional = "" if p.score is None else f"; provisional {p.score:.1f}"
                cells.append(Cell(f"— ({p.level}{provisional})"))
            else:
                cells.append(Cell(f"{p.score:.1f} ({p.level})"))
        rows.append(Row("Checklist scores", f"{point.number}. {point.title}", tuple(cells)))
    overall = tuple(
        Cell(
            "—" if s.card.overall is None else f"{s.card.overall:.1f}",
            note=f"based on {s.card.rated} of 8 points",
        )
        for s in subjects
    )
    rows.append(Row("Checklist scores", "Overall", overall))
    return rows


def comparison_frame(subjects: list[Subject], rows: list[Row]) -> pd.DataFrame:
    """The table in long form for CSV and XLSX: one line per cell, with its source lines."""
    records = []
    for row in rows:
        for subject, cell in zip(subjects, row.cells, strict=True):
            records.append(
                {
                    "group": row.group,
                    "feature": row.feature,
                    "subject": subject.name,
                    "value": cell.value,
                    "paper_lines": f"{cell.lines[0]}-{cell.lines[1]}" if cell.lines else "",
                    "citation": cell.citation,
                    "note": cell.note,
                }
            )
    return pd.DataFrame(records)


def scores_frame(subjects: list[Subject]) -> pd.DataFrame:
    """Columns cluster, point, score: what the checklist charts draw."""
    return pd.DataFrame(
        [
            {"cluster": s.name, "point": p.number, "score": p.rated_score}
            for s in subjects
            for p in s.card.points
        ]
    )


def linkages_frame(subjects: list[Subject]) -> pd.DataFrame:
    """Columns subject, direction, strength, ties: how many ties of each kind each has."""
    records = []
    for s in subjects:
        ties = (
            s.case.linkages.all()
            if s.case
            else (s.assessment.ties.all() if s.assessment.step_done("linkages") else [])
        )
        for tie in ties:
            records.append(
                {"subject": s.name, "direction": tie.direction, "strength": tie.strength}
            )
    frame = pd.DataFrame(records, columns=["subject", "direction", "strength"])
    return (
        frame.groupby(["subject", "direction", "strength"], sort=False)
        .size()
        .reset_index(name="ties")
    )  # fmt: skip


def institutions_frame(subjects: list[Subject]) -> pd.DataFrame:
    """Columns subject, name, kind, ownership, founded (None where the year is not given)."""
    records = []
    for s in subjects:
        if s.case:
            for i in s.case.institutions.all():
                records.append(
                    {
                        "subject": s.name,
                        "name": i.label,
                        "kind": i.get_kind_display(),
                        "ownership": i.get_ownership_display(),
                        "founded": i.founded,
                    }
                )
        elif s.assessment.step_done("institutions"):
            for i in s.assessment.institutions.all():
                records.append(
                    {
                        "subject": s.name,
                        "name": i.name,
                        "kind": i.get_kind_display(),
                        "ownership": i.get_ownership_display(),
                        "founded": None,
                    }
                )
    return pd.DataFrame(records, columns=["subject", "name", "kind", "ownership", "founded"])
