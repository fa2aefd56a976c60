"""What the full audit of the library corrected (docs/audit.md), kind by kind: units, scope and
attachment, absences stored as ties, dates, qualifiers, citations. Each test names the rows
the audit changed, so reverting a correction fails here."""

import pytest
from django.urls import reverse

from cases.models import CaseStudy, Figure, Institution, Linkage
from checklist.adapters import build_profile
from compare.table import Subject, institutions_frame, linkages_frame
from engine import criteria
from engine.scoring import score

pytestmark = pytest.mark.django_db


def figure(case, key) -> Figure:
    return Figure.objects.get(case__slug=case, key=key)


def compare_url(*slugs):
    return reverse("compare:page") + "?" + "&".join(f"case={s}" for s in slugs)


# --- units -----------------------------------------------------------------------------------


def test_no_figure_counts_items_and_the_unit_is_gone():
    assert "items" not in Figure.Unit.values
    assert not Figure.objects.filter(unit="items").exists()


@pytest.mark.parametrize(
    ("case", "key", "shown"),
    [
        ("tiruppur", "tea-telephone-exchange-lines", "400 telephone lines"),
        ("sinos-valley", "brazil-exporter-stocks-months", "down to 1 month orders"),
        ("sinos-valley", "weekly-newspapers", "2 newspapers"),
        ("sinos-valley", "trade-associations", "6 associations"),
        ("bangalore", "consortium-offices", "6 offices"),
        ("korea-chaebol-networks", "gsa-components", "about 36,000 components"),
        ("leon-guadalajara", "guadalajara-cu-max-shares", "up to 500 shares"),
    ],
)
def test_figures_show_the_unit_the_paper_counts_in(case, key, shown):
    assert figure(case, key).display_value == shown


def test_a_single_unit_reads_in_the_singular():
    row = figure("sinos-valley", "brazil-exporter-stocks-months")
    row.value_text = ""
    assert row.display_value == "1 month"


# --- scope and attachment --------------------------------------------------------------------


def test_sinos_1991_size_shares_share_one_reading_of_their_scope():
    shares = Figure.objects.filter(case__slug="sinos-valley", series="producer-size-structure")
    assert {f.scope for f in shares} == {"cluster"}
    assert len({f.note for f in shares}) == 1
    assert "Rio Grande de Sul" in shares[0].note  # the other reading is kept


def test_the_credit_unions_working_capital_share_belongs_to_both_mexican_clusters():
    row = figure("leon-guadalajara", "cu-working-capital-share")
    assert row.cluster is None and row.institution is None
    assert row.line_from <= 877 and row.line_to >= 889
    assert "both clusters" in row.passage


def test_checklist_recommendations_do_not_give_both_unions_credit_to_guadalajara():
    texts = [example.text for i in criteria.INDICATORS for example in i.examples]
    texts += [i.rationale for i in criteria.INDICATORS]
    joined = " ".join(texts)
    assert "80% of its credit" not in joined
    assert (
        "Guadalajara's credit union (235 members in 1993, 60% very small firms) financed"
        not in (joined)
    )
    assert "both clusters' unions" in joined


@pytest.mark.parametrize("key", ["leon-retail-sales", "guadalajara-retail-sales"])
def test_the_retailers_40_percent_cites_the_lines_that_give_it(key):
    tie = Linkage.objects.get(case__slug="leon-guadalajara", key=key)
    assert "40% of domestic sales" in tie.description
    assert tie.line_to >= 789 and "40% of domestic sales" in tie.passage


@pytest.mark.parametrize("key", ["leon-machinery-supply", "guadalajara-machinery-supply"])
def test_the_national_machinery_imports_are_not_cited_to_the_cluster_lines(key):
    tie = Linkage.objects.get(case__slug="leon-guadalajara", key=key)
    assert "Nationally, 80%" in tie.description and "692-695" in tie.description


# --- absences are not ties -------------------------------------------------------------------

ABSENT = ("sinos-valley", "large-small-producers")


def absent_tie() -> Linkage:
    return Linkage.objects.get(case__slug=ABSENT[0], key=ABSENT[1])


def test_sinos_large_and_small_producers_cohabiting_is_recorded_as_no_tie():
    tie = absent_tie()
    assert tie.status == Linkage.Status.ABSENT and not tie.is_tie
    assert "co-habit rather than actively engage" in tie.passage


def test_the_scoring_profile_never_counts_an_absent_tie():
    case = CaseStudy.objects.with_library().get(slug="sinos-valley")
    ties = build_profile(case).ties
    reported = [link for link in case.linkages.all() if link.is_tie]
    absent = Linkage.objects.filter(case=case, status="absent").count()
    assert absent == 2  # co-habiting producers (218-220), no joint purchasing (497-499)
    assert len(ties) == len(reported) == len(case.linkages.all()) - absent
    assert {(218, 220), (497, 499)}.isdisjoint({t.source.lines for t in ties})


