import pandas as pd
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from cases.chart_tables import ties_table
from cases.charts import cluster_map
from cases.derived import derived, render_library_page
from cases.models import ActorGroup, CaseStudy
from clusterdx.downloads import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from clusterdx.html import chart
from engine import criteria
from engine.scoring import score
from engine.similarity import (
    CLOSE_GAP,
    FEATURES,
    MIN_COMPARED,
    NEAR_TIE_GAP,
    SHOWN,
    ScoredProfile,
    resemblances,
)

from .adapters import assessment_scorecard as assessment_scorecard_of
from .adapters import build_assessment_profile, scored_case
from .charts import checklist_radar, subject_colours
from .exports import answers_frame, answers_frames, scorecard_frame, workbook_frames
from .forms import (
    STEP_FORMS,
    STEP_INTROS,
    STEP_TITLES,
    ProfileForm,
    RevisionForm,
    WorkbookUploadForm,
    answer_sheets,
    conflict_view,
    resubmission,
    step_fingerprint,
)
from .history import answer_changes, compare_scorecards
from .models import STEPS, Assessment, can_create_assessments
from .services import (
    StaleRevision,
    create_assessment,
    delete_draft,
    lineage,
    reassess,
    save_step,
    submit_assessment,
)
from .workbook import WorkbookInvalid, origin_rows, steps_rows, upload_workbook


@require_GET
def method(request):
    points = [
        (p, [(i, criteria.DEFAULT_WEIGHTS[i.code], criteria.value_rule(i.code))
             for i in criteria.indicators_for(p.number)])
        for p in criteria.POINTS
    ]  # fmt: skip
    context = {
        "points": points,
        "levels": criteria.LEVELS,
        "unknown_level": criteria.UNKNOWN_LEVEL,
        "min_completeness": int(criteria.MIN_COMPLETENESS * 100),
        "engine_version": criteria.ENGINE_VERSION,
        "scales": criteria.scales_words(),
        "inventories": [(k, criteria.counted_by(k.field)) for k in criteria.INVENTORIES],
        "heading": criteria.HEADING,
        "heading_lines": criteria.HEADING_LINES,
        "resemblance_features": FEATURES,
        "resemblance_min_compared": MIN_COMPARED,
        "near_tie_gap": NEAR_TIE_GAP,
        "resemblance_shown": SHOWN,
        "resemblance_close_gap": CLOSE_GAP,
    }
    return render(request, "checklist/method.html", context)


@require_GET
def case_scorecard_page(request, slug):
    if not CaseStudy.objects.filter(slug=slug).exists():
        raise Http404("No such case study.")
    return render_library_page(
        request, "checklist/case_scorecard.html", "case-scorecard", slug,
        build_context=lambda: _case_scorecard_context(slug),
    )  # fmt: skip


def _case_scorecard_context(slug: str) -> dict:
    # All five cases are scored (one prefetching query set) so the radar can compare them.
    scored = {case.slug: (case, scored_case(case)) for case in CaseStudy.objects.with_library()}
    cards = {key: (case, s.card) for key, (case, s) in scored.items()}
    case, card = cards[slug]
    others = {key: other_card for key, (_, other_card) in cards.items() if key != slug}
    return {
        "case": case,
        "card": card,
        "radar": _radar_chart(card, others, library=[c.short_title for c, _ in cards.values()]),
        # Which other library case this one most resembles, and why.
        "resemblances": resemblances(
            scored[slug][1], {key: s for key, (_, s) in scored.items() if key != slug}
        ),
        "others": [(other, c.overall) for other, c in cards.values() if other.slug != slug],
    }


# Assessments -----------------------------------------------------------------------------------


def _scored_cases() -> dict[str, ScoredProfile]:
    """The five library cases' profiles and scorecards, once per data and engine version."""
    return derived(
        "scored-cases",
        build=lambda: {case.slug: scored_case(case) for case in CaseStudy.objects.with_library()},
    )


