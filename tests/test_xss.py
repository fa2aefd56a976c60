"""Stored text reaches other users' pages as text: never as markup in a page, table or chart.

Issue 8, findings 1 (stored XSS in the compare page's data tables) and 2 (markup in chart text).
"""

import re

import pandas as pd
import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils.html import escape

from cases.charts import NODE_LABEL, cluster_map
from cases.models import Institution
from checklist.charts import checklist_radar
from checklist.models import RESEARCHERS, STEPS, Assessment
from clusterdx.html import chart_text, data_table
from compare import charts
from tests.figures import page_figure

IMG = "X <img src=x onerror=alert(2)>"
SVG = "<svg onload=alert(1)>"
LINK = '<a href="https://example.com">x</a>'
# Tags a payload would bring; the charts' own markup (<br>, <sup>) is allowed.
PAYLOAD_TAG = re.compile(r"<\s*(img|svg|a|script|b)[\s>]", re.I)


def shared_assessment(name=IMG) -> Assessment:
    owner = User.objects.create_user("olga", password="x")
    assessment = Assessment.objects.create(
        owner=owner,
        name=name,
        country="India",
        sector="Shoes",
        evidence_year=1995,
        share_with_researchers=True,
        steps_done=list(STEPS),
    )
    assessment.ties.create(direction="horizontal", nature="cooperation", strength="strong")
    assessment.institutions.create(name=f"{name} association", kind="association")
    return assessment


def compare_page(client, *, cases=("tiruppur",), assessments=()) -> str:
    query = [("case", c) for c in cases] + [("assessment", a) for a in assessments]
    response = client.get(reverse("compare:page"), query)
    assert response.status_code == 200
    return response.content.decode()


def assert_only_escaped(html: str, payload: str):
    assert payload not in html
    assert escape(payload) in html
    assert "<NA>" not in html  # pandas' missing value, once rendered as a stray tag


@pytest.mark.django_db
def test_researcher_sees_an_assessments_markup_only_as_text_on_compare(client):
    assessment = shared_assessment()
    researcher = User.objects.create_user("rita", password="x")
    researcher.groups.add(Group.objects.get_or_create(name=RESEARCHERS)[0])
    client.force_login(researcher)
    html = compare_page(client, assessments=[assessment.pk])
    assert_only_escaped(html, IMG)
    # The data tables under the charts hold the name too, escaped.
    tables = html[html.index('id="library-charts"') :]
    assert escape(IMG) in tables and "<img" not in tables
    # Charts carry it as JSON data, escaped for the page and for plotly.
    radar = page_figure(html, "chart-radar")
    assert chart_text(f"{IMG} (1995)") in [trace["name"] for trace in radar["data"]]


@pytest.mark.django_db
def test_anonymous_visitor_sees_a_library_acronym_edited_to_markup_only_as_text(client):
    institution = Institution.objects.filter(case__slug="tiruppur").first()
    institution.acronym = SVG
    institution.save()
    html = compare_page(client, cases=["tiruppur", "sinos-valley"])
    assert_only_escaped(html, SVG)
    assert "<svg" not in html


def test_data_table_escapes_every_cell_whatever_its_dtype():
    frame = pd.DataFrame(
        {
            "name": pd.Series([IMG, None], dtype="str"),
            "object": pd.Series([SVG, pd.NA], dtype="object"),
            "year": pd.Series([1963, None], dtype="Int64"),
            "share": [48.2, float("nan")],
            LINK: ["header too", ""],
        }
    )
    html = str(data_table(frame))
    assert PAYLOAD_TAG.search(html) is None, html
    assert escape(IMG) in html and escape(SVG) in html and escape(LINK) in html
    assert "<td>1963</td>" in html and "<td>48.2</td>" in html
    assert html.count("<td>—</td>") == 4 and "NA" not in html and "nan" not in html


# Finding 2: figures built from text holding markup draw it as text. -------------------------


