"""The five cases scored by the engine from their library data, read against the paper."""

import pytest
from django.urls import reverse

from cases.models import CaseStudy
from checklist.adapters import build_profile, case_scorecard
from engine import criteria
from tests.figures import page_figure

pytestmark = pytest.mark.django_db

SLUGS = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]


@pytest.fixture
def cards():
    return {case.slug: case_scorecard(case) for case in CaseStudy.objects.with_library()}


def point_scores(cards, number):
    return {slug: card.point(number).score for slug, card in cards.items()}


def test_every_case_is_scored_from_its_data_on_every_point(cards):
    assert list(cards) == SLUGS
    for card in cards.values():
        assert card.engine_version == criteria.ENGINE_VERSION
        assert card.overall is not None
        assert sum(p.score is not None for p in card.points) >= 7


def test_profile_evidence_cites_library_rows_with_paper_lines():
    case = CaseStudy.objects.with_library().get(slug="sinos-valley")
    profile = build_profile(case)
    fenac = next(b for b in profile.institutions if b.name == "FENAC")
    assert fenac.kind == "trade_fair" and fenac.source.lines == (506, 508)
    assert profile.export_share.value == 70.0
    card = case_scorecard(case)
    fairs = card.point(4).evidence[0]
    assert fairs.indicator == "4a" and any("FENAC" in b for b in fairs.basis)


# The paper's own judgments (conclusions table, lines 2313-2369, and the case narratives).


def test_sinos_valley_scores_highest_overall_and_mexico_lags_it(cards):
    # Sinos is the paper's exemplar; Mexico "has not been as competitive as that of Brazil"
    # and shows "Limited" SME growth (lines 630-632, 2326).
    overall = {slug: card.overall for slug, card in cards.items()}
    assert max(overall, key=overall.get) == "sinos-valley"
    assert overall["leon-guadalajara"] < overall["sinos-valley"]


def test_mexico_is_weakest_on_demand_led_markets(cards):
    # Price competition (63% of firms, line 781), 7% exported (603), weak forward ties (944-947).
    scores = point_scores(cards, 3)
    assert min(scores, key=lambda s: scores[s] or 0) == "leon-guadalajara"
    assert cards["leon-guadalajara"].point(3).level == "weak"


def test_sinos_valley_leads_on_the_producer_market_interface(cards):
    # FENAC and the export agents "forged the link with the market" (lines 2389-2392).
    scores = point_scores(cards, 4)
    assert scores["sinos-valley"] == max(scores.values())
    assert scores["leon-guadalajara"] < scores["sinos-valley"]


def test_local_institutions_follow_the_conclusions_table(cards):
    # Row 6: Bangalore "Very Important"; Korea "No local but some central/ chaebol institutions".
    scores = point_scores(cards, 5)
    assert scores["bangalore"] == max(scores.values())
    assert scores["korea-chaebol-networks"] == min(scores.values())
    assert cards["korea-chaebol-networks"].point(5).level == "weak"
    assert scores["tiruppur"] > scores["korea-chaebol-networks"]


def test_large_firms_matter_most_in_the_two_network_cases(cards):
    # "Large firms have been particularly influential in the two network case studies,
    # Bangalore and Korea" (lines 2433-2435).
    scores = point_scores(cards, 6)
    top_two = sorted(scores, key=scores.get, reverse=True)[:2]
    assert set(top_two) == {"bangalore", "korea-chaebol-networks"}
    assert all(card.point(6).level != "weak" for card in cards.values())


def test_korea_is_least_enabling_and_bangalore_was_started_by_the_state(cards):
    # Korean ties are "paternalistic and hierarchical" (2224-2225); Bangalore's base came
    # from a central-government location decision (1894-1898).
    scores = point_scores(cards, 8)
    assert scores["korea-chaebol-networks"] == min(scores.values())
    fiat = {slug: card.point(1).evidence[3].value for slug, card in cards.items()}
    assert fiat["bangalore"] < fiat["sinos-valley"] == fiat["tiruppur"] == 1.0


def test_only_korea_has_rules_on_large_firm_contracts(cards):
    known = {slug for slug, card in cards.items() if card.point(7).evidence[2].value is not None}
    assert known == {"korea-chaebol-networks"}


# Pages and API


