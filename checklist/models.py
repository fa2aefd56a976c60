"""Assessments: a policy officer's description of a cluster, step by step, and its scores.

The answers mirror the case library (firms, institutions, linkages, markets, policy), so the
same engine scores both. A step that has not been saved yet is *unknown*, not empty.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cases.models import ActorGroup, CaseStudy, Institution, Linkage
from engine import criteria

# Institutions come before linkages: a tie can name the institution it connects, so the
# institutions must be listed first (the officer's walk went forward, then back). Everything
# that walks the steps (progress bar, next unanswered step, workbook sheets, saving answers
# from data) takes its order from here.
STEPS = ("profile", "firms", "institutions", "linkages", "markets", "policy")
# The checklist indicators asked directly (yes / no / don't know), each with the step that
# asks it and the assessment field that holds the answer: read from the indicators' records.
DIRECT_QUESTIONS = {
    i.code: (i.direct.step, i.direct.field) for i in criteria.INDICATORS if i.direct is not None
}
# A figure marked approximate is shown as "about N" (scorecard evidence, answers, downloads):
# each numeric answer's flag is the field named here.
APPROX_FIELDS = {
    "producer_count": "producer_count_approx",
    "employment": "employment_approx",
    "export_share": "export_share_approx",
    "count": "count_approx",
    "share_of_firms": "share_approx",
}
# A blank answer is "don't know": it stays unknown in the scorecard, never a "no".
DONT_KNOW = ("", "Don't know")
YES_NO = [("yes", "Yes"), ("no", "No"), DONT_KNOW]


class AssessmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """What a user may see: admins all; officers their own and those shared with them;
        researchers those shared with researchers or with them."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        visible = Q(owner=user) | Q(shared_with=user)
        if user.groups.filter(name=RESEARCHERS).exists():
            visible |= Q(share_with_researchers=True)
        return self.filter(visible).distinct()

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.all() if user.is_staff else self.filter(owner=user)


OFFICERS = "Policy officers"
RESEARCHERS = "Researchers"


