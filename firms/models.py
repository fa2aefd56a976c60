"""Firm-level tables: one uploaded survey or register (FirmTable) and its rows (FirmRecord).

The Source model does not exist yet (issue 11, "Sources"), so a table names its source in
words: the citation, the sheet and a provenance note; each row keeps the row number of the
file it came from, so every derived number points back at the source and its rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStudy, Cluster
from checklist.models import Assessment

UPLOAD_TO = "firm_tables/%Y/%m/"


class FirmTableQuerySet(models.QuerySet):
    def for_user(self, user):
        """What a user may see: admins all; everyone else the tables of the assessments they
        may see (the case library's tables are read on the case pages by admins for now)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(assessment__in=Assessment.objects.for_user(user))

    def editable_by(self, user):
        """Who may upload or replace: admins for cases, officers for their own assessments."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(assessment__in=Assessment.objects.editable_by(user))


class FirmTable(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    # Exactly one owner: a case of the library or an officer's assessment (constraint below).
    case = models.ForeignKey(
        CaseStudy, on_delete=models.CASCADE, null=True, blank=True, related_name="firm_tables"
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="firm_tables",
        help_text="The case's cluster the firms belong to, where the table covers one.",
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="firm_tables"
    )
    title = models.CharField(max_length=200, help_text="What the table is, in a phrase.")
    # Provenance, in words until the Source model exists.
    citation = models.TextField(help_text="The source: survey or register, author, year.")
    sheet = models.CharField(
        max_length=100, blank=True, help_text="Workbook sheet to read; blank = the first."
    )
    provenance_note = models.TextField(blank=True, help_text="How the rows were collected.")

    # The file of record: the one the stored rows came from (until a file has been imported,
    # the last one sent), who sent it and when.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="firm_tables"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    file = models.FileField(upload_to=UPLOAD_TO, help_text="The file as uploaded.")
    file_name = models.CharField(
        max_length=255, help_text="The file's name on the uploader's disk."
    )
    # A file sent to replace the rows, kept here while it is checked: the file of record stays
    # until the new one's rows have replaced them (services.replace_firm_file).
    new_file = models.FileField(upload_to=UPLOAD_TO, blank=True)
    new_file_name = models.CharField(max_length=255, blank=True)
    new_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    new_uploaded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, 0-100.")
    rows_read = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0, help_text="Rows stored by the last import.")
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"errors": [{"row", "column", "message"}...], "error_count", "rows", "seconds", ...}
    report = models.JSONField(default=dict, blank=True)

    objects = FirmTableQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(assessment__isnull=True))
                | (Q(case__isnull=True) & Q(assessment__isnull=False)),
                name="firms_table_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(cluster__isnull=True) | Q(case__isnull=False),
                name="firms_table_cluster_only_for_cases",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="firms_progress_0_100"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("firms:detail", args=[self.pk])

    @property
    def owner(self):
        """The case or the assessment the table belongs to. Whoever may see the table may see
        its owner's page (FirmTableQuerySet.for_user: a case's tables are shown to admins, an
        assessment's to those who may see the assessment)."""
        return self.case or self.assessment

    @property
    def owner_label(self) -> str:
        return str(self.owner)


class BuyerType(models.TextChoices):
    """A firm's main buyer, as surveys of clusters ask it."""

    DOMESTIC_RETAIL = "domestic_retail", "Domestic retailers or consumers"
    DOMESTIC_FIRMS = "domestic_firms", "Other domestic firms"
    LOCAL_CLUSTER = "local_cluster", "Firms in the same cluster"
    FOREIGN_BUYERS = "foreign_buyers", "Foreign buyers or agents"
    GOVERNMENT = "government", "Government"
    MIXED = "mixed", "No main buyer"


class FirmRecord(models.Model):
    """One firm of a survey or register. Cluster, group and size class hold the case's keys
    (checked on import), kept as text so a million rows load without a key lookup each."""

    # No database foreign key: on PostgreSQL its check is a trigger fired once per row at
    # commit (a lookup of the same parent a million times, a fifth of a large import's time).
    # What it guards is kept otherwise: the importer holds the parent row (FOR KEY SHARE, the
    # very lock that trigger takes) while it writes, rows are only written by the importer
    # with its own table's id, and Django's ORM cascade still deletes a table's rows with it.
    # No index of its own: the primary key (table, source_row) starts with table_id and
    # serves every "rows of this table" query.
    table = models.ForeignKey(
        FirmTable,
        on_delete=models.CASCADE,
        related_name="records",
        db_index=False,
        db_constraint=False,
    )
    source_row = models.PositiveIntegerField(help_text="Row of the uploaded file (header = 1).")
    # A row is its table and its row of the file: the primary key, and the one index. No
    # surrogate id: its sequence and its own index would be filled for every row of a
    # million-row import (a fifth of the database's work in the COPY) and serve no query.
    pk = models.CompositePrimaryKey("table", "source_row")
    identifier = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    # A case's cluster key, or the assessment's name (the cluster it describes): as long as
    # the longer of the two.
    cluster = models.CharField(max_length=160, blank=True)
    group = models.CharField(max_length=160, blank=True)
    size_class = models.CharField(max_length=80, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    founding_year = models.PositiveSmallIntegerField(null=True, blank=True)
    output = models.DecimalField(
        max_digits=20, decimal_places=2, null=True, blank=True, help_text="Output or sales."
    )
    export_share = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    buyer_type = models.CharField(max_length=16, choices=BuyerType.choices, blank=True)
    memberships = models.TextField(blank=True, help_text="Associations, ';'-separated.")
    firm_ties = models.TextField(blank=True, help_text="Identifiers of firms, ';'-separated.")
    institution_ties = models.TextField(blank=True, help_text="Institutions, ';'-separated.")
    # Counted on import from the two lists, so tie patterns are plain SUM/AVG queries.
    firm_tie_count = models.PositiveIntegerField(default=0)
    institution_tie_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["table", "source_row"]
        constraints = [
            # Identifiers are unique within a table, proven by the importer (the only writer)
            # over the whole file before anything commits: a database unique index on them
            # would be filled in random order (identifiers do not follow the file's order)
            # and cost more than reading and checking the file. The primary key's index is
            # filled in order, row after row, and serves the ordering and per-table queries.
            models.CheckConstraint(
                condition=Q(export_share__isnull=True)
                | Q(export_share__gte=0, export_share__lte=100),
                name="firms_record_export_share_0_100",
            ),
        ]

    def __str__(self):
        return self.identifier
