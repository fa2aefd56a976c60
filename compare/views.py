import re
from urllib.parse import urlencode

import pandas as pd
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.views.decorators.http import require_GET

from cases.derived import FOREVER, derived, derived_many, library_key
from cases.models import CaseStudy
from checklist.adapters import assessment_scorecard, build_profile
from checklist.charts import checklist_radar, subject_colours
from checklist.models import Assessment
from clusterdx.downloads import CSV_TYPE, to_csv, to_xlsx
from clusterdx.html import chart, data_table
from engine import criteria
from engine.ranking import EQUAL, ranking
from engine.scoring import score

from . import charts, table
from .charts import institutions_timeline, linkage_profile, point_bars
from .forms import MAX_SUBJECTS, SEARCH_MAX_LENGTH, CompareForm, WeightsForm
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

# What a chart's readers must know about its numbers, listed under it.
CAVEATS = {"sizes": charts.size_caveats, "firms": charts.firms_caveats}

CHART_DATA = {
    "scores": scores_frame,
    "linkages": linkages_frame,
    "institutions": institutions_frame,
    **{name: frame for name, _, frame, _, _ in LIBRARY_CHARTS},
}


def _paper_link(lines) -> str:
    """'208-209' (or '208') as a link to those lines of the paper."""
    if not isinstance(lines, str) or not lines:
        return ""
    first, _, last = lines.partition("-")
    url = f"{reverse('cases:paper')}?from={first}&to={last or first}#L{first}"
    return format_html('<a class="cite" href="{}">{}</a>', url, lines)


# A line reference inside a note: "(1112-1113)", "lines 208-209" or "line 1661".
LINE_REFERENCE = re.compile(r"(?<![\d.,])(\d{1,4}(?:-\d{1,4})?)(?![\d%]|[.,]\d)")
REFERENCE_CONTEXT = re.compile(r"(\(|\blines? )$")


def linked_note(note) -> str:
    """A note with its line references ("(1112-1113)", "lines 539-548") linked to the paper.

    The text between the references is escaped (format_html / conditional_escape); only
    numbers right after "(" or "line(s) " count, so "1,800 firms" or "80%" stay text."""
    if not isinstance(note, str) or not note:
        return ""
    parts, last = [], 0
    for match in LINE_REFERENCE.finditer(note):
        if not REFERENCE_CONTEXT.search(note[: match.start()]):
            continue
        parts.append(conditional_escape(note[last : match.start()]))
        parts.append(_paper_link(match.group(1)))
        last = match.end()
    parts.append(conditional_escape(note[last:]))
    return format_html_join("", "{}", ((part,) for part in parts))


# Paper lines and the line references in notes, as links (data tables and chart tables).
PAPER_LINKS = {"paper_lines": _paper_link, "note": linked_note}


def _html(frame: pd.DataFrame):
    """A chart's data as a table (every cell escaped), paper lines and the line references
    in notes as links."""
    return data_table(frame, links=PAPER_LINKS)


# The charts whose traces are subjects, so they take the one colour map (checklist.charts).
COLOURED_BY_SUBJECT = {charts.exports_over_time}


def _library_charts(subjects: list[Subject], colours: dict[str, str]) -> list[dict]:
    drawn = []
    for name, title, frame_for, builder, empty in LIBRARY_CHARTS:
        frame = frame_for(subjects)
        options = {"colours": colours} if builder in COLOURED_BY_SUBJECT else {}
        drawn.append(
            {
                "name": name,
                "title": title,
                "chart": chart(
                    builder(frame, **options),
                    f"chart-{name}",
                    data=frame,
                    links=PAPER_LINKS,
                    caption=f"Data of the chart: {title}, with paper lines",
                )
                if len(frame)
                else None,  # fmt: skip
                "empty": empty,
                "data": _html(frame),
                "caveats": CAVEATS[name](frame) if name in CAVEATS else [],
                "wide": name == "sizes",  # its class labels need the room
            }
        )
    return drawn


def _case_subjects(slugs: list[str]) -> dict[str, Subject]:
    subjects = {}
    for case in CaseStudy.objects.for_comparison().filter(slug__in=slugs):
        profile = build_profile(case)  # kept for the table, which reads its producer count
        subjects[case.slug] = Subject(f"case:{case.slug}", case.short_title,
                                      case.get_absolute_url(), score(profile), case=case,
                                      profile=profile)  # fmt: skip
    return subjects