def _radar_chart(
    card, case_cards, library: list[str] | None = None, assessment_id: int | None = None
) -> dict:
    """library: every case's name in library order, for the colours (defaults to the cases
    drawn, which are all of them on an assessment's scorecard); assessment_id: the scored
    assessment's, which picks its colour (the same as on a comparison)."""
    rows = [
        {"cluster": c.subject, "point": p.number, "score": p.rated_score}
        for c in [card, *case_cards.values()]
        for p in c.points
    ]
    library = library if library is not None else [c.subject for c in case_cards.values()]
    others = {card.subject: assessment_id} if assessment_id is not None else [card.subject]
    colours = subject_colours(library, others)
    figure = checklist_radar(pd.DataFrame(rows), highlight=card.subject, colours=colours)
    return chart(
        figure,
        "radar",
        data=radar_table(card, case_cards),
        missing="not yet known",
        caption="Scores (0-100) by point and cluster",
    )


def radar_table(card, case_cards) -> pd.DataFrame:
    """The radar's data as a table: a row per point, a column per cluster (this one first), the
    rated scores the radar draws (None where a point is not yet known)."""
    return pd.DataFrame(
        {
            "Point": [f"{p.number}. {p.title}" for p in card.points],
            **{c.subject: [p.rated_score for p in c.points] for c in [card, *case_cards.values()]},
        }
    )


def _next_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


@login_required
def assessment_list(request):
    editable = Assessment.objects.editable_by(request.user).filter(pk=OuterRef("pk"))
    assessments = list(
        Assessment.objects.for_user(request.user)
        .select_related("owner")
        .annotate(editable=Exists(editable))  # in the same query: the list's count stays flat
    )
    can_create = can_create_assessments(request.user)
    for assessment in assessments:
        # A draft its user may edit opens where they stopped; anything else, at its scorecard.
        assessment.resume_step = (
            assessment.next_unanswered_step
            if assessment.editable and assessment.status == Assessment.Status.DRAFT
            else None
        )
        assessment.resume_title = STEP_TITLES.get(assessment.resume_step)
    return render(
        request,
        "checklist/assessment_list.html",
        {"assessments": assessments, "can_create": can_create, "steps_total": len(STEPS)},
    )


@login_required
def assessment_new(request):
    if not can_create_assessments(request.user):
        raise PermissionDenied("Only policy officers create assessments.")
    form = ProfileForm(request.POST or None, prefix="main")
    if request.method == "POST" and form.is_valid():
        assessment = create_assessment(owner=request.user, form=form)
        messages.success(request, "Profile saved. Your draft is kept: you can stop at any step.")
        return redirect("checklist:step", pk=assessment.pk, step="firms")
    return render(
        request,
        "checklist/assessment_step.html",
        {"form": form, "formset": None, "step": "profile", **_step_context(None, "profile")},
    )


def _step_context(assessment, step):
    return {
        "assessment": assessment,
        "steps": [(s, STEP_TITLES[s]) for s in STEPS],
        "step_title": STEP_TITLES[step],
        "step_intro": STEP_INTROS[step],
        "next_step": _next_step(step),
        "steps_total": len(STEPS),
        "steps_answered": assessment.steps_answered if assessment else 0,
    }


