"""Engine 2.0: unknown is absent only on "none", bodies count by their reach, the smaller
findings of issue 9, and the form's new questions (each rule with its boundaries)."""

from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from checklist.adapters import build_assessment_profile
from engine import criteria
from engine.profile import Body, ClusterProfile, Fact, Group, MarketBasis, Source, Tie
from engine.scoring import measure, score

from .test_assessments import formset_data, post_step, start

SRC = Source("test")
NONE = Fact("none", SRC)
LISTED = Fact("listed", SRC)


def body(kind, reach="unknown", **extra):
    return Body(kind, f"a {kind}", SRC, reach=reach, **extra)


def listed(**kinds):
    """A profile whose institutions are saved and whose kinds are answered as given."""
    return ClusterProfile("c", institutions=(), ties=(), groups=(), direct={}, declared=kinds)


# Unknown is absent only on "none" ---------------------------------------------------------------


def test_a_kind_not_listed_is_unknown_unless_answered_none():
    assert measure("4a", listed()).value is None  # don't know
    assert measure("4a", listed(trade_fair_bodies=LISTED)).value is None  # said listed, none is
    assert measure("4a", listed(trade_fair_bodies=NONE)).value == 0.0
    with_fair = replace(listed(), institutions=(body("trade_fair", "wide"),))
    assert measure("4a", with_fair).value == 1.0  # a row counts whatever the answer


def test_an_indicator_counting_several_kinds_is_absent_only_when_all_are_none():
    two_none = listed(technology_bodies=NONE, training_bodies=NONE)
    assert measure("2a", two_none).value is None
    all_none = listed(technology_bodies=NONE, training_bodies=NONE, export_promotion_bodies=NONE)
    assert measure("2a", all_none).value == 0.0
    assert any("none" in line for line in measure("2a", all_none).basis)


def test_an_unanswered_kind_leaves_point_4_incomplete_not_capped():
    buyers = (Group("buyer", "US buyers", SRC), Group("export_agent", "Agents", SRC))
    know_how = Tie("forward", "technical_assistance", SRC, "strong", from_role="buyer")
    profile = replace(listed(), groups=buyers, ties=(know_how,))
    point4 = score(profile).point(4)
    assert point4.score == 100.0 and point4.completeness == 0.5  # 4b, 4c known; 4a, 4d not
    said_none = replace(
        profile, declared={"trade_fair_bodies": NONE, "export_promotion_bodies": NONE}
    )
    assert score(said_none).point(4).score == 50.0
    assert score(said_none).point(4).completeness == 1.0


def test_the_direct_answer_decides_before_the_kinds():
    no_rows = listed(self_help=NONE)
    assert measure("5e", no_rows).value == 0.0
    said_yes = replace(no_rows, direct={"5e": Fact(True, SRC)})
    assert measure("5e", said_yes).value == criteria.DIRECT_YES_VALUE["5e"]


def test_a_profile_without_declared_answers_keeps_its_lists_complete():
    # Profiles built with no kinds' answers at all (declared None) are vouched complete.
    assert measure("4a", ClusterProfile("c", institutions=())).value == 0.0


# Reach and strength ------------------------------------------------------------------------------


def test_a_government_centre_reaching_few_small_firms_does_not_earn_full_credit_on_point_5():
    def centre(reach):
        return Body(
            "technology_centre", "State centre", SRC, ownership="public", level="local", reach=reach
        )

    few = replace(listed(), institutions=(centre("limited"),))
    many = replace(few, institutions=(centre("wide"),))
    assert measure("5a", few).value == criteria.REACH_FACTOR["limited"]
    assert measure("5d", few).value == criteria.REACH_FACTOR["limited"]
    assert measure("5a", many).value == measure("5d", many).value == 1.0
    assert score(few).point(5).score < score(many).point(5).score


def test_weak_co_operation_among_producers_counts_less_than_strong():
    def joint(strength):
        return Tie(
            "horizontal", "joint_marketing", SRC, strength, "unknown", "producer", "producer"
        )

    weak, strong = (replace(listed(), ties=(joint(s), joint(s))) for s in ("weak", "strong"))
    assert measure("8c", weak).value == pytest.approx(0.2)
    assert measure("8c", strong).value == 1.0
    assert measure("2b", weak).value < measure("2b", strong).value


def test_a_general_association_counts_half_for_5c():
    sectoral = replace(
        listed(), institutions=(body("trade_association", "wide", sector_specific=True),)
    )
    general = replace(
        listed(), institutions=(body("trade_association", "wide", sector_specific=False),)
    )
    assert measure("5c", sectoral).value == 1.0
    assert measure("5c", general).value == criteria.GENERAL_ASSOCIATION_FACTOR


REACHES = ("limited", "partial", "wide")  # in rising order
KINDS = ("trade_fair", "export_promotion", "training", "technology_centre", "trade_association",
         "credit_union", "government", "joint_action", "chaebol_association")  # fmt: skip


