"""The compare page's library charts: firm sizes, firms and employment, exports over time,
institutions by type and ownership. Builders are tested on their data without a database;
the page and CSV tests use the shipped fixtures."""

import csv
import io

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from checklist.models import Assessment
from compare.charts import (
    NOT_GIVEN,
    exports_over_time,
    firms_and_employment,
    institution_types,
    institutions_timeline,
    size_caveats,
    size_structure,
)
from tests.conftest import forget_derived

ALL = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
SOURCE = {"paper_lines": "208-209", "citation": "Schmitz 1995a", "note": ""}


def size_row(subject, area, year, size_class, bounds, value, measure="Share of producers (%)",
             **source):  # fmt: skip
    return {
        "subject": subject,
        "area": area,
        "year": year,
        "measure": measure,
        "size_class": size_class,
        "bounds": bounds,
        "value": value,
        "shown": "not stated in the paper's text" if value is None else f"{value}%",
        "basis": "",
        **{**SOURCE, **source},
    }


def sinos_sizes() -> pd.DataFrame:
    gap = {"paper_lines": "209-210", "note": "Chart 1.1's 1971 values did not survive."}
    return pd.DataFrame(
        [
            size_row("Sinos", "Sinos Valley", 1971, "Small", "≤100 employees", None, **gap),
            size_row("Sinos", "Sinos Valley", 1971, "Large", "≥501 employees", None, **gap),
            size_row("Sinos", "Region or state", 1991, "Small", "≤100 employees", 48.2),
            size_row("Sinos", "Region or state", 1991, "Large", "≥501 employees", 17.3),
            size_row("Leon", "Leon", None, "Small", "≤99 employees", 88.0,
                     paper_lines="658-658", citation=""),
            size_row("Tiruppur", "Tiruppur", 1986, "'Large' firms", "no size bounds in the paper",
                     65.0, measure="Number of firms", paper_lines="1082-1083"),
        ]
    ).astype({"year": "Int64"})  # fmt: skip


def test_size_structure_draws_stated_shares_and_marks_missing_years_without_bars():
    figure = size_structure(sinos_sizes())
    shares = next(t for t in figure.data if t.name == "Share of producers (%)")
    assert list(shares.x) == [48.2, 17.3, 88.0]
    groups, classes = (list(level) for level in shares.y)
    assert not any("1971" in g for g in groups)  # no bar for a year the text lacks
    assert "Small<br>≤100 employees" in classes and "Small<br>≤99 employees" in classes
    assert "paper lines 208-209 · Schmitz 1995a" in shares.hovertext[0]
    gap = next(t for t in figure.data if t.name == NOT_GIVEN)
    assert list(gap.x) == [0, 0]
    assert all("Sinos Valley, 1971" in g.replace("<br>", " ") for g in gap.y[0])
    assert "did not survive" in gap.hovertext[0] and "209-210" in gap.hovertext[0]


def test_size_structure_keeps_the_frames_order_with_the_missing_year_first():
    figure = size_structure(sinos_sizes())
    order = next(t for t in figure.data if t.name == "order")  # pins the category order
    assert (
        list(order.y[0])[:4]
        == ["Sinos<br>Sinos Valley,<br>1971"] * 2 + ["Sinos<br>Region or<br>state, 1991"] * 2
    )
    assert order.hoverinfo == "skip" and order.marker.opacity == 0


def test_size_structure_puts_firm_counts_in_their_own_panel():
    figure = size_structure(sinos_sizes())
    counts = next(t for t in figure.data if t.name == "Number of firms")
    shares = next(t for t in figure.data if t.name == "Share of producers (%)")
    assert list(counts.x) == [65.0]
    assert counts.yaxis != shares.yaxis
    titles = [a.text for a in figure.layout.annotations]
    assert titles == ["Share (%)", "Number of firms"]


def test_size_caveats_say_where_boundaries_differ_and_what_the_text_lacks():
    caveats = size_caveats(sinos_sizes())
    differ = next(c for c in caveats if c.startswith("“Small” differs"))
    assert "≤100 employees in Sinos" in differ and "≤99 employees in Leon" in differ
    assert any("Tiruppur: the paper gives no size bounds for 'Large' firms" in c for c in caveats)
    gap = next(c for c in caveats if "1971" in c)
    assert "not stated in the paper's text" in gap and "209-210" in gap


