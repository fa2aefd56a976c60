"""Build the scoring engine's profile of a library case from its stored, cited data.

The case's scorecard is computed from this profile by the same engine that scores an
officer's assessment; nothing here is a score. Each datum carries its source row and lines.
Reads a case fetched with `CaseStudy.objects.with_library()` (no further queries).
"""

from __future__ import annotations

from cases.models import CaseStudy, Cited, Figure, PolicySetting, line_span

from .profile import Body, ClusterProfile, Fact, Group, MarketBasis, Source, Tie
from .scoring import Scorecard, score
from .similarity import ScoredProfile


def _source(label: str, row: Cited) -> Source:
    # a row of a source without stored text has a locator, not lines
    lines = (row.line_from, row.line_to) if row.line_from is not None else None
    return Source(label if lines else f"{label} ({row.where_label})", lines)


def producer_count_figures(case: CaseStudy) -> list[Figure]:
    """Per cluster, the largest count given for a producer group (no size class)."""
    best: dict[int, Figure] = {}
    for figure in case.figures.all():
        group = figure.actor_group
        if (
            figure.metric == Figure.Metric.COUNT
            and group is not None
            and group.role == "producer"
            and figure.size_class_id is None
            and (group.cluster_id not in best or figure.value > best[group.cluster_id].value)
        ):
            best[group.cluster_id] = figure
    return list(best.values())


def _producer_count(case: CaseStudy) -> Fact | None:
    """The producer counts of `producer_count_figures`, summed over clusters."""
    best = producer_count_figures(case)
    if not best:
        return None
    total = int(sum(f.value for f in best))
    labels = "; ".join(f"{f.label} {f.display_value}" for f in best)
    return Fact(total, Source(labels, line_span(best)), shown=_qualified_total(total, best))


def _qualified_total(total: int, figures: list[Figure]) -> str:
    """The total with the paper's qualifier kept: two "about" counts sum to "about 3,800".
    Counts with different qualifiers ("over 700" + "about 500") make the sum approximate."""
    qualifiers = {f.qualifier for f in figures}
    if qualifiers == {Figure.Qualifier.EXACT}:
        return f"{total:,}"
    if len(qualifiers) == 1:
        return f"{Figure.Qualifier(qualifiers.pop()).label} {total:,}"
    return f"about {total:,}"


def _export_share(case: CaseStudy) -> Fact | None:
    """The share of output exported: a cluster figure if the paper gives one, else national."""
    figures = [f for f in case.figures.all() if f.metric == Figure.Metric.OUTPUT_EXPORTED]
    if not figures:
        return None
    figures.sort(key=lambda f: (f.scope != Figure.Scope.CLUSTER, -(f.year or 0)))
    chosen = figures[0]
    label = f"{chosen.label} {chosen.display_value} ({chosen.get_scope_display().lower()})"
    return Fact(float(chosen.value), _source(label, chosen))


def _competition(case: CaseStudy) -> tuple[MarketBasis, ...] | None:
    markets = tuple(
        MarketBasis(
            market.kind,
            frozenset(market.competition_bases),
            _source(f"Market: {market.name}", market),
        )
        for market in case.markets.all()
        if market.competition_bases
    )
    return markets or None


def _foreign_buyers(case: CaseStudy) -> Fact | None:
    exports = [m for m in case.markets.all() if m.kind == "export"]
    agents = [g for g in case.actor_groups.all() if g.role in {"buyer", "export_agent", "tnc"}]
    if exports and agents:
        return Fact(True, _source(f"{agents[0].name} serving {exports[0].name}", agents[0]))
    if not exports:
        return None
    return Fact(False, _source(f"no buyer or agent group for {exports[0].name}", exports[0]))


POLICY_FIELDS = {
    PolicySetting.Aspect.STATE_CREATED: ("state_created", {"yes": True, "no": False}),
    PolicySetting.Aspect.TRADE_REGIME: ("trade_regime", None),
    PolicySetting.Aspect.SME_INCENTIVES: ("sme_incentives", None),
    PolicySetting.Aspect.CONTRACT_RULES: ("contract_rules", {"yes": True, "no": False}),
    PolicySetting.Aspect.INTERVENTION_STYLE: ("intervention_style", None),
}


def build_profile(case: CaseStudy) -> ClusterProfile:
    groups = tuple(
        Group(g.role, g.name, _source(f"Group: {g.name}", g)) for g in case.actor_groups.all()
    )
    ties = tuple(
        Tie(
            direction=link.direction,
            nature=link.nature,
            strength=link.strength,
            trend=link.trend,
            from_role=link.from_group.role if link.from_group else None,
            to_role=link.to_group.role if link.to_group else None,
            source=_source(f"Linkage: {link.origin} → {link.destination}", link),
        )
        for link in case.linkages.all()
        if link.is_tie  # the paper's "no tie" is evidence for a reader, not a tie to count
    )
    bodies = tuple(
        Body(
            kind=i.kind,
            name=i.label,
            ownership=i.ownership,
            level=i.level,
            status=i.status,
            reach=i.small_firm_reach,
            source=_source(f"Institution: {i.label}", i),
        )
        for i in case.institutions.all()
    )
    policy = {}
    for setting in case.policy.all():
        field, mapping = POLICY_FIELDS[setting.aspect]
        value = mapping[setting.value] if mapping else setting.value
        label = f"{setting.get_aspect_display()}: {setting.value}"
        policy[field] = Fact(value, _source(label, setting))
    return ClusterProfile(
        subject=case.short_title,
        kind=case.kind,
        groups=groups,
        ties=ties,
        institutions=bodies,
        producer_count=_producer_count(case),
        export_share=_export_share(case),
        competition=_competition(case),
        foreign_buyers=_foreign_buyers(case),
        **policy,
    )


def case_scorecard(case: CaseStudy) -> Scorecard:
    """The checklist scorecard of a library case, computed from its data by the engine."""
    return score(build_profile(case))


def scored_case(case: CaseStudy) -> ScoredProfile:
    """A library case's profile with its scorecard, as resemblance compares them."""
    profile = build_profile(case)
    return ScoredProfile(profile, score(profile))
