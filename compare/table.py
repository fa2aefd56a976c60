"""The side-by-side comparison of cases and assessments: rows of features, cells with sources.

Builds from objects already fetched (cases with their library prefetched, assessments with
their answers) and their scorecards; no queries of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from django.urls import reverse

from cases.models import CaseStudy, Conclusion, Figure, line_span
from checklist.adapters import producer_count_figures
from checklist.models import Assessment
from engine import criteria
from engine.profile import ClusterProfile
from engine.scoring import Scorecard


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
    lines: tuple[int, int] | None = None  # lines of the source's text, for library data
    citation: str = ""
    note: str = ""  # why a cell is uncertain, or where it comes from
    url: str = ""  # where the cell's evidence is shown (a scorecard), when not paper lines
    source: str = ""  # the library source's short title, for library data
    source_url: str = ""  # its reader (at the cited lines), or its page without stored text
    locator: str = ""  # where in a source without stored text


@dataclass(frozen=True)
class Row:
    group: str
    feature: str
    cells: tuple[Cell, ...]
    subjects: tuple[str, ...] = ()  # the subjects' names, in the cells' order

    @property
    def named_cells(self) -> list[tuple[str, Cell]]:
        """(subject, cell) pairs: on a phone each cell is shown under its subject's name."""
        return list(zip(self.subjects, self.cells, strict=True))


EMPTY = Cell("—")


def _cited(obj, value: str) -> Cell:
    note = obj.note if obj.confidence != "certain" else ""
    lines = (obj.line_from, obj.line_to) if obj.line_from is not None else None
    return Cell(
        value,
        lines,
        obj.citation,
        note,
        source=obj.source.short_title,
        source_url=obj.reader_url,
        locator=obj.locator,
    )


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


def employment_figures(case: CaseStudy, figures: list[Figure]) -> list[Figure]:
    """Per cluster, its headline employment figure (else its largest).

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
    return chosen


def _employment(case: CaseStudy, figures: list[Figure]) -> Cell | None:
    """The cluster's employment figures, clusters side by side."""
    chosen = employment_figures(case, figures)
    if not chosen:
        return None
    if len(chosen) == 1:
        return _cited(chosen[0], chosen[0].display_value)
    value = "; ".join(f"{f.cluster.name} {f.display_value}" for f in chosen)
    return replace(_cited(chosen[0], value), lines=line_span(chosen), note="")


def _case_headlines(case: CaseStudy, profile: ClusterProfile) -> dict[str, Cell]:
    figures = list(case.figures.all())
    cells = {}
    if profile.producer_count:
        fact = profile.producer_count
        counted = producer_count_figures(case)  # the figures the total sums (one per cluster)
        first = counted[0] if counted else None
        cells["Producing firms"] = Cell(
            # the qualified total ("about 3,800"): the paper's counts are approximate
            fact.shown or f"{fact.value:,}",
            fact.source.lines,
            note=fact.source.label,
            # named like every other fact: its source, and where in it without stored text
            source=first.source.short_title if first else "",
            source_url=first.reader_url if first else "",
            locator="; ".join(f.locator for f in counted if f.locator),
        )
    employment = _employment(case, figures)
    if employment:
        cells["Employment"] = employment
    exported = [f for f in figures if f.metric == Figure.Metric.OUTPUT_EXPORTED]
    if exported:
        best = sorted(exported, key=lambda f: (f.scope != Figure.Scope.CLUSTER, -(f.year or 0)))
        first = best[0]
        scope = "" if first.scope == Figure.Scope.CLUSTER else f" ({first.get_scope_display()})"
        if first.firm_id:  # one firm's share, not the cluster's: say whose
            scope = f" ({first.label})"
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
                cells.append(Cell(f"— ({p.level}{provisional})", url=_evidence_url(s, point)))
            else:
                cells.append(Cell(f"{p.score:.1f} ({p.level})", url=_evidence_url(s, point)))
        rows.append(Row("Checklist scores", f"{point.number}. {point.title}", tuple(cells)))
    overall = tuple(
        Cell(
            "—" if s.card.overall is None else f"{s.card.overall:.1f}",
            note=f"based on {s.card.rated} of 8 points",
        )
        for s in subjects
    )
    rows.append(Row("Checklist scores", "Overall", overall))
    names = tuple(s.name for s in subjects)
    return [replace(row, subjects=names) for row in rows]


def _evidence_url(subject: Subject, point) -> str:
    """The subject's scorecard, at the point's evidence."""
    if subject.case is not None:
        scorecard = reverse("checklist:case-scorecard", args=[subject.case.slug])
    else:
        scorecard = subject.url
    return f"{scorecard}#point-{point.number}"


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
            [t for t in s.case.linkages.all() if t.is_tie]  # absent ties are not ties
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


SOURCE_COLUMNS = ["source", "paper_lines", "citation", "note"]
OFFICER = {"source": "", "paper_lines": "", "citation": "", "note": "Officer's answer"}


