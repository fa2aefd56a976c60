"""The case library: the paper's five case studies as structured data.

Provenance is part of the schema: every row that states something taken from the paper carries
the paper's line range, a verbatim passage from those lines, the paper's own citation where it
gives one, and how sure the reading is. Database constraints keep the fields present; `clean()`
checks the passage against the paper itself.
"""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from . import fidelity
from .paper import Paper, normalise, paper_from_text, stated_numbers

YEAR_MIN, YEAR_MAX = 1800, 2100


class Confidence(models.TextChoices):
    CERTAIN = "certain", "Certain"
    LIKELY = "likely", "Likely"
    AMBIGUOUS = "ambiguous", "Ambiguous"


PAPER_SLUG = "paper"


class Passages(models.TextChoices):
    """What a source's passages are. A passage is verbatim unless its source says otherwise;
    only a source whose text is not stored may say otherwise (with the text stored, every
    passage is checked against it, and a summary could not be)."""

    QUOTED = "quoted", "Quoted verbatim"
    SUMMARY = "summary", "The editor's summaries, not quotations"


# What a passage is, as the API says it (Cited.passage_kind): what its source says it is,
# except that a quotation found in the source's stored text is "checked".
PASSAGE_CHECKED = "checked"


class SourceManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def paper(self) -> "Source":
        """The review paper, the library's first source. Made again from the shipped text if
        it is missing (a test database flushed between tests has lost its migration rows)."""
        paper = self.filter(slug=PAPER_SLUG).first()
        if paper is None:
            paper = self.create(
                **PAPER_SOURCE, text=Path(settings.PAPER_PATH).read_text(encoding="utf-8")
            )
        return paper