def firm_row(subject, measure, value, part="", **source):
    return {
        "subject": subject,
        "measure": measure,
        "part": part,
        "label": measure,
        "value": value,
        "shown": "not in the library" if value is None else f"{value:,.0f}",
        **{**SOURCE, "paper_lines": "655-656", **source},
    }


def test_firms_and_employment_stack_clusters_and_mark_what_is_not_given():
    frame = pd.DataFrame(
        [
            firm_row("Leon & Guadalajara", "Producing firms", 2700.0, part="Leon"),
            firm_row("Leon & Guadalajara", "Producing firms", 1100.0, part="Guadalajara"),
            firm_row("Leon & Guadalajara", "Employment", 70000.0, part="Leon"),
            firm_row("Bangalore", "Producing firms", None, paper_lines="", citation=""),
            firm_row("Bangalore", "Employment", None, paper_lines="", citation=""),
        ]
    )
    figure = firms_and_employment(frame)
    leon = [t for t in figure.data if t.name == "Leon"]
    # Horizontal rows, one per subject: the values run along x, one panel per measure.
    assert [list(t.x) for t in leon] == [[2700.0], [70000.0]]
    assert leon[0].xaxis != leon[1].xaxis
    guadalajara = next(t for t in figure.data if t.name == "Guadalajara")
    assert list(guadalajara.x) == [1100.0] and "lines 655-656" in guadalajara.hovertext[0]
    missing = [t for t in figure.data if t.name.startswith("Not given")]
    assert [list(t.y) for t in missing] == [["Bangalore"], ["Bangalore"]]
    assert figure.layout.barmode == "stack"


def export_row(subject, series, unit, year, value, scope="Cluster or network", **source):
    return {
        "subject": subject,
        "series": series,
        "label": series.replace("-", " "),
        "scope": scope,
        "unit": unit,
        "year": year,
        "value": value,
        "shown": str(value),
        **{**SOURCE, "paper_lines": "1146-1147", **source},
    }


def test_exports_over_time_draws_one_line_per_series_and_a_panel_per_unit():
    frame = pd.DataFrame(
        [
            export_row("Tiruppur", "direct-exports-rs", "Rs million", 1986, 374.0),
            export_row("Tiruppur", "direct-exports-rs", "Rs million", 1993, 20000.0,
                       note="May be total exports, or for 1994."),
            export_row("Sinos", "brazil-share", "%", 1970, 0.5, scope="World"),
            export_row("Sinos", "brazil-share", "%", 1990, 12.3, scope="World"),
        ]
    )  # fmt: skip
    figure = exports_over_time(frame)
    rupees, share = figure.data
    assert list(rupees.x) == [1986, 1993] and list(rupees.y) == [374.0, 20000.0]
    assert "May be total exports" in rupees.hovertext[1]
    assert share.name == "Sinos: brazil share (world)" and list(share.y) == [0.5, 12.3]
    assert figure.layout.yaxis.type == "log"  # money
    assert figure.layout.yaxis2.type != "log"  # shares


def test_institution_types_stack_by_ownership_and_name_each_institution():
    frame = pd.DataFrame(
        [
            {"subject": "S", "kind": "Trade association", "ownership": "Private",
             "institutions": 5, "names": "ABAEX (lines 276-276); AICSUL (lines 271-274)"},
            {"subject": "S", "kind": "Training", "ownership": "Public", "institutions": 2,
             "names": "SENAI (lines 279-281); SENAI design (lines 509-510)"},
            {"subject": "T", "kind": "Trade association", "ownership": "Public",
             "institutions": 1, "names": "AEPC (lines 1376-1387)"},
        ]
    )  # fmt: skip
    figure = institution_types(frame)
    assert [t.name for t in figure.data] == ["Private", "Public"]
    public = figure.data[1]
    assert list(public.x) == [2, 1]
    assert [list(level) for level in public.y] == [["S", "T"], ["Training", "Trade association"]]
    assert "AEPC (lines 1376-1387)" in public.hovertext[1]


def test_uncertain_values_are_hatched_or_open_and_certain_ones_are_not():
    sizes = sinos_sizes()
    sizes.loc[2, "note"] = "May be for Rio Grande do Sul."
    shares = next(t for t in size_structure(sizes).data if t.name == "Share of producers (%)")
    assert list(shares.marker.pattern.shape) == ["/", "", ""]
    frame = pd.DataFrame(
        [
            export_row("T", "direct-exports-rs", "Rs million", 1986, 374.0),
            export_row("T", "direct-exports-rs", "Rs million", 1988, 1000.0, note="Garbled."),
        ]
    )
    assert list(exports_over_time(frame).data[0].marker.symbol) == ["circle", "circle-open"]


