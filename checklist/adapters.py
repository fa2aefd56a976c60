"""The two adapters from stored data to the engine's profile: a library case (its cited rows)
and an officer's assessment (its answers). Everything else about scoring is in `engine`,
which knows nothing of Django; this is the one module that reads models for it.

A library case is read as fetched with `CaseStudy.objects.with_library()` (no further
queries). Each datum carries its source (row and lines, or the answer it came from).
"""

from __future__ import annotations

from cases.models import PAPER_SLUG, CaseStudy, Cited, Figure, PolicySetting, line_span
from engine import criteria
from engine.profile import Body, ClusterProfile, Fact, Group, MarketBasis, Source, Tie
from engine.scoring import Scorecard, score
from engine.similarity import ScoredProfile

from .models import DIRECT_AS_INVENTORY, DIRECT_QUESTIONS, Assessment

# Library cases ---------------------------------------------------------------------------------


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
    agents = [g for g in case.actor_groups.all() if g.role in criteria.EXPORT_MARKET_ROLES]
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


JOINT_NATURES = {"consortium", "joint_purchasing", "joint_marketing"}


def _library_declared(case: CaseStudy) -> dict[str, Fact]:
    """What the paper's silence about each kind of body or tie means (criteria.INVENTORIES:
    `library_silence`, with why), and the co-operation among producers it says is absent.
    The silence is read only for the paper's own cases: its reasons are the paper's (every
    case section surveys its institutions). A case from another source says nothing by
    leaving a kind out, so there the kind stays unknown (the Sialkot example's scorecard had
    "the paper records no technology body" and point 2 at 0)."""
    declared = {}
    for kind in criteria.INVENTORIES if case.source.slug == PAPER_SLUG else ():
        if kind.library_silence == "none":
            label = kind.label.split(" (")[0].lower()
            declared[kind.field] = Fact("none", Source(f"the paper records no {label}: {kind.why}"))
    for link in case.linkages.all():
        if not link.is_tie and link.direction == "horizontal" and link.nature in JOINT_NATURES:
            label = (
                f"Linkage {link.get_status_display().lower()}: {link.origin} → {link.destination}"
            )
            declared["horizontal_cooperation"] = Fact("none", _source(label, link))
    return declared


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
        declared=_library_declared(case),
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


# Assessments ----------------------------------------------------------------------------------

YES_NO = {"yes": True, "no": False}


def _answer(step: str, question: str) -> Source:
    return Source(f"Answer ({step}): {question}")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


LARGE_ROLES = set(criteria.LARGE_FIRM_ROLES)
BUYER_ROLES = set(criteria.MARKET_AGENT_ROLES)


def _tie_words(tie) -> str:
    """A tie as the officer entered it, the institution named where one end is one."""
    origin, destination = tie.get_from_role_display(), tie.get_to_role_display()
    if tie.institution_id is not None:
        origin = origin if tie.from_role else tie.institution.name
        destination = destination if tie.to_role else tie.institution.name
    return f"{origin} → {destination}, {tie.get_nature_display().lower()}"


def _producers_in_groups(assessment: Assessment, done: set[str]) -> Fact | None:
    """1a when the "producing firms" box is empty: the firms counted in the producer groups."""
    if "firms" not in done:
        return None
    rows = [g for g in assessment.groups.all() if g.role == "producer" and g.count]
    if not rows:
        return None
    total = sum(g.count for g in rows)
    shown = _about(total, any(g.count_approx for g in rows))
    source = _answer("firms", "producing firms counted in the producer groups")
    return Fact(total, source, shown)


def _about(value, approximate: bool, unit: str = "") -> str | None:
    """A figure the officer marked approximate, in words ("about 5,000"); None otherwise."""
    if value is None or not approximate:
        return None
    return f"about {float(value):,.{0 if float(value).is_integer() else 1}f}{unit}"