class Source(models.Model):
    """Where library facts come from: the review paper, or a study, report, dataset, survey or
    field notes it does not cover. With its text stored, passages are checked verbatim against
    the cited lines; without it, each fact gives a locator (page, section, table, sheet, row)."""

    class Kind(models.TextChoices):
        JOURNAL_ARTICLE = "journal_article", "Journal article"
        BOOK_CHAPTER = "book_chapter", "Book chapter"
        REPORT = "report", "Report"
        DATASET = "dataset", "Dataset"
        SURVEY = "survey", "Survey"
        FIELD_NOTES = "field_notes", "Field notes"

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    short_title = models.CharField(
        max_length=80, help_text="How a fact's citation names the source, e.g. 'Review paper'."
    )
    authors = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    publisher = models.CharField(max_length=300, blank=True, help_text="Publisher or journal.")
    doi = models.CharField(max_length=200, blank=True, verbose_name="DOI")
    url = models.URLField(max_length=500, blank=True, verbose_name="URL")
    licence = models.CharField(max_length=200, blank=True)
    text = models.TextField(
        blank=True,
        help_text="The full text, one line per line, where it may be stored; cited passages "
        "are then checked against it.",
    )
    passages = models.CharField(
        max_length=8,
        choices=Passages.choices,
        default=Passages.QUOTED,
        help_text="Whether the facts' passages quote the source verbatim or are the editor's "
        "summaries of it (only for a source whose text is not stored).",
    )
    note = models.TextField(blank=True)

    objects = SourceManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX),
                name="cases_source_year_plausible",
            ),
            # A source with stored text has its passages checked against it: it cannot also
            # say they are summaries, which no check could hold to the text.
            models.CheckConstraint(
                condition=Q(passages=Passages.QUOTED) | Q(text=""),
                name="cases_source_summaries_without_text",
            ),
        ]

    def __str__(self):
        return self.short_title

    def get_absolute_url(self):
        from django.urls import reverse

        # The paper keeps its old address, which pages and API clients already link to.
        if self.slug == PAPER_SLUG:
            return reverse("cases:paper")
        return reverse("cases:source", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def in_words(self) -> str:
        """How a message names the source: "the paper" for the review paper."""
        return "the paper" if self.slug == PAPER_SLUG else f"'{self.short_title}'"

    @property
    def has_text(self) -> bool:
        return bool(self.text) and not self.text.isspace()  # no copy of a whole document

    @property
    def summarised(self) -> bool:
        """Whether the facts' passages are the editor's summaries, not quotations."""
        return self.passages == Passages.SUMMARY

    def clean(self):
        errors = _parent_errors(super().clean)
        if self.summarised and self.has_text:
            _add_errors(
                errors,
                {
                    "passages": f"{self.in_words[:1].upper()}{self.in_words[1:]} has its text "
                    "stored, so its passages are quoted and checked against it; a summary "
                    "cannot be. Quote the text, or leave the text out."
                },
            )
        if errors:
            raise ValidationError(errors)

    @property
    def document(self) -> Paper:
        """The stored text as numbered lines (parsed once per text)."""
        return paper_from_text(self.text)


PAPER_SOURCE = {
    "slug": PAPER_SLUG,
    "title": "Small and medium enterprises in industrial clusters and networks: "
    "a review of five case studies",
    "short_title": "Review paper",
    "kind": Source.Kind.REPORT,
    "note": "The review paper the library was first built from (fixtures/paper.txt, a text "
    "extraction of a PDF). Its own citations of primary studies stay on each fact.",
}


def paper_source_pk() -> int:
    """The default source of a fact: the review paper."""
    # Only the id is read: migrations that rebuild a table (SQLite) call this default with the
    # schema of their time, which lacks Source columns added later.
    pk = Source.objects.filter(slug=PAPER_SLUG).values_list("pk", flat=True).first()
    return pk if pk is not None else Source.objects.paper().pk


def line_span(rows) -> tuple[int, int] | None:
    """The lines from the first to the last cited by several rows of one source (rows located
    by a locator, in a source without stored text, have none)."""
    numbered = [row for row in rows if row.line_from is not None]
    if not numbered:
        return None
    return min(r.line_from for r in numbered), max(r.line_to for r in numbered)


def _parent_errors(clean) -> dict[str, list]:
    """The errors a parent's clean() raises, by field, so that a model's own checks still run
    and every problem of a row is reported together (not the parent's alone)."""
    try:
        clean()
    except ValidationError as exc:
        return exc.update_error_dict({})
    return {}


def _add_errors(errors: dict[str, list], more: dict) -> None:
    """Add messages by field; a field with two problems keeps both."""
    for name, message in more.items():
        errors.setdefault(name, []).extend(message if isinstance(message, list) else [message])


class Cited(models.Model):
    """Where a row comes from: its source and, in it, a line range (a source with stored text)
    or a locator (page, table, sheet and row). Abstract: every library model inherits it."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        default=paper_source_pk,
        related_name="+",
        help_text="Where the fact comes from; the review paper unless another is named.",
    )
    line_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="First line of the source's text the row draws on."
    )
    line_to = models.PositiveIntegerField(
        null=True, blank=True, help_text="Last line of the source's text the row draws on."
    )
    locator = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where in a source without stored text: page, section, table, sheet and row.",
    )
    passage = models.TextField(
        help_text="Verbatim from the source; separate excerpts with ' … '.",
    )
    citation = models.CharField(
        max_length=200,
        blank=True,
        help_text="The source's own citation, e.g. 'Schmitz 1995a:14', where it gives one.",
    )
    confidence = models.CharField(
        max_length=10, choices=Confidence.choices, default=Confidence.CERTAIN
    )
    note = models.TextField(
        blank=True,
        help_text="Required unless certain: what is ambiguous or garbled, and the other readings.",
    )

    class Meta:
        abstract = True
        constraints = [
            # Lines where the source's text is stored, a locator where it is not (which of the
            # two applies needs the source, so clean() checks that; the database checks that
            # one of them is given).
            models.CheckConstraint(
                condition=(Q(line_from__isnull=True, line_to__isnull=True) & ~Q(locator=""))
                | (Q(line_from__gte=1) & Q(line_to__gte=models.F("line_from"))),
                name="%(app_label)s_%(class)s_line_range",
            ),
            models.CheckConstraint(
                condition=~Q(passage=""), name="%(app_label)s_%(class)s_passage_present"
            ),
            models.CheckConstraint(
                condition=Q(confidence="certain")
                | (Q(confidence__in=["likely", "ambiguous"]) & ~Q(note="")),
                name="%(app_label)s_%(class)s_uncertainty_explained",
            ),
        ]

    @property
    def lines_label(self) -> str:
        if self.line_from is None:
            return self.locator
        if self.line_from == self.line_to:
            return f"line {self.line_from}"
        return f"lines {self.line_from}–{self.line_to}"

    @property
    def reader_url(self) -> str:
        """The cited lines highlighted in the source's reader; the source's page (or its own
        address) where its text is not stored."""
        source = self.source
        if self.line_from is None:
            return source.url or source.get_absolute_url()
        return (
            f"{source.get_absolute_url()}?from={self.line_from}&to={self.line_to}#L{self.line_from}"
        )

    @property
    def passage_kind(self) -> str:
        """What the passage is, as the API and the case page say: quoted and checked against
        the source's stored text, quoted (the text is not stored to check it against), or the
        editor's summary."""
        source = self.source
        if source.summarised:
            return Passages.SUMMARY.value
        stored = vars(self).get("source_text_stored")  # annotated by `_cited`: text deferred
        if stored is None:
            stored = source.has_text
        return PASSAGE_CHECKED if stored else Passages.QUOTED.value

    @property
    def where_label(self) -> str:
        """The fact's source and place in it, as every page and download names it."""
        return f"{self.source.short_title}, {self.lines_label}"

    def clean(self):
        super().clean()
        errors = {}
        source = self.source if self.source_id else None
        if source is not None and source.has_text:
            errors.update(self._text_errors(source))
        elif source is not None:
            if self.line_from is not None or self.line_to is not None:
                errors["line_from"] = (
                    f"{source.in_words} has no stored text to number lines in; "
                    "give a locator (page, section, table, sheet and row) instead."
                )
            elif not self.locator.strip():
                errors["locator"] = (
                    f"{source.in_words} has no stored text: say where the passage is "
                    "(page, section, table, sheet and row)."
                )
            if not errors:
                errors.update(
                    fidelity.quotation_errors(
                        passage=self.passage, source=source.in_words, summary=source.summarised
                    )
                )
        if self.confidence != Confidence.CERTAIN and not self.note.strip():
            errors["note"] = "Say what is uncertain when the confidence is not 'certain'."
        errors.update(fidelity.reading_errors(confidence=self.confidence, note=self.note))
        if errors:
            raise ValidationError(errors)

    def _text_errors(self, source: "Source") -> dict:
        if self.line_from is None or self.line_to is None:
            return {"line_from": f"Give the lines of {source.in_words} the row draws on."}
        if self.locator:
            return {"locator": "The lines locate the passage; leave the locator empty."}
        paper = source.document
        if self.line_to < self.line_from:
            return {"line_to": "The last line comes before the first line."}
        if self.line_to > paper.line_count:
            return {
                "line_to": f"{source.in_words[:1].upper()}{source.in_words[1:]} has only "
                f"{paper.line_count} lines."
            }
        if not self.passage:
            return {}
        missing = paper.missing_excerpts(self.passage, self.line_from, self.line_to)
        if missing:
            return {
                "passage": f"Not found verbatim in {self.lines_label} of {source.in_words}: "
                + "; ".join(repr(m.strip()[:80]) for m in missing)
            }
        # Only a passage found in its lines can be checked for where its citation sits;
        # otherwise that would be a second, misleading error.
        return fidelity.citation_errors(
            citation=self.citation,
            passage=self.passage,
            paper=paper,
            line_from=self.line_from,
            line_to=self.line_to,
        )


def _cited(model: type[models.Model], *related: str) -> models.QuerySet:
    """A cited model's rows with their source joined: every fact shows its source's name.
    Not its text: the join makes a Source per row, and with the paper's 0.6 MB text each a
    case's rows came to 50 MB (in every query's result, in memory, and pickled in the cache).
    Whether the source has text (which `passage_kind` says) comes with each row instead: an
    equality with "" that neither database answers by reading the text."""
    return _with_source(model.objects.all(), *related)


def _with_source(rows: models.QuerySet, *related: str) -> models.QuerySet:
    return (
        rows.select_related("source", *related)
        .defer("source__text")
        .annotate(
            source_text_stored=models.ExpressionWrapper(
                ~Q(source__text=""), output_field=models.BooleanField()
            )
        )
    )


class CaseStudyQuerySet(models.QuerySet):
    def with_library(self):
        """Everything a case page or the case API shows, in a fixed number of queries."""
        return _with_source(self).prefetch_related(
            models.Prefetch("clusters", _cited(Cluster)),
            models.Prefetch("size_classes", _cited(SizeClass, "cluster")),
            models.Prefetch("actor_groups", _cited(ActorGroup, "cluster", "size_class")),
            models.Prefetch("firms", _cited(Firm, "cluster", "group", "market")),
            models.Prefetch("institutions", _cited(Institution, "cluster")),
            models.Prefetch("markets", _cited(Market, "cluster")),
            models.Prefetch(
                "linkages",
                _cited(
                    Linkage,
                    "cluster",
                    "from_group",
                    "from_institution",
                    "to_group",
                    "to_institution",
                ),
            ),
            models.Prefetch("history", _cited(HistoryEvent, "cluster")),
            models.Prefetch(
                "figures",
                _cited(
                    Figure,
                    "cluster",
                    "actor_group",
                    "size_class",
                    "institution",
                    "market",
                    "firm",
                ),
            ),
            models.Prefetch("conclusions", _cited(Conclusion)),
            models.Prefetch("policy", _cited(PolicySetting)),
        )

    def for_comparison(self):
        """What the compare page reads (scorecard, table, charts), in a fixed number of queries.

        A lighter `with_library()`: no firms, and figures without the related rows the
        comparison only checks by id. Size classes and history feed the size-structure chart
        (history holds the Sinos 1971 gap). Every row with its source, which cells name."""
        return _with_source(self).prefetch_related(
            models.Prefetch("clusters", _cited(Cluster)),
            models.Prefetch("size_classes", _cited(SizeClass)),
            models.Prefetch("history", _cited(HistoryEvent, "cluster")),
            models.Prefetch("actor_groups", _cited(ActorGroup)),
            models.Prefetch("institutions", _cited(Institution)),
            models.Prefetch("markets", _cited(Market)),
            models.Prefetch(
                "linkages",
                _cited(Linkage, "from_group", "from_institution", "to_group", "to_institution"),
            ),
            models.Prefetch(
                "figures", _cited(Figure, "cluster", "actor_group", "size_class__cluster")
            ),
            models.Prefetch("conclusions", _cited(Conclusion)),
            models.Prefetch("policy", _cited(PolicySetting)),
        )

    def for_cards(self):
        """The case list: each case with its clusters and headline figures."""
        return self.prefetch_related(
            "clusters",
            models.Prefetch(
                "figures",
                _cited(Figure, "cluster").filter(headline=True),
                to_attr="headline_figures",
            ),
        )


class CaseStudyManager(models.Manager.from_queryset(CaseStudyQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class CaseStudy(Cited):
    class Kind(models.TextChoices):
        CLUSTER = "cluster", "Industrial cluster"
        NETWORK = "network", "Industrial network"

    slug = models.SlugField(unique=True)
    position = models.PositiveSmallIntegerField(help_text="Order in the paper (1-5).")
    title = models.CharField(max_length=200, help_text="The case study's heading in the paper.")
    short_title = models.CharField(max_length=80)
    country = models.CharField(max_length=80)
    world_region = models.CharField(max_length=80)
    sector = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    summary = models.TextField()
    studies = models.CharField(
        max_length=300, help_text="The primary studies the paper reviews for this case."
    )

    objects = CaseStudyManager()

    class Meta(Cited.Meta):
        ordering = ["position"]
        verbose_name_plural = "case studies"

    def __str__(self):
        return self.short_title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class CaseItemManager(models.Manager):
    def get_by_natural_key(self, case_slug, key):
        return self.get(case__slug=case_slug, key=key)


class CaseItem(Cited):
    """A row belonging to one case study, named by a key unique within that case."""

    key = models.SlugField(max_length=80, help_text="Unique within the case; used in URLs and API.")

    objects = CaseItemManager()

    class Meta(Cited.Meta):
        abstract = True
        ordering = ["id"]

    def __str__(self):
        return f"{self.key}"

    def natural_key(self):
        return (self.case.slug, self.key)

    natural_key.dependencies = ["cases.casestudy"]

    def clean(self):
        errors = _parent_errors(super().clean)
        cluster = getattr(self, "cluster", None)
        if cluster is not None and self.case_id and cluster.case_id != self.case_id:
            _add_errors(errors, {"cluster": "The cluster belongs to another case study."})
        if errors:
            raise ValidationError(errors)


def _unique_key(model_name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["case", "key"], name=f"cases_{model_name}_unique_key")


class Cluster(CaseItem):
    """A cluster or network within a case study (Leon and Guadalajara are two in one case)."""

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=CaseStudy.Kind.choices)
    location = models.CharField(max_length=200)
    sector = models.CharField(max_length=120)
    products = models.TextField(blank=True)
    description = models.TextField()

    class Meta(CaseItem.Meta):
        constraints = [*Cited.Meta.constraints, _unique_key("cluster")]

    def __str__(self):
        return self.name


class SizeClass(CaseItem):
    """A firm size class as the case's own source defines it (definitions differ by case)."""

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="size_classes")
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="size_classes"
    )
    name = models.CharField(max_length=60)
    min_employees = models.PositiveIntegerField(null=True, blank=True)
    max_employees = models.PositiveIntegerField(null=True, blank=True)
    definition = models.CharField(max_length=200, help_text="The definition in the paper's words.")

    class Meta(CaseItem.Meta):
        verbose_name_plural = "size classes"
        constraints = [
            *Cited.Meta.constraints,
            _unique_key("sizeclass"),
            models.CheckConstraint(
                condition=Q(min_employees__isnull=True)
                | Q(max_employees__isnull=True)
                | Q(max_employees__gte=models.F("min_employees")),
                name="cases_sizeclass_bounds_ordered",
            ),
        ]

    def __str__(self):
        return self.name


