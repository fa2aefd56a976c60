"""JSON-ready dictionaries of the case library, for the API. Reads prefetched objects only."""

from decimal import Decimal

from django.urls import reverse

from .models import CaseStudy, Cited


def provenance(obj: Cited) -> dict:
    return {
        "source": {"slug": obj.source.slug, "title": obj.source.title},
        "lines": [obj.line_from, obj.line_to] if obj.line_from is not None else None,
        "locator": obj.locator,
        "passage": obj.passage,
        # "checked" (verbatim, found in the source's stored text), "quoted" (verbatim, the
        # text not stored to check it) or "summary" (the editor's summary, not a quotation)
        "passage_kind": obj.passage_kind,
        "citation": obj.citation,
        "confidence": obj.confidence,
        "note": obj.note,
        # the reader of the cited lines (the name kept from when the paper was the only source)
        "paper_url": obj.reader_url,
    }


def _key(obj) -> str | None:
    return obj.key if obj is not None else None


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _end(group, institution) -> dict:
    if group is not None:
        return {"type": "actor_group", "key": group.key, "name": group.name}
    return {"type": "institution", "key": institution.key, "name": institution.label}


def case_summary(case: CaseStudy, request=None) -> dict:
    url = reverse("api:case-detail", args=[case.slug])
    return {
        "slug": case.slug,
        "title": case.title,
        "short_title": case.short_title,
        "country": case.country,
        "world_region": case.world_region,
        "sector": case.sector,
        "kind": case.kind,
        "clusters": [cluster.key for cluster in case.clusters.all()],
        "url": request.build_absolute_uri(url) if request else url,
    }


def case_detail(case: CaseStudy) -> dict:
    """Everything stored about one case, each row with its provenance."""
    return {
        "slug": case.slug,
        "position": case.position,
        "title": case.title,
        "short_title": case.short_title,
        "country": case.country,
        "world_region": case.world_region,
        "sector": case.sector,
        "kind": case.kind,
        "summary": case.summary,
        "studies": case.studies,
        "provenance": provenance(case),
        "clusters": [
            {
                "key": c.key,
                "name": c.name,
                "kind": c.kind,
                "location": c.location,
                "sector": c.sector,
                "products": c.products,
                "description": c.description,
                "provenance": provenance(c),
            }
            for c in case.clusters.all()
        ],
        "size_classes": [
            {
                "key": s.key,
                "cluster": _key(s.cluster),
                "name": s.name,
                "min_employees": s.min_employees,
                "max_employees": s.max_employees,
                "definition": s.definition,
                "provenance": provenance(s),
            }
            for s in case.size_classes.all()
        ],
        "firms": {
            "groups": [
                {
                    "key": g.key,
                    "cluster": _key(g.cluster),
                    "name": g.name,
                    "role": g.role,
                    "size_class": _key(g.size_class),
                    "description": g.description,
                    "provenance": provenance(g),
                }
                for g in case.actor_groups.all()
            ],
            "named": [
                {
                    "key": f.key,
                    "cluster": _key(f.cluster),
                    "group": _key(f.group),
                    "market": _key(f.market),
                    "name": f.name,
                    "role": f.role,
                    "ownership": f.ownership,
                    "description": f.description,
                    "provenance": provenance(f),
                }
                for f in case.firms.all()
            ],
        },
        "linkages": [
            {
                "key": link.key,
                "cluster": _key(link.cluster),
                "direction": link.direction,
                "nature": link.nature,
                "from": _end(link.from_group, link.from_institution),
                "to": _end(link.to_group, link.to_institution),
                "strength": link.strength,
                "trend": link.trend,
                "status": link.status,
                "description": link.description,
                "provenance": provenance(link),
            }
            for link in case.linkages.all()
        ],
        "institutions": [
            {
                "key": i.key,
                "cluster": _key(i.cluster),
                "name": i.name,
                "acronym": i.acronym,
                "kind": i.kind,
                "ownership": i.ownership,
                "level": i.level,
                "founded": i.founded,
                "status": i.status,
                "services": i.services,
                "small_firm_reach": i.small_firm_reach,
                "reach_note": i.reach_note,
                "provenance": provenance(i),
            }
            for i in case.institutions.all()
        ],
        "markets": [
            {
                "key": m.key,
                "cluster": _key(m.cluster),
                "name": m.name,
                "kind": m.kind,
                "destinations": m.destinations,
                "products": m.products,
                "competes_on": m.competition_bases,
                "competition_note": m.competition_note,
                "description": m.description,
                "provenance": provenance(m),
            }
            for m in case.markets.all()
        ],
        "history": [
            {
                "key": h.key,
                "cluster": _key(h.cluster),
                "kind": h.kind,
                "year_from": h.year_from,
                "year_to": h.year_to,
                "title": h.title,
                "description": h.description,
                "provenance": provenance(h),
            }
            for h in case.history.all()
        ],
        "figures": [
            {
                "key": f.key,
                "cluster": _key(f.cluster),
                "scope": f.scope,
                "metric": f.metric,
                "label": f.label,
                "value": _number(f.value),
                "value_max": _number(f.value_max),
                "unit": f.unit,
                "qualifier": f.qualifier,
                "value_text": f.value_text,  # the paper's wording, where digits lose it
                "display": f.display_value,
                "year": f.year,
                "year_to": f.year_to,
                "basis": f.basis,
                "series": f.series,
                "headline": f.headline,
                "about": {
                    "actor_group": _key(f.actor_group),
                    "size_class": _key(f.size_class),
                    "institution": _key(f.institution),
                    "market": _key(f.market),
                    "firm": _key(f.firm),
                },
                "provenance": provenance(f),
            }
            for f in case.figures.all()
        ],
        "policy": [
            {
                "aspect": s.aspect,
                "label": s.get_aspect_display(),
                "value": s.value,
                "description": s.description,
                "provenance": provenance(s),
            }
            for s in case.policy.all()
        ],
        "conclusions": [
            {
                "row": c.row,
                "label": c.get_row_display(),
                "value": c.value,
                "provenance": provenance(c),
            }
            for c in sorted(case.conclusions.all(), key=lambda c: c.row_order)
        ],
    }