@given(
    st.lists(
        st.tuples(
            st.sampled_from(KINDS), st.sampled_from(REACHES), st.sampled_from(("local", "national"))
        ),
        min_size=1,
        max_size=6,
    ),  # fmt: skip
    st.data(),
)
def test_raising_a_bodys_reach_never_lowers_its_point(rows, data):
    bodies = [
        Body(kind, f"b{n}", SRC, ownership="public", level=level, reach=reach)
        for n, (kind, reach, level) in enumerate(rows)
    ]
    index = data.draw(st.integers(0, len(bodies) - 1))
    rank = REACHES.index(bodies[index].reach)
    higher = data.draw(st.sampled_from(REACHES[rank:]))
    raised = list(bodies)
    raised[index] = replace(bodies[index], reach=higher)
    before = score(replace(listed(), institutions=tuple(bodies)))
    after = score(replace(listed(), institutions=tuple(raised)))
    for old, new in zip(before.points, after.points, strict=True):
        if old.score is not None:
            assert new.score >= old.score, (old.number, rows, index, higher)


@given(
    st.dictionaries(
        st.sampled_from([k.field for k in criteria.INVENTORIES]),
        st.sampled_from(["listed", "none"]),
    ),
    st.sampled_from([k.field for k in criteria.INVENTORIES]),
    st.lists(st.sampled_from(KINDS), max_size=3),
)
def test_answering_dont_know_never_raises_completeness(answers, kind, kinds):
    bodies = tuple(body(k) for k in kinds)
    answered = {k: Fact(v, SRC) for k, v in answers.items()}
    profile = replace(listed(), institutions=bodies, declared=answered)
    dont_know = replace(profile, declared={k: v for k, v in answered.items() if k != kind})
    said = replace(profile, declared={**answered, kind: NONE})
    for unknown, known in zip(score(dont_know).points, score(said).points, strict=True):
        assert unknown.completeness <= known.completeness
    assert score(dont_know).completeness <= score(said).completeness


# 3b, boundaries ----------------------------------------------------------------------------------


def test_ticking_price_beside_other_bases_lowers_3b_and_price_alone_is_zero():
    def beyond_price(*bases):
        market = MarketBasis("export", frozenset(bases), SRC)
        return measure("3b", ClusterProfile("c", competition=(market,))).value

    assert beyond_price("quality") == pytest.approx(1 / 3)
    assert beyond_price("quality", "price") == pytest.approx(1 / 3 * criteria.PRICE_FACTOR)
    assert beyond_price("quality", "fashion", "delivery") == 1.0
    assert beyond_price("quality", "fashion", "delivery", "price") == criteria.PRICE_FACTOR
    assert beyond_price("price") == 0.0


def test_an_indicator_at_exactly_the_threshold_raises_its_point():
    one_buyer_group = ClusterProfile("c", groups=(Group("buyer", "Buyers", SRC),))
    evidence = {e.indicator: e for e in score(one_buyer_group).point(4).evidence}
    assert evidence["4b"].value == criteria.EFFECT_THRESHOLD == 0.5
    assert evidence["4b"].effect == "raises"
    limited_fair = ClusterProfile("c", institutions=(body("trade_fair", "limited"),))
    assert {e.indicator: e for e in score(limited_fair).point(4).evidence}["4a"].effect == "lowers"


def test_a_point_exactly_half_known_gets_a_level_and_just_under_does_not():
    # Point 3's weights: 3a 1.5, 3b 1.5, 3c 1, 3d 1; 3a with 3c is exactly half of 5.
    half = ClusterProfile("c", export_share=Fact(60.0, SRC), foreign_buyers=Fact(True, SRC))
    point3 = score(half).point(3)
    assert point3.completeness == criteria.MIN_COMPLETENESS == 0.5
    assert point3.level == "strong"
    under = score(replace(half, foreign_buyers=None)).point(3)
    assert under.completeness == 0.3 and under.level == criteria.UNKNOWN_LEVEL


def test_every_rule_is_one_record_and_the_derived_tables_follow_it():
    for indicator in criteria.INDICATORS:
        assert criteria.DEFAULT_WEIGHTS[indicator.code] == indicator.weight
        assert criteria.VALUE_RULES[indicator.code].startswith(indicator.rule.split("{")[0])
        assert indicator.reads, indicator.code
        for kind in indicator.inventories:
            assert criteria.inventory(kind).step in {"firms", "linkages", "institutions"}
    assert f"times {criteria.PRICE_FACTOR:g} when price" in criteria.value_rule("3b")


# The form's new questions ------------------------------------------------------------------------


@pytest.fixture
def officer(client):
    from .test_assessments import make_user

    user = make_user("kinds-officer", "Policy officers")
    client.force_login(user)
    return user