class ActorGroup(CaseItem):
    """A group of actors in a cluster: producers, stage units, suppliers, agents, ..."""

    class Role(models.TextChoices):
        PRODUCER = "producer", "Producers"
        STAGE_UNIT = "stage_unit", "Stage units and subcontractors"
        SUPPLIER = "supplier", "Input and component suppliers"
        MACHINERY = "machinery", "Machinery makers and repairers"
        # Who sells for the firms, by market: point 4's interface is with external buyers and
        # export agents (engine.criteria.EXPORT_MARKET_ROLES); a domestic wholesaler is not one.
        EXPORT_AGENT = "export_agent", "Export agents and export traders"
        BUYER = "buyer", "Foreign buyers and retailers (export markets)"
        DOMESTIC_BUYER = "domestic_buyer", "Domestic wholesalers, retailers and selling agents"
        SERVICE = "service", "Producer service providers"
        HOMEWORKER = "homeworker", "Homeworkers"
        OVERSEAS_BRANCH = "overseas_branch", "Overseas branches"
        OEM = "oem", "OEM firms"
        LEAD_FIRM = "lead_firm", "Large and lead firms"
        TNC = "tnc", "Transnational corporations"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="actor_groups")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="actor_groups")
    name = models.CharField(max_length=160)
    role = models.CharField(max_length=20, choices=Role.choices)
    size_class = models.ForeignKey(
        SizeClass, on_delete=models.PROTECT, null=True, blank=True, related_name="actor_groups"
    )
    description = models.TextField()

    class Meta(CaseItem.Meta):
        constraints = [*Cited.Meta.constraints, _unique_key("actorgroup")]

    def __str__(self):
        return self.name