def _provenance(row) -> dict[str, str]:
    """A library row's source as data-table columns; the note only where it is not certain."""
    return {
        "source": row.source.short_title,
        # the column keeps its name; a source without stored text gives its locator instead
        "paper_lines": f"{row.line_from}-{row.line_to}" if row.line_from else row.locator,
        "citation": row.citation,
        "note": row.note if row.confidence != "certain" else "",
    }


def institutions_frame(subjects: list[Subject]) -> pd.DataFrame:
    """Columns subject, name, kind, ownership, founded (None where the year is not given),
    paper_lines, citation, note."""
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
                        **_provenance(i),
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
                        **OFFICER,
                    }
                )
    return pd.DataFrame(records, columns=["subject", "name", "kind", "ownership", "founded",
                                          *SOURCE_COLUMNS])  # fmt: skip


# The library charts: firm sizes, firm counts and employment, exports over time, institutions
# by type and ownership. Each frame row carries its paper lines, citation and note.

NOT_STATED = "not stated in the paper's text"

SIZE_MEASURES = {
    Figure.Metric.SHARE: "Share of producers (%)",
    Figure.Metric.EMPLOYMENT_SHARE: "Share of employment (%)",
    Figure.Metric.VALUE_ADDED_SHARE: "Share of value added (%)",
    Figure.Metric.COUNT: "Number of firms",
}
FIRM_ROLES = {"producer", "lead_firm"}

# Size distributions the paper compares over time whose earlier values its text does not give
# (Chart 1.1's 1971 bar did not survive the text extraction). The history event naming the
# year gives the lines and the note; the frame shows the gap and never fills it.
SIZE_GAPS = {"sinos-valley": ("producer-size-structure", "small-firm-share-decline")}


def size_bounds(size_class) -> str:
    """A size class's bounds in employees, as the case's own source draws them."""
    low, high = size_class.min_employees, size_class.max_employees
    if low is None and high is None:
        text = "no size bounds in the paper"
    elif low is None:
        text = f"≤{high} employees"
    elif high is None:
        text = f"≥{low} employees"
    else:
        text = f"{low}–{high} employees"
    return text if size_class.confidence == "certain" else f"{text} (inferred)"


def _is_size_figure(f: Figure) -> bool:
    """A share or count of the cluster's own firms in one of the case's size classes."""
    if f.size_class is None or f.institution_id is not None or f.firm_id is not None:
        return False
    if f.actor_group is not None and f.actor_group.role not in FIRM_ROLES:
        return False  # e.g. Korea's subcontracting SMEs, a supplier group
    if f.metric == Figure.Metric.COUNT:
        return f.unit == Figure.Unit.FIRMS
    return f.metric in SIZE_MEASURES and f.unit == Figure.Unit.PERCENT


def _area(f: Figure) -> str:
    if f.scope == Figure.Scope.CLUSTER and f.cluster is not None:
        return f.cluster.name
    return f.get_scope_display()


SIZE_COLUMNS = ["subject", "area", "year", "measure", "size_class", "bounds", "value", "shown",
                "basis", *SOURCE_COLUMNS]  # fmt: skip


def _size_gaps(case: CaseStudy, figures: list[Figure], name: str, order: dict) -> list[dict]:
    """Rows for the size classes of a gap year: value None, shown as not stated."""
    if case.slug not in SIZE_GAPS:
        return []
    series, event_key = SIZE_GAPS[case.slug]
    event = next((e for e in case.history.all() if e.key == event_key), None)
    if event is None:
        return []
    return [
        {
            "subject": name,
            "area": event.cluster.name if event.cluster else "",
            "year": event.year_from,
            "measure": SIZE_MEASURES[f.metric],
            "size_class": f.size_class.name,
            "bounds": size_bounds(f.size_class),
            "value": None,
            "shown": NOT_STATED,
            "basis": "",
            "_order": order.get(f.size_class_id, 0),
            **_provenance(event),
        }
        for f in figures
        if f.series == series and f.year != event.year_from
    ]


def size_structure_frame(subjects: list[Subject]) -> pd.DataFrame:
    """Firm size structure per case: one row per size class and year, in the case's own classes.

    Columns: subject, area, year, measure, size_class, bounds, value (None: not in the text),
    shown, basis, paper_lines, citation, note. Assessments record no size classes.
    """
    records = []
    for s in subjects:
        if s.case is None:
            continue
        figures = [f for f in s.case.figures.all() if _is_size_figure(f)]
        order = {c.id: n for n, c in enumerate(s.case.size_classes.all())}
        areas = {c.name: n for n, c in enumerate(s.case.clusters.all())}
        measures = list(SIZE_MEASURES.values())
        rows = [
            {
                "subject": s.name,
                "area": _area(f),
                "year": f.year,
                "measure": SIZE_MEASURES[f.metric],
                "size_class": f.size_class.name,
                "bounds": size_bounds(f.size_class),
                "value": float(f.value),
                "shown": f.display_value,
                "basis": f.basis,
                "_order": order.get(f.size_class_id, 0),
                **_provenance(f),
            }
            for f in figures
        ]
        rows += _size_gaps(s.case, figures, s.name, order)
        rows.sort(
            key=lambda r: (measures.index(r["measure"]), r["year"] or 9999,
                           areas.get(r["area"], len(areas)), r["_order"])
        )  # fmt: skip
        records += rows
    frame = pd.DataFrame(records, columns=SIZE_COLUMNS)
    return frame.astype({"year": "Int64"})


