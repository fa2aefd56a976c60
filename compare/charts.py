"""Comparison charts: pure functions of DataFrames."""

import pandas as pd
import plotly.graph_objects as go

from checklist import criteria


def point_bars(scores: pd.DataFrame) -> go.Figure:
    """Grouped bars, one trace per cluster; columns: cluster, point, score (None = unknown)."""
    labels = [f"{p.number}. {p.short}" for p in criteria.POINTS]
    traces = []
    for cluster, rows in scores.groupby("cluster", sort=False):
        by_point = dict(zip(rows["point"], rows["score"], strict=True))
        values = [by_point.get(p.number) for p in criteria.POINTS]
        traces.append(
            {
                "type": "bar",
                "x": labels,
                "y": [None if pd.isna(v) else float(v) for v in values],
                "name": str(cluster),
            }
        )
    # One trace per cluster, so built in one call like checklist_radar (validated once).
    return go.Figure(
        data=traces,
        layout={
            "barmode": "group",
            "yaxis": {"range": [0, 100], "title": {"text": "score"}},
            "legend": {"orientation": "h", "y": -0.25},
            "margin": {"l": 50, "r": 20, "t": 30, "b": 60},
            "title": {
                "text": "Checklist score by point (gaps: not yet known)",
                "font": {"size": 14},
            },
        },
    )


STRENGTHS = ["strong", "moderate", "weak", "unknown"]


def linkage_profile(ties: pd.DataFrame) -> go.Figure:
    """Stacked bars of ties by direction for each subject, stacked by strength.

    Columns: subject, direction, strength, ties.
    """
    traces = []
    for strength in STRENGTHS:
        rows = ties[ties["strength"] == strength]
        traces.append(
            {
                "type": "bar",
                "x": [rows["subject"].tolist(), rows["direction"].tolist()],
                "y": rows["ties"].tolist(),
                "name": strength,
            }
        )
    return go.Figure(  # in one call, validated once (see point_bars)
        data=traces,
        layout={
            "barmode": "stack",
            "yaxis": {"title": {"text": "ties"}},
            "legend": {"orientation": "h", "y": -0.35, "title": {"text": "strength"}},
            "margin": {"l": 50, "r": 20, "t": 30, "b": 90},
            "title": {
                "text": "Linkage profile: ties by direction and strength",
                "font": {"size": 14},
            },
        },
    )


def institutions_timeline(institutions: pd.DataFrame) -> go.Figure:
    """Institutions by founding year, one row per subject, one trace per type.

    Columns: subject, name, kind, ownership, founded. Institutions without a year are counted
    in the title, not plotted.
    """
    dated = institutions.dropna(subset=["founded"])
    traces = []
    for kind, rows in dated.groupby("kind", sort=True):
        traces.append(
            {
                "type": "scatter",
                "x": rows["founded"].astype(int).tolist(),
                "y": rows["subject"].tolist(),
                "mode": "markers",
                "marker": {"size": 12},
                "name": str(kind),
                "hovertext": [f"{n} ({o})" for n, o in zip(rows["name"], rows["ownership"],
                                                           strict=True)],
                "hoverinfo": "text+x",
            }
        )  # fmt: skip
    undated = len(institutions) - len(dated)
    return go.Figure(  # in one call, validated once (see point_bars)
        data=traces,
        layout={
            "xaxis": {"title": {"text": "founded"}},
            "margin": {"l": 160, "r": 20, "t": 40, "b": 40},
            "legend": {"orientation": "h", "y": -0.3},
            "title": {
                "text": f"Institutions by founding year ({undated} without a year in the source)",
                "font": {"size": 14},
            },
        },
    )
