"""Charts a reader can read (issue 10), tested on the figures' data and on the downloads."""

import io

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from cases.charts import NODE_LABEL, cluster_map, distinct_labels, tie_path, wrap_label
from checklist.charts import LEGEND_NAME_WIDTH, OTHER_COLOURS, checklist_radar, subject_colours
from compare.charts import _hatched, exports_over_time, firms_and_employment, point_bars
from compare.table import OFFICER
from compare.views import linked_note
from tests.figures import page_figure
from tests.test_compare import compare_url, make_assessment

LIBRARY = ["Sinos Valley shoes", "Leon & Guadalajara shoes", "Tiruppur knitwear"]


def test_wrap_label_breaks_long_labels_into_escaped_lines():
    wrapped = wrap_label("Cattle ranching sector of Rio Grande <do Sul>", 20)
    lines = wrapped.split("<br>")
    assert len(lines) == 3 and all(len(line.replace("&lt;", "<").replace("&gt;", ">")) <= 20
                                   for line in lines)  # fmt: skip
    assert "&lt;do" in wrapped and "<do" not in wrapped  # stored text never becomes markup
    assert wrap_label("FENAC") == "FENAC"


def test_identical_names_get_their_distinguishing_context():
    nodes = pd.DataFrame(
        [
            {"label": "CU", "context": "Leon", "name": "Leon shoe producers' credit union"},
            {"label": "CU", "context": "Guadalajara", "name": "Guadalajara credit union"},
            {"label": "SENAI", "context": "Sinos", "name": "SENAI vocational school in tanning"},
            {"label": "SENAI", "context": "Sinos", "name": "SENAI vocational school in design"},
            {"label": "FENAC", "context": "Sinos", "name": "FENAC"},
        ]
    )
    assert distinct_labels(nodes) == [
        "CU (Leon)", "CU (Guadalajara)", "SENAI (tanning)", "SENAI (design)", "FENAC",
    ]  # fmt: skip


def _tie(source, target, nature="Subcontracting"):
    return {"source": source, "target": target, "direction": "horizontal", "nature": nature,
            "strength": "weak", "trend": "stable", "cited": "your answer"}  # fmt: skip


def test_a_tie_between_groups_of_one_kind_is_a_visible_loop_and_repeat_ties_part():
    nodes = pd.DataFrame(
        [
            {"key": "producers", "label": "Producers", "type": "group", "detail": ""},
            {"key": "buyers", "label": "Buyers", "type": "group", "detail": ""},
        ]
    )
    edges = pd.DataFrame(
        [_tie("producers", "producers"), _tie("producers", "buyers"),
         _tie("producers", "buyers", "Sales")]
    )  # fmt: skip
    figure = cluster_map(nodes, edges)
    lines = [t for t in figure.data if t.mode == "lines"]
    for line in lines:  # no tie is drawn as a line of length zero
        assert max(line.x) - min(line.x) > 0.05 or max(line.y) - min(line.y) > 0.05
    hovers = [(t.x[0], t.y[0]) for t in figure.data
              if t.mode == "markers" and t.hovertext and t.name != "Actor groups"]  # fmt: skip
    assert len(hovers) == 3 and len(set(hovers)) == 3  # each tie its own hover point
    labels = [a for a in figure.layout.annotations if a.name == NODE_LABEL]
    assert [a.text for a in labels] == ["Producers", "Buyers"]


LONG_NAME = "Agra and Kanpur leather footwear and components cluster (1995)"


def test_a_long_subject_name_wraps_in_the_legend_and_gets_a_taller_firms_row():
    scores = pd.DataFrame([{"cluster": LONG_NAME, "point": n, "score": 50.0} for n in range(1, 9)])
    for figure in (checklist_radar(scores), point_bars(scores)):
        lines = figure.data[0].name.split("<br>")
        assert len(lines) == 2 and " ".join(lines) == LONG_NAME  # 40 characters a line at most
        assert all(len(line) <= LEGEND_NAME_WIDTH for line in lines)

    def firms(*subjects):
        return pd.DataFrame(
            [{"subject": s, "measure": "Producing firms", "part": "", "label": "firms",
              "value": 10.0, "shown": "10", "paper_lines": "1", "citation": "", "note": ""}
             for s in subjects]
        )  # fmt: skip

    short = firms_and_employment(firms("Sinos Valley shoes", "Tiruppur knitwear"))
    long = firms_and_employment(firms("Sinos Valley shoes", LONG_NAME))
    # Five lines of a 14-character wrap need more than the 44 px a row of two-line names gets.
    assert long.layout.height - 260 >= 2 * 2 * (15 * 5 + 14) > short.layout.height - 260


def test_tie_path_loops_back_to_its_node():
    xs, ys, middle = tie_path((0.5, 0.5), (0.5, 0.5), 0)
    assert (xs[0], ys[0]) == pytest.approx((xs[-1], ys[-1]))
    assert middle != (0.5, 0.5)