# How long what is drawn from assessments stays cached: every save of one makes new keys, so
# old entries are garbage; expired entries are the first the database cache culls.
ASSESSMENT_TIMEOUT = 24 * 3600


def _assessment_stamp(assessment: Assessment) -> tuple[int, int, str]:
    """What names an assessment's answers as they stand: every save of an answer moves its
    revision (services.save_step, answers.replace_answers) and every save at all moves
    `updated` (a submit, an admin's change), so a changed assessment never meets its old
    subject or page in the cache."""
    return (assessment.pk, assessment.revision, assessment.updated.isoformat())


def _assessment_subjects(stamps: list[tuple[int, int, str]]) -> dict[tuple, Subject]:
    # No access check here: the stamps come from the form's queryset of what the user may see,
    # checked on this request; what is cached is the assessment's data, not who may read it.
    ids = [pk for pk, _, _ in stamps]
    found = Assessment.objects.filter(pk__in=ids).prefetch_related("groups", "ties", "institutions")
    by_pk = {assessment.pk: assessment for assessment in found}
    subjects = {}
    for stamp in stamps:
        assessment = by_pk.get(stamp[0])
        if assessment is None:  # deleted since the form read it: nothing to cache
            continue
        subjects[stamp] = Subject(
            f"assessment:{assessment.pk}",
            f"{assessment.name} ({assessment.evidence_year})",
            reverse("checklist:scorecard", args=[assessment.pk]),
            assessment_scorecard(assessment),
            assessment=assessment,
        )
    return subjects


def _subjects(data, version: str | None = None) -> list[Subject]:
    """The subjects chosen, in the order chosen: the cases, then the assessments. The form has
    checked the slugs and that the user may see each assessment (CompareForm: `for_user`).

    A library case's subject (its prefetched data, profile and scorecard) is built once per
    data version, an assessment's once per stamp of its answers (`_assessment_stamp`), all
    missing ones of a kind in one query set, and both are kept in the process as well."""
    version = version or library_key()
    cases = derived_many("compare-case", data["case"], build_missing=_case_subjects,
                         version=version, immutable=True)  # fmt: skip
    stamps = [_assessment_stamp(a) for a in data["assessment"]]
    assessments = derived_many("compare-assessment", stamps, build_missing=_assessment_subjects,
                               version=version, immutable=True,
                               timeout=ASSESSMENT_TIMEOUT)  # fmt: skip
    return [cases[slug] for slug in data["case"]] + [
        assessments[stamp] for stamp in stamps if stamp in assessments
    ]


def _colours(subjects: list[Subject]) -> dict[str, str]:
    """Each subject's colour: a case keeps its library colour whichever cases are chosen."""
    library = list(CaseStudy.objects.values_list("short_title", flat=True))  # library order
    return subject_colours(library, {s.name: s.assessment.pk for s in subjects if s.case is None})


@require_GET
def compare_page(request):
    form = CompareForm(request.GET or None, user=request.user)
    if form.over_limit:
        messages.warning(
            request,
            f"Compare at most {MAX_SUBJECTS} cases and assessments at a time: the cases asked "
            "for come first, then the assessments in the order chosen, up to that number; "
            "the rest are listed as left out.",
        )
    if form.search_shortened:
        messages.warning(
            request,
            f"Searches use at most {SEARCH_MAX_LENGTH} characters: yours was shortened to them.",
        )
    context = {"form": form, "subjects": [], "query": request.GET.urlencode()}
    if form.is_valid():
        data = form.cleaned_data
        # The rendered table and charts depend on nothing but the library's data, the cases
        # chosen and the chosen assessments' answers (in order, at most MAX_SUBJECTS: few
        # keys), so they are drawn once per data version and stamps of the assessments
        # (`_assessment_stamp`), and a repeated comparison builds no subject at all. Who may
        # see an assessment is not in here: the form checked it for this request.
        version = library_key()
        data = {"case": data["case"], "assessment": list(data["assessment"])}
        drawn = derived(
            "compare-page", tuple(data["case"]),
            tuple(_assessment_stamp(a) for a in data["assessment"]),
            build=lambda: _drawn(_subjects(data, version)), version=version, immutable=True,
            timeout=ASSESSMENT_TIMEOUT if data["assessment"] else FOREVER,
        )  # fmt: skip
        context.update(
            {
                "subjects": drawn["ranked"],
                "drawn": drawn,
                "sensitivity": _sensitivity(WeightsForm(request.GET), drawn["ranked"]),
            }
        )
    return render(request, "compare/compare.html", context)


