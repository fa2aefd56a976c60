from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases.models import CaseStudy
from checklist import criteria
from checklist.charts import checklist_radar
from checklist.exports import CSV_TYPE, to_csv, to_xlsx
from checklist.library import build_profile
from checklist.models import Assessment
from checklist.scoring import score
from checklist.services import assessment_scorecard

from . import charts, table
from .charts import institutions_timeline, linkage_profile, point_bars
from .forms import CompareForm, WeightsForm
from .ranking import EQUAL, ranking
from .table import (
    Subject,
    comparison_frame,
    comparison_rows,
    institutions_frame,
    linkages_frame,
    scores_frame,
)

# The charts drawn from the case library: name, title, frame, builder, and what to say
# instead of drawing when none of the chosen subjects has data for it.
LIBRARY_CHARTS = [
    ("sizes", "Firm size structure", table.size_structure_frame, charts.size_structure,
     "None of the chosen subjects has size-class figures (assessments record none)."),
    ("firms", "Producing firms and employment", table.firms_frame, charts.firms_and_employment,
     ""),
    ("exports", "Exports over time", table.exports_frame, charts.exports_over_time,
     "None of the chosen subjects has an export time series in the paper."),
    ("institution-types", "Institutions by type and ownership", table.institution_types_frame,
     charts.institution_types, "None of the chosen subjects names any institutions."),
]  # fmt: skip

CHART_DATA = {
    "scores": scores_frame,
    "linkages": linkages_frame,
    "institutions": institutions_frame,
    **{name: frame for name, _, frame, _, _ in LIBRARY_CHARTS},
}


def _html(frame):
    return frame.to_html(classes="table table-sm small", index=False, na_rep="—", border=0)


def _chart(figure, div_id):
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id)


def _library_charts(subjects: list[Subject]) -> list[dict]:
    drawn = []
    for name, title, frame_for, builder, empty in LIBRARY_CHARTS:
        frame = frame_for(subjects)
        drawn.append(
            {
                "name": name,
                "title": title,
                "chart": _chart(builder(frame), f"chart-{name}") if len(frame) else "",
                "empty": empty,
                "data": _html(frame),
                "caveats": charts.size_caveats(frame) if name == "sizes" else [],
                "wide": name == "sizes",  # its class labels need the room
            }
        )
    return drawn


def _subjects(data, user) -> list[Subject]:
    subjects = []
    cases = {c.slug: c for c in CaseStudy.objects.for_comparison().filter(slug__in=data["case"])}
    for slug in data["case"]:  # in the order chosen
        case = cases[slug]
        profile = build_profile(case)  # kept for the table, which reads its producer count
        subjects.append(
            Subject(f"case:{slug}", case.short_title, case.get_absolute_url(),
                    score(profile), case=case, profile=profile)
        )  # fmt: skip
    ids = [a.pk for a in data["assessment"]]
    assessments = (
        Assessment.objects.for_user(user)
        .filter(pk__in=ids)
        .prefetch_related("groups", "ties", "institutions")
    )
    for assessment in assessments:
        subjects.append(
            Subject(
                f"assessment:{assessment.pk}",
                f"{assessment.name} ({assessment.evidence_year})",
                reverse("checklist:scorecard", args=[assessment.pk]),
                assessment_scorecard(assessment),
                assessment=assessment,
            )
        )
    return subjects


@require_GET
def compare_page(request):
    form = CompareForm(request.GET or None, user=request.user)
    context = {"form": form, "subjects": [], "query": request.GET.urlencode()}
    if form.is_valid():
        subjects = _subjects(form.cleaned_data, request.user)
        scores = scores_frame(subjects)
        ties, institutions = linkages_frame(subjects), institutions_frame(subjects)
        context.update(
            {
                "linkages": _chart(linkage_profile(ties), "chart-linkages"),
                "linkages_data": _html(ties),
                "institutions": _chart(institutions_timeline(institutions), "chart-institutions"),
                "institutions_data": _html(institutions),
                "library_charts": _library_charts(subjects),
            }
        )
        context.update(
            {
                "subjects": subjects,
                "sensitivity": _sensitivity(WeightsForm(request.GET), subjects),
                "rows": comparison_rows(subjects),
                "scores": scores.pivot(index="point", columns="cluster", values="score")
                .reindex(columns=[s.name for s in subjects])
                .to_html(classes="table table-sm small", na_rep="unknown", border=0),
                "radar": checklist_radar(scores).to_html(
                    full_html=False, include_plotlyjs=False, div_id="chart-radar"
                ),
                "bars": point_bars(scores).to_html(
                    full_html=False, include_plotlyjs=False, div_id="chart-bars"
                ),
            }
        )
    return render(request, "compare/compare.html", context)


def _sensitivity(form: WeightsForm, subjects: list[Subject]) -> dict:
    """The weight sliders and the ranking for the weights asked for; the page's script
    re-ranks from `data` by the same rule (compare/ranking.py) as the sliders move."""
    weights = form.weights
    others = form.data.copy()
    others.pop("w", None)
    return {
        "form": form,
        "sliders": list(zip(criteria.POINTS, weights, strict=True)),
        "rows": ranking([(s.name, s.card) for s in subjects], weights),
        "reset": others.urlencode(),  # this comparison with equal weights
        "data": {
            "subjects": [
                {"name": s.name, "scores": [p.rated_score for p in s.card.points]} for s in subjects
            ],
            "equal": EQUAL,
        },
    }


@require_GET
def compare_download(request, fmt):
    form = CompareForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponse("Choose at least one case or assessment.", status=400)
    subjects = _subjects(form.cleaned_data, request.user)
    chart = request.GET.get("chart")
    if chart in CHART_DATA:
        data = CHART_DATA[chart](subjects)
        response = HttpResponse(to_csv(data), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="clusterdx-{chart}.csv"'
        return response
    table = comparison_frame(subjects, comparison_rows(subjects))
    if fmt == "csv":
        response = HttpResponse(to_csv(table), content_type=CSV_TYPE)
    else:
        frames = {"Comparison": table, "Scores": scores_frame(subjects)}
        response = HttpResponse(
            to_xlsx(frames),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="clusterdx-comparison.{fmt}"'
    return response
