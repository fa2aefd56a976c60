"""Engine 2.1: the officer's findings after walking the app (stage work in 1b, 4b only for
export-market buyers and agents, 7c not applicable without large firms, 5c's local general
associations) and "closest on" naming only features that say something."""

from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils.html import escape

from checklist.adapters import build_assessment_profile
from engine import criteria, similarity
from engine.profile import Body, ClusterProfile, Fact, Group, Source, Tie
from engine.scoring import measure, score
from engine.similarity import ScoredProfile, compare, resemblances

from .test_assessments import formset_data, post_step, start

SRC = Source("test")
NONE = Fact("none", SRC)


BACKWARD = (Tie("backward", "supply", SRC, "strong", from_role="supplier", to_role="producer"),)


def listed(groups=(), ties=BACKWARD, **kinds):
    """Groups and ties saved (one strong backward tie), institutions saved empty, kinds
    answered as given."""
    return ClusterProfile(
        "c", groups=tuple(groups), ties=tuple(ties), institutions=(), direct={}, declared=kinds
    )


def group(role, name=None):
    return Group(role, name or f"some {role}", SRC)


# 1b: stage work is asked about and counts --------------------------------------------------------


def test_homeworkers_are_stage_work_for_1b():
    with_homeworkers = listed([group("supplier"), group("homeworker")], stage_units=NONE)
    with_stage_units = listed([group("supplier"), group("stage_unit")], stage_units=NONE)
    # mean of (2 of 4 kinds) and (ties' strength 1)
    assert measure("1b", with_homeworkers).value == measure("1b", with_stage_units).value == 0.75
    assert "stage work" in measure("1b", with_homeworkers).basis[0]


def test_stage_work_not_listed_is_absent_only_when_answered_none():
    suppliers = [group("supplier"), group("machinery")]
    said_none = listed(suppliers, stage_units=NONE)
    dont_know = listed(suppliers)
    assert measure("1b", said_none).value == pytest.approx((2 / 4 + 1) / 2)  # stage work absent
    assert measure("1b", dont_know).value == pytest.approx((2 / 3 + 1) / 2)  # left out
    assert any("left out" in line for line in measure("1b", dont_know).basis)
    # a library case's lists are vouched complete (declared None): not listed is absent
    vouched = replace(dont_know, declared=None)
    assert measure("1b", vouched).value == pytest.approx((2 / 4 + 1) / 2)
    # saying "don't know" never makes the point less known
    assert score(dont_know).point(1).completeness == score(said_none).point(1).completeness