def test_a_case_keeps_its_colour_whichever_subjects_are_shown():
    alone = subject_colours(LIBRARY, [])
    with_assessment = subject_colours(LIBRARY, ["My cluster (2026)"])
    assert alone["Tiruppur knitwear"] == with_assessment["Tiruppur knitwear"]
    assert with_assessment["My cluster (2026)"] not in alone.values()


def test_an_assessment_keeps_the_colour_its_id_picks_unless_one_shown_before_has_it():
    slots = len(OTHER_COLOURS)
    alone = subject_colours(LIBRARY, {"Mine": 3})
    after_another = subject_colours(LIBRARY, {"Theirs": 1, "Mine": 3})
    assert alone["Mine"] == after_another["Mine"] == OTHER_COLOURS[3]
    clash = subject_colours(LIBRARY, {"Theirs": 3, "Mine": 3 + slots})
    assert clash["Mine"] == OTHER_COLOURS[4]  # the next free one, never the same as Theirs
    crowd = subject_colours([], {f"A{n}": n for n in range(slots + 1)})
    assert set(list(crowd.values())[:slots]) == set(OTHER_COLOURS)  # all used before any twice


@pytest.mark.django_db
def test_an_assessment_has_one_colour_on_its_scorecard_and_on_a_comparison(client):
    owner = User.objects.create_user("olga", password="x")
    client.force_login(owner)
    first, mine = make_assessment(owner, name="First"), make_assessment(owner, name="Mine")

    def colour_in(url, div, name):
        figure = page_figure(client.get(url).content.decode("utf-8-sig"), div)
        return next(t["line"]["color"] for t in figure["data"] if t["name"] == name)

    on_scorecard = colour_in(reverse("checklist:scorecard", args=[mine.pk]), "radar", "Mine")
    # Shown second, after another assessment (and named with its year), it keeps its colour.
    compared = compare_url("tiruppur", assessments=[first.pk, mine.pk])
    on_compare = colour_in(compared, "chart-radar", "Mine (1995)")
    assert on_scorecard == on_compare


def test_every_chart_draws_a_subject_in_its_one_colour():
    colours = subject_colours(LIBRARY, ["Mine"])
    scores = pd.DataFrame(
        [{"cluster": name, "point": n, "score": 50.0}
         for name in ("Tiruppur knitwear", "Mine") for n in range(1, 9)]
    )  # fmt: skip
    radar = checklist_radar(scores, colours=colours)
    bars = point_bars(scores, colours=colours)
    exports = exports_over_time(
        pd.DataFrame(
            [{"subject": "Tiruppur knitwear", "series": "s", "label": "Exports", "scope":
              "Cluster or network", "unit": "%", "year": 1990, "value": 10.0, "shown": "10%",
              "paper_lines": "1", "citation": "", "note": ""}]
        ),
        colours=colours,
    )  # fmt: skip
    tiruppur = colours["Tiruppur knitwear"]
    assert radar.data[0].line.color == bars.data[0].marker.color == tiruppur
    assert exports.data[0].line.color == tiruppur
    assert radar.data[1].line.color == bars.data[1].marker.color == colours["Mine"]


def test_officer_answers_are_not_hatched_as_doubted():
    rows = pd.DataFrame({"note": [OFFICER["note"], "The paper hedges this figure.", ""]})
    assert list(_hatched(rows)["shape"]) == ["", "/", ""]


def test_line_references_in_notes_link_to_the_paper_and_the_rest_is_escaped():
    html = str(linked_note("About 1,800 firms <b>(1112-1113)</b>; see lines 539-548, 80%."))
    assert html.count('class="cite"') == 2
    assert "?from=1112&amp;to=1113#L1112" in html and "?from=539&amp;to=548#L539" in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "1,800" in html and "80%" in html and "from=1,800" not in html


@pytest.mark.django_db
def test_the_comparison_csv_carries_the_charts_data_as_the_xlsx_does(client):
    url = reverse("compare:download", args=["csv"]) + "?case=sinos-valley&case=tiruppur"
    table = pd.read_csv(io.BytesIO(client.get(url).content), encoding="utf-8-sig")
    xlsx = client.get(url.replace("data.csv", "data.xlsx"))
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)
    assert list(dict.fromkeys(table["table"])) == list(sheets)
    for sheet, frame in sheets.items():
        assert (table["table"] == sheet).sum() == len(frame), sheet


@pytest.mark.django_db
def test_home_page_describes_the_assessment_as_it_is(client):
    page = client.get("/").content.decode()
    assert "Coming next" not in page
    assert reverse("checklist:new") in page and reverse("compare:page") in page


def test_a_cumulative_size_class_says_so_on_the_axis():
    from compare.charts import size_class_label

    plain = {"size_class": "Very small", "bounds": "≤14", "basis": "Shoe producers in Leon"}
    cumulative = {
        "size_class": "Small",
        "bounds": "≤99",
        "basis": "Shoe producers in Leon (cumulative: includes the 45% very small)",
    }
    assert "cumulative" not in size_class_label(plain)
    assert size_class_label(cumulative).endswith("<br>cumulative")