def build_assessment_profile(assessment: Assessment) -> ClusterProfile:
    """The engine's view of an assessment. A step not yet saved is unknown, not empty."""
    done = set(assessment.steps_done)
    groups = ties = bodies = None
    if "firms" in done:
        groups = tuple(
            Group(g.role, g.name, _answer("firms", f"{g.get_role_display()}: {g.name}"), g.count)
            for g in assessment.groups.all()
        )
        # One fact, one place: the large firms named in the box stand for the large-firm
        # groups only when the list has none (else they are the same firms twice, 6a).
        if not any(g.role in LARGE_ROLES for g in groups):
            groups += tuple(
                Group("lead_firm", name, _answer("firms", f"large firm: {name}"))
                for name in _lines(assessment.large_firms)
            )
    if "markets" in done and groups is not None:
        # Likewise the buyers named in Markets stand for the groups only when no group of
        # buyers or agents is listed. (Only once the firms are answered: buyers alone would
        # make every group measure "known" and zero.) They are export-market buyers (4b) only
        # when firms are said to sell to foreign buyers; otherwise domestic ones.
        if not any(g.role in BUYER_ROLES for g in groups):
            role = "buyer" if assessment.foreign_buyers == "yes" else "domestic_buyer"
            groups += tuple(
                Group(role, name, _answer("markets", f"key buyer: {name}"))
                for name in _lines(assessment.key_buyers)
            )
    if "linkages" in done:
        ties = tuple(
            Tie(
                direction=t.direction,
                nature=t.nature,
                strength=t.strength,
                trend=t.trend,
                from_role=t.from_role or None,
                to_role=t.to_role or None,
                source=_answer("linkages", _tie_words(t)),
            )
            for t in assessment.ties.all()
        )
    if "institutions" in done:
        bodies = tuple(
            Body(
                kind=i.kind,
                name=i.name,
                ownership=i.ownership,
                level=i.level,
                status=i.status,
                reach=i.reach,
                sector_specific=YES_NO.get(i.sector_specific),
                source=_answer("institutions", i.name),
            )
            for i in assessment.institutions.all()
        )

    def fact(step, value, question, shown=None):
        if step not in done or value in (None, ""):
            return None
        return Fact(value, _answer(step, question), shown)

    competition = None
    if "markets" in done and assessment.competes_on:
        competition = (
            MarketBasis(
                "export" if (assessment.export_share or 0) >= 50 else "domestic",
                frozenset(assessment.competes_on),
                _answer("markets", "firms compete mainly on"),
            ),
        )
    direct = {}
    for code, (step, field) in DIRECT_QUESTIONS.items():
        answer = fact(
            step, YES_NO.get(getattr(assessment, field)), criteria.indicator(code).question
        )
        if answer is not None:
            direct[code] = answer
    declared = {}
    for kind in criteria.INVENTORIES:
        if kind.asked_by:  # asked once, as that indicator's direct question: its answer
            step, field = DIRECT_QUESTIONS[kind.asked_by]
            value = DIRECT_AS_INVENTORY.get(getattr(assessment, field), "")
            question = criteria.indicator(kind.asked_by).question
        else:
            step, value, question = kind.step, getattr(assessment, kind.field), kind.question
        if step in done and value:
            declared[kind.field] = Fact(value, _answer(step, question))
    return ClusterProfile(
        subject=assessment.name,
        kind=assessment.kind,
        direct=direct,
        declared=declared,
        groups=groups,
        ties=ties,
        institutions=bodies,
        producer_count=fact(
            "firms",
            assessment.producer_count,
            "producing firms",
            _about(assessment.producer_count, assessment.producer_count_approx),
        )
        or _producers_in_groups(assessment, done),
        state_created=fact(
            "policy", YES_NO.get(assessment.state_created), "started by administrative decision"
        ),
        export_share=fact(
            "markets",
            None if assessment.export_share is None else float(assessment.export_share),
            "share of output exported",
            _about(assessment.export_share, assessment.export_share_approx, "%"),
        ),
        competition=competition,
        foreign_buyers=fact("markets", YES_NO.get(assessment.foreign_buyers), "foreign buyers"),
        trade_regime=fact(
            "policy", assessment.trade_regime, "trade regime", assessment.get_trade_regime_display()
        ),
        sme_incentives=fact(
            "policy",
            assessment.sme_incentives,
            "size-based incentives",
            assessment.get_sme_incentives_display(),
        ),
        contract_rules=fact(
            "policy", YES_NO.get(assessment.contract_rules), "rules on large-firm contracts"
        ),
        intervention_style=fact(
            "policy",
            assessment.intervention_style,
            "intervention style",
            assessment.get_intervention_style_display(),
        ),
    )


def assessment_scorecard(assessment: Assessment) -> Scorecard:
    return score(build_assessment_profile(assessment))