class Market(CaseItem):
    class Kind(models.TextChoices):
        DOMESTIC = "domestic", "Domestic"
        EXPORT = "export", "Export"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="markets")
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="markets"
    )
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    destinations = models.CharField(max_length=300, blank=True)
    products = models.TextField(blank=True)
    competes_on_price = models.BooleanField(default=False)
    competes_on_quality = models.BooleanField(default=False)
    competes_on_fashion = models.BooleanField(default=False)
    competes_on_delivery = models.BooleanField(default=False)
    competition_note = models.TextField(
        blank=True, help_text="How the paper describes the basis of competition."
    )
    description = models.TextField()

    class Meta(CaseItem.Meta):
        constraints = [*Cited.Meta.constraints, _unique_key("market")]

    def __str__(self):
        return self.name

    @property
    def competition_bases(self) -> list[str]:
        flags = [
            ("price", self.competes_on_price),
            ("quality", self.competes_on_quality),
            ("fashion", self.competes_on_fashion),
            ("delivery", self.competes_on_delivery),
        ]
        return [name for name, on in flags if on]


class Firm(CaseItem):
    """A firm the paper names: a large producer, lead firm, public enterprise, TNC or buyer."""

    class Role(models.TextChoices):
        LARGE_PRODUCER = "large_producer", "Large producer"
        LEAD_FIRM = "lead_firm", "Lead firm"
        PUBLIC_ENTERPRISE = "public_enterprise", "Public-sector enterprise"
        CHAEBOL = "chaebol", "Chaebol"
        TNC = "tnc", "Transnational corporation"
        BUYER = "buyer", "Buyer or retailer"
        TRADER = "trader", "Trader or trading house"
        CONSORTIUM = "consortium", "SME consortium"

    class Ownership(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"
        FOREIGN = "foreign", "Foreign"
        UNKNOWN = "unknown", "Not stated"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="firms")
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="firms"
    )
    group = models.ForeignKey(
        ActorGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="firms"
    )
    market = models.ForeignKey(
        Market, on_delete=models.SET_NULL, null=True, blank=True, related_name="buyers"
    )
    name = models.CharField(max_length=160)
    role = models.CharField(max_length=20, choices=Role.choices)
    ownership = models.CharField(
        max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN
    )
    description = models.TextField()

    class Meta(CaseItem.Meta):
        constraints = [*Cited.Meta.constraints, _unique_key("firm")]

    def __str__(self):
        return self.name


