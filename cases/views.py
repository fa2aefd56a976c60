from collections import defaultdict

import pandas as pd
from django.core.validators import slug_re
from django.db.models.functions import Length
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from clusterdx.html import chart

from . import payloads
from .charts import cluster_map
from .models import PAPER_SLUG, CaseStudy, Confidence, Source


@require_GET
def case_list(request):
    cases = CaseStudy.objects.for_cards()
    return render(request, "cases/case_list.html", {"cases": cases})


@require_GET
def case_detail(request, slug):
    case = get_object_or_404(CaseStudy.objects.with_library(), slug=slug)
    figures = list(case.figures.all())
    figures_by_group = defaultdict(list)
    figures_by_institution = defaultdict(list)
    figures_by_market = defaultdict(list)
    for figure in figures:
        if figure.actor_group_id:
            figures_by_group[figure.actor_group_id].append(figure)
        if figure.institution_id:
            figures_by_institution[figure.institution_id].append(figure)
        if figure.market_id:
            figures_by_market[figure.market_id].append(figure)
    groups = [(g, figures_by_group[g.id]) for g in case.actor_groups.all()]
    institutions = [(i, figures_by_institution[i.id]) for i in case.institutions.all()]
    firms = list(case.firms.all())
    buyers_by_market = defaultdict(list)
    for firm in firms:
        if firm.market_id:
            buyers_by_market[firm.market_id].append(firm)
    markets = [(m, figures_by_market[m.id], buyers_by_market[m.id]) for m in case.markets.all()]
    conclusions = sorted(case.conclusions.all(), key=lambda c: c.row_order)
    context = {
        "case": case,
        "clusters": list(case.clusters.all()),
        "headline_figures": [f for f in figures if f.headline],
        "figures": figures,
        "size_classes": list(case.size_classes.all()),
        "groups": groups,
        "firms": firms,
        "linkages": list(case.linkages.all()),
        "institutions": institutions,
        "markets": markets,
        "history": list(case.history.all()),
        "policy": list(case.policy.all()),
        "conclusions": conclusions,
        "uncertain_count": sum(
            1
            for obj in [
                case,
                *case.clusters.all(),
                *case.size_classes.all(),
                *case.actor_groups.all(),
                *firms,
                *case.institutions.all(),
                *case.markets.all(),
                *case.linkages.all(),
                *case.history.all(),
                *case.policy.all(),
                *figures,
                *conclusions,
            ]
            if obj.confidence != Confidence.CERTAIN
        ),
    }
    # the map draws ties; a row recording that the paper reports no tie is not one
    ties = [link for link in context["linkages"] if link.is_tie]
    context["cluster_map"] = _cluster_map_chart(case, ties)
    return render(request, "cases/case_detail.html", context)


def _cluster_map_chart(case, linkages) -> dict | None:
    if not linkages:
        return None
    nodes = pd.DataFrame(
        [
            {"key": f"g{g.id}", "label": g.name, "type": "group", "detail": g.get_role_display()}
            for g in case.actor_groups.all()
        ]
        + [
            {
                "key": f"i{i.id}",
                "label": i.label,
                "type": "institution",
                "detail": i.get_kind_display(),
            }
            for i in case.institutions.all()
        ]  # fmt: skip
    )
    edges = pd.DataFrame(
        [
            {
                "source": f"g{link.from_group_id}"
                if link.from_group_id
                else f"i{link.from_institution_id}",
                "target": f"g{link.to_group_id}"
                if link.to_group_id
                else f"i{link.to_institution_id}",
                "direction": link.direction,
                "nature": link.get_nature_display(),
                "strength": link.strength,
                "trend": link.trend,
                "cited": link.where_label,
            }
            for link in linkages
        ]  # fmt: skip
    )
    return chart(cluster_map(nodes, edges), "cluster-map")


@require_GET
def paper(request):
    """The review paper: the reader of the library's first source, at its old address."""
    return _reader(request, Source.objects.paper())


@require_GET
def source_reader(request, slug):
    """A source's stored text, line-numbered, with the cited range highlighted; for a source
    without text, what is known of it."""
    source = get_object_or_404(Source, slug=slug)
    if source.slug == PAPER_SLUG:
        return redirect(f"{source.get_absolute_url()}?{request.GET.urlencode()}")
    return _reader(request, source)


@require_GET
def source_list(request):
    sources = Source.objects.defer("text").annotate(text_length=Length("text"))
    return render(request, "cases/source_list.html", {"sources": sources})


def _reader(request, source: Source):
    text = source.document
    try:
        first = int(request.GET.get("from", 0))
        last = int(request.GET.get("to", first))
    except ValueError:
        raise Http404("Line numbers must be whole numbers.") from None
    if first and not (1 <= first <= last <= text.line_count):
        raise Http404(f"{source.in_words} has lines 1 to {text.line_count}.")
    lines = [(number, line, first <= number <= last) for number, line in enumerate(text.lines, 1)]
    return render(
        request,
        "cases/paper.html",
        {
            "source": source,
            "lines": lines,
            "first": first,
            "last": last,
            "line_count": text.line_count,
        },
    )


@require_GET
def api_case_list(request):
    cases = CaseStudy.objects.prefetch_related("clusters")
    return JsonResponse({"cases": [payloads.case_summary(c, request) for c in cases]})


def is_case_slug(value: str) -> bool:
    """Whether `value` could name a case: the API takes any text in the path (`<str:slug>`),
    so text no slug can be is answered 404 without a query."""
    return len(value) <= CaseStudy._meta.get_field("slug").max_length and bool(slug_re.match(value))


@require_GET
def api_case_detail(request, slug):
    case = (
        CaseStudy.objects.with_library().filter(slug=slug).first() if is_case_slug(slug) else None
    )
    if case is None:
        return JsonResponse({"error": f"No case study with slug '{slug}'."}, status=404)
    return JsonResponse(payloads.case_detail(case), json_dumps_params={"ensure_ascii": False})