@pytest.fixture
def officer(client):
    from .test_assessments import make_user

    user = make_user("stage-officer", "Policy officers")
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_the_firms_step_asks_about_stage_units_and_none_counts_for_1b(client, officer):
    assessment = start(client)
    html = client.get(reverse("checklist:step", args=[assessment.pk, "firms"])).content.decode()
    kind = criteria.inventory("stage_units")
    assert 'name="main-stage_units"' in html
    assert escape(kind.question) in html, html[html.find("stage_units") - 800 :][:1600]
    rows = [{"role": "supplier", "name": "Leather dealers"}]
    post_step(client, assessment, "firms", formset_data("firms", rows))
    assessment.refresh_from_db()
    # linkages not answered: 1b rests on the kinds, 1 of 3 (stage work "don't know": left out)
    assert measure("1b", build_assessment_profile(assessment)).value == pytest.approx(1 / 3)
    response = post_step(
        client, assessment, "firms", {"main-stage_units": "none", **formset_data("firms", rows)}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.stage_units == "none"
    # 1 of 4 now that stage work is said to be absent
    assert measure("1b", build_assessment_profile(assessment)).value == pytest.approx(0.25)


# 4b: only buyers and agents of export markets ----------------------------------------------------


def test_domestic_wholesalers_earn_no_4b_credit_but_their_know_how_counts_for_4c():
    wholesalers = listed([group("domestic_buyer", "Domestic wholesalers")])
    assert measure("4b", wholesalers).value == 0.0
    exporters = listed([group("export_agent"), group("buyer", "Foreign retailers")])
    assert measure("4b", exporters).value == 1.0
    both = listed([group("export_agent"), group("domestic_buyer"), group("domestic_buyer")])
    assert measure("4b", both).value == 0.5  # the domestic ones add nothing
    visits = Tie("forward", "technical_assistance", SRC, "strong", from_role="domestic_buyer")
    assert measure("4c", replace(wholesalers, ties=(visits,))).value == 1.0


@pytest.mark.django_db
def test_key_buyers_count_for_4b_only_when_firms_sell_to_foreign_buyers(client, officer):
    assessment = start(client)
    post_step(client, assessment, "firms", formset_data("firms", []))
    post_step(client, assessment, "markets", {"main-key_buyers": "Agra wholesale market"})
    assessment.refresh_from_db()
    assert measure("4b", build_assessment_profile(assessment)).value == 0.0
    post_step(
        client,
        assessment,
        "markets",
        {"main-key_buyers": "German distributors", "main-foreign_buyers": "yes"},
    )
    assessment.refresh_from_db()
    assert measure("4b", build_assessment_profile(assessment)).value == 0.5


# 7c: not applicable without large firms; "no" is neutral -----------------------------------------


def test_contract_rules_do_not_apply_where_there_are_no_large_firms():
    policy = dict(
        trade_regime=Fact("open", SRC),
        sme_incentives=Fact("fair", SRC),
        contract_rules=Fact(False, SRC),
    )
    small_firms = replace(listed([group("producer"), group("stage_unit")]), **policy)
    point7 = score(small_firms).point(7)
    evidence = {e.indicator: e for e in point7.evidence}
    assert evidence["7c"].effect == "not applicable" and evidence["7c"].value is None
    assert point7.score == 100.0 and point7.completeness == 1.0  # 7a, 7b; 7c left out
    assert "7c" not in {r.indicator for r in point7.recommendations}
    assert "Fair terms in large-firm contracts" not in point7.missing
    with_large = replace(small_firms, groups=(group("producer"), group("lead_firm")))
    assert measure("7c", with_large).value == 0.5  # applies; no rules is neutral
    assert measure("7c", replace(with_large, contract_rules=Fact(True, SRC))).value == 1.0
    # groups not known: whether it applies is not known, so the answer counts
    assert measure("7c", replace(small_firms, groups=None)).value == 0.5
    # a point whose every indicator is out is simply not rated
    only_7c = ClusterProfile("c", groups=(group("producer"),), contract_rules=Fact(True, SRC))
    assert score(only_7c).point(7).level == criteria.UNKNOWN_LEVEL


# 5c: a local association serving many sectors is local ------------------------------------------


@pytest.mark.parametrize(
    ("level", "expected"),
    [("local", 1.0), ("regional", 1.0), ("national", criteria.GENERAL_ASSOCIATION_FACTOR)],
)
def test_a_general_association_counts_half_for_5c_only_when_not_local(level, expected):
    chamber = Body("business_association", "chamber", SRC, level=level, reach="wide",
                   sector_specific=False)  # fmt: skip
    profile = replace(listed(), institutions=(chamber,))
    assert measure("5c", profile).value == expected


# Resemblance: "closest on" says something ---------------------------------------------------------


def scored(profile):
    return ScoredProfile(profile, score(profile))


def small_firm_cluster(subject, export_share, sellers, **changes):
    values = dict(
        kind="cluster",
        groups=(Group("producer", "producers", SRC, 400), *sellers),
        ties=(Tie("forward", "sales", SRC, "moderate", from_role="producer", to_role="buyer"),),
        institutions=(Body("trade_association", "association", SRC, ownership="private"),),
        producer_count=Fact(400, SRC),
        export_share=Fact(export_share, SRC),
        foreign_buyers=Fact(export_share > 0, SRC),
        state_created=Fact(False, SRC),
    )
    values.update(changes)
    return ClusterProfile(subject, **values)


def test_closest_on_leaves_out_shared_absences_and_far_values():
    mine = scored(small_firm_cluster("Mine", 60.0, (Group("buyer", "foreign buyers", SRC),)))
    theirs = scored(small_firm_cluster("Theirs", 55.0, (Group("buyer", "US retailers", SRC),)))
    _, gaps = compare(mine, theirs)
    by_key = {g.key: g for g in gaps}
    # both have no large firm and no large-firm ties: the same value, but no evidence
    assert by_key["large_firms"].gap == 0 and by_key["large_firms"].both_absent
    assert by_key["large_firm_ties"].both_absent
    (result,) = resemblances(mine, {"theirs": theirs})
    closest = [g.key for g in result.closest]
    assert closest and not {"large_firms", "large_firm_ties", "state_created"} & set(closest)
    assert all(g.gap <= similarity.CLOSE_GAP and not g.both_absent for g in result.closest)
    assert "foreign_buyers" in closest  # a shared presence says something
    # "differs most" still names the values
    assert all(g.here != g.there for g in result.differs)


def test_sharing_no_exports_and_no_foreign_buyers_is_not_closeness():
    mine = scored(small_firm_cluster("Mine", 0.0, (Group("domestic_buyer", "traders", SRC),)))
    theirs = scored(small_firm_cluster("Theirs", 0.0, (Group("domestic_buyer", "shops", SRC),)))
    (result,) = resemblances(mine, {"theirs": theirs})
    _, gaps = compare(mine, theirs)
    same = {g.key for g in gaps if g.gap == 0}
    assert {"export_share", "foreign_buyers", "traders", "large_firms"} <= same
    assert not {"export_share", "foreign_buyers", "traders", "large_firms"} & {
        g.key for g in result.closest
    }
    assert "kind" in {g.key for g in result.closest}  # both clusters: a kind, not an absence


def test_selling_straight_to_foreign_buyers_is_like_selling_through_export_agents():
    direct = scored(small_firm_cluster("Direct", 60.0, (Group("buyer", "foreign buyers", SRC),)))
    agents = scored(
        small_firm_cluster("Agents", 60.0, (Group("export_agent", "export agents", SRC),))
    )
    domestic = scored(
        small_firm_cluster("Domestic", 60.0, (Group("domestic_buyer", "wholesalers", SRC),))
    )
    gap = {k: {g.key: g for g in compare(direct, v)[1]} for k, v in
           {"agents": agents, "domestic": domestic}.items()}  # fmt: skip
    assert gap["agents"]["traders"].gap == 0.0
    assert gap["domestic"]["traders"].gap == 1.0
    ranked = resemblances(direct, {"agents": agents, "domestic": domestic})
    assert ranked[0].key == "agents"


def test_the_page_says_so_when_nothing_telling_is_shared():
    from django.template.loader import render_to_string

    gap = similarity.FeatureGap("kind", "Cluster or network", "a cluster", "a network", 1.0, 1.0)
    found = similarity.Resemblance("Leon", "leon-guadalajara", 40.0, 8, 22, (), (gap,))
    html = render_to_string(
        "checklist/includes/resemblance.html", {"resemblances": [found], "here": "Mine"}
    )
    closest = html[html.index('id="resemblance-closest"') : html.index('id="resemblance-differs"')]
    assert "what they share is absences" in closest
    assert "Cluster or network — Mine: a cluster; Leon: a network" in html