@login_required
def assessment_step(request, pk, step):
    if step not in STEPS:
        raise Http404("No such step.")
    assessment = get_object_or_404(Assessment.objects.editable_by(request.user), pk=pk)
    form_class, formset_class = STEP_FORMS[step]
    data = request.POST or None
    # Before any form is bound: validating a bound ModelForm writes into the instance.
    stored_answers = step_fingerprint(assessment, step)
    if request.method == "POST":
        token = RevisionForm(request.POST)
        shown = token.cleaned_data["revision"] if token.is_valid() else None
        if shown != assessment.revision:
            # Saved since this page was shown; a conflict only if *this* step's answers
            # changed (another tab's save of another step leaves nothing here to undo).
            if not token.is_valid() or token.cleaned_data["step_answers"] != stored_answers:
                return _conflict(request, assessment, step)
            shown = assessment.revision
    form = form_class(data, instance=assessment, prefix="main") if form_class else None
    formset = formset_class(data, instance=assessment, prefix=step) if formset_class else None
    parts = [part for part in (form, formset) if part is not None]
    if request.method == "POST" and all(part.is_valid() for part in parts):
        try:
            assessment = save_step(
                assessment=assessment, step=step, revision=shown, form=form, formset=formset
            )
        except StaleRevision:  # saved by another request between our read and our write
            return _conflict(request, Assessment.objects.get(pk=pk), step)
        rescored = " and rescored" if assessment.status == Assessment.Status.SUBMITTED else ""
        if "overwrite" in request.POST:
            messages.success(request, f"Your answers replaced the stored ones{rescored}.")
            return redirect("checklist:step", pk=pk, step=step)
        if "save_draft" in request.POST:
            messages.success(request, f"{STEP_TITLES[step]} saved as a draft{rescored}.")
            return redirect("checklist:step", pk=pk, step=step)
        messages.success(request, f"{STEP_TITLES[step]} saved{rescored}.")
        following = _next_step(step)
        if following:
            return redirect("checklist:step", pk=pk, step=following)
        return redirect("checklist:scorecard", pk=pk)
    if request.method == "POST":
        messages.error(request, "Some answers need correcting; nothing on this step was saved.")
    context = {
        "form": form,
        "formset": formset,
        "step": step,
        "revision": assessment.revision,
        "step_answers": stored_answers,
        **_step_context(assessment, step),
    }
    return render(request, "checklist/assessment_step.html", context)


def _conflict(request, assessment, step):
    """The page was shown with an older version of the answers (or none): save nothing, show
    both versions, and offer the form again with this page's answers and the current token,
    so that saving it overwrites on purpose while reloading keeps the stored answers."""
    form_class, formset_class = STEP_FORMS[step]
    stored_answers = step_fingerprint(assessment, step)  # before a form is bound to it
    stored_ids = (
        set(
            formset_class(instance=assessment, prefix=step)
            .get_queryset()
            .values_list("pk", flat=True)
        )
        if formset_class
        else set()
    )
    again = resubmission(
        request.POST,
        prefix=step if formset_class else None,
        stored_ids=stored_ids,
        revision=assessment.revision,
    )
    view = conflict_view(
        form=form_class(request.POST, instance=assessment, prefix="main"),
        stored_form=form_class(instance=assessment, prefix="main"),
        formset=formset_class(request.POST, instance=assessment, prefix=step)
        if formset_class
        else None,
        stored_formset=formset_class(instance=assessment, prefix=step) if formset_class else None,
    )
    # Validating a bound ModelForm writes its values into the instance: render the offered
    # form on a copy, so the page's heading and step marks show what is stored.
    offered = Assessment.objects.get(pk=assessment.pk)
    context = {
        "form": form_class(again, instance=offered, prefix="main"),
        "formset": formset_class(again, instance=offered, prefix=step) if formset_class else None,
        "step": step,
        "revision": assessment.revision,
        "step_answers": stored_answers,
        "conflict": view,
        **_step_context(assessment, step),
    }
    # 409 Conflict: the request was understood, but it would undo a newer save.
    return render(request, "checklist/assessment_step.html", context, status=409)


@login_required
def assessment_scorecard(request, pk):
    assessment = get_object_or_404(
        Assessment.objects.for_user(request.user)
        .select_related("owner")
        .prefetch_related("groups", "ties__institution", "institutions"),  # scores, map
        pk=pk,
    )
    profile = build_assessment_profile(assessment)
    card = score(profile)
    scored_cases = _scored_cases()
    case_cards = {key: s.card for key, s in scored_cases.items()}
    editable = Assessment.objects.editable_by(request.user).filter(pk=pk).exists()
    context = {
        "assessment": assessment,
        "card": card,
        "radar": _radar_chart(card, case_cards, assessment_id=assessment.pk),
        "cluster_map": _cluster_map_chart(assessment),
        "resemblances": resemblances(ScoredProfile(profile, card), scored_cases),
        "history": list(assessment.scores.all()[:20]),
        "engine_effect": _engine_effect(assessment, card),
        "lineage": _visible_lineage(request.user, assessment),
        "editable": editable,
        "steps": [(s, STEP_TITLES[s], assessment.step_done(s)) for s in STEPS],
    }
    return render(request, "checklist/assessment_scorecard.html", context)


INSTITUTION_HUB = "institutions"