def test_the_compare_linkage_profile_never_counts_an_absent_tie():
    case = CaseStudy.objects.for_comparison().get(slug="sinos-valley")
    profile = build_profile(case)
    subject = Subject("case:sinos-valley", case.short_title, "/", score(profile), case=case)
    frame = linkages_frame([subject])
    assert frame["ties"].sum() == Linkage.objects.filter(case=case, status="reported").count()
    weak_horizontal = frame[(frame.direction == "horizontal") & (frame.strength == "weak")]
    all_weak_horizontal = Linkage.objects.filter(
        case=case, direction="horizontal", strength="weak", status="reported"
    ).count()
    assert weak_horizontal["ties"].sum() == all_weak_horizontal


def test_the_cluster_map_does_not_draw_an_absent_tie(client):
    html = client.get(reverse("cases:detail", args=["sinos-valley"])).content.decode()
    cluster_map = html[html.index('id="cluster-map"') :]
    # the figure's JSON escapes the en dash of "lines 218–220"
    assert "Review paper, lines 218\\u2013220" not in cluster_map
    assert "Review paper, lines 525\\u2013527" in cluster_map  # a reported tie is drawn


def test_the_case_page_says_no_tie_reported(client):
    html = client.get(reverse("cases:detail", args=["sinos-valley"])).content.decode()
    table = html[html.index('id="linkages"') : html.index('id="cluster-map-section"')]
    rows = [r[: r.index("</tr>")] for r in table.split('class="linkage-absent"')[1:]]
    assert len(rows) == 2
    assert all("No tie reported:" in r for r in rows)
    assert any("subcontracting not reported" in r and "L218–220" in r for r in rows)


def test_a_tie_the_paper_denies_is_shown_as_denied_and_never_counted(client):
    tie = Linkage.objects.get(case__slug="leon-guadalajara", key="leon-camara-cu-none")
    assert tie.status == Linkage.Status.DENIED and "had no ties to the local Camara" in tie.passage
    html = client.get(reverse("cases:detail", args=["leon-guadalajara"])).content.decode()
    assert "Tie denied:" in html and "services denied" in html
    assert "Review paper, line 881" not in html[html.index('id="cluster-map"') :]
    case = CaseStudy.objects.with_library().get(slug="leon-guadalajara")
    assert (881, 881) not in {t.source.lines for t in build_profile(case).ties}


def test_the_api_says_a_tie_is_absent(client):
    data = client.get(reverse("api:case-detail", args=["sinos-valley"])).json()
    statuses = {link["key"]: link["status"] for link in data["linkages"]}
    assert statuses[ABSENT[1]] == "absent"


# --- dates -----------------------------------------------------------------------------------


def test_the_indian_institute_of_science_is_dated_with_its_approximation():
    iisc = Institution.objects.get(case__slug="bangalore", key="iisc")
    assert iisc.founded == 1938
    assert iisc.confidence == "likely" and "late 1930s" in iisc.note
    assert "late 1930s" in iisc.passage and iisc.line_from <= 1661


def test_the_founding_year_chart_data_includes_the_institute():
    case = CaseStudy.objects.for_comparison().get(slug="bangalore")
    subject = Subject(
        "case:bangalore", case.short_title, "/", score(build_profile(case)), case=case
    )
    frame = institutions_frame([subject])
    row = frame[frame.name.str.contains("Indian Institute of Science")]
    assert list(row.founded) == [1938]


# --- qualifiers and precision ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "key", "shown"),
    [
        ("bangalore", "population", "5 million"),
        ("bangalore", "engineering-factories-share", "roughly one-third"),
        ("leon-guadalajara", "survey-exporting-firms", "one third"),
        ("leon-guadalajara", "survey-no-externalisation", "half"),
        ("sinos-valley", "small-firms-reject-rate", "less than 1 in 4"),
        ("sinos-valley", "brazil-exporter-stocks-third", "a third or less"),
        ("sinos-valley", "producers-about-500", "about 500 firms"),
    ],
)
def test_figures_keep_the_papers_qualifier_and_precision(case, key, shown):
    assert figure(case, key).display_value == shown


def test_every_stored_wording_is_what_the_figure_shows():
    for row in Figure.objects.exclude(value_text=""):
        assert row.display_value == row.value_text


@pytest.mark.parametrize(
    ("slug", "shown"), [("leon-guadalajara", "about 3,800"), ("sinos-valley", "about 500")]
)
def test_compare_headlines_keep_about_on_producer_counts(client, slug, shown):
    html = client.get(compare_url(slug)).content.decode("utf-8-sig")
    assert shown in html


def test_the_engine_evidence_keeps_the_qualifier_of_a_summed_count():
    case = CaseStudy.objects.with_library().get(slug="leon-guadalajara")
    fact = build_profile(case).producer_count
    assert fact.value == 3800 and fact.shown == "about 3,800"


# --- citations -------------------------------------------------------------------------------


def test_tiruppurs_rs_374m_no_longer_carries_the_white_vests_citation():
    assert figure("tiruppur", "direct-exports-rs-1986").citation == ""
    assert figure("tiruppur", "white-vest-share-1986").citation == "Cawthorne 1995:45"
