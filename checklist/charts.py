"""Charts as pure functions of a DataFrame: no ORM, no request."""

import pandas as pd
import plotly.graph_objects as go

from clusterdx.html import chart_text
from engine import criteria


def checklist_radar(scores: pd.DataFrame, highlight: str | None = None) -> go.Figure:
    """One trace per cluster around the eight points; columns: cluster, point, score.

    A missing score (unknown) leaves a gap rather than pretending to be zero.
    """
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
                "name": chart_text(cluster),
                "customdata": [p.title for p in criteria.POINTS] + [criteria.POINTS[0].title],
                "hovertemplate": "%{customdata}: %{r}<extra>%{fullData.name}</extra>",
                "connectgaps": False,
                "line": {"width": 4 if cluster == highlight else 1.5},
                "opacity": 1.0 if highlight in (None, cluster) else 0.55,
            }
        )
    # Traces as dicts and the layout in one call: plotly validates each part once (a trace
    # object, add_trace and update_layout each validate again, which made this the compare
    # page's slowest chart with many clusters).
    return go.Figure(
        data=traces,
        layout={
            "polar": {"radialaxis": {"range": [0, 100], "tickvals": [0, 40, 70, 100]}},
            "legend": {"orientation": "h", "y": -0.15},
            "margin": {"l": 40, "r": 40, "t": 30, "b": 40},
            "title": {"text": "Eight Point Checklist scores (0-100)", "font": {"size": 14}},
        },
    )
