"""The case rows a firm table's rows name by key, and the refusal to delete one still named.

A firm row holds its cluster, actor group and size class as the case's keys, in text (a
million rows load without a key lookup each; see FirmRecord). Text has no foreign key, so
nothing in the database stops a case row from being deleted while firm rows still name it.
The library's own ways of deleting one (an uploaded bundle that leaves the row out, the undo
of an import, the admin's delete page) ask `naming` first and refuse, saying which firm table
names it; `orphans` finds what was deleted some other way (`manage.py check --database
default`). Refusal rather than a cascade: firm rows come from a survey or register file, and
deleting a group must not quietly delete the firms of a survey, nor blank what the file said.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef

from cases.models import ActorGroup, Cluster, SizeClass
from checklist.models import AssessmentGroup

from .models import FirmRecord, FirmTable

# The case models a firm row names, and the firm-row column that names them.
KEY_COLUMNS = {Cluster: "cluster", ActorGroup: "group", SizeClass: "size_class"}


@dataclass(frozen=True)
class Naming:
    row: object  # the case row (a Cluster, ActorGroup or SizeClass)
    table: str  # the firm table's title
    firms: int  # how many of its rows name the case row
    first_row: int  # the first of them, as the file numbers rows

    def __str__(self) -> str:
        what = self.row._meta.verbose_name
        return (
            f"{self.firms:,} firm row(s) of the firm table '{self.table}' (first on row "
            f"{self.first_row}) name the {what} '{self.row.key}'; deleting it would leave them "
            "naming nothing. Replace that table's file with one that does not name it, or "
            "delete the firm table, first."
        )


def naming(rows) -> list[Naming]:
    """The firm rows that name any of these case rows, per case row and firm table. A
    cluster's own firm tables (FirmTable.cluster) are deleted with it and do not count.
    One query per kind of row given."""
    found = []
    for model, column in KEY_COLUMNS.items():
        doomed = {(row.case_id, row.key): row for row in rows if type(row) is model}
        if not doomed:
            continue
        records = FirmRecord.objects.filter(
            table__case_id__in={case for case, _ in doomed},
            **{f"{column}__in": {key for _, key in doomed}},
        )
        if model is Cluster:
            records = records.exclude(table__cluster_id__in=[row.pk for row in doomed.values()])
        summary = (
            records.values("table__case_id", column, "table__title")
            .annotate(firms=Count("source_row"), first_row=Min("source_row"))
            .order_by("table__case_id", column, "table__title")
        )
        for entry in summary:
            row = doomed.get((entry["table__case_id"], entry[column]))
            if row is not None:  # a key of another case with the same spelling is not it
                found.append(Naming(row, entry["table__title"], entry["firms"], entry["first_row"]))
    return found


def orphans() -> list[str]:
    """Firm rows naming what is not there: a table that is gone, or a key its case no longer
    has (for an assessment's table, a group the assessment no longer has). In words."""
    problems = []
    gone = FirmRecord.objects.exclude(Exists(FirmTable.objects.filter(pk=OuterRef("table_id"))))
    count = gone.count()
    if count:
        problems.append(f"{count:,} firm row(s) belong to a firm table that no longer exists.")
    case_rows = FirmRecord.objects.filter(table__case__isnull=False)
    for model, column in KEY_COLUMNS.items():
        named = model.objects.filter(case_id=OuterRef("table__case_id"), key=OuterRef(column))
        missing = case_rows.exclude(**{column: ""}).exclude(Exists(named))
        for entry in missing.values("table__title", column).annotate(firms=Count("source_row"))[
            :20
        ]:
            problems.append(
                f"{entry['firms']:,} firm row(s) of '{entry['table__title']}' name the "
                f"{model._meta.verbose_name} '{entry[column]}', which its case no longer has."
            )
    groups = AssessmentGroup.objects.filter(
        assessment_id=OuterRef("table__assessment_id"), name=OuterRef("group")
    )
    missing = (
        FirmRecord.objects.filter(table__assessment__isnull=False)
        .exclude(group="")
        .exclude(Exists(groups))
    )
    for entry in missing.values("table__title", "group").annotate(firms=Count("source_row"))[:20]:
        problems.append(
            f"{entry['firms']:,} firm row(s) of '{entry['table__title']}' name the group "
            f"'{entry['group']}', which its assessment no longer has."
        )
    return problems