def can_create_assessments(user) -> bool:
    """Policy officers and admins start assessments (by the form, the API or a workbook)."""
    return user.is_staff or user.groups.filter(name=OFFICERS).exists()


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shared_assessments"
    )
    share_with_researchers = models.BooleanField(default=False)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reassessments",
        help_text="The earlier assessment of the same cluster this one updates.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    steps_done = models.JSONField(default=list, blank=True)
    # Optimistic concurrency: every saved step adds one, and a step form carries the number it
    # was shown with, so a save from a stale page (another tab, another person) is refused
    # instead of silently undoing the newer answers (services.save_step).
    revision = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    # Profile
    name = models.CharField("cluster or network name", max_length=160)
    country = models.CharField(max_length=80)
    region = models.CharField(max_length=120, blank=True)
    sector = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=CaseStudy.Kind.choices, default="cluster")
    evidence_year = models.PositiveSmallIntegerField("year of the evidence")

    # Firms (besides the groups)
    producer_count = models.PositiveIntegerField(null=True, blank=True)
    producer_count_approx = models.BooleanField("approximate", default=False)
    employment = models.PositiveIntegerField(null=True, blank=True)
    employment_approx = models.BooleanField("approximate", default=False)
    large_firms = models.TextField(blank=True)

    # Direct questions for indicators the lists alone cannot settle: blank = "don't know", so a
    # list without such a row does not turn into a "no" (see engine.criteria.DIRECT_YES_VALUE).
    group_support = models.CharField(max_length=3, choices=YES_NO, blank=True)
    buyer_know_how = models.CharField(max_length=3, choices=YES_NO, blank=True)
    supplier_upgrading = models.CharField(max_length=3, choices=YES_NO, blank=True)
    self_help_finance = models.CharField(max_length=3, choices=YES_NO, blank=True)
    supplier_associations = models.CharField(max_length=3, choices=YES_NO, blank=True)

    # Markets
    export_share = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    export_share_approx = models.BooleanField("approximate", default=False)
    destinations = models.CharField(max_length=300, blank=True)
    competes_on = models.JSONField(default=list, blank=True)
    foreign_buyers = models.CharField(max_length=3, choices=YES_NO, blank=True)
    key_buyers = models.TextField(blank=True)

    # Policy environment
    state_created = models.CharField(max_length=3, choices=YES_NO, blank=True)
    trade_regime = models.CharField(
        max_length=14,
        blank=True,
        choices=[
            DONT_KNOW,
            ("protected", "Protected"),
            ("liberalising", "Liberalising"),
            ("open", "Open"),
        ],
    )
    sme_incentives = models.CharField(
        max_length=10,
        blank=True,
        choices=[
            DONT_KNOW,
            ("none", "None"),
            ("fair", "Fair: used as intended"),
            ("distorting", "Distorting: firms split or stay small to keep them"),
        ],
    )
    contract_rules = models.CharField(max_length=3, choices=YES_NO, blank=True)
    intervention_style = models.CharField(
        max_length=12,
        blank=True,
        choices=[
            DONT_KNOW,
            ("facilitator", "Facilitator and enabler"),
            ("director", "Directs and runs programmes"),
            ("absent", "Little or no intervention"),
        ],
    )
    policy_notes = models.TextField(blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-updated"]
        constraints = [
            models.CheckConstraint(
                condition=Q(export_share__isnull=True)
                | Q(export_share__gte=0, export_share__lte=100),
                name="checklist_assessment_export_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(evidence_year__gte=1900, evidence_year__lte=2100),
                name="checklist_assessment_year_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.evidence_year})"

    def get_absolute_url(self):
        return reverse("checklist:scorecard", args=[self.pk])

    def step_done(self, step: str) -> bool:
        return step in self.steps_done

    @property
    def next_unanswered_step(self) -> str | None:
        """The first step (in the form's order) not yet saved, where a draft reopens; None
        once every step has been answered."""
        return next((step for step in STEPS if step not in self.steps_done), None)

    @property
    def steps_answered(self) -> int:
        return sum(step in self.steps_done for step in STEPS)


# Per kind of body or tie an indicator counts: "listed below", "none" or "don't know" (blank),
# one field each, named by its record (criteria.INVENTORIES). Only "none" makes it absent.
# A kind `asked_by` a direct question has no field of its own: that question's answer is the
# kind's (checklist/adapters.py), so the form asks the fact once (migration 0008 merged the
# answers stored before).
ASKED_INVENTORIES = tuple(kind for kind in criteria.INVENTORIES if not kind.asked_by)
# The direct answer read as the kind's answer: "no" is "none"; "yes" is "there are some".
DIRECT_AS_INVENTORY = {"no": "none", "yes": "listed"}
for _kind in ASKED_INVENTORIES:
    Assessment.add_to_class(
        _kind.field,
        models.CharField(
            _kind.label.split(" (")[0], max_length=6, choices=criteria.INVENTORY_ANSWERS, blank=True
        ),
    )


class AssessmentGroup(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="groups")
    role = models.CharField(max_length=20, choices=ActorGroup.Role.choices)
    name = models.CharField(max_length=160)
    count = models.PositiveIntegerField("number of firms", null=True, blank=True)
    count_approx = models.BooleanField("count approximate", default=False)
    share_of_firms = models.DecimalField(
        "share of the cluster's firms (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    share_approx = models.BooleanField("share approximate", default=False)
    employment = models.PositiveIntegerField(null=True, blank=True)
    employment_approx = models.BooleanField("employment approximate", default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class AssessmentInstitution(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="institutions"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=Institution.Kind.choices)
    ownership = models.CharField(
        max_length=10, choices=Institution.Ownership.choices, default="unknown"
    )
    level = models.CharField(max_length=14, choices=Institution.Level.choices, default="unknown")
    status = models.CharField(max_length=10, choices=Institution.Status.choices, default="active")
    reach = models.CharField(
        "reach to small firms", max_length=10, choices=Institution.Reach.choices, default="unknown"
    )
    sector_specific = models.CharField(
        "serves this sector specifically?", max_length=3, choices=YES_NO, blank=True
    )
    services = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


ROLE_OR_INSTITUTION = [("", "an institution"), *ActorGroup.Role.choices]


class AssessmentTie(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ties")
    direction = models.CharField(max_length=14, choices=Linkage.Direction.choices)
    nature = models.CharField(max_length=24, choices=Linkage.Nature.choices)
    from_role = models.CharField("from", max_length=20, choices=ROLE_OR_INSTITUTION, blank=True)
    to_role = models.CharField("to", max_length=20, choices=ROLE_OR_INSTITUTION, blank=True)
    # Which of the assessment's listed institutions the tie connects, when one end is "an
    # institution" (the form offers only this assessment's institutions).
    institution = models.ForeignKey(
        AssessmentInstitution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ties",
        help_text="When one end is an institution: which of those listed on the Institutions "
        "step (the step before this one).",
    )
    strength = models.CharField(max_length=10, choices=Linkage.Strength.choices, default="unknown")
    trend = models.CharField(max_length=14, choices=Linkage.Trend.choices, default="unknown")
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_from_role_display()} → {self.get_to_role_display()}: {self.nature}"


class ScoreRecord(models.Model):
    """A scorecard as computed when answers were saved, kept to show change over time."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    engine_version = models.CharField(max_length=20)
    overall = models.FloatField(null=True)
    payload = models.JSONField()
    answers = models.JSONField(help_text="The answers the scores were computed from.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.assessment} · {self.engine_version} · {self.overall}"


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, user) -> str:
        """A new key for `user`, returned once: only its SHA-256 is stored."""
        key = ApiToken.new_key()
        self.create(user=user, digest=ApiToken.digest_of(key))
        return key

    def user_for(self, key: str):
        """The active user a key belongs to, or None."""
        token = (
            self.filter(digest=ApiToken.digest_of(key), user__is_active=True)
            .select_related("user")
            .first()
        )
        return token.user if token else None


class ApiToken(models.Model):
    """A key for the JSON API (`Authorization: Bearer <key>`), issued by `manage.py api_token`
    or the admin (Checklist > API tokens), either showing the key once.
    A leaked database gives no usable keys: only their digests are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"API token of {self.user} ({self.created:%Y-%m-%d})"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def fingerprint(self) -> str:
        """The digest's first characters: enough to tell a user's keys apart, no key."""
        return self.digest[:10]
