"""What a firm table tells: counts, size structure, export shares, tie patterns, each one
aggregate query; and the check of the owner's summary numbers against them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast

from cases.models import ActorGroup, Figure

from .models import FirmTable

# The report's own employee bands (lowest, highest head count; None: no upper bound), for
# tables that give head counts. They are labelled by head count only: a case's size classes
# ("small", "medium") are its source's own definitions and are shown apart, in its words.
EMPLOYEE_BANDS = ((0, 9), (10, 49), (50, 249), (250, None))


def band_label(low: int, high: int | None) -> str:
    """'up to 9 employees', '10-49 employees', '250 or more employees'."""
    if high is None:
        return f"{low:,} or more employees"
    if not low:
        return f"up to {high:,} employees"
    return f"{low:,}-{high:,} employees"


def counted(number: int, noun: str, plural: str = "") -> str:
    """'1 firm', '1,000 firms': a count and its noun, singular or plural (the templates use
    Django's pluralize)."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


# Where a table gives no size class: the last row of the size-class table.
SIZE_CLASS_NOT_GIVEN = "not given"
LARGE_FIRM_EMPLOYEES = 250

# Tolerances for "the summary and the table agree". A survey seldom covers every firm and a
# register counts some that the study's summary leaves out, so counts may differ by 10 %;
# export shares by 5 percentage points (the summary is often rounded, or weighted otherwise).
COUNT_TOLERANCE = 0.10
SHARE_TOLERANCE_POINTS = 5.0


def _band_filter(low: int, high: int | None) -> Q:
    q = Q(employees__gte=low)
    return q & Q(employees__lte=high) if high is not None else q


def summarise(table: FirmTable) -> dict:
    records = table.records.all()
    weighted = Cast("export_share", FloatField()) * Cast("output", FloatField())
    both = Q(export_share__isnull=False, output__isnull=False)
    totals = records.aggregate(
        firms=Count("source_row"),
        with_employees=Count("source_row", filter=Q(employees__isnull=False)),
        employee_total=Sum("employees"),
        with_share=Count("source_row", filter=Q(export_share__isnull=False)),
        mean_share=Avg("export_share"),
        weighted_sum=Sum(weighted, filter=both),
        weight=Sum(Cast("output", FloatField()), filter=both),
        firm_tie_total=Sum("firm_tie_count"),
        institution_tie_total=Sum("institution_tie_count"),
        with_firm_ties=Count("source_row", filter=Q(firm_tie_count__gt=0)),
        with_institution_ties=Count("source_row", filter=Q(institution_tie_count__gt=0)),
        isolated=Count("source_row", filter=Q(firm_tie_count=0, institution_tie_count=0)),
        large=Count("source_row", filter=Q(employees__gte=LARGE_FIRM_EMPLOYEES)),
        **{
            f"band_{n}": Count("source_row", filter=_band_filter(low, high))
            for n, (low, high) in enumerate(EMPLOYEE_BANDS)
        },
    )
    firms = totals["firms"] or 0
    weighted_share = totals["weighted_sum"] / totals["weight"] if totals["weight"] else None
    return {
        "firms": firms,
        "with_employees": totals["with_employees"],
        "employees": totals["employee_total"],
        "bands": [
            {"band": band_label(low, high), "firms": totals[f"band_{n}"]}
            for n, (low, high) in enumerate(EMPLOYEE_BANDS)
        ],
        "size_classes": _size_classes(table, records),
        "with_share": totals["with_share"],
        "mean_export_share": _float(totals["mean_share"]),
        "weighted_export_share": weighted_share,
        "firm_ties": totals["firm_tie_total"] or 0,
        "institution_ties": totals["institution_tie_total"] or 0,
        "ties_per_firm": (
            ((totals["firm_tie_total"] or 0) + (totals["institution_tie_total"] or 0)) / firms
            if firms
            else None
        ),
        "with_firm_ties": totals["with_firm_ties"],
        "with_institution_ties": totals["with_institution_ties"],
        "isolated": totals["isolated"],
        "large": totals["large"],
    }


def _size_classes(table: FirmTable, records) -> list[dict]:
    """Firms by size class: a case's classes in the case's own order, by their names (with
    none for a class no firm is in, unless it is another cluster's); then keys the owner does
    not define (an assessment's free text), most firms first; then the firms whose size class
    is blank, as "not given", so the rows sum to the table's firms. Empty when no firm gives
    a size class."""
    counts = dict(records.values_list("size_class").annotate(firms=Count("source_row")).order_by())
    not_given = counts.pop("", 0)
    if not counts:
        return []
    rows = []
    if table.case_id:
        for size in table.case.size_classes.all():  # CaseItem's order: the source's
            of_table = table.cluster_id is None or size.cluster_id in {None, table.cluster_id}
            if of_table or size.key in counts:
                rows.append({"key": size.key, "label": size.name, "firms": counts.pop(size.key, 0)})
    rows += [
        {"key": key, "label": key, "firms": firms}
        for key, firms in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    if not_given:
        rows.append({"key": "", "label": SIZE_CLASS_NOT_GIVEN, "firms": not_given})
    return rows


def _float(value) -> float | None:
    return float(value) if isinstance(value, (Decimal, int, float)) else None


@dataclass(frozen=True)
class Check:
    what: str
    stated: float
    derived: float
    agrees: bool
    note: str = ""


def _count_agrees(stated: float, derived: float, qualifier: str = "exact") -> bool:
    low, high = stated * (1 - COUNT_TOLERANCE), stated * (1 + COUNT_TOLERANCE)
    if qualifier == Figure.Qualifier.OVER:
        return derived >= low
    if qualifier in {Figure.Qualifier.UNDER, Figure.Qualifier.UP_TO}:
        return derived <= high
    return low <= derived <= high


def _share_agrees(stated: float, derived: float) -> bool:
    return abs(stated - derived) <= SHARE_TOLERANCE_POINTS


def check_summary(table: FirmTable, summary: dict) -> list[Check]:
    """The owner's own numbers beside the table's: a Check per number both give."""
    share = summary["weighted_export_share"]
    share_note = "weighted by output"
    if share is None:
        share, share_note = summary["mean_export_share"], "mean of firms"
    checks = []
    if table.assessment_id:
        assessment = table.assessment
        if assessment.producer_count is not None:
            checks.append(_producer_check(table, assessment))
        named_large = [line for line in assessment.large_firms.splitlines() if line.strip()]
        if named_large and summary["with_employees"]:
            checks.append(
                _count_check(
                    f"Large firms ({LARGE_FIRM_EMPLOYEES}+ employees)",
                    len(named_large),
                    summary["large"],
                )
            )
        if assessment.export_share is not None and share is not None:
            stated = float(assessment.export_share)
            checks.append(
                Check("Export share (%)", stated, share, _share_agrees(stated, share), share_note)
            )
        return checks
    figures = Figure.objects.filter(
        case=table.case_id,
        scope=Figure.Scope.CLUSTER,
        size_class__isnull=True,
        institution__isnull=True,
        market__isnull=True,
        firm__isnull=True,
    )
    if table.cluster_id:
        figures = figures.filter(cluster=table.cluster_id)
    cluster_wide = figures.filter(actor_group__isnull=True)
    # A firm table is today's survey or register: it is checked against the case's latest count
    # of firms (a headline first), not against every count in the cluster's history (1931's
    # 5, 1953's "over 100" knitting firms are no summary of it).
    # Papers count firms as "firms" or as "units" (Tiruppur's 1993 "about 2,500 knitwear and
    # garment making units"), of the whole cluster or of its producers; a count of one kind of
    # stage unit (printing units) or of a size class is not the count of the table's firms.
    counts = (
        figures.filter(metric=Figure.Metric.COUNT, unit__in=[Figure.Unit.FIRMS, Figure.Unit.UNITS])
        .filter(Q(actor_group__isnull=True) | Q(actor_group__role=ActorGroup.Role.PRODUCER))
        .select_related("actor_group")
        .order_by("-headline", F("year").desc(nulls_last=True), "pk")[:1]
    )
    if not table.cluster_id and table.case.clusters.count() > 1:
        counts = []  # one cluster's count is no summary of a table over several
    for figure in counts:
        stated = float(figure.value)
        derived, note = summary["firms"], ""
        if figure.actor_group_id:
            derived, note = _firms_of_group(table, figure.actor_group, summary["firms"])
        cited = f"{figure.citation or 'paper'}, lines {figure.line_from}-{figure.line_to}"
        checks.append(
            Check(
                f"{figure.label} ({figure.display_value}"
                f"{f', {figure.year}' if figure.year else ''})",
                stated,
                derived,
                _count_agrees(stated, derived, figure.qualifier),
                f"{note}; {cited}" if note else cited,
            )
        )
    if share is not None:
        for figure in cluster_wide.filter(
            metric__in=[Figure.Metric.EXPORT_SHARE, Figure.Metric.OUTPUT_EXPORTED],
            unit=Figure.Unit.PERCENT,
        ).order_by("-headline", F("year").desc(nulls_last=True))[:1]:
            stated = float(figure.value)
            checks.append(
                Check(
                    figure.label,
                    stated,
                    share,
                    _share_agrees(stated, share),
                    f"{share_note}; paper lines {figure.line_from}-{figure.line_to}",
                )
            )
    return checks


def _firms_of_group(table: FirmTable, group, firms: int) -> tuple[int, str]:
    """The table's firms a count of one producer group compares with: those of the group, or
    all of them when the table gives no firm a group."""
    counts = table.records.aggregate(
        of_group=Count("source_row", filter=Q(group=group.key)),
        no_group=Count("source_row", filter=Q(group="")),
    )
    if counts["no_group"] == firms:
        return firms, f"a count of {group.name}; the table gives no firm a group: all counted"
    return counts["of_group"], (
        f"firms of the group {group.name}; {counted(counts['no_group'], 'firm')} with no group"
    )


def _producer_check(table: FirmTable, assessment) -> Check:
    """The officer's producer count against the firms of the table in a producer group: a
    table of producers, suppliers and firms of no group is not 300 producers."""
    producer_groups = [
        group.name for group in assessment.groups.all() if group.role == ActorGroup.Role.PRODUCER
    ]
    counts = table.records.aggregate(
        producers=Count("source_row", filter=Q(group__in=producer_groups)),
        no_group=Count("source_row", filter=Q(group="")),
        firms=Count("source_row"),
    )
    if counts["no_group"] == counts["firms"]:
        # A table without a group column: its firms are all there is to count, and the note
        # says so (counting none of them would only say the column is missing).
        derived, note = counts["firms"], "the table gives no firm a group: all its firms counted"
    else:
        derived = counts["producers"]
        note = (
            f"firms in producer groups ({', '.join(producer_groups) or 'none'}); "
            f"{counted(counts['no_group'], 'firm')} with no group, "
            f"{counted(counts['firms'] - counts['producers'] - counts['no_group'], 'firm')} "
            "in other groups"
        )
    return Check(
        "Producers",
        assessment.producer_count,
        derived,
        _count_agrees(assessment.producer_count, derived),
        note,
    )


def _count_check(what: str, stated: int, derived: int) -> Check:
    return Check(what, stated, derived, _count_agrees(stated, derived))
