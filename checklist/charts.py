"""Charts as pure functions of a DataFrame: no ORM, no request."""

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from cases.charts import wrap_label

from . import criteria

# A horizontal legend under the whole figure, below any axis labels, so it never covers them.
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}
# A legend entry's name wraps at this many characters: a long assessment name still fits a
# phone's width beside its swatch.
LEGEND_NAME_WIDTH = 40


def legend_name(name) -> str:
    """A subject's name as a legend entry: chart text, wrapped onto lines (cases.charts)."""
    return wrap_label(name, LEGEND_NAME_WIDTH)


# The share of the radar's plotting area left under the circle for the bottom point's label.
RADAR_LABEL_ROOM = 0.1


# The one colour map of the subjects (clusters) every chart draws. A library case takes its
# colour from its place in the library, whichever cases a page shows, so Tiruppur is the same
# green on its scorecard, on an assessment's radar and in every comparison chart; assessments
# take theirs from a second set no case uses, chosen by the assessment's id, so an assessment
# too keeps its colour from its scorecard to any comparison (unless another shown took it).
CASE_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2"]
OTHER_COLOURS = ["#000000", "#8c564b", "#7f7f7f", "#bcbd22", "#393b79", "#637939"]


def subject_colours(
    library: Sequence[str], others: Mapping[str, int] | Sequence[str] = ()
) -> dict[str, str]:
    """Colour by subject name. library: every library case's name, in library order (all of
    them, not just those shown); others: the assessments shown, by name, each with its id
    (a mapping) or numbered in order (a sequence). An assessment gets the colour its id picks,
    or the next one free when an assessment before it on the page has that one; only when
    more assessments are shown than there are colours do two share one."""
    colours = {name: CASE_COLOURS[i % len(CASE_COLOURS)] for i, name in enumerate(library)}
    numbered = (
        others.items()
        if isinstance(others, Mapping)
        else ((name, number) for number, name in enumerate(others))
    )
    taken: set[str] = set()
    for name, number in numbered:
        if name in colours:
            continue
        turns = [OTHER_COLOURS[(number + step) % len(OTHER_COLOURS)]
                 for step in range(len(OTHER_COLOURS))]  # fmt: skip
        colour = next((c for c in turns if c not in taken), turns[0])
        colours[name] = colour
        taken.add(colour)
    return colours


def colours_for(names: Sequence[str], colours: Mapping[str, str] | None) -> dict[str, str]:
    """`colours`, with any name it lacks coloured after the others (a chart drawn alone)."""
    known = dict(colours or {})
    missing = [n for n in names if n not in known]
    return {**subject_colours([], missing), **known} if missing else known


def checklist_radar(
    scores: pd.DataFrame,
    highlight: str | None = None,
    colours: Mapping[str, str] | None = None,
) -> go.Figure:
    """One trace per cluster around the eight points; columns: cluster, point, score.

    A missing score (unknown) leaves a gap rather than pretending to be zero. colours: by
    cluster name (subject_colours), so each cluster looks the same on every chart.
    """
    colour = colours_for(list(dict.fromkeys(scores["cluster"])), colours)
    labels = [f"{p.number}. {p.short}" for p in criteria.POINTS]
    traces = []
    for cluster, rows in scores.groupby("cluster", sort=False):
        by_point = dict(zip(rows["point"], rows["score"], strict=True))
        values = [by_point.get(p.number) for p in criteria.POINTS]
        values = [None if pd.isna(v) else float(v) for v in values]
        traces.append(
            {
                "type": "scatterpolar",
                "r": [*values, values[0]],
                "theta": [*labels, labels[0]],
                "name": legend_name(cluster),
                "customdata": [p.title for p in criteria.POINTS] + [criteria.POINTS[0].title],
                "hovertemplate": "%{customdata}: %{r}<extra>%{fullData.name}</extra>",
                "connectgaps": False,
                "line": {"width": 4 if cluster == highlight else 1.5, "color": colour[cluster]},
                "marker": {"color": colour[cluster]},
                "opacity": 1.0 if highlight in (None, cluster) else 0.55,
            }
        )
    # Traces as dicts and the layout in one call: plotly validates each part once (a trace
    # object, add_trace and update_layout each validate again, which made this the compare
    # page's slowest chart with many clusters).
    return go.Figure(
        data=traces,
        layout={
            # Point 1 at the top, clockwise; the score ticks run between points 1 and 2, so no
            # number sits on a point's label.
            "polar": {
                "radialaxis": {
                    "range": [0, 100],
                    "tickvals": [0, 40, 70, 100],
                    "angle": 67.5,
                    "tickangle": 67.5,
                    "tickfont": {"size": 10},
                },
                "angularaxis": {"rotation": 90, "direction": "clockwise"},
                # Point 5's label hangs below the circle: the bottom of the plotting area is
                # kept free for it, so the legend under the chart never covers it.
                "domain": {"y": [RADAR_LABEL_ROOM, 1]},
            },
            "legend": LEGEND_BELOW,
            # Room beside the circle for the longest point label ("7. Level field").
            "margin": {"l": 85, "r": 85, "t": 70, "b": 20},
            "title": {"text": "Eight Point Checklist scores (0-100)", "font": {"size": 14}},
        },
    )
