"""Comparison charts: pure functions of DataFrames."""

import pandas as pd
import plotly.graph_objects as go

from checklist import criteria


def point_bars(scores: pd.DataFrame) -> go.Figure:
    """Grouped bars, one trace per cluster; columns: cluster, point, score (None = unknown)."""
    labels = [f"{p.number}. {p.short}" for p in criteria.POINTS]
    figure = go.Figure()
    for cluster, rows in scores.groupby("cluster", sort=False):
        by_point = dict(zip(rows["point"], rows["score"], strict=True))
        values = [by_point.get(p.number) for p in criteria.POINTS]
        figure.add_trace(
            go.Bar(
                x=labels,
                y=[None if pd.isna(v) else float(v) for v in values],
                name=str(cluster),
            )
        )
    figure.update_layout(
        barmode="group",
        yaxis={"range": [0, 100], "title": "score"},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 50, "r": 20, "t": 30, "b": 60},
        title={"text": "Checklist score by point (gaps: not yet known)", "font": {"size": 14}},
    )
    return figure
