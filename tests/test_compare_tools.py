"""Compare tools: weight sensitivity (the ranking rule and the page), and the assessment picker.

The ranking rule's tests carry no database mark, except those that score the real cases.
"""

import json
import math
import re

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from checklist.models import OFFICERS, Assessment
from compare.forms import PICKER_SIZE
from engine import criteria
from engine.ranking import EQUAL, parse_weights, ranking, weighted_overall
from engine.scoring import PointScore, Scorecard
from tests.conftest import forget_derived

ALL = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
# Points 2 and 5, where León is ahead of Tiruppur (engine 2.0: point 5 alone no longer turns
# the 5.9-point gap of the equal-weight overall).
POINT_2_5_x3 = (1.0, 3.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0)


def card(*scores) -> Scorecard:
    """A scorecard with these eight point scores: a number is rated, None is unknown, and
    ("provisional", n) has a score but too little evidence for a level."""
    points = []
    for number, value in enumerate(scores, start=1):
        provisional = isinstance(value, tuple)
        score = value[1] if provisional else value
        level = criteria.UNKNOWN_LEVEL if provisional or score is None else "developing"
        points.append(PointScore(number, f"Point {number}", score, level, 1.0, (), (), ()))
    return Scorecard("test", "test", None, 1.0, tuple(points))


def by_hand(card: Scorecard, weights) -> float | None:
    """The weighted mean of the rated points, written out independently of engine.ranking."""
    pairs = [
        (w, p.rated_score)
        for w, p in zip(weights, card.points, strict=True)
        if p.rated_score is not None
    ]
    total = math.fsum(w for w, _ in pairs)
    return math.fsum(w * s for w, s in pairs) / total if total else None


# The rule, on made-up scorecards --------------------------------------------------------------


def test_unknown_and_provisional_points_are_left_out_not_counted_as_zero():
    half_known = card(80.0, None, ("provisional", 10.0), 40.0, None, None, None, None)
    assert weighted_overall(half_known, EQUAL) == 60.0  # (80 + 40) / 2, not / 8
    heavy_unknown = (1.0, 3.0, 3.0, 1.0, 3.0, 3.0, 3.0, 3.0)
    assert weighted_overall(half_known, heavy_unknown) == 60.0
    assert weighted_overall(half_known, (3.0, 1, 1, 1.0, 1, 1, 1, 1)) == 70.0  # (240 + 40) / 4


def test_weights_of_zero_on_every_rated_point_leave_no_overall_and_no_rank():
    rated_once = card(90.0, None, None, None, None, None, None, None)
    other = card(*[50.0] * 8)
    rows = ranking([("Rated once", rated_once), ("Other", other)], (0.0, 1, 1, 1, 1, 1, 1, 1))
    assert [(r.name, r.overall, r.rank) for r in rows] == [
        ("Other", 50.0, 1),
        ("Rated once", None, None),
    ]
    assert rows[1].equal_rank == 1 and rows[1].change == "—"
    assert rows[0].change == "▲ 1 (was 2)"


def test_ties_share_a_rank_and_keep_the_order_chosen():
    rows = ranking([("A", card(*[60.0] * 8)), ("B", card(*[70.0] * 8)), ("C", card(*[60.0] * 8))],
                   EQUAL)  # fmt: skip
    assert [(r.name, r.rank) for r in rows] == [("B", 1), ("A", 2), ("C", 2)]


def test_the_weighted_overall_is_rounded_like_the_engine_with_ties_to_even():
    # (50.0 + 50.5) / 2 = 50.25 exactly: Python's round gives 50.2; the page's script must too.
    assert weighted_overall(card(50.0, 50.5, *[None] * 6), EQUAL) == 50.2
    assert weighted_overall(card(50.0, 51.5, *[None] * 6), EQUAL) == 50.8  # 50.75