class Institution(CaseItem):
    class Kind(models.TextChoices):
        TRADE_ASSOCIATION = "trade_association", "Trade association"
        BUSINESS_ASSOCIATION = "business_association", "Business association"
        TRADE_FAIR = "trade_fair", "Trade fair organisation"
        TRAINING = "training", "Training school or institute"
        TECHNOLOGY_CENTRE = "technology_centre", "Technology centre"
        STANDARDS = "standards", "Standards and testing body"
        CREDIT_UNION = "credit_union", "Credit union"
        EXPORT_PROMOTION = "export_promotion", "Export promotion council"
        RESEARCH = "research", "Research association or university"
        BUSINESS_CLUB = "business_club", "Business club"
        GOVERNMENT = "government", "Government agency or programme"
        JOINT_ACTION = "joint_action", "Joint action group or consortium"
        CHAEBOL_ASSOCIATION = "chaebol_association", "Chaebol co-operation association"
        INFORMATION_NETWORK = "information_network", "Information network"
        INTERNATIONAL = "international", "International organisation"

    class Ownership(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"
        MIXED = "mixed", "Public-private"
        UNKNOWN = "unknown", "Not stated"

    class Level(models.TextChoices):
        LOCAL = "local", "Local"
        REGIONAL = "regional", "Regional"
        NATIONAL = "national", "National"
        INTERNATIONAL = "international", "International"
        UNKNOWN = "unknown", "Not stated"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PROPOSED = "proposed", "Proposed"

    class Reach(models.TextChoices):
        WIDE = "wide", "Reaches small firms widely"
        PARTIAL = "partial", "Reaches some small firms"
        LIMITED = "limited", "Reaches few small firms"
        UNKNOWN = "unknown", "Not reported"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="institutions")
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="institutions",
        help_text="Empty when the institution serves the whole case.",
    )
    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    ownership = models.CharField(
        max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN
    )
    level = models.CharField(max_length=14, choices=Level.choices, default=Level.UNKNOWN)
    founded = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    services = models.TextField(blank=True)
    small_firm_reach = models.CharField(max_length=10, choices=Reach.choices, default=Reach.UNKNOWN)
    reach_note = models.TextField(blank=True, help_text="What the paper says about the reach.")

    class Meta(CaseItem.Meta):
        constraints = [
            *Cited.Meta.constraints,
            _unique_key("institution"),
            models.CheckConstraint(
                condition=Q(founded__isnull=True) | Q(founded__gte=YEAR_MIN, founded__lte=YEAR_MAX),
                name="cases_institution_founded_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def label(self) -> str:
        return self.acronym or self.name


class Linkage(CaseItem):
    """A tie between two actor groups or institutions, as the paper judges it."""

    class Direction(models.TextChoices):
        BACKWARD = "backward", "Backward"
        FORWARD = "forward", "Forward"
        HORIZONTAL = "horizontal", "Horizontal"
        INSTITUTIONAL = "institutional", "Institutional"

    class Nature(models.TextChoices):
        SUBCONTRACTING = "subcontracting", "Subcontracting"
        JOB_WORKING = "job_working", "Job-working"
        IN_CONTRACTING = "in_contracting", "In-contracting"
        OUT_CONTRACTING = "out_contracting", "Out-contracting"
        CAPACITY_CONTRACTING = "capacity_contracting", "Capacity contracting"
        OEM = "oem", "OEM production"
        SUPPLY = "supply", "Supply of inputs or components"
        SALES = "sales", "Sales and marketing"
        TECHNICAL_ASSISTANCE = "technical_assistance", "Technical assistance"
        INFORMATION_EXCHANGE = "information_exchange", "Information exchange"
        JOINT_PURCHASING = "joint_purchasing", "Joint purchasing"
        JOINT_MARKETING = "joint_marketing", "Joint marketing"
        CONSORTIUM = "consortium", "Consortium"
        CREDIT = "credit", "Credit and finance"
        TRAINING = "training", "Training"
        EQUIPMENT_SHARING = "equipment_sharing", "Lending or sharing equipment"
        SERVICES = "services", "Producer services"
        REGULATION = "regulation", "Regulation"
        MEMBERSHIP = "membership", "Membership"

    class Strength(models.TextChoices):
        WEAK = "weak", "Weak"
        MODERATE = "moderate", "Moderate"
        STRONG = "strong", "Strong"
        UNKNOWN = "unknown", "Not judged"

    class Trend(models.TextChoices):
        WEAKENING = "weakening", "Weakening"
        STABLE = "stable", "Stable"
        STRENGTHENING = "strengthening", "Strengthening"
        UNKNOWN = "unknown", "Not judged"

    class Status(models.TextChoices):
        # The paper sometimes says two parties do NOT tie ("co-habit rather than actively
        # engage", 218-220). That is evidence too, so it is stored with its passage, but it is
        # not a tie: charts, maps and the scoring profile read only reported ties.
        REPORTED = "reported", "Tie reported"
        ABSENT = "absent", "No tie reported"
        DENIED = "denied", "Tie denied"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="linkages")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="linkages")
    direction = models.CharField(max_length=14, choices=Direction.choices)
    nature = models.CharField(max_length=24, choices=Nature.choices)
    from_group = models.ForeignKey(
        ActorGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    from_institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_group = models.ForeignKey(
        ActorGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    strength = models.CharField(max_length=10, choices=Strength.choices, default=Strength.UNKNOWN)
    trend = models.CharField(max_length=14, choices=Trend.choices, default=Trend.UNKNOWN)
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.REPORTED,
        help_text="'No tie reported' or 'Tie denied' records the paper's word that there is no "
        "such tie; those rows are never drawn or counted as ties.",
    )
    description = models.TextField()

    class Meta(CaseItem.Meta):
        constraints = [
            *Cited.Meta.constraints,
            _unique_key("linkage"),
            models.CheckConstraint(
                condition=Q(from_group__isnull=True, from_institution__isnull=False)
                | Q(from_group__isnull=False, from_institution__isnull=True),
                name="cases_linkage_one_origin",
            ),
            models.CheckConstraint(
                condition=Q(to_group__isnull=True, to_institution__isnull=False)
                | Q(to_group__isnull=False, to_institution__isnull=True),
                name="cases_linkage_one_destination",
            ),
        ]

    def __str__(self):
        return f"{self.origin} → {self.destination} ({self.get_nature_display()})"

    @property
    def origin(self):
        return self.from_group or self.from_institution

    @property
    def is_tie(self) -> bool:
        """True unless the paper reports the absence of this tie (or denies it)."""
        return self.status == self.Status.REPORTED

    @property
    def destination(self):
        return self.to_group or self.to_institution

    def clean(self):
        errors = _parent_errors(super().clean)
        own = {}
        if bool(self.from_group_id) == bool(self.from_institution_id):
            own["from_group"] = "Give exactly one origin: an actor group or an institution."
        if bool(self.to_group_id) == bool(self.to_institution_id):
            own["to_group"] = "Give exactly one destination: an actor group or an institution."
        for field in ("from_group", "from_institution", "to_group", "to_institution"):
            end = getattr(self, field)
            if end is not None and end.case_id != self.case_id:
                own[field] = "This end belongs to another case study."
        _add_errors(errors, own)
        if errors:
            raise ValidationError(errors)


class HistoryEvent(CaseItem):
    class Kind(models.TextChoices):
        PHASE = "phase", "Phase"
        TURNING_POINT = "turning_point", "Turning point"
        EVENT = "event", "Event"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="history")
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    year_from = models.PositiveSmallIntegerField()
    year_to = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField()

    class Meta(CaseItem.Meta):
        ordering = ["year_from", "id"]
        constraints = [
            *Cited.Meta.constraints,
            _unique_key("historyevent"),
            models.CheckConstraint(
                condition=Q(year_from__gte=YEAR_MIN, year_from__lte=YEAR_MAX)
                & (Q(year_to__isnull=True) | Q(year_to__gte=models.F("year_from"))),
                name="cases_historyevent_years_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.period}: {self.title}"

    @property
    def period(self) -> str:
        return f"{self.year_from}–{self.year_to}" if self.year_to else str(self.year_from)

    def clean(self):
        errors = _parent_errors(super().clean)
        if self.passage:
            _add_errors(
                errors,
                fidelity.event_year_errors(
                    year_from=self.year_from,
                    year_to=self.year_to,
                    passage=self.passage,
                    note=self.note,
                    certain=self.confidence == Confidence.CERTAIN,
                ),
            )
        if errors:
            raise ValidationError(errors)


class Figure(CaseItem):
    """Any number the paper gives: counts, shares, employment, exports, survey results."""

    class Scope(models.TextChoices):
        CLUSTER = "cluster", "Cluster or network"
        REGION = "region", "Region or state"
        NATIONAL = "national", "National"
        WORLD = "world", "World"

    class Metric(models.TextChoices):
        COUNT = "count", "Count"
        SHARE = "share", "Share"
        EMPLOYMENT = "employment", "Employment"
        EMPLOYMENT_SHARE = "employment_share", "Employment share"
        VALUE_ADDED_SHARE = "value_added_share", "Value-added share"
        PRODUCTION_SHARE = "production_share", "Production share"
        EXPORT_SHARE = "export_share", "Export share"
        OUTPUT_EXPORTED = "output_exported", "Share of output exported"
        EXPORT_VALUE = "export_value", "Export value"
        EXPORT_VOLUME = "export_volume", "Export volume"
        IMPORT_VOLUME = "import_volume", "Import volume"
        MARKET_SHARE = "market_share", "Market share"
        GROWTH = "growth", "Growth"
        SURVEY = "survey", "Survey result"
        MEMBERS = "members", "Members"
        SAMPLE = "sample", "Sample size"
        POPULATION = "population", "Population"
        TARIFF = "tariff", "Tariff"
        OTHER = "other", "Other"

    class Unit(models.TextChoices):
        PERCENT = "percent", "%"
        FIRMS = "firms", "firms"
        UNITS = "units", "units"
        PERSONS = "persons", "persons"
        MEMBERS = "members", "members"
        USD = "usd", "US$"
        USD_MILLION = "usd_million", "US$ million"
        INR_MILLION = "inr_million", "Rs million"
        PAIRS_MILLION = "pairs_million", "million pairs"
        HEADS_MILLION = "heads_million", "million head"
        KM = "km", "km"
        YEARS = "years", "years"
        TIMES = "times", "×"
        RANK = "rank", "rank"
        MONTHS = "months", "months"
        # Counts of things that are not firms or persons, each named as the paper names them
        # (an "items" catch-all used to stand in for all of these and read wrongly).
        TELEPHONE_LINES = "telephone_lines", "telephone lines"
        NEWSPAPERS = "newspapers", "newspapers"
        MAGAZINES = "magazines", "magazines"
        ASSOCIATIONS = "associations", "associations"
        OFFICES = "offices", "offices"
        COMPONENTS = "components", "components"
        PRODUCTS = "products", "products"
        PRODUCT_LINES = "product_lines", "product lines"
        CLUSTERS = "clusters", "clusters"
        SHARES = "shares", "shares"
        TYPES = "types", "types"

    class Qualifier(models.TextChoices):
        EXACT = "exact", "exact"
        ABOUT = "about", "about"
        OVER = "over", "over"
        UNDER = "under", "under"
        UP_TO = "up_to", "up to"
        NEARLY = "nearly", "nearly"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="figures")
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="figures"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.CLUSTER)
    metric = models.CharField(max_length=20, choices=Metric.choices)
    label = models.CharField(max_length=200, help_text="What the number measures, in a phrase.")
    value = models.DecimalField(max_digits=14, decimal_places=3)
    value_max = models.DecimalField(
        max_digits=14, decimal_places=3, null=True, blank=True, help_text="Upper end of a range."
    )
    unit = models.CharField(max_length=16, choices=Unit.choices)
    qualifier = models.CharField(max_length=8, choices=Qualifier.choices, default=Qualifier.EXACT)
    value_text = models.CharField(
        max_length=80,
        blank=True,
        help_text="The number as the paper words it, where digits would lose its precision or "
        "qualifier ('5 million', 'roughly one-third', 'about 3,800'): shown instead of the "
        "digits. Must be in the passage, or in the note when the figure is derived.",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    year_to = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="End of the period for growth rates and changes."
    )
    basis = models.CharField(
        max_length=300, blank=True, help_text="Of what: the sample, population or denominator."
    )
    series = models.SlugField(
        max_length=80, blank=True, help_text="Figures sharing a series form a time series."
    )
    headline = models.BooleanField(default=False, help_text="Shown on the case's card.")
    actor_group = models.ForeignKey(
        ActorGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="figures"
    )
    size_class = models.ForeignKey(
        SizeClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="figures"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="figures"
    )
    market = models.ForeignKey(
        Market, on_delete=models.SET_NULL, null=True, blank=True, related_name="figures"
    )
    firm = models.ForeignKey(
        Firm, on_delete=models.SET_NULL, null=True, blank=True, related_name="figures"
    )

    class Meta(CaseItem.Meta):
        constraints = [
            *Cited.Meta.constraints,
            _unique_key("figure"),
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value_max__gte=models.F("value")),
                name="cases_figure_range_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(year__isnull=True) | Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX))
                & (Q(year_to__isnull=True) | Q(year_to__gte=models.F("year"))),
                name="cases_figure_years_plausible",
            ),
            models.CheckConstraint(
                condition=~Q(unit="percent") | Q(value__gte=0, value__lte=100) | Q(metric="growth"),
                name="cases_figure_percent_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.display_value}"

    @property
    def display_value(self) -> str:
        """The figure as a reader sees it everywhere: the paper's own words where stored,
        else the digits with the unit and the qualifier (never a qualifier dropped)."""
        if self.value_text:
            return self.value_text

        def fmt(number) -> str:
            return f"{Decimal(str(number)):,.3f}".rstrip("0").rstrip(".")

        number = fmt(self.value)
        if self.value_max is not None:
            number = f"{number}–{fmt(self.value_max)}"
        unit = self.get_unit_display()
        if number == "1" and unit.endswith("s") and " " not in unit:
            unit = unit[:-1]  # "1 month", not "1 months"; but "1 million pairs" stays
        amount = f"{number}%" if self.unit == self.Unit.PERCENT else f"{number} {unit}"
        if self.unit == self.Unit.USD_MILLION:
            amount = f"US$ {number} million"
        elif self.unit == self.Unit.USD:
            amount = f"US$ {number}"
        elif self.unit == self.Unit.RANK:
            amount = f"rank {number}"
        elif self.unit == self.Unit.INR_MILLION:
            amount = f"Rs {number} million"
        if self.qualifier == self.Qualifier.EXACT:
            return amount
        return f"{self.get_qualifier_display()} {amount}"

    @property
    def period(self) -> str:
        if self.year and self.year_to:
            return f"{self.year}–{self.year_to}"
        return str(self.year) if self.year else ""

    def _value_not_stated(self) -> str:
        """Why the value is refused, and the fix that fits the row: a summary source's passage
        is the editor's own words (nothing to quote), and a figure already likely or
        ambiguous needs only its note to give the value and its derivation (docs/fixtures.md:
        a derived value is marked likely and its note gives the value and how it was derived)."""
        value = self.value
        summary = self.source_id is not None and self.source.summarised
        in_passage = (
            "write it in the summary (the passage is the editor's summary of "
            f"{self.source.in_words}, not a quotation)"
            if summary
            else "quote the words that give it"
        )
        if self.confidence != Confidence.CERTAIN:
            return (
                f"{value} is stated neither in the passage nor in the note. The figure is "
                f"{self.confidence}: give the value ({value}) and how it was derived in the "
                f"note, or {in_passage}."
            )
        return (
            f"{value} is not stated in the passage. {in_passage[:1].upper()}{in_passage[1:]}, "
            "or mark the figure likely and give the value and its derivation in the note."
        )

    def clean(self):
        errors = _parent_errors(super().clean)
        links = ("cluster", "actor_group", "size_class", "institution", "market", "firm")
        if (
            self.unit == "percent"
            and self.metric != "growth"
            and self.value is not None
            and not 0 <= self.value <= 100
        ):
            # The database refuses it too (cases_figure_percent_in_range), in code words.
            errors.setdefault("value", []).append(
                f"{self.value}% is a share over 100 (or below 0): a share is 0 to 100 per cent; "
                "a rate of growth may be more (give it the metric 'growth')."
            )
        if self.passage:
            # A figure must say what its passage says. A derived or converted value is marked
            # likely or ambiguous, and its note gives the value and how it was derived.
            stated = stated_numbers(self.passage) | (
                set() if self.confidence == Confidence.CERTAIN else stated_numbers(self.note)
            )
            if self.value is not None and abs(Decimal(self.value)) not in stated:
                errors.setdefault("value", []).append(self._value_not_stated())
            for field in ("year", "year_to"):
                year = getattr(self, field)
                # str() as well: a footnote mark glued to a year ("in 1993.10") reads as 1993.1.
                in_text = str(year) in self.passage or str(year) in self.note
                if year and Decimal(year) not in stated and not in_text:
                    errors.setdefault(field, []).append(
                        f"{year} is not in the passage. Widen the passage to the words that "
                        "date the figure, or mark it likely and explain in the note."
                    )
            certain = self.confidence == Confidence.CERTAIN
            _add_errors(
                errors,
                fidelity.unit_errors(
                    unit=self.unit,
                    passage=self.passage,
                    value_text=self.value_text,
                    note=self.note,
                    certain=certain,
                ),
            )
            _add_errors(
                errors,
                fidelity.qualifier_errors(
                    value=self.value,
                    qualifier=self.qualifier,
                    passage=self.passage,
                    value_text=self.value_text,
                ),
            )
            if certain:
                _add_errors(
                    errors,
                    fidelity.value_text_qualifier_errors(
                        qualifier=self.qualifier, value_text=self.value_text
                    ),
                )
            if self.value_text:
                # The paper's wording is shown in place of the digits, so it must be the
                # paper's: in the passage, or (for a derived figure) in the note.
                wording = normalise(self.value_text).lower()
                sources = [self.passage] + ([] if certain else [self.note])
                if not any(wording in normalise(text).lower() for text in sources):
                    errors.setdefault("value_text", []).append(
                        f"'{self.value_text}' is not in the passage"
                        + ("." if certain else " or the note.")
                    )
        for field in links:
            linked = getattr(self, field)
            if linked is not None and linked.case_id != self.case_id:
                errors.setdefault(field, []).append("This belongs to another case study.")
        if errors:
            raise ValidationError(errors)


class PolicySetting(CaseItem):
    """The policy environment as the paper describes it: one cited reading per aspect.

    These are the inputs the checklist's point 1 and points 7-8 need that the rest of the
    library does not hold; they are the paper's descriptions, not scores.
    """

    class Aspect(models.TextChoices):
        STATE_CREATED = "state_created", "Started by an administrative decision"
        TRADE_REGIME = "trade_regime", "Trade regime"
        SME_INCENTIVES = "sme_incentives", "Size-based incentives for SMEs"
        CONTRACT_RULES = "contract_rules", "Rules on large-firm/SME contracts"
        INTERVENTION_STYLE = "intervention_style", "How interventions are run"

    VALUES = {
        Aspect.STATE_CREATED: ("yes", "no"),
        Aspect.TRADE_REGIME: ("protected", "liberalising", "open"),
        Aspect.SME_INCENTIVES: ("none", "fair", "distorting"),
        Aspect.CONTRACT_RULES: ("yes", "no"),
        Aspect.INTERVENTION_STYLE: ("facilitator", "director", "absent"),
    }

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="policy")
    aspect = models.CharField(max_length=20, choices=Aspect.choices)
    value = models.CharField(max_length=20)
    description = models.TextField()

    class Meta(CaseItem.Meta):
        constraints = [
            *Cited.Meta.constraints,
            _unique_key("policysetting"),
            models.UniqueConstraint(fields=["case", "aspect"], name="cases_policy_one_per_aspect"),
        ]

    def __str__(self):
        return f"{self.get_aspect_display()}: {self.value}"

    def clean(self):
        errors = _parent_errors(super().clean)
        allowed = self.VALUES.get(self.aspect, ())
        if self.value not in allowed:
            _add_errors(errors, {"value": f"Choose one of: {', '.join(allowed)}."})
        if errors:
            raise ValidationError(errors)