def test_case_scorecard_api_has_the_documented_shape(client):
    data = client.get(reverse("checklist:api-case-scorecard", args=["tiruppur"])).json()
    assert data["subject"] == "Tiruppur knitwear"
    assert data["engine_version"] == criteria.ENGINE_VERSION
    assert 0 <= data["overall"] <= 100
    assert [p["number"] for p in data["points"]] == list(range(1, 9))
    for point in data["points"]:
        assert {"number", "title", "score", "level", "evidence", "recommendations"} <= set(point)
        for evidence in point["evidence"]:
            assert {"indicator", "value", "weight", "effect", "basis"} <= set(evidence)


def test_unknown_case_scorecard_is_a_json_404(client):
    response = client.get("/api/cases/atlantis/scorecard/")
    assert response.status_code == 404 and "atlantis" in response.json()["error"]


def test_scorecard_api_queries_are_constant(client, django_assert_num_queries):
    # 1: does the slug exist; 2: the data version; 3: the case; then one prefetch each for its
    # eleven kinds of rows.
    with django_assert_num_queries(14):
        response = client.get(reverse("checklist:api-case-scorecard", args=["bangalore"]))
    assert len(response.json()["points"]) == 8
    with django_assert_num_queries(2):  # then cached for this data version
        again = client.get(reverse("checklist:api-case-scorecard", args=["bangalore"]))
    assert again.json() == response.json()


def test_scorecard_page_shows_points_evidence_radar_and_recommendations(
    client, django_assert_num_queries
):
    # 1: does the slug exist; 2: the data version; 3: all five cases (the radar compares them);
    # 11 prefetches for their rows; then the navigation's case slugs.
    with django_assert_num_queries(15):
        response = client.get(reverse("checklist:case-scorecard", args=["leon-guadalajara"]))
    html = response.content.decode()
    assert response.status_code == 200
    for point in criteria.POINTS:
        assert f'id="point-{point.number}"' in html
    radar = page_figure(html, "radar")  # drawn by static/js/charts.js, not inline script
    assert len(radar["data"]) == 5 and "/static/js/charts.js" in html
    assert "/static/vendor/plotly/plotly.min.js" in html
    assert "What the checklist would ask of this case" in html
    assert "agrupamentos" not in html or "In the library" in html


def test_method_page_explains_every_point_and_indicator(client):
    html = client.get(reverse("checklist:method")).content.decode()
    for point in criteria.POINTS:
        assert point.title in html
    for indicator in criteria.INDICATORS:
        assert f'id="indicator-{indicator.code}"' in html
    assert criteria.ENGINE_VERSION in html


def test_case_page_links_to_its_scorecard(client):
    html = client.get(reverse("cases:detail", args=["bangalore"])).content.decode()
    assert reverse("checklist:case-scorecard", args=["bangalore"]) in html


def test_docs_scoring_table_is_what_the_engine_computes(cards):
    from pathlib import Path

    from django.conf import settings

    from engine.report import SECTIONS, between, case_scores_markdown

    doc = (Path(settings.BASE_DIR) / "docs" / "scoring.md").read_text()
    assert between(doc, "case-scores") == case_scores_markdown(cards), (
        "run: python manage.py scoring_report --write"
    )
    for name, written in SECTIONS.items():
        assert between(doc, name) == written(), f"{name}: run manage.py scoring_report --write"


def test_recommendation_examples_name_the_cases_by_their_library_titles(client):
    assert criteria.CASE_NAMES == dict(CaseStudy.objects.values_list("slug", "short_title"))
    html = client.get(reverse("checklist:case-scorecard", args=["korea-chaebol-networks"]))
    assert ">Leon &amp; Guadalajara shoes</a> —" in html.content.decode()


def test_a_case_scorecard_sets_the_scores_against_the_papers_conclusions_table(client):
    html = client.get(reverse("checklist:case-scorecard", args=["sinos-valley"])).content.decode()
    section = html[html.index('id="paper-conclusions"') :]
    conclusions = CaseStudy.objects.get(slug="sinos-valley").conclusions.all()
    assert len(conclusions) == 7
    for cell in conclusions:
        assert cell.get_row_display().replace("?", "") in section
        assert f"?from={cell.line_from}&amp;to={cell.line_to}" in section