def _institutions(client, assessment, rows, **answers):
    data = {f"main-{k}": v for k, v in answers.items()}
    return post_step(
        client, assessment, "institutions", {**data, **formset_data("institutions", rows)}
    )


@pytest.mark.django_db
def test_the_institutions_step_asks_listed_none_or_dont_know_for_each_kind(client, officer):
    assessment = start(client)
    html = client.get(
        reverse("checklist:step", args=[assessment.pk, "institutions"])
    ).content.decode()
    for kind in criteria.INVENTORIES:
        if kind.step == "institutions" and not kind.asked_by:
            assert f'name="main-{kind.field}"' in html
            assert escape(kind.question) in html
        elif kind.step == "institutions":  # asked once, as that indicator's question
            assert f'name="main-{kind.field}"' not in html
            assert escape(criteria.indicator(kind.asked_by).question) in html
    assert "Listed below" in html and "Don&#x27;t know" in html
    assert "A producers&#x27; association is not one" in html  # self-help defined (5e)


@pytest.mark.django_db
def test_none_makes_a_kind_absent_and_dont_know_keeps_it_unknown(client, officer):
    assessment = start(client)
    response = _institutions(
        client, assessment, [], trade_fair_bodies="", export_promotion_bodies="none"
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    card = score(build_assessment_profile(assessment))
    evidence = {e.indicator: e for e in card.point(4).evidence}
    assert evidence["4a"].value is None and evidence["4d"].value == 0.0
    response = _institutions(client, assessment, [], trade_fair_bodies="maybe")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_a_producers_row_fills_1a_when_the_box_is_empty(client, officer):
    assessment = start(client)
    rows = [{"role": "producer", "name": "Shoe producers", "count": "300"}]
    post_step(client, assessment, "firms", formset_data("firms", rows))
    assessment.refresh_from_db()
    profile = build_assessment_profile(assessment)
    assert profile.producer_count.value == 300
    assert measure("1a", profile).value > 0.9


@pytest.mark.django_db
def test_buyers_named_twice_are_counted_once_for_4b(client, officer):
    assessment = start(client)
    post_step(client, assessment, "firms", formset_data("firms", []))
    buyers = {"main-key_buyers": "US distributors\nGerman buyers", "main-foreign_buyers": "yes"}
    post_step(client, assessment, "markets", buyers)
    assessment.refresh_from_db()
    assert measure("4b", build_assessment_profile(assessment)).value == 1.0  # no group: names
    rows = [{"role": "buyer", "name": "US and German distributors"}]
    post_step(client, assessment, "firms", formset_data("firms", rows))
    assessment.refresh_from_db()
    assert measure("4b", build_assessment_profile(assessment)).value == 0.5  # the group alone


@pytest.mark.django_db
def test_method_page_tables_the_kinds_and_words_3b_as_the_docs_do(client):
    from pathlib import Path

    from django.conf import settings

    html = client.get(reverse("checklist:method")).content.decode()
    for kind in criteria.INVENTORIES:
        assert f'id="kind-{kind.field}"' in html
    rule = criteria.value_rule("3b")
    doc = (Path(settings.BASE_DIR) / "docs" / "scoring.md").read_text()
    assert rule in doc
    assert rule.replace("'", "&#x27;") in html or rule in html


@pytest.mark.django_db
def test_a_scorecard_recorded_under_1x_shows_what_2_0_changes(client, officer):
    from checklist.models import ScoreRecord
    from checklist.services import record_score

    assessment = start(client)
    rows = [
        {
            "name": "Agra Fair",
            "kind": "trade_fair",
            "ownership": "private",
            "level": "local",
            "status": "active",
            "reach": "wide",
        }
    ]
    assert _institutions(client, assessment, rows).status_code == 302
    assessment.refresh_from_db()
    record = record_score(assessment=assessment)
    # As 1.1.0 recorded it: no export promotion body listed counted 0 (now unknown).
    payload = record.payload
    for ev in payload["points"][3]["evidence"]:
        if ev["indicator"] == "4d":
            ev["value"] = 0.0
    payload["points"][3]["score"] = 50.0
    ScoreRecord.objects.filter(pk=record.pk).update(engine_version="1.1.0", payload=payload)
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    effect = html[html.index('id="engine-effect"') :]
    effect = effect[: effect.index("</p>")]
    assert "recorded with engine 1.1.0" in effect
    assert "point 4 50.0 → 100.0 (4d 0 → unknown)" in effect


# Ties that name their institution; figures marked approximate ------------------------------------

FAIR = {"name": "Agra Fair", "kind": "trade_fair", "ownership": "private", "level": "local",
        "status": "active", "reach": "wide"}  # fmt: skip


def _tie(**extra):
    return {"direction": "institutional", "nature": "information_exchange", "from_role": "",
            "to_role": "producer", "strength": "moderate", "trend": "unknown", **extra}  # fmt: skip


@pytest.mark.django_db
def test_a_tie_names_one_of_the_assessments_institutions_and_no_other(client, officer):
    from checklist.models import AssessmentInstitution, AssessmentTie

    from .test_assessments import make_user

    assessment = start(client)
    assert _institutions(client, assessment, [FAIR]).status_code == 302
    fair = AssessmentInstitution.objects.get(assessment=assessment)
    stranger = make_user("stranger", "Policy officers")
    elsewhere = AssessmentInstitution.objects.create(
        assessment=type(assessment).objects.create(
            owner=stranger, name="Other", country="X", sector="Y", evidence_year=2000
        ),
        name="Their fair",
        kind="trade_fair",
    )
    refused = post_step(
        client, assessment, "linkages", formset_data("linkages", [_tie(institution=elsewhere.pk)])
    )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    both_firms = _tie(institution=fair.pk, from_role="buyer")
    refused = post_step(client, assessment, "linkages", formset_data("linkages", [both_firms]))
    assert "Neither end of this tie is an institution" in refused.content.decode()
    saved = post_step(
        client, assessment, "linkages", formset_data("linkages", [_tie(institution=fair.pk)])
    )
    assert saved.status_code == 302
    assert AssessmentTie.objects.get(assessment=assessment).institution == fair
    assessment.refresh_from_db()
    sources = [str(t.source) for t in build_assessment_profile(assessment).ties]
    assert sources == ["Answer (linkages): Agra Fair → Producers, information exchange"]


@pytest.mark.django_db
def test_assessing_again_copies_a_ties_institution_to_the_copy(client, officer):
    from checklist.models import AssessmentTie
    from checklist.services import reassess

    assessment = start(client)
    _institutions(client, assessment, [FAIR])
    fair = assessment.institutions.get()
    post_step(client, assessment, "linkages", formset_data("linkages", [_tie(institution=fair.pk)]))
    copy = reassess(assessment=assessment, owner=officer)
    tie = AssessmentTie.objects.get(assessment=copy)
    assert tie.institution.assessment_id == copy.pk and tie.institution.name == "Agra Fair"


@pytest.mark.django_db
def test_a_figure_marked_approximate_reads_about_n_on_the_scorecard_and_in_downloads(
    client, officer
):
    import csv
    import io

    assessment = start(client)
    data = {"main-producer_count": "5000", "main-producer_count_approx": "on"}
    post_step(client, assessment, "firms", {**data, **formset_data("firms", [])})
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    assert "about 5,000: Answer (firms): producing firms" in html
    answers = client.get(reverse("checklist:download", args=[assessment.pk, "answers.csv"]))
    rows = list(csv.DictReader(io.StringIO(answers.content.decode("utf-8-sig"))))
    count = next(r for r in rows if r["question"] == "Producing firms in the cluster")
    assert count["answer"] == "about 5000"
    assert not any("approximate" in r["question"] for r in rows)  # folded into the figure
    post_step(
        client, assessment, "firms", {"main-producer_count": "5000", **formset_data("firms", [])}
    )
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    assert "about 5,000" not in html and "5000: Answer (firms): producing firms" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("recorded_under", "role", "checks"),
    [
        ("2.0.0", "buyer", {"buyer", "stage"}),  # before 2.1: both redefinitions apply
        ("2.0.0", "producer", {"stage"}),  # no buyer group: nothing to check there
        ("2.1.0", "buyer", set()),  # recorded under today's engine: no effect shown at all
    ],
)
def test_a_scorecard_recorded_before_a_redefinition_asks_to_check_the_answers_it_changed(
    client, officer, recorded_under, role, checks
):
    from checklist.models import AssessmentGroup, ScoreRecord
    from checklist.services import record_score

    assessment = start(client)
    AssessmentGroup.objects.create(assessment=assessment, name="Buyers", role=role, count=10)
    record = record_score(assessment=assessment)
    # A different old score, so that the effect is shown whatever today's engine gives.
    payload = record.payload
    payload["points"][0]["score"] = 1.0
    ScoreRecord.objects.filter(pk=record.pk).update(engine_version=recorded_under, payload=payload)
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    shown = set()
    if "Check each buyer group on the firms step." in html:
        shown.add("buyer")
    if "until it is answered, stage work is unknown in 1b" in html:
        shown.add("stage")
    assert shown == checks


def test_redefinitions_apply_only_to_versions_before_their_own():
    assert {r.question or r.group_role for r in criteria.redefined_since("2.0.0")} == {
        "buyer",
        "stage_units",
    }
    assert criteria.redefined_since("2.1.0") == ()
    assert criteria.redefined_since("10.0.0") == ()  # compared as numbers, not as text
    assert len(criteria.redefined_since("1.10.0")) == 2
