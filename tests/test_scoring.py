"""The scoring engine on plain profiles: no database (an accidental query would fail)."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import criteria
from engine.profile import Body, ClusterProfile, Fact, Group, MarketBasis, Source, Tie
from engine.scoring import MEASURES, score

SRC = Source("test", (1, 1))
ROLES = [
    "producer",
    "stage_unit",
    "supplier",
    "machinery",
    "export_agent",
    "buyer",
    "service",
    "homeworker",
    "overseas_branch",
    "oem",
    "lead_firm",
    "tnc",
]
KINDS = [
    "trade_association",
    "business_association",
    "trade_fair",
    "training",
    "technology_centre",
    "standards",
    "credit_union",
    "export_promotion",
    "research",
    "business_club",
    "government",
    "joint_action",
    "chaebol_association",
    "information_network",
    "international",
]
NATURES = [
    "subcontracting",
    "job_working",
    "oem",
    "supply",
    "sales",
    "technical_assistance",
    "information_exchange",
    "joint_purchasing",
    "joint_marketing",
    "consortium",
    "credit",
    "training",
    "equipment_sharing",
    "services",
    "regulation",
    "membership",
]

groups = st.builds(Group, role=st.sampled_from(ROLES), name=st.just("g"), source=st.just(SRC))
ties = st.builds(
    Tie,
    direction=st.sampled_from(["backward", "forward", "horizontal", "institutional"]),
    nature=st.sampled_from(NATURES),
    source=st.just(SRC),
    strength=st.sampled_from(["unknown", "weak", "moderate", "strong"]),
    from_role=st.one_of(st.none(), st.sampled_from(ROLES)),
    to_role=st.one_of(st.none(), st.sampled_from(ROLES)),
)
bodies = st.builds(
    Body,
    kind=st.sampled_from(KINDS),
    name=st.just("b"),
    source=st.just(SRC),
    ownership=st.sampled_from(["public", "private", "mixed", "unknown"]),
    level=st.sampled_from(["local", "regional", "national", "unknown"]),
    status=st.sampled_from(["active", "proposed"]),
    reach=st.sampled_from(["wide", "partial", "limited", "unknown"]),
)


def fact(values):
    return st.one_of(st.none(), st.builds(Fact, value=values, source=st.just(SRC)))


profiles = st.builds(
    ClusterProfile,
    subject=st.just("generated"),
    groups=st.one_of(st.none(), st.lists(groups, max_size=6).map(tuple)),
    ties=st.one_of(st.none(), st.lists(ties, max_size=8).map(tuple)),
    institutions=st.one_of(st.none(), st.lists(bodies, max_size=8).map(tuple)),
    producer_count=fact(st.integers(min_value=0, max_value=10_000)),
    state_created=fact(st.booleans()),
    export_share=fact(st.floats(min_value=0, max_value=100)),
    competition=st.one_of(
        st.none(),
        st.lists(
            st.builds(
                MarketBasis,
                kind=st.sampled_from(["domestic", "export"]),
                bases=st.frozensets(st.sampled_from(["price", "quality", "fashion", "delivery"])),
                source=st.just(SRC),
            ),
            max_size=3,
        ).map(tuple),
    ),
    foreign_buyers=fact(st.booleans()),
    trade_regime=fact(st.sampled_from(["protected", "liberalising", "open"])),
    sme_incentives=fact(st.sampled_from(["none", "fair", "distorting"])),
    contract_rules=fact(st.booleans()),
    intervention_style=fact(st.sampled_from(["facilitator", "director", "absent"])),
)


@given(profiles)
@settings(max_examples=150, deadline=None)
def test_scores_stay_within_0_to_100_and_levels_are_named(profile):
    card = score(profile)
    named_levels = {name for _, name in criteria.LEVELS} | {criteria.UNKNOWN_LEVEL}
    for point in card.points:
        assert point.score is None or 0 <= point.score <= 100
        assert 0 <= point.completeness <= 1
        assert point.level in named_levels
        for evidence in point.evidence:
            assert evidence.value is None or 0 <= evidence.value <= 1
    assert card.overall is None or 0 <= card.overall <= 100


@given(profiles)
@settings(max_examples=60, deadline=None)
def test_scoring_is_deterministic(profile):
    assert score(profile) == score(profile)


def _never_lower(before, after):
    return before is None or (after is not None and after >= before - 1e-9)


@given(profiles)
@settings(max_examples=150, deadline=None)
def test_adding_a_trade_fair_organisation_never_lowers_point_4(profile):
    # Institutions are a list: once recorded, kinds not in it count as absent. So the
    # property is about a cluster whose institutions are recorded (possibly none yet); going
    # from "not answered" to "answered" is new evidence in both directions.
    recorded = replace(profile, institutions=profile.institutions or ())
    fair = Body("trade_fair", "New fair", SRC, ownership="mixed", level="local")
    with_fair = replace(recorded, institutions=(*recorded.institutions, fair))
    assert _never_lower(score(recorded).point(4).score, score(with_fair).point(4).score)


@given(profiles, bodies)
@settings(max_examples=150, deadline=None)
def test_adding_an_active_institution_never_lowers_points_that_count_institutions(profile, body):
    # Points 1, 2 and 4 count presence. (Point 5's reach and point 8's private share are
    # averages: a new public body with limited reach may rightly lower them.)
    body = replace(body, status="active")
    if profile.institutions is None:
        return  # from unknown to known is new evidence either way
    more = replace(profile, institutions=(*profile.institutions, body))
    for number in (1, 2, 4):
        assert _never_lower(score(profile).point(number).score, score(more).point(number).score)


@given(profiles)
@settings(max_examples=100, deadline=None)
def test_a_stronger_tie_never_lowers_any_point(profile):
    if not profile.ties:
        return
    first = profile.ties[0]
    stronger = replace(profile, ties=(replace(first, strength="strong"), *profile.ties[1:]))
    for number in range(1, 9):
        assert _never_lower(score(profile).point(number).score, score(stronger).point(number).score)


def test_nothing_known_is_not_zero_but_not_yet_known():
    card = score(ClusterProfile("blank"))
    assert card.overall is None
    assert card.completeness == 0
    for point in card.points:
        assert point.score is None
        assert point.level == criteria.UNKNOWN_LEVEL
        assert len(point.missing) == len(criteria.indicators_for(point.number))


def test_one_good_answer_is_not_enough_to_call_a_point_strong():
    profile = ClusterProfile("exporter", export_share=Fact(80.0, SRC))
    point3 = score(profile).point(3)
    assert point3.score == 100.0  # 3a: most output exported
    assert point3.completeness < criteria.MIN_COMPLETENESS
    assert point3.level == criteria.UNKNOWN_LEVEL
    assert "Competition beyond price" in point3.missing


def test_known_absence_scores_weak_with_full_evidence():
    profile = ClusterProfile(
        "closed",
        trade_regime=Fact("protected", SRC),
        sme_incentives=Fact("distorting", SRC),
        contract_rules=Fact(False, SRC),
    )
    point7 = score(profile).point(7)
    assert point7.completeness == 1.0
    # 7c "no rules" is neutral (0.5); it applies, as nothing says there are no large firms
    assert point7.score == pytest.approx(100 * (0.2 + 0.3 + 0.5) / 3, abs=0.1)
    assert point7.level == "weak"


def test_weak_point_recommends_the_papers_text_and_the_cases_answers():
    profile = ClusterProfile("isolated firms", institutions=(), ties=(), groups=())
    point2 = score(profile).point(2)
    assert point2.level == "weak"
    first = point2.recommendations[0]
    assert first.indicator is None and first.text == criteria.point(2).text
    group_help = next(r for r in point2.recommendations if r.indicator == "2b")
    assert any("agrupamentos" in x.text for x in group_help.examples)
    assert all(x.lines[0] <= x.lines[1] for x in group_help.examples)


def test_evidence_names_its_source_lines():
    body = Body("trade_fair", "FENAC", Source("Institution: FENAC", (506, 508)))
    point4 = score(ClusterProfile("s", institutions=(body,))).point(4)
    assert point4.evidence[0].basis == (
        "Institution: FENAC [L506–508] (reach not judged, counts 0.7)",
    )


def test_price_only_home_market_outweighs_a_small_export_market():
    markets = (
        MarketBasis("domestic", frozenset({"price"}), SRC),
        MarketBasis("export", frozenset({"quality", "fashion"}), SRC),
    )
    small_exports = ClusterProfile("m", competition=markets, export_share=Fact(7.0, SRC))
    big_exports = ClusterProfile("s", competition=markets, export_share=Fact(70.0, SRC))
    beyond_price = {c: score(c).point(3).evidence[1].value for c in (small_exports, big_exports)}
    assert beyond_price[small_exports] == pytest.approx(0.07 * 2 / 3, abs=0.001)
    assert beyond_price[big_exports] > beyond_price[small_exports]


def test_weights_change_the_result_and_must_cover_every_indicator():
    profile = ClusterProfile(
        "w", trade_regime=Fact("open", SRC), sme_incentives=Fact("distorting", SRC)
    )
    heavier = {**criteria.DEFAULT_WEIGHTS, "7b": 3.0}
    assert score(profile, heavier).point(7).score < score(profile).point(7).score
    incomplete = {k: v for k, v in criteria.DEFAULT_WEIGHTS.items() if k != "7b"}
    with pytest.raises(ValueError, match="7b"):
        score(profile, incomplete)


def test_scorecard_records_the_engine_version():
    assert score(ClusterProfile("v")).engine_version == criteria.ENGINE_VERSION


def test_every_indicator_has_a_measure_and_a_weight():
    codes = [i.code for i in criteria.INDICATORS]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(MEASURES) == set(criteria.DEFAULT_WEIGHTS) == set(criteria.VALUE_RULES)
    assert {i.point for i in criteria.INDICATORS} == set(range(1, 9))


def test_engine_imports_nothing_from_django():
    """Every module of the engine package, imported on its own (the list is read from the
    folder, so a module added later is held to it too)."""
    modules = sorted(p.stem for p in (Path(__file__).parent.parent / "engine").glob("*.py"))
    assert {"criteria", "profile", "scoring", "similarity", "ranking"} <= set(modules)
    imports = "; ".join(f"import engine.{m}" for m in modules if m != "__init__")
    code = (
        f"import sys; import engine; {imports}; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_comparison_names_the_indicators_that_moved():
    from checklist.history import answer_changes, compare_scorecards

    before = score(ClusterProfile("a", export_share=Fact(10.0, SRC)))
    after = score(ClusterProfile("a", export_share=Fact(60.0, SRC)))
    point3 = compare_scorecards(before, after)[2]
    assert point3.delta == 80.0
    assert [(i.code, i.before, i.after) for i in point3.indicators] == [("3a", 0.2, 1.0)]
    assert compare_scorecards(before, before)[2].indicators == ()

    def sheets(regime, groups):
        answers = [{"step": "Policy environment", "question": "Trade regime", "answer": regime}]
        return {"answers": answers, "lists": {"Groups of firms": groups}}

    producers = {"Role": "Producers", "Name": "P", "Number of firms": ""}
    assert answer_changes(sheets("Open", [producers]), sheets("Open", [producers])) == []
    assert answer_changes(sheets("Protected", [producers]), sheets("Open", [])) == [
        ("Policy environment: Trade regime", "Protected", "Open"),
        ("Groups of firms", "Role: Producers, Name: P", "—"),
    ]


def test_resemblance_prefers_the_nearest_scorecard_and_needs_shared_points():
    from engine.similarity import ScoredProfile, resemblances

    def card(subject, regime, incentives, rules, style, exports):
        profile = ClusterProfile(
            subject,
            trade_regime=Fact(regime, SRC),
            sme_incentives=Fact(incentives, SRC),
            contract_rules=Fact(rules, SRC),
            intervention_style=Fact(style, SRC),
            export_share=Fact(exports, SRC),
            competition=(MarketBasis("export", frozenset({"quality"}), SRC),),
            foreign_buyers=Fact(True, SRC),
            institutions=(Body("trade_fair", "f", SRC, ownership="private"),),
            groups=(Group("export_agent", "a", SRC),),
            ties=(),
        )
        return ScoredProfile(profile, score(profile))

    mine = card("mine", "open", "fair", True, "facilitator", 60.0)
    near = card("near", "open", "fair", True, "facilitator", 55.0)
    far = card("far", "protected", "distorting", False, "director", 0.0)
    ranked = resemblances(mine, {"far": far, "near": near})
    assert [r.key for r in ranked] == ["near", "far"]
    assert ranked[0].similarity > ranked[1].similarity
    blank = ScoredProfile(ClusterProfile("blank"), score(ClusterProfile("blank")))
    assert resemblances(mine, {"blank": blank}) == []


# Direct answers (assessments) against lists alone (library cases) ------------------------------

KNOW_HOW_TIE = Tie("forward", "technical_assistance", SRC, "strong", from_role="buyer",
                   to_role="producer")  # fmt: skip


def measure(code, profile):
    return MEASURES[code](profile)


def test_library_lists_are_all_there_is_so_an_empty_list_means_none():
    library = ClusterProfile("library case", ties=())
    assert measure("4c", library).value == 0.0


def test_an_assessment_list_without_such_a_row_leaves_the_indicator_unknown_until_asked():
    assessment = ClusterProfile("assessment", ties=(), direct={})
    assert not measure("4c", assessment).known
    card = score(assessment)
    assert "Buyers pass on know-how" in card.point(4).missing


@pytest.mark.parametrize("code", sorted(criteria.DIRECT_YES_VALUE))
def test_a_direct_yes_counts_one_row_and_a_no_counts_zero(code):
    empty = ClusterProfile("a", groups=(), ties=(), institutions=(), direct={})
    said_yes = replace(empty, direct={code: Fact(True, Source("yes answer"))})
    said_no = replace(empty, direct={code: Fact(False, Source("no answer"))})
    assert measure(code, said_yes).value == criteria.DIRECT_YES_VALUE[code]
    assert "yes answer" in measure(code, said_yes).basis[0]
    assert measure(code, said_no).value == 0.0
    assert not measure(code, empty).known


def test_a_listed_row_decides_before_the_direct_answer_and_a_contradiction_is_shown():
    profile = ClusterProfile(
        "a", ties=(KNOW_HOW_TIE,), direct={"4c": Fact(False, Source("no answer"))}
    )
    result = measure("4c", profile)
    assert result.value == 1.0  # the strong tie listed
    assert any("answered no, but the lists record these" in line for line in result.basis)


def test_a_body_said_not_to_serve_the_sector_does_not_count_for_2a():
    def centre(name, sector_specific):
        return Body(
            "technology_centre", name, Source(name), reach="wide", sector_specific=sector_specific
        )

    both = (centre("Shoe centre", True), centre("Footwear school", True))
    sectoral = ClusterProfile("a", institutions=both, direct={})
    mixed = replace(sectoral, institutions=(centre("Shoe centre", True),
                                            centre("General SME office", False)))  # fmt: skip
    unsaid = replace(sectoral, institutions=(centre("Shoe centre", None),))
    assert measure("2a", sectoral).value == 1.0
    assert measure("2a", mixed).value == 0.5
    assert any("General SME office" in line and "not counted" in line
               for line in measure("2a", mixed).basis)  # fmt: skip
    assert any("not said whether" in line for line in measure("2a", unsaid).basis)


@given(st.sampled_from(sorted(criteria.DIRECT_YES_VALUE)), st.booleans())
def test_answering_a_direct_question_yes_never_scores_lower_than_no(code, listed):
    ties = (KNOW_HOW_TIE,) if listed else ()
    base = ClusterProfile("a", groups=(), ties=ties, institutions=(), direct={})
    yes = score(replace(base, direct={code: Fact(True, SRC)}))
    no = score(replace(base, direct={code: Fact(False, SRC)}))
    point = int(code[0])
    assert (yes.point(point).score or 0) >= (no.point(point).score or 0)