def _tie_end(tie, role: str) -> str:
    """A map node key for one end of a tie: its group's role, or for "an institution" the
    institution the tie names, or the institutions' hub when it names none."""
    if role:
        return role
    return f"i{tie.institution_id}" if tie.institution_id else INSTITUTION_HUB


def _cluster_map_chart(assessment) -> dict | None:
    """The assessment's groups (one node per role), its institutions, and its ties. A tie's end
    that is "an institution" meets the institution the tie names, or, when it names none, the
    institutions' hub node."""
    groups, ties = list(assessment.groups.all()), list(assessment.ties.all())
    if not ties:
        return None
    role_names = dict(ActorGroup.Role.choices)
    by_role: dict[str, list[str]] = {}
    for group in groups:
        by_role.setdefault(group.role, []).append(group.name)
    for tie in ties:
        for role in (tie.from_role, tie.to_role):
            if role or not tie.institution_id:
                by_role.setdefault(role or INSTITUTION_HUB, [])
    nodes = [
        {
            "key": role,
            "label": ", ".join(names) or role_names.get(role, "Institutions (any)"),
            "type": "group",
            "detail": role_names.get(role, "a tie's end given as 'an institution'"),
        }
        for role, names in by_role.items()
    ] + [
        {"key": f"i{i.pk}", "label": i.name, "type": "institution", "detail": i.get_kind_display()}
        for i in assessment.institutions.all()
    ]
    edges = [
        {
            "source": _tie_end(tie, tie.from_role),
            "target": _tie_end(tie, tie.to_role),
            "direction": tie.direction,
            "nature": tie.get_nature_display(),
            "strength": tie.strength,
            "trend": tie.trend,
            "cited": f"your answer, linkage row {number}",
        }
        for number, tie in enumerate(ties, start=1)
    ]
    nodes, edges = pd.DataFrame(nodes), pd.DataFrame(edges)
    return chart(
        cluster_map(nodes, edges),
        "cluster-map",
        data=ties_table(nodes, edges),
        caption="The cluster map's ties",
    )


def _visible_lineage(user, assessment):
    """The assessments of this cluster the user may see, oldest first; empty unless there is
    another one to show. Counted after filtering: a list holding only "this one" would say
    that hidden assessments exist."""
    chain = lineage(assessment)
    visible_pks = set(
        Assessment.objects.for_user(user)
        .filter(pk__in=[a.pk for a in chain])
        .values_list("pk", flat=True)
    )
    visible = [a for a in chain if a.pk in visible_pks]
    return visible if len(visible) > 1 else []


@login_required
@require_POST
def assessment_submit(request, pk):
    assessment = get_object_or_404(Assessment.objects.editable_by(request.user), pk=pk)
    submit_assessment(assessment=assessment)
    messages.success(request, "Assessment submitted and scored.")
    return redirect("checklist:scorecard", pk=pk)


@login_required
@require_GET
def assessment_download(request, pk, filename):
    assessment = get_object_or_404(Assessment.objects.for_user(request.user), pk=pk)
    if filename == "scorecard.csv":
        content, kind = to_csv(scorecard_frame(assessment_scorecard_of(assessment))), CSV_TYPE
    elif filename == "answers.csv":
        content, kind = to_csv(answers_frame(answer_sheets(assessment))), CSV_TYPE
    else:
        card, sheets = assessment_scorecard_of(assessment), answer_sheets(assessment)
        steps, origin = steps_rows(assessment.steps_done), origin_rows(assessment)
        content, kind = to_xlsx(workbook_frames(card, sheets, steps, origin)), XLSX_TYPE
    response = HttpResponse(content, content_type=kind)
    name = slugify(assessment.name) or f"assessment-{pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-{filename}"'
    return response


@login_required
def assessment_delete(request, pk):
    """Confirm, then delete a draft (GET shows what will go; POST deletes)."""
    assessment = get_object_or_404(Assessment.objects.editable_by(request.user), pk=pk)
    if assessment.status != Assessment.Status.DRAFT:
        messages.error(request, "Only drafts can be deleted; a submitted assessment is kept.")
        return redirect("checklist:scorecard", pk=pk)
    if request.method == "POST":
        name = str(assessment)
        delete_draft(assessment=assessment)
        messages.success(request, f"Draft “{name}” deleted.")
        return redirect("checklist:assessments")
    return render(request, "checklist/assessment_delete.html", {"assessment": assessment})