def _drawn(subjects: list[Subject]) -> dict:
    """The page's table and charts for these subjects, rendered (what does not depend on the
    weights asked for or on who asks), and each subject's name and scorecard for the ranking."""
    scores = scores_frame(subjects)
    colours = _colours(subjects)
    ties, institutions = linkages_frame(subjects), institutions_frame(subjects)
    context = {
        "subjects": subjects,
        # Chart data depend on the subjects only, so their CSV links name nothing else.
        "subjects_query": urlencode([tuple(s.key.split(":", 1)) for s in subjects]),
        "linkages": chart(
            linkage_profile(ties),
            "chart-linkages",
            data=ties,
            links=PAPER_LINKS,
            caption="Ties by nature and strength, with paper lines",
        ),
        "institutions": chart(
            institutions_timeline(institutions),
            "chart-institutions",
            data=institutions,
            links=PAPER_LINKS,
            caption="Institutions by founding year, with paper lines",
        ),
        "library_charts": _library_charts(subjects, colours),
        "rows": comparison_rows(subjects),
        # The radar and the bars draw the same scores: one table, which both describe.
        "radar": chart(
            checklist_radar(scores, colours=colours),
            "chart-radar",
            data=scores.pivot(index="point", columns="cluster", values="score")
            .reindex(columns=[s.name for s in subjects])
            .reset_index(),
            missing="unknown",
            caption="Scores (0-100) by point and subject, drawn by both charts",
        ),
        "bars": chart(
            point_bars(scores, colours=colours),
            "chart-bars",
            described_by="chart-radar-data",
        ),
    }
    return {
        "table": render_to_string("compare/includes/comparison_table.html", context),
        "charts": render_to_string("compare/includes/results_charts.html", context),
        "ranked": [(s.name, s.card) for s in subjects],
    }


def _sensitivity(form: WeightsForm, ranked: list[tuple[str, object]]) -> dict:
    """The weight sliders and the ranking for the weights asked for, of the subjects' `(name,
    scorecard)`; the page's script re-ranks from `data` by the same rule (engine/ranking.py)
    as the sliders move."""
    weights = form.weights
    others = form.data.copy()
    others.pop("w", None)
    return {
        "form": form,
        "sliders": list(zip(criteria.POINTS, weights, strict=True)),
        "rows": ranking(ranked, weights),
        "reset": others.urlencode(),  # this comparison with equal weights
        "data": {
            "subjects": [
                {"name": name, "scores": [p.rated_score for p in card.points]}
                for name, card in ranked
            ],
            "equal": EQUAL,
        },
    }


def _ranking_frame(subjects: list[Subject], weights) -> pd.DataFrame:
    """The ranking for the weights in the address, with the weights themselves."""
    rows = ranking([(s.name, s.card) for s in subjects], weights)
    frame = pd.DataFrame(
        [{"rank": r.rank, "cluster": r.name, "weighted overall": r.overall,
          "rank with equal weights": r.equal_rank, "points rated": r.rated} for r in rows]
    )  # fmt: skip
    point_weights = ", ".join(f"{p.number}: {w:g}" for p, w in zip(criteria.POINTS, weights,
                                                                    strict=True))  # fmt: skip
    frame["point weights"] = point_weights
    return frame


def stacked(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The XLSX's sheets as one CSV table: a first column names the sheet each row comes
    from, the columns are all the sheets' columns (blank where a sheet has no such column)."""
    return pd.concat(
        [frame.astype(object).assign(**{"table": name}) for name, frame in frames.items()],
        ignore_index=True,
    ).pipe(lambda both: both[["table", *[c for c in both.columns if c != "table"]]])


@require_GET
def compare_download(request, fmt):
    form = CompareForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponse("Choose at least one case or assessment.", status=400)
    subjects = _subjects(form.cleaned_data)
    chart = request.GET.get("chart")
    if chart in CHART_DATA:
        data = CHART_DATA[chart](subjects)
        response = HttpResponse(to_csv(data), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="clusterdx-{chart}.csv"'
        return response
    table = comparison_frame(subjects, comparison_rows(subjects))
    frames = {
        "Comparison": table,
        "Ranking": _ranking_frame(subjects, WeightsForm(request.GET).weights),
        **{f"Chart {name}": frame(subjects) for name, frame in CHART_DATA.items()},
    }
    if fmt == "csv":
        response = HttpResponse(to_csv(stacked(frames)), content_type=CSV_TYPE)
    else:
        response = HttpResponse(
            to_xlsx(frames),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="clusterdx-comparison.{fmt}"'
    return response