def test_institutions_timeline_hover_names_the_paper_lines():
    frame = pd.DataFrame(
        [{"subject": "S", "name": "FENAC", "kind": "Trade fair", "ownership": "Mixed",
          "founded": 1963, "paper_lines": "278-278", "citation": "", "note": ""}]
    )  # fmt: skip
    figure = institutions_timeline(frame)
    assert "paper lines 278-278" in figure.data[0].hovertext[0]
    assert list(figure.data[0].marker.symbol) == ["circle"]  # "Mixed" has no shape of its own


def test_institutions_timeline_shows_ownership_as_the_marker_shape():
    frame = pd.DataFrame(
        [{"subject": "S", "name": n, "kind": "Training", "ownership": o, "founded": y}
         for n, o, y in [("SENAI", "Public", 1965), ("CTCCA", "Private", 1972),
                         ("FENAC", "Public-private", 1963), ("X", "Not stated", 1980)]]
    )  # fmt: skip
    figure = institutions_timeline(frame)
    assert list(figure.data[0].marker.symbol) == ["circle", "diamond", "square", "circle-open"]
    assert "◆ private" in figure.layout.title.text


# The page and its CSVs, from the shipped fixtures.


def compare_url(*slugs, assessments=()):
    query = "&".join([f"case={s}" for s in slugs] + [f"assessment={a}" for a in assessments])
    return f"{reverse('compare:page')}?{query}"