def firms_frame(subjects: list[Subject]) -> pd.DataFrame:
    """Producing firms and employment per subject, one row per cluster's cited figure.

    Columns: subject, measure, part (the cluster, where a case has several), label, value
    (None where not given), shown, paper_lines, citation, note. Cases use the figures the
    comparison table uses; assessments the officer's answers.
    """
    columns = ["subject", "measure", "part", "label", "value", "shown", *SOURCE_COLUMNS]
    missing = {
        "Producing firms": "The library has no count of this case's producers.",
        "Employment": "The library has no figure for this case's own workforce.",
    }
    records = []
    for s in subjects:
        if s.assessment is not None:
            answers = {"Producing firms": s.assessment.producer_count,
                       "Employment": s.assessment.employment}  # fmt: skip
            for measure, value in answers.items():
                records.append(
                    {"subject": s.name, "measure": measure, "part": "", "label": measure,
                     "value": None if value is None else float(value),
                     "shown": "not answered" if value is None else f"{value:,}", **OFFICER}
                )  # fmt: skip
            continue
        several = len(s.case.clusters.all()) > 1
        chosen = {
            "Producing firms": producer_count_figures(s.case),
            "Employment": employment_figures(s.case, list(s.case.figures.all())),
        }
        for measure, figures in chosen.items():
            if not figures:
                records.append(
                    {"subject": s.name, "measure": measure, "part": "", "label": measure,
                     "value": None, "shown": "not in the library", "paper_lines": "",
                     "citation": "", "note": missing[measure]}
                )  # fmt: skip
            for f in figures:
                records.append(
                    {
                        "subject": s.name,
                        "measure": measure,
                        "part": f.cluster.name if several and f.cluster else "",
                        "label": f.label,
                        "value": float(f.value),
                        "shown": f.display_value,
                        **_provenance(f),
                    }
                )
    return pd.DataFrame(records, columns=columns)


EXPORT_METRICS = {
    Figure.Metric.EXPORT_VALUE,
    Figure.Metric.EXPORT_VOLUME,
    Figure.Metric.EXPORT_SHARE,
}


def exports_frame(subjects: list[Subject]) -> pd.DataFrame:
    """Export time series of the chosen cases: figures sharing a series over two or more years.

    Columns: subject, series, label, scope, unit, year, value, shown, paper_lines, citation,
    note. A series of one year (a breakdown, two estimates of one year) is not a time series.
    """
    columns = ["subject", "series", "label", "scope", "unit", "year", "value", "shown",
               *SOURCE_COLUMNS]  # fmt: skip
    records = []
    for s in subjects:
        if s.case is None:
            continue
        series: dict[str, list[Figure]] = {}
        for f in s.case.figures.all():
            if f.series and f.metric in EXPORT_METRICS and f.year:
                series.setdefault(f.series, []).append(f)
        for slug, figures in series.items():
            if len({f.year for f in figures}) < 2:
                continue
            for f in sorted(figures, key=lambda f: f.year):
                records.append(
                    {
                        "subject": s.name,
                        "series": slug,
                        "label": figures[0].label,
                        "scope": f.get_scope_display(),
                        "unit": f.get_unit_display(),
                        "year": f.year,
                        "value": float(f.value),
                        "shown": f.display_value,
                        **_provenance(f),
                    }
                )
    return pd.DataFrame(records, columns=columns)


OWNERSHIPS = ["Public", "Private", "Public-private", "Not stated"]


def institution_types_frame(subjects: list[Subject]) -> pd.DataFrame:
    """Institutions counted by type and ownership per subject, naming each with its lines.

    Columns: subject, kind, ownership, institutions (a count), names.
    """
    counted: dict[tuple[str, str, str], list[str]] = {}
    for row in institutions_frame(subjects).itertuples(index=False):
        lines = f" (lines {row.paper_lines})" if row.paper_lines else ""
        counted.setdefault((row.subject, row.kind, row.ownership), []).append(row.name + lines)
    subject_order = {s.name: n for n, s in enumerate(subjects)}
    keys = sorted(
        counted,
        key=lambda k: (subject_order[k[0]], k[1], OWNERSHIPS.index(k[2]) if k[2] in OWNERSHIPS
                       else len(OWNERSHIPS)),
    )  # fmt: skip
    return pd.DataFrame(
        [
            {"subject": subject, "kind": kind, "ownership": ownership,
             "institutions": len(counted[subject, kind, ownership]),
             "names": "; ".join(counted[subject, kind, ownership])}
            for subject, kind, ownership in keys
        ],
        columns=["subject", "kind", "ownership", "institutions", "names"],
    )  # fmt: skip
