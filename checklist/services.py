"""Writes for assessments: saving steps, submitting, scoring records, reassessing."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from .adapters import assessment_scorecard
from .models import (
    ASKED_INVENTORIES,
    DIRECT_QUESTIONS,
    STEPS,
    Assessment,
    AssessmentInstitution,
    AssessmentTie,
    ScoreRecord,
)
from .payloads import scorecard_payload


def answers_snapshot(assessment: Assessment) -> dict:
    """The answers as plain data, kept with each score so changes can be explained later."""

    def plain(value):
        return str(value) if isinstance(value, Decimal) else value

    fields = [
        "name", "country", "region", "sector", "kind", "evidence_year", "producer_count",
        "employment", "large_firms", "export_share", "destinations", "competes_on",
        "foreign_buyers", "key_buyers", *(field for _, field in DIRECT_QUESTIONS.values()),
        "producer_count_approx", "employment_approx", "export_share_approx",
        *(kind.field for kind in ASKED_INVENTORIES),
        "state_created", "trade_regime", "sme_incentives",
        "contract_rules", "intervention_style",
    ]  # fmt: skip
    return {
        "steps_done": sorted(assessment.steps_done),
        **{name: plain(getattr(assessment, name)) for name in fields},
        "groups": [
            {
                "role": g.role,
                "name": g.name,
                "count": g.count,
                "share": plain(g.share_of_firms),
                "approximate": [
                    f for f in ("count", "share", "employment") if getattr(g, f"{f}_approx")
                ],
            }
            for g in assessment.groups.all()
        ],
        "ties": [
            {
                "institution": t.institution.name if t.institution_id else None,
                "direction": t.direction,
                "nature": t.nature,
                "from": t.from_role,
                "to": t.to_role,
                "strength": t.strength,
                "trend": t.trend,
            }
            for t in assessment.ties.all()
        ],
        "institutions": [
            {
                "name": i.name,
                "kind": i.kind,
                "ownership": i.ownership,
                "level": i.level,
                "status": i.status,
                "reach": i.reach,
                "sector_specific": i.sector_specific,
            }
            for i in assessment.institutions.all()
        ],  # fmt: skip
    }


def record_score(*, assessment: Assessment) -> ScoreRecord:
    """Score the assessment as it now stands and keep the result with its answers, unless
    both are the same as the latest record's."""
    card = assessment_scorecard(assessment)
    payload, answers = scorecard_payload(card), answers_snapshot(assessment)
    latest = assessment.scores.first()
    if latest and latest.payload == payload and latest.answers == answers:
        return latest  # nothing changed: keep one record, not a row per save
    return ScoreRecord.objects.create(
        assessment=assessment,
        engine_version=card.engine_version,
        overall=card.overall,
        payload=payload,
        answers=answers,
    )


class StaleRevision(Exception):
    """The answers were saved by someone else (or another tab) since the page was shown."""


STEP_BOOKKEEPING = ("steps_done", "revision", "updated")


def _step_columns(form) -> list[str]:
    """The Assessment columns a step's form writes."""
    if form is None:
        return []
    columns = {field.name for field in Assessment._meta.concrete_fields}
    return [name for name in form.fields if name in columns]


def save_step(
    *, assessment: Assessment, step: str, revision: int | None, form=None, formset=None
) -> Assessment:
    """Save one step's validated form and formset together, and mark the step as answered.

    `revision` is the Assessment.revision the page was shown with (None only for a new
    assessment). If the stored one has moved on, StaleRevision is raised and nothing is
    saved. The check and the bump are one UPDATE, so two saves racing cannot both pass."""
    if step not in STEPS:
        raise ValueError(f"Unknown step: {step}")
    if revision is None and assessment.pk is not None:
        raise ValueError("Saving an existing assessment needs the revision its page showed.")
    with transaction.atomic():
        if assessment.pk is not None:
            claimed = Assessment.objects.filter(pk=assessment.pk, revision=revision).update(
                revision=F("revision") + 1
            )
            if not claimed:
                raise StaleRevision(assessment.pk)
            assessment.revision = revision + 1  # what the UPDATE wrote; save() keeps it
        existing = assessment.pk is not None
        if form is not None:
            assessment = form.save(commit=False)
        if step not in assessment.steps_done:
            assessment.steps_done = [s for s in STEPS if s in {*assessment.steps_done, step}]
        assessment.full_clean()
        if existing:
            # Only what this step answers, and the step bookkeeping: a submit, or an admin's
            # change of owner or sharing, made since this instance was read is not undone.
            assessment.save(update_fields=[*_step_columns(form), *STEP_BOOKKEEPING])
        else:
            assessment.save()
        if formset is not None:
            formset.instance = assessment
            formset.save()
        if assessment.status == Assessment.Status.SUBMITTED:
            record_score(assessment=assessment)  # editing a submitted assessment rescores it
    return assessment


def create_assessment(*, owner, form) -> Assessment:
    assessment = form.save(commit=False)
    assessment.owner = owner
    return save_step(assessment=assessment, step="profile", revision=None)


def submit_assessment(*, assessment: Assessment) -> ScoreRecord:
    with transaction.atomic():
        assessment.status = Assessment.Status.SUBMITTED
        assessment.save(update_fields=["status", "updated"])
        return record_score(assessment=assessment)


def delete_draft(*, assessment: Assessment) -> None:
    """Delete a draft with its answers. Submitted assessments are kept: their scores are a
    record others may have read or built on (an admin can still remove one)."""
    if assessment.status != Assessment.Status.DRAFT:
        raise ValueError("Only drafts can be deleted.")
    assessment.delete()


def reassess(*, assessment: Assessment, owner) -> Assessment:
    """Start a new assessment of the same cluster from the previous answers."""
    with transaction.atomic():
        groups = list(assessment.groups.all())
        ties = list(assessment.ties.all())
        institutions = list(assessment.institutions.all())
        previous_pk = assessment.pk
        copy = Assessment.objects.get(pk=previous_pk)
        copy.pk = None
        copy.owner = owner
        copy.previous_id = previous_pk
        copy.status = Assessment.Status.DRAFT
        copy.save()  # shared as the previous one was: same cluster, same readers
        copy.shared_with.set(assessment.shared_with.all())
        copied = {}  # old institution pk -> its copy, so copied ties name the copies
        for rows in (groups, institutions, ties):
            for row in rows:
                old_pk = row.pk
                row.pk = None
                row.assessment = copy
                if isinstance(row, AssessmentTie) and row.institution_id is not None:
                    row.institution_id = copied.get(row.institution_id)
                row.save()
                if isinstance(row, AssessmentInstitution):
                    copied[old_pk] = row.pk
    return copy


def lineage(assessment: Assessment) -> list[Assessment]:
    """The assessments of the same cluster, oldest first, following `previous` links."""
    chain = [assessment]
    seen = {assessment.pk}
    while chain[0].previous_id and chain[0].previous_id not in seen:
        earlier = Assessment.objects.filter(pk=chain[0].previous_id).first()
        if earlier is None:
            break
        seen.add(earlier.pk)
        chain.insert(0, earlier)
    later = Assessment.objects.filter(previous=chain[-1]).order_by("created").first()
    while later is not None and later.pk not in seen:
        seen.add(later.pk)
        chain.append(later)
        later = Assessment.objects.filter(previous=later).order_by("created").first()
    return chain