def chart_csv(client, chart, *slugs, assessments=()) -> list[dict]:
    url = compare_url(*slugs, assessments=assessments).replace(
        reverse("compare:page"), reverse("compare:download", args=["csv"])
    )
    response = client.get(f"{url}&chart={chart}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_compare_page_draws_the_library_charts_with_their_data_and_csv_links(client):
    html = client.get(compare_url("sinos-valley", "tiruppur")).content.decode("utf-8-sig")
    for chart in ("sizes", "firms", "exports", "institution-types"):
        assert f'id="chart-{chart}"' in html
        assert f"chart={chart}" in html  # its CSV link
    assert "Rs 374 million" in html  # Tiruppur's 1986 direct exports, in the data table
    assert "48.2%" in html and "not stated in the paper&#x27;s text" in html
    assert "differs between cases" not in html  # one case with size bounds: nothing to compare


@pytest.mark.django_db
def test_sinos_1971_size_shares_are_shown_as_missing_never_as_numbers(client):
    rows = chart_csv(client, "sizes", "sinos-valley")
    stated = {r["size_class"]: r["value"] for r in rows if r["year"] == "1991"}
    assert stated == {"Small": "48.2", "Medium": "34.6", "Large": "17.3"}
    missing = [r for r in rows if r["year"] == "1971"]
    assert [r["size_class"] for r in missing] == ["Small", "Medium", "Large"]
    assert all(r["value"] == "" and r["shown"] == "not stated in the paper's text" for r in missing)
    assert all(r["paper_lines"] == "209-210" and "Chart 1.1" in r["note"] for r in missing)
    assert {r["area"] for r in missing} == {"Sinos Valley"}  # Chart 1.1's 1971 bar
    # the shares are read as the cluster's, as the sentence they are quoted from says (208-209);
    # the note keeps the chart caption's other reading (the state)
    assert {r["area"] for r in rows if r["year"] == "1991"} == {"Sinos Valley"}
    assert all("Rio Grande de Sul" in r["note"] for r in rows if r["year"] == "1991")


@pytest.mark.django_db
def test_size_chart_warns_where_cases_draw_size_classes_differently(client):
    html = client.get(compare_url("sinos-valley", "leon-guadalajara")).content.decode("utf-8-sig")
    assert "“Small” differs between cases: ≤100 employees in Sinos Valley shoes; ≤99 employees" in (
        html.replace("&quot;", '"')
    )
    rows = chart_csv(client, "sizes", "leon-guadalajara")
    leon = {r["size_class"]: r["value"] for r in rows if r["area"] == "Leon"
            and r["measure"] == "Share of producers (%)"}  # fmt: skip
    assert leon == {"Very small": "45.0", "Small": "88.0"}


@pytest.mark.django_db
def test_exports_chart_draws_only_the_chosen_cases_series(client):
    rows = chart_csv(client, "exports", "tiruppur")
    direct = [(r["year"], r["value"], r["paper_lines"]) for r in rows
              if r["series"] == "direct-exports-rs"]  # fmt: skip
    assert direct == [("1986", "374.0", "1146-1147"), ("1988", "1000.0", "1164-1165"),
                      ("1993", "20000.0", "1164-1166")]  # fmt: skip
    doubtful = next(r for r in rows if r["series"] == "direct-exports-rs" and r["year"] == "1993")
    assert "may be total rather than direct exports" in doubtful["note"].lower()
    assert {r["subject"] for r in rows} == {"Tiruppur knitwear"}  # not Brazil's world share
    sinos = chart_csv(client, "exports", "sinos-valley")
    assert [(r["year"], r["value"]) for r in sinos] == [("1970", "0.5"), ("1990", "12.3")]


@pytest.mark.django_db
def test_exports_chart_gives_way_to_a_message_when_no_subject_has_a_series(client):
    html = client.get(compare_url("bangalore")).content.decode("utf-8-sig")
    assert 'id="chart-exports"' not in html
    assert "None of the chosen subjects has an export time series" in html
    assert 'id="chart-sizes"' not in html  # Bangalore records no size classes either


@pytest.mark.django_db
def test_firms_chart_cites_each_cluster_and_takes_assessments_answers(client):
    olga = User.objects.create_user("olga", password="x", is_staff=True)
    agra = Assessment.objects.create(
        owner=olga, name="Agra", country="India", sector="Shoes", evidence_year=1995,
        producer_count=5000, employment=None,
    )  # fmt: skip
    client.force_login(olga)
    rows = chart_csv(client, "firms", "leon-guadalajara", "bangalore", assessments=[agra.pk])
    leon = next(r for r in rows if r["part"] == "Leon" and r["measure"] == "Producing firms")
    assert (leon["value"], leon["shown"], leon["paper_lines"], leon["citation"]) == (
        "2700.0",
        "about 2,700 firms",
        "655-656",
        "Rabellotti 1995b",
    )
    bangalore = [r for r in rows if r["subject"] == "Bangalore high-tech networks"]
    assert [r["value"] for r in bangalore] == ["", ""]
    answers = {r["measure"]: (r["value"], r["note"]) for r in rows if r["subject"] == "Agra (1995)"}
    assert answers == {"Producing firms": ("5000.0", "Officer's answer"),
                       "Employment": ("", "Officer's answer")}  # fmt: skip


@pytest.mark.django_db
def test_institution_types_csv_counts_by_kind_and_ownership_with_lines(client):
    rows = chart_csv(client, "institution-types", "sinos-valley")
    trade = next(r for r in rows if r["kind"] == "Trade association")
    assert trade["ownership"] == "Private" and trade["institutions"] == "5"
    assert trade["names"].count("(lines ") == 5
    assert sum(int(r["institutions"]) for r in rows) == 13


@pytest.mark.django_db
def test_every_library_chart_number_has_its_paper_lines(client):
    for chart in ("sizes", "firms", "exports"):
        for row in chart_csv(client, chart, *ALL):
            if row["value"]:
                assert row["paper_lines"], (chart, row)


@pytest.mark.django_db
def test_library_charts_add_no_queries_per_compared_case(client, django_assert_max_num_queries):
    client.get(compare_url("bangalore"))  # warm up
    forget_derived()  # both measured with nothing derived cached
    with django_assert_max_num_queries(30) as one:
        client.get(compare_url("bangalore"))
    forget_derived()
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(compare_url(*ALL)).content.decode("utf-8-sig")
    for chart in ("sizes", "firms", "exports", "institution-types"):
        assert f'id="chart-{chart}"' in html
    # the paper's wording of the 1993 exports ("nearly Rs 20 billion", 1165-1166) is kept
    assert "about 2,700 firms" in html and "nearly Rs 20 billion" in html


@pytest.mark.django_db
def test_firms_chart_says_what_each_count_and_employment_figure_covers(client):
    html = client.get(compare_url("sinos-valley", "bangalore")).content.decode()
    section = html[html.index('id="firms"') :]
    assert (
        "Sinos Valley shoes: the firms are “Shoe producers at the core of the cluster”, the "
        "employment “Persons engaged in Sinos Valley&#x27;s shoe sector”"
    ) in section
    assert "Bangalore high-tech networks: the firms" not in section  # nothing to set side by side