@login_required
@require_POST
def assessment_reassess(request, pk):
    assessment = get_object_or_404(Assessment.objects.editable_by(request.user), pk=pk)
    copy = reassess(assessment=assessment, owner=request.user)
    messages.success(
        request,
        "A new assessment of the same cluster starts from your previous answers: update the "
        "year of the evidence and whatever has changed.",
    )
    return redirect("checklist:step", pk=copy.pk, step="profile")


def _engine_effect(assessment, current_card):
    """How the latest recorded scorecard differs from rescoring with today's engine: per point
    that moved, the scores and the indicators whose values moved (a value recorded as 0 under
    1.x may now be unknown, because the kind was never answered "none")."""
    record = assessment.scores.first()
    if record is None or record.engine_version == current_card.engine_version:
        return None
    recorded = {p["number"]: p for p in record.payload["points"]}

    def shown(value):
        return "unknown" if value is None else f"{value:g}"

    points = []
    for point in current_card.points:
        old = recorded.get(point.number, {})
        old_values = {e["indicator"]: e["value"] for e in old.get("evidence", [])}
        moved = [
            f"{e.indicator} {shown(old_values.get(e.indicator))} → {shown(e.value)}"
            for e in point.evidence
            if old_values.get(e.indicator) != e.value
        ]
        if old.get("score") != point.score or moved:
            points.append((point.number, old.get("score"), point.score, moved))
    roles = {group.role for group in assessment.groups.all()}
    checks = [
        r.check
        for r in criteria.redefined_since(record.engine_version)
        if (r.group_role is not None and r.group_role in roles)
        or (r.question is not None and not getattr(assessment, r.question))
    ]
    return {"version": record.engine_version, "points": points, "checks": checks}


@login_required
@require_GET
def assessment_compare(request, pk, other):
    visible = Assessment.objects.for_user(request.user)
    before = get_object_or_404(visible, pk=other)
    after = get_object_or_404(visible, pk=pk)
    before_card, after_card = assessment_scorecard_of(before), assessment_scorecard_of(after)
    context = {
        "before": before,
        "after": after,
        "before_card": before_card,
        "after_card": after_card,
        "changes": compare_scorecards(before_card, after_card),
        "answers": answer_changes(answer_sheets(before), answer_sheets(after)),
        "engine_before": _engine_effect(before, before_card),
        "engine_after": _engine_effect(after, after_card),
    }
    return render(request, "checklist/assessment_compare.html", context)


# The workbook: edited offline, uploaded back -------------------------------------------------


@login_required
@require_GET
def workbook_template(request):
    """A blank workbook: every question and list column, no answers."""
    blank = answers_frames(answer_sheets(Assessment()), steps_rows([]), origin_rows(None))
    response = HttpResponse(to_xlsx(blank), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="assessment-template.xlsx"'
    return response


@login_required
def assessment_upload(request, pk=None):
    """Upload a workbook: to a new assessment (pk None) or over an existing one's answers
    (its owner or an admin), validated all or nothing (checklist/workbook.py)."""
    assessment = None
    if pk is not None:
        assessment = get_object_or_404(Assessment.objects.editable_by(request.user), pk=pk)
    elif not can_create_assessments(request.user):
        raise PermissionDenied("Only policy officers create assessments.")
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved, changed = upload_workbook(
                form.cleaned_data["workbook"], owner=request.user, assessment=assessment
            )
        except WorkbookInvalid as invalid:
            for problem in invalid.problems:
                form.add_error("workbook", problem)
        else:
            if assessment is None:
                messages.success(request, "Assessment created from the workbook.")
            elif changed:
                messages.success(request, "Answers replaced from the workbook.")
            else:
                messages.info(request, "The workbook holds the stored answers: nothing changed.")
            return redirect("checklist:scorecard", pk=saved.pk)
    return render(
        request, "checklist/assessment_upload.html", {"form": form, "assessment": assessment}
    )