def test_weights_come_as_a_comma_list_or_eight_values():
    assert parse_weights(["1,1,2,1,1,1,1,0.5"]) == (1, 1, 2, 1, 1, 1, 1, 0.5)
    assert parse_weights(["0", "3", "1", "1", "1", "1", "2.5", "1"]) == (0, 3, 1, 1, 1, 1, 2.5, 1)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["1,1,2"], "Give 8 weights, one per point; got 3."),
        (["1"] * 9, "Give 8 weights, one per point; got 9."),
        (["1,1,1,-1,1,1,1,1"], "The weight of point 4 must be from 0 to 3; got -1."),
        (["1,1,1,1,1,1,1,4"], "The weight of point 8 must be from 0 to 3; got 4."),
        (["1,1,two,1,1,1,1,1"], "The weight of point 3 is not a number: 'two'."),
        (["nan,1,1,1,1,1,1,1"], "The weight of point 1 must be from 0 to 3; got nan."),
        (["1,1.2,1,1,1,1,1,1"], "The weight of point 2 must be a multiple of 0.5; got 1.2."),
    ],
)
def test_bad_weights_are_refused_with_a_message(values, message):
    with pytest.raises(ValueError) as refused:
        parse_weights(values)
    assert str(refused.value) == message


# The rule, on the five cases ------------------------------------------------------------------


@pytest.fixture
def cases(db):
    """(name, scorecard) of the five cases, in the paper's order, as the compare page has them."""
    from cases.models import CaseStudy
    from checklist.adapters import case_scorecard

    found = {c.slug: c for c in CaseStudy.objects.for_comparison()}
    return {slug: (found[slug].short_title, case_scorecard(found[slug])) for slug in ALL}


def test_equal_weights_reproduce_each_cases_overall_and_rank_by_it(cases):
    rows = ranking(list(cases.values()), EQUAL)
    overall = {name: c.overall for name, c in cases.values()}
    assert {r.name: r.overall for r in rows} == overall
    assert [r.name for r in rows] == sorted(overall, key=overall.get, reverse=True)
    assert all(r.moved == 0 and r.change == "same" for r in rows)


def test_raising_points_2_and_5_moves_leon_above_tiruppur(cases):
    (leon, leon_card), (tiruppur, tiruppur_card) = cases["leon-guadalajara"], cases["tiruppur"]
    # Why it should: Tiruppur leads on equal weights, but León is the stronger on points 2, 5.
    assert tiruppur_card.overall > leon_card.overall
    for number in (2, 5):
        assert leon_card.point(number).rated_score > tiruppur_card.point(number).rated_score

    rows = ranking(list(cases.values()), POINT_2_5_x3)
    order = [r.name for r in rows]
    assert order.index(leon) < order.index(tiruppur)
    moved = {r.name: r for r in rows}
    assert moved[leon].moved == 1 and moved[tiruppur].moved == -1
    assert moved[leon].change == f"▲ 1 (was {moved[leon].equal_rank})"
    for name, scorecard in cases.values():
        assert moved[name].overall == pytest.approx(by_hand(scorecard, POINT_2_5_x3), abs=0.05)


def test_weighting_a_point_a_case_does_not_rate_leaves_its_overall_alone(cases):
    point_7_x3 = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0)
    rows = {r.name: r.overall for r in ranking(list(cases.values()), point_7_x3)}
    unrated = [name for name, c in cases.values() if c.point(7).rated_score is None]
    assert unrated  # the paper leaves the policy environment open for some cases
    for name, scorecard in cases.values():
        if name in unrated:
            assert rows[name] == scorecard.overall
        else:
            assert rows[name] != scorecard.overall


# The page ------------------------------------------------------------------------------------


def compare_url(*slugs, assessments=(), **params):
    query = [f"case={s}" for s in slugs] + [f"assessment={a}" for a in assessments]
    query += [f"{k}={v}" for k, v in params.items()]
    return f"{reverse('compare:page')}?{'&'.join(query)}"


