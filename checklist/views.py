import pandas as pd
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.models import CaseStudy

from . import criteria
from .charts import checklist_radar
from .library import case_scorecard
from .payloads import scorecard_payload


@require_GET
def method(request):
    points = [(p, criteria.indicators_for(p.number)) for p in criteria.POINTS]
    context = {
        "points": points,
        "weights": criteria.DEFAULT_WEIGHTS,
        "levels": criteria.LEVELS,
        "unknown_level": criteria.UNKNOWN_LEVEL,
        "min_completeness": int(criteria.MIN_COMPLETENESS * 100),
        "engine_version": criteria.ENGINE_VERSION,
        "heading": criteria.HEADING,
        "heading_lines": criteria.HEADING_LINES,
    }
    return render(request, "checklist/method.html", context)


@require_GET
def case_scorecard_page(request, slug):
    # All five cases are scored (one prefetching query set) so the radar can compare them.
    cards = {case.slug: (case, case_scorecard(case)) for case in CaseStudy.objects.with_library()}
    if slug not in cards:
        raise Http404("No such case study.")
    case, card = cards[slug]
    frame = pd.DataFrame(
        [
            {"cluster": other.short_title, "point": p.number, "score": p.score}
            for other, other_card in cards.values()
            for p in other_card.points
        ]
    )
    radar = checklist_radar(frame, highlight=case.short_title)
    context = {
        "case": case,
        "card": card,
        "radar": radar.to_html(full_html=False, include_plotlyjs=False, div_id="radar"),
        "others": [(other, c.overall) for other, c in cards.values() if other.slug != slug],
    }
    return render(request, "checklist/case_scorecard.html", context)


@require_GET
def api_case_scorecard(request, slug):
    case = CaseStudy.objects.with_library().filter(slug=slug).first()
    if case is None:
        return JsonResponse({"error": f"No case study with slug '{slug}'."}, status=404)
    return JsonResponse(scorecard_payload(case_scorecard(case)))
