"""Accessibility patterns, as the pages serve them (issue 13): the skip link, the error summary
on every form, charts named and described by a data table, the step form's default button,
and the contrast of the colours the site sets. The browser tests (test_accessibility_browser)
run axe-core and a keyboard; these check the markup and the pure pieces without a browser."""

import re

import pandas as pd
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from cases.chart_tables import TIE_COLUMNS, ties_table
from checklist.models import OFFICERS, Assessment, AssessmentGroup, AssessmentTie
from clusterdx.html import chart, data_table, figure_title

CSS = "static/css/clusterdx.css"


@pytest.fixture
def library(db):
    call_command("load_cases", verbosity=0)


@pytest.fixture
def officer(db):
    user = User.objects.create_user("olga", password="officer-pass-1")
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def css_variable(name: str) -> str:
    with open(CSS) as css:
        return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", css.read()).group(1)


@pytest.mark.parametrize("level", ["strong", "developing", "weak", "unknown"])
def test_every_level_badge_has_white_text_at_comfortably_over_4_5_to_1(level):
    assert contrast(css_variable(f"level-{level}"), "#ffffff") >= 6


def test_links_and_the_focus_ring_pass_their_contrast_minimums():
    assert contrast(css_variable("bs-link-color"), "#ffffff") >= 6  # text: 4.5:1
    assert contrast(css_variable("focus-ring-color"), "#ffffff") >= 3  # non-text: 3:1
    assert contrast(css_variable("focus-ring-on-dark"), "#212529") >= 3  # on the navbar


def test_every_page_starts_with_a_skip_link_to_the_main_content(client, library):
    html = client.get("/").content.decode()
    body = html[html.index("<body>") :]
    first_link = re.search(r"<a [^>]*>", body).group(0)
    assert 'href="#main"' in first_link and "skip-link" in first_link
    assert '<main class="container mb-5" id="main" tabindex="-1">' in html