class Conclusion(CaseItem):
    """A cell of the paper's Key Features and Conclusions table (lines 2313-2369)."""

    class Row(models.TextChoices):
        SME_GROWTH = "sme-growth", "Evidence of SMEs growing and technically advancing"
        MARKETS = "markets", "Nature of markets"
        KEY_PLAYERS = "key-players", "Key players"
        LARGE_FIRMS = "large-firms", "Are large firms important?"
        STATE = "state", "Role of the State"
        LOCAL_INSTITUTIONS = "local-institutions", "Role of local support institutions"
        CONSTRAINTS = "constraints", "Key constraints"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="conclusions")
    row = models.CharField(max_length=20, choices=Row.choices)
    value = models.CharField(
        max_length=120, blank=True, help_text="As printed; empty where the text has no value."
    )

    class Meta(CaseItem.Meta):
        constraints = [
            *Cited.Meta.constraints,
            _unique_key("conclusion"),
            models.UniqueConstraint(fields=["case", "row"], name="cases_conclusion_one_per_row"),
        ]

    def __str__(self):
        return f"{self.get_row_display()}: {self.value or '—'}"

    @property
    def row_order(self) -> int:
        return list(self.Row.values).index(self.row)


class LibraryVersionManager(models.Manager):
    SINGLE_ROW = 1

    def current(self) -> "LibraryVersion":
        """The library's version row; an unsaved version 0 when nothing was ever loaded."""
        return self.filter(pk=self.SINGLE_ROW).first() or self.model(pk=self.SINGLE_ROW)

    def record_change(self, what: str) -> None:
        """Move the data version after a change of library data made other than by the loader
        (the admin, an import, an undo). The stored fixture fingerprint is cleared, so that the
        next `load_cases` compares every object instead of trusting that nothing changed."""
        with transaction.atomic():  # select_for_update needs one (PostgreSQL refuses otherwise)
            row = self.locked()
            row.version += 1
            row.changed_at = timezone.now()
            row.fixture_fingerprint = ""
            row.change = what[:200]
            row.save()
        from .warming import schedule_warming  # warming renders views, which import models

        schedule_warming()  # the first viewer after the change should not draw the pages

    def locked(self) -> "LibraryVersion":
        """The version row, locked for this transaction (an unsaved one if none exists)."""
        return self.select_for_update().filter(pk=self.SINGLE_ROW).first() or self.model(
            pk=self.SINGLE_ROW
        )