def ranking_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(rank, subject, weighted overall, change) of each row of the ranking table."""
    table = html[html.index('id="ranking"') :]
    body = table[table.index("<tbody") : table.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<span.*?</span>|<[^>]+>", "", c).strip()
                 for c in re.findall(r"<td>(.*?)</td>", row, re.S)]  # fmt: skip
        rows.append(tuple(cells))
    return rows


def test_weights_in_the_address_are_ranked_on_the_server(client, cases):
    html = client.get(compare_url(*ALL, w="1,3,1,1,3,1,1,1")).content.decode("utf-8-sig")
    rows = ranking_rows(html)
    expected = ranking(list(cases.values()), POINT_2_5_x3)
    assert rows == [(str(r.rank), r.name.replace("&", "&amp;"), f"{r.overall:.1f}", r.change)
                    for r in expected]  # fmt: skip
    assert ("3", "Leon &amp; Guadalajara shoes") == rows[2][:2]
    assert 'id="weight-5" value="3.0"' in html and 'id="weight-4" value="1.0"' in html
    assert 'id="weight-2" value="3.0"' in html
    reset = re.search(r'id="weights-reset" href="\?([^"]*)"', html).group(1)
    assert "w=" not in reset and reset.count("case=") == 5


@pytest.mark.django_db
def test_the_sliders_eight_values_rank_like_the_comma_list(client):
    eight = "&".join(f"w={w:g}" for w in POINT_2_5_x3)
    slider_html = client.get(compare_url(*ALL) + "&" + eight).content.decode("utf-8-sig")
    comma_html = client.get(compare_url(*ALL, w="1,3,1,1,3,1,1,1")).content.decode("utf-8-sig")
    assert ranking_rows(slider_html) == ranking_rows(comma_html)
    assert ranking_rows(slider_html) != ranking_rows(
        client.get(compare_url(*ALL)).content.decode("utf-8-sig")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("w", "message"),
    [
        ("1,1,2", "Give 8 weights, one per point; got 3."),
        ("1,1,1,-1,1,1,1,1", "The weight of point 4 must be from 0 to 3; got -1."),
        ("1,1,lots,1,1,1,1,1", "The weight of point 3 is not a number: &#x27;lots&#x27;."),
    ],
)
def test_bad_weights_say_why_and_the_page_ranks_with_equal_weights(client, w, message):
    html = client.get(compare_url(*ALL, w=w)).content.decode("utf-8-sig")
    assert f'id="weights-error">{message} The ranking below uses equal weights.' in html
    assert ranking_rows(html) == ranking_rows(
        client.get(compare_url(*ALL)).content.decode("utf-8-sig")
    )
    assert 'id="comparison"' in html and 'id="chart-radar"' in html  # the rest still works
    assert html.count('value="1.0"') >= 8  # sliders back at equal weights


def test_the_page_says_what_weights_do_and_gives_the_script_the_rated_scores(client, cases):
    html = client.get(compare_url("tiruppur", "bangalore")).content.decode("utf-8-sig")
    section = html[html.index('id="sensitivity"') : html.index("</section>")]
    assert "left out, never counted as zero" in section
    assert "indicators inside each point stay the engine" in section
    assert f'href="{reverse("checklist:method")}"' in section
    data = json.loads(re.search(r'id="sensitivity-data" type="application/json">(.*?)</script>',
                                section).group(1))  # fmt: skip
    assert data["equal"] == [1.0] * 8
    assert [s["name"] for s in data["subjects"]] == [cases[s][0] for s in ("tiruppur", "bangalore")]
    assert data["subjects"][1]["scores"] == [p.rated_score for p in cases["bangalore"][1].points]
    assert data["subjects"][1]["scores"][6] is None  # unknown stays unknown, not 0


# The assessment picker ----------------------------------------------------------------------


def make_assessment(owner, name, country="India", sector="Shoes"):
    return Assessment.objects.create(
        owner=owner, name=name, country=country, sector=sector, evidence_year=1995
    )


def listed(html: str) -> list[str]:
    """The assessment checkboxes: their ids, with a * for a ticked one."""
    boxes = re.findall(r'<input[^>]*name="assessment" value="(\d+)"[^>]*>', html)
    ticked = re.findall(r'<input[^>]*name="assessment" value="(\d+)"[^>]*checked>', html)
    return [f"{pk}*" if pk in ticked else pk for pk in boxes]


@pytest.fixture
def admin_with_many(db, client):
    admin = User.objects.create_user("ada", password="x", is_staff=True)
    made = [make_assessment(admin, f"Shoe cluster {n}") for n in range(PICKER_SIZE + 15)]
    made += [
        make_assessment(admin, "Nairobi garages", country="Kenya", sector="Vehicle repair"),
        make_assessment(admin, "Kumasi metalworkers", country="Ghana", sector="Metalwork"),
    ]
    client.force_login(admin)
    return made


def test_picker_lists_25_assessments_and_counts_the_rest(client, admin_with_many):
    html = client.get(compare_url("tiruppur")).content.decode("utf-8-sig")
    assert len(listed(html)) == PICKER_SIZE
    assert f"{len(admin_with_many) - PICKER_SIZE} more matches" in html


def test_picker_search_matches_name_country_or_sector(client, admin_with_many):
    garages, metal = admin_with_many[-2:]
    for q in ("nairobi", "KENYA", "repair"):
        assert listed(client.get(compare_url("tiruppur", q=q)).content.decode("utf-8-sig")) == [
            str(garages.pk)
        ]
    html = client.get(compare_url("tiruppur", q="atlantis")).content.decode("utf-8-sig")
    assert listed(html) == [] and "No assessment you may see matches “atlantis”." in html
    assert "more match" not in client.get(compare_url(q="metal")).content.decode("utf-8-sig")


def test_chosen_assessments_stay_listed_and_ticked_whatever_the_search(client, admin_with_many):
    first, garages = admin_with_many[0], admin_with_many[-2]
    html = client.get(compare_url(assessments=[first.pk], q="kenya")).content.decode("utf-8-sig")
    assert listed(html) == [f"{first.pk}*", str(garages.pk)]
    assert "Shoe cluster 0 (1995)" in html[html.index('id="comparison"') :]


@pytest.mark.django_db
def test_picker_never_lists_an_assessment_the_user_may_not_see(client):
    olga = User.objects.create_user("olga", password="x")
    olga.groups.add(Group.objects.get(name=OFFICERS))
    mine = make_assessment(olga, "Agra shoe cluster")
    theirs = make_assessment(User.objects.create_user("boris"), "Boris shoe cluster")
    client.force_login(olga)
    html = client.get(compare_url(assessments=[mine.pk, theirs.pk], q="shoe")).content.decode(
        "utf-8-sig"
    )
    assert listed(html) == [f"{mine.pk}*"]  # both chosen; the forbidden one is dropped
    assert "Boris" not in html and f"assessment {theirs.pk} (not one you may see)" in html


def test_picker_queries_do_not_grow_with_the_assessments(
    client, admin_with_many, django_assert_max_num_queries
):
    client.get(compare_url("tiruppur"))  # warm the session
    forget_derived()  # both measured with nothing derived cached
    with django_assert_max_num_queries(40) as few:
        client.get(compare_url("tiruppur", assessments=[admin_with_many[0].pk]))
    for n in range(100):
        make_assessment(User.objects.get(username="ada"), f"More {n}")
    chosen = [a.pk for a in admin_with_many[:20]]
    forget_derived()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(compare_url(*ALL, assessments=chosen, q="e")).content.decode("utf-8-sig")
    assert len(listed(html)) == 20 + PICKER_SIZE and html.count('<th><a href="') == 5 + 20