def texts_in(figure) -> list[str]:
    """Every string in the figure's data and layout (names, hover, ticks, annotations, meta).

    Plotly's own line break (`<br>`, which wrapped labels are joined with) is read as a space:
    stored markup split by a wrap ("<a" | "href=…") must still show as the tag it would be."""
    found = []

    def walk(value):
        if isinstance(value, str):
            found.append(unwrapped(value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif hasattr(value, "tolist"):
            walk(value.tolist())

    walk(figure.to_plotly_json())
    return found


def unwrapped(text: str) -> str:
    """A wrapped chart label read as one line."""
    return re.sub(r"<br\s*/?>", " ", text, flags=re.I)


def node_labels(figure) -> list[str]:
    """The cluster map's node names (annotations placed by charts.js), each read as one line."""
    return [unwrapped(a.text) for a in figure.layout.annotations if a.name == NODE_LABEL]


def assert_no_markup(figure):
    offenders = [t for t in texts_in(figure) if PAYLOAD_TAG.search(t)]
    assert offenders == []


def test_chart_text_escapes_markup_and_keeps_the_text():
    assert chart_text(LINK) == '&lt;a href="https://example.com"&gt;x&lt;/a&gt;'
    assert chart_text("R&D <b>") == "R&amp;D &lt;b&gt;"
    assert chart_text(None) == "" and chart_text(pd.NA) == "" and chart_text(1995) == "1995"


def test_cluster_map_draws_names_and_details_as_text():
    nodes = pd.DataFrame(
        [
            {"key": "g1", "label": LINK, "type": "group", "detail": IMG},
            {"key": "i1", "label": SVG, "type": "institution", "detail": "<b>bold</b>"},
        ]
    )
    edges = pd.DataFrame(
        [
            {"source": "g1", "target": "i1", "direction": "backward", "nature": LINK,
             "strength": "strong", "trend": "stable", "cited": IMG}
        ]
    )  # fmt: skip
    figure = cluster_map(nodes, edges)
    assert_no_markup(figure)
    groups = next(t for t in figure.data if t.name == "Actor groups")
    assert node_labels(figure) == [chart_text(LINK), chart_text(SVG)]  # wrapped, each escaped
    assert list(groups.hovertext) == [f"{chart_text(LINK)}<br>{chart_text(IMG)}"]
    tie = next(t for t in figure.data if t.hovertext and "strong" in t.hovertext)
    assert chart_text(LINK) in tie.hovertext and "<a" not in tie.hovertext


def test_radar_and_bars_name_clusters_as_text():
    scores = pd.DataFrame([{"cluster": LINK, "point": n, "score": 50.0} for n in range(1, 9)])
    for figure in (checklist_radar(scores, highlight=LINK), charts.point_bars(scores)):
        assert_no_markup(figure)
        assert figure.data[0].name == chart_text(LINK)


def test_compare_charts_draw_subjects_names_and_sources_as_text():
    source = {"paper_lines": "1-2", "citation": IMG, "note": LINK}
    ties = pd.DataFrame([{"subject": LINK, "direction": SVG, "strength": "strong", "ties": 1}])
    institutions = pd.DataFrame(
        [{"subject": LINK, "name": IMG, "kind": SVG, "ownership": "<b>x</b>", "founded": 1990,
          **source}]
    )  # fmt: skip
    sizes = pd.DataFrame(
        [{"subject": LINK, "area": SVG, "year": 1991, "measure": "Share of firms (%)",
          "size_class": IMG, "bounds": SVG, "value": 48.2, "shown": LINK, "basis": IMG,
          **source},
         {"subject": LINK, "area": SVG, "year": 1971, "measure": "Share of firms (%)",
          "size_class": IMG, "bounds": SVG, "value": None, "shown": LINK, "basis": "",
          **source}]
    )  # fmt: skip
    firms = pd.DataFrame(
        [{"subject": LINK, "measure": "Producing firms", "part": SVG, "label": IMG,
          "value": 10.0, "shown": LINK, **source},
         {"subject": LINK, "measure": "Employment", "part": "", "label": IMG, "value": None,
          "shown": LINK, **source}]
    )  # fmt: skip
    exports = pd.DataFrame(
        [{"subject": LINK, "series": "s", "label": IMG, "scope": SVG, "unit": "<b>Rs</b>",
          "year": year, "value": 1.0, "shown": LINK, **source} for year in (1990, 1991)]
    )  # fmt: skip
    types = pd.DataFrame(
        [{"subject": LINK, "kind": SVG, "ownership": "Public", "institutions": 2,
          "names": f"{IMG}; {LINK}"}]
    )  # fmt: skip
    figures = {
        "linkages": charts.linkage_profile(ties),
        "institutions": charts.institutions_timeline(institutions),
        "sizes": charts.size_structure(sizes),
        "firms": charts.firms_and_employment(firms),
        "exports": charts.exports_over_time(exports),
        "types": charts.institution_types(types),
    }
    for name, figure in figures.items():
        offenders = [t for t in texts_in(figure) if PAYLOAD_TAG.search(t)]
        assert offenders == [], name
    # Rows are (subject, direction) pairs on the y axis, the subject wrapped onto short lines.
    subjects, directions = figures["linkages"].data[0].y
    assert [unwrapped(s) for s in subjects] == [chart_text(LINK)]
    assert list(directions) == [chart_text(SVG)]
    assert chart_text(IMG) in figures["institutions"].data[0].hovertext[0]
    assert figures["exports"].layout.annotations[0].text == chart_text("<b>Rs</b>")
    assert (
        figures["types"].data[0].hovertext[0].endswith(f"{chart_text(IMG)}<br>{chart_text(LINK)}")
    )