class LibraryVersion(models.Model):
    """The case library's data version: one row, moved by every change of library data.

    Everything derived from the library (profiles, scorecards, figures) can be cached under
    this version. The loader also keeps here the fingerprint of the fixture files it last
    loaded: when the same files are loaded again and nothing else changed the data since, the
    load is skipped without reading a row. Bookkeeping, not library data: the loader ignores
    it in a `dumpdata` export.
    """

    version = models.PositiveIntegerField(default=0, help_text="Moved by every data change.")
    changed_at = models.DateTimeField(null=True, blank=True, help_text="When it last moved.")
    change = models.CharField(max_length=200, blank=True, help_text="What moved it last.")
    fixture_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the fixture files (and the paper and schema) last loaded; "
        "empty once the data has been changed by other means.",
    )
    objects_loaded = models.PositiveIntegerField(
        default=0, help_text="How many objects those files hold."
    )

    objects = LibraryVersionManager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="cases_libraryversion_single_row"),
        ]

    def __str__(self):
        return f"library data version {self.version}"


class CaseImportQuerySet(models.QuerySet):
    def touching(self, case_slug: str):
        """Imports of bundles that give the case (slugs are stored ",a,b,": one portable
        lookup, where JSON containment is not available on SQLite)."""
        return self.filter(case_slugs__contains=f",{case_slug},")