def test_a_wrong_password_is_announced_linked_and_marked_on_both_fields(client, officer):
    response = client.post(reverse("login"), {"username": "olga", "password": "wrong"})
    html = response.content.decode()
    tag, summary = error_summary(html)
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag  # announced; focusable by script
    assert '<a href="#id_username">Please enter a correct username and password' in summary
    for field in ("username", "password"):
        tag = re.search(rf'<input [^>]*id="id_{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag and 'aria-describedby="error-summary"' in tag


@pytest.mark.django_db  # the navigation's Compare link reads the library's cases
def test_the_login_page_without_an_error_has_no_summary(client):
    assert 'id="error-summary"' not in client.get(reverse("login")).content.decode()


def test_a_step_with_errors_lists_each_in_a_summary_linked_to_its_field(client, officer):
    assessment = Assessment.objects.create(
        owner=officer, name="Agra", country="India", sector="Shoes", evidence_year=1995
    )
    client.force_login(officer)
    url = reverse("checklist:step", args=[assessment.pk, "firms"])
    data = {
        "revision": assessment.revision,
        "main-producer_count": "-1",
        "firms-TOTAL_FORMS": "1",
        "firms-INITIAL_FORMS": "0",
        "firms-0-role": "producer",
        "firms-0-name": "Producers",
        "firms-0-share_of_firms": "130",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    tag, summary = error_summary(html)
    assert 'role="alert"' in tag
    assert '<a href="#id_firms-0-share_of_firms">Row 1, Share of firms (%): Give a share' in summary
    assert '<a href="#id_main-producer_count">' in summary  # the step's own field too


def test_the_step_forms_default_button_is_save_and_continue(client, officer):
    assessment = Assessment.objects.create(
        owner=officer, name="Agra", country="India", sector="Shoes", evidence_year=1995
    )
    client.force_login(officer)
    html = client.get(reverse("checklist:step", args=[assessment.pk, "firms"])).content.decode()
    form = html[html.index('<form method="post" novalidate') :]
    first_submit = re.search(r'<button type="submit"[^>]*>([^<]*)<', form)
    assert first_submit.group(1) == "Save and continue"  # Enter in a field presses it


def test_a_list_step_carries_the_empty_row_and_an_add_row_button_for_scripts(client, officer):
    assessment = Assessment.objects.create(
        owner=officer, name="Agra", country="India", sector="Shoes", evidence_year=1995
    )
    client.force_login(officer)
    html = client.get(reverse("checklist:step", args=[assessment.pk, "firms"])).content.decode()
    template = html[html.index('<template id="firms-empty-row">') :]
    template = template[: template.index("</template>")]
    assert 'id="id_firms-__prefix__-role"' in template and "Row __number__" in template
    # Hidden without JavaScript, which falls back on "Save draft" for more empty rows.
    assert re.search(r"<button [^>]*data-add-row[^>]*hidden>Add a row</button>", html)


def test_chart_names_itself_after_the_figure_and_carries_a_captioned_table():
    import plotly.graph_objects as go

    figure = go.Figure(layout={"title": {"text": "Exports &amp; <b>sales</b><br>by year"}})
    assert figure_title(figure) == "Exports & sales by year"
    frame = pd.DataFrame({"year": [1990], "value": ["<b>1</b>"]})
    drawn = chart(figure, "chart-x", data=frame, caption="Exports by year")
    assert drawn["title"] == "Exports & sales by year"
    assert drawn["described_by"] == "chart-x-data-caption"
    assert '<table class="table table-sm small" id="chart-x-data">' in drawn["table"]
    assert '<caption id="chart-x-data-caption">Exports by year</caption>' in drawn["table"]
    assert "&lt;b&gt;1&lt;/b&gt;" in drawn["table"]  # still escaped
    shared = chart(figure, "chart-y", described_by="chart-x-data")
    assert shared["table"] is None and shared["described_by"] == "chart-x-data-caption"


def test_data_table_escapes_its_caption():
    html = data_table(pd.DataFrame({"a": [1]}), caption="<i>x</i>", table_id="t")
    assert '<caption id="t-caption">&lt;i&gt;x&lt;/i&gt;</caption>' in html


def test_ties_table_names_both_ends_of_each_tie_and_skips_ties_the_map_cannot_place():
    nodes = pd.DataFrame([{"key": "g1", "label": "Producers"}, {"key": "i2", "label": "<Fair>"}])
    edges = pd.DataFrame(
        [
            {"source": "g1", "target": "i2", "direction": "forward", "nature": "Training",
             "strength": "strong", "trend": "rising", "cited": "paper lines 1-2"},
            {"source": "g1", "target": "gone", "direction": "forward", "nature": "Sales",
             "strength": "weak", "trend": "falling", "cited": "paper lines 3-4"},
        ]
    )  # fmt: skip
    table = ties_table(nodes, edges)
    assert list(table.columns) == TIE_COLUMNS
    assert table.values.tolist() == [
        ["Producers", "<Fair>", "forward", "Training", "strong", "rising", "paper lines 1-2"]
    ]
    assert list(nodes.columns) == ["key", "label"]  # the input frames are left as they were


def test_ties_table_tells_apart_twins_as_the_map_does():
    nodes = pd.DataFrame(
        [
            {"key": "i1", "label": "SENAI", "context": "shoe design"},
            {"key": "i2", "label": "SENAI", "context": "tanning"},
            {"key": "g1", "label": "Producers", "context": ""},
        ]
    )
    edges = pd.DataFrame(
        [
            {"source": "i1", "target": "g1", "direction": "institutional", "nature": "Training",
             "strength": "moderate", "trend": "stable", "cited": "lines 1-2"},
            {"source": "i2", "target": "g1", "direction": "institutional", "nature": "Training",
             "strength": "weak", "trend": "stable", "cited": "lines 3-4"},
        ]
    )  # fmt: skip
    assert ties_table(nodes, edges)["From"].tolist() == [
        "SENAI (shoe design)",
        "SENAI (tanning)",
    ]


def error_summary(html: str) -> tuple[str, str]:
    """The error summary's opening tag and its content."""
    found = re.search(r'(<div [^>]*id="error-summary"[^>]*>)(.*?)</div>', html, re.S)
    assert found, "no error summary"
    return found.group(1), found.group(2)


def charts_in(html: str) -> list[str]:
    return re.findall(r'<div role="figure"[^>]*>', html)


def test_every_chart_on_the_library_pages_is_a_named_figure_described_by_its_table(client, library):
    pages = [
        "/cases/sinos-valley/",
        "/cases/korea-chaebol-networks/scorecard/",
        "/compare/?case=sinos-valley&case=tiruppur&case=bangalore",
    ]
    for path in pages:
        html = client.get(path).content.decode()
        figures = charts_in(html)
        assert figures and len(figures) == html.count('class="plotly-graph-div"'), path
        for tag in figures:
            described = re.search(r'aria-describedby="([^"]+)"', tag).group(1)
            assert re.search(r'aria-label="[^"]+"', tag), (path, tag)
            assert f'<caption id="{described}">' in html, (path, tag)
        assert "<th></th>" not in html, path  # no empty header cells


def test_the_scorecard_radar_table_has_a_row_per_point_and_a_column_per_cluster(client, library):
    html = client.get("/cases/korea-chaebol-networks/scorecard/").content.decode()
    table = html[html.index('<table class="table table-sm small" id="radar-data">') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 1 + 8
    header = re.findall(r"<th>([^<]*)</th>", table)
    assert header[0] == "Point" and len(header) == 1 + 5
    assert "Korean chaebol networks" in header[1]


def test_an_assessment_scorecard_lists_each_tie_of_its_cluster_map(client, officer, library):
    assessment = Assessment.objects.create(
        owner=officer, name="Agra", country="India", sector="Shoes", evidence_year=1995
    )
    AssessmentGroup.objects.create(assessment=assessment, role="producer", name="Makers")
    AssessmentTie.objects.create(
        assessment=assessment, direction="forward", nature="technical_assistance",
        from_role="export_agent", to_role="producer", strength="moderate", trend="rising",
    )  # fmt: skip
    client.force_login(officer)
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    table = html[html.index('id="cluster-map-data"') :]
    table = table[: table.index("</table>")]
    assert "<caption" in table and table.count("<tr>") == 2
    row = re.findall(r"<td>([^<]*)</td>", table)
    assert row[:2] == ["Export agents and export traders", "Makers"]
    assert row[2:6] == ["forward", "Technical assistance", "moderate", "rising"]
