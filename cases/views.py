from collections import defaultdict

import pandas as pd
from django.db.models.functions import Length
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from clusterdx.html import chart

from . import bundles
from .chart_tables import ties_table
from .charts import cluster_map
from .derived import deflated_part, derived, mark_shared, render_library_page
from .forms import RowHistoryForm
from .models import PAPER_SLUG, CaseStudy, Confidence, Source


@require_GET
def case_list(request):
    return render_library_page(
        request,
        "cases/case_list.html",
        "case-list",
        build_context=lambda: {"cases": list(CaseStudy.objects.for_cards())},
    )


@require_GET
def case_detail(request, slug):
    # A missing slug is not cached: the 404 costs one small query, and caching it would let
    # anyone fill the cache with made-up slugs.
    if not CaseStudy.objects.filter(slug=slug).exists():
        raise Http404("No such case study.")
    admin_part = {}
    if request.user.is_staff:  # an admin's firm tables, read for each request (not library data)
        admin_part = {
            "request_part": "cases/includes/case_firm_tables.html",
            "request_context": {
                "case": CaseStudy.objects.get(slug=slug),
                "bundle_formats": list(bundles.FORMATS),
                "row_form": RowHistoryForm(),
            },
        }
    return render_library_page(
        request, "cases/case_detail.html", "case-detail", slug,
        build_context=lambda: _case_detail_context(slug), **admin_part,
    )  # fmt: skip


def _case_detail_context(slug: str) -> dict:
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
    rows = [
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
    context = {
        "case": case,
        # How the page speaks of where its facts come from: a case from another source than
        # the review paper (an imported case study) must not say "the paper" of it.
        "said_by": "the paper" if case.source.slug == PAPER_SLUG else "the source",
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
        "uncertain_count": sum(1 for obj in rows if obj.confidence != Confidence.CERTAIN),
        # Sources whose passages are the editor's summaries: the page says so once, above the
        # facts, as well as on each fact's link.
        "summarised_sources": list(
            {obj.source.slug: obj.source for obj in rows if obj.source.summarised}.values()
        ),
    }
    # the map draws ties; a row recording that the paper reports no tie is not one
    ties = [link for link in context["linkages"] if link.is_tie]
    context["cluster_map"] = _cluster_map_chart(case, ties)
    return context


def _cluster_map_chart(case, linkages) -> dict | None:
    if not linkages:
        return None
    nodes = pd.DataFrame(
        [
            {
                "key": f"g{g.id}",
                "label": g.name,
                "type": "group",
                "detail": g.get_role_display(),
                "context": g.cluster.name if g.cluster else "",
            }
            for g in case.actor_groups.all()
        ]
        + [
            {
                "key": f"i{i.id}",
                "label": i.label,
                "type": "institution",
                "detail": i.get_kind_display(),
                # What tells apart two institutions of one label (two "CU"s, two "SENAI"s).
                "context": i.cluster.name if i.cluster else "",
                "name": i.name,
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
    return chart(
        cluster_map(nodes, edges),
        "cluster-map",
        data=ties_table(nodes, edges),
        caption="The cluster map's ties",
    )


@require_GET
def paper(request):
    """The review paper: the reader of the library's first source, at its old address."""
    # Its text (0.6 MB) is read only when a page is drawn, not on every request.
    source = Source.objects.defer("text").filter(slug=PAPER_SLUG).first()
    return _reader(request, source or Source.objects.paper())


@require_GET
def source_reader(request, slug):
    """A source's stored text, line-numbered, with the cited range highlighted; for a source
    without text, what is known of it."""
    source = get_object_or_404(Source.objects.defer("text"), slug=slug)
    if source.slug == PAPER_SLUG:
        return redirect(f"{source.get_absolute_url()}?{request.GET.urlencode()}")
    return _reader(request, source)


@require_GET
def source_list(request):
    sources = Source.objects.defer("text").annotate(text_length=Length("text"))
    return render(request, "cases/source_list.html", {"sources": sources})


def _reader(request, source: Source):
    try:
        first = int(request.GET.get("from", 0))
        last = int(request.GET.get("to", first))
    except ValueError:
        raise Http404("Line numbers must be whole numbers.") from None
    if not first:
        # Nothing highlighted: the whole page but the nav is the same for everyone, so it is
        # rendered (and deflated) once per data version, like a case page; a request then
        # neither reads the text from the database nor joins and encodes 0.6 MB of it.
        return render_library_page(
            request, "cases/paper.html", "reader", source.slug,
            build_context=lambda: _whole_text(Source.objects.get(pk=source.pk)),
        )  # fmt: skip
    text = source.document  # the deferred text, read now
    if first and not (1 <= first <= last <= text.line_count):
        raise Http404(f"{source.in_words} has lines 1 to {text.line_count}.")

    # The text in blocks of lines, each rendered and deflated once per data version: a page is
    # the blocks joined, only those holding the highlighted range rendered for the request. So
    # a range costs two blocks' work, and the cache holds one text, whatever ranges are asked.
    blocks = _source_blocks(source)
    shown, shared = [], []
    for start, html, deflated in blocks:
        end = start + TEXT_BLOCK_LINES - 1
        if first and first <= end and last >= start:
            numbered = enumerate(text.lines[start - 1 : end], start)
            html = _text_lines([(n, line, first <= n <= last) for n, line in numbered])
        else:
            shared.append(deflated)
        shown.append(html)
    text_lines = SafeString("".join(shown))  # safe: blocks of autoescaped template output
    response = render(
        request,
        "cases/paper.html",
        {
            "source": source,
            "text_lines": text_lines,
            "first": first,
            "last": last,
            "line_count": text.line_count,
        },
    )
    mark_shared(response, shared)
    return response


TEXT_BLOCK_LINES = 100


def _source_blocks(source: Source) -> list[tuple[int, SafeString, tuple[bytes, bytes]]]:
    return derived(
        "source-blocks", source.slug, build=lambda: _text_blocks(source.document.lines),
        immutable=True,
    )  # fmt: skip


def _whole_text(source: Source) -> dict:
    """The reader's context with no line highlighted."""
    # The blocks are autoescaped template output, joined.
    blocks = "".join(html for _, html, _ in _source_blocks(source))
    text_lines = SafeString(blocks)  # safe: blocks of autoescaped template output
    return {"source": source, "text_lines": text_lines, "first": 0, "last": 0,
            "line_count": source.document.line_count}  # fmt: skip


def _text_lines(lines: list[tuple[int, str, bool]]) -> SafeString:
    return render_to_string("cases/includes/paper_lines.html", {"lines": lines})


def _text_blocks(lines: list[str]) -> list[tuple[int, SafeString, tuple[bytes, bytes]]]:
    """(first line number, HTML, its UTF-8 bytes with those deflated) per block, none lit."""
    blocks = []
    for start in range(1, len(lines) + 1, TEXT_BLOCK_LINES):
        numbered = enumerate(lines[start - 1 : start - 1 + TEXT_BLOCK_LINES], start)
        html = _text_lines([(n, line, False) for n, line in numbered])
        blocks.append((start, html, deflated_part(html)))
    return blocks