class CaseImport(models.Model):
    """One upload of a case bundle: who, when, which file (kept), and what it changed.

    Made at the preview; confirming writes it and records what the cases held before, so that
    the import can be undone (the undo is an import of its own, pointing at this one)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed, not written"
        REFUSED = "refused", "Refused (errors)"
        APPLIED = "applied", "Written"
        UNDONE = "undone", "Written, then undone"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField(help_text="The uploaded file, kept as it came.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    summary = models.CharField(max_length=300, blank=True)
    case_slugs = models.CharField(
        max_length=500, blank=True, help_text="The cases the bundle gives, as ',a,b,'."
    )
    changes = models.JSONField(
        default=dict, help_text="Per table: created, updated (field, old, new), deleted."
    )
    errors = models.JSONField(default=list)
    version_previewed = models.PositiveIntegerField(
        default=0, help_text="The library's data version the preview was made against."
    )
    before = models.JSONField(
        null=True, blank=True, help_text="Each case's objects before the import, for undo."
    )
    undo_of = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="undone_by"
    )

    objects = CaseImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"import #{self.pk} of {self.filename}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:import", args=[self.pk])

    @property
    def cases(self) -> list[str]:
        return [slug for slug in self.case_slugs.split(",") if slug]

    @property
    def changes_anything(self) -> bool:
        """Whether the import creates, updates or deletes any row (an unchanged upload
        does not, and is not offered for writing)."""
        return any(
            table.get("created") or table.get("updated") or table.get("deleted")
            for table in (self.changes or {}).values()
        )
