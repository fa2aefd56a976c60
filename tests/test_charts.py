"""Chart builders tested on their data, without a browser or a database."""

import pandas as pd

from cases.charts import NODE_LABEL, STRENGTH_WIDTH, cluster_map
from checklist.charts import checklist_radar


def test_cluster_map_draws_each_tie_with_its_strength_and_every_node():
    nodes = pd.DataFrame(
        [
            {"key": "g1", "label": "Shoe producers", "type": "group", "detail": "Producers"},
            {"key": "g2", "label": "Stage units", "type": "group", "detail": "Stage units"},
            {"key": "i1", "label": "FENAC", "type": "institution", "detail": "Trade fair"},
        ]
    )
    edges = pd.DataFrame(
        [
            {"source": "g1", "target": "g2", "direction": "backward", "nature": "Subcontracting",
             "strength": "strong", "trend": "stable", "cited": "paper lines 383-388"},
            {"source": "i1", "target": "g1", "direction": "institutional",
             "nature": "Information exchange", "strength": "weak", "trend": "unknown",
             "cited": "paper lines 525-527"},
            {"source": "i1", "target": "gone", "direction": "forward", "nature": "Sales",
             "strength": "weak", "trend": "unknown", "cited": "paper lines 1-1"},
        ]
    )  # fmt: skip
    figure = cluster_map(nodes, edges)
    lines = [t for t in figure.data if t.mode == "lines"]
    assert [t.line.width for t in lines] == [STRENGTH_WIDTH["strong"], STRENGTH_WIDTH["weak"]]
    hovers = [t.hovertext for t in figure.data if t.mode == "markers" and t.hovertext]
    assert "Subcontracting: strong, stable (paper lines 383-388)" in hovers
    names = [a.text for a in figure.layout.annotations if a.name == NODE_LABEL]
    assert names == ["Shoe producers", "Stage units", "FENAC"]  # every node labelled


def test_radar_closes_each_trace_and_leaves_unknown_points_as_gaps():
    frame = pd.DataFrame(
        [{"cluster": "A", "point": n, "score": 10.0 * n} for n in range(1, 9)]
        + [{"cluster": "B", "point": n, "score": None if n == 3 else 50.0} for n in range(1, 9)]
    )
    figure = checklist_radar(frame, highlight="A")
    first, second = figure.data
    assert list(first.r) == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 10.0]
    assert list(second.r)[2] is None
    assert first.line.width > second.line.width


def test_linkage_profile_stacks_ties_by_strength_per_subject_and_direction():
    from compare.charts import linkage_profile

    ties = pd.DataFrame(
        [
            {"subject": "A", "direction": "backward", "strength": "strong", "ties": 3},
            {"subject": "A", "direction": "forward", "strength": "weak", "ties": 1},
            {"subject": "B", "direction": "backward", "strength": "strong", "ties": 2},
        ]
    )
    figure = linkage_profile(ties)
    strong = next(t for t in figure.data if t.name == "strong")
    assert list(strong.x) == [3, 2]  # one row per subject and direction, read across
    assert [list(level) for level in strong.y] == [["A", "B"], ["backward", "backward"]]


def test_institutions_timeline_plots_dated_ones_and_counts_the_rest():
    from compare.charts import institutions_timeline

    frame = pd.DataFrame(
        [
            {"subject": "S", "name": "FENAC", "kind": "Trade fair", "ownership": "Mixed",
             "founded": 1963},
            {"subject": "S", "name": "SEBRAE", "kind": "Government", "ownership": "Public",
             "founded": None},
        ]
    )  # fmt: skip
    figure = institutions_timeline(frame)
    assert [t.name for t in figure.data] == ["Trade fair"]
    assert list(figure.data[0].x) == [1963]
    # The title is wrapped (lines joined by <br>): read it as one line.
    assert "(1 without a year in the source)" in figure.layout.title.text.replace("<br>", " ")


def test_cluster_map_points_an_arrow_from_each_ties_source_to_its_target():
    nodes = pd.DataFrame(
        [
            {"key": "a", "label": "Large firms", "type": "group", "detail": ""},
            {"key": "b", "label": "Subcontractors", "type": "group", "detail": ""},
        ]
    )
    edges = pd.DataFrame(
        [{"source": "a", "target": "b", "direction": "backward", "nature": "Subcontracting",
          "strength": "strong", "trend": "stable", "cited": "paper lines 1-2"}]
    )  # fmt: skip
    figure = cluster_map(nodes, edges)
    (arrow,) = [a for a in figure.layout.annotations if a.showarrow]
    line = next(t for t in figure.data if t.mode == "lines")
    # The arrow ends at the target and its last stretch lies along the tie.
    assert (arrow.x, arrow.y) == (line.x[-1], line.y[-1])
    assert (arrow.ax, arrow.ay) == (line.x[-4], line.y[-4])
