"""Case-library charts: pure functions of DataFrames (no ORM, no request)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from clusterdx.html import chart_text

STRENGTH_WIDTH = {"weak": 1.0, "moderate": 2.5, "strong": 4.5, "unknown": 1.5}
DIRECTION_COLOUR = {
    "backward": "#1f77b4",
    "forward": "#d62728",
    "horizontal": "#2ca02c",
    "institutional": "#9467bd",
}


def _ring(keys: list[str], radius: float, start: float = 0.0) -> dict[str, tuple[float, float]]:
    count = max(len(keys), 1)
    return {
        key: (
            radius * math.cos(start + 2 * math.pi * i / count),
            radius * math.sin(start + 2 * math.pi * i / count),
        )
        for i, key in enumerate(keys)
    }


def _outward(point: tuple[float, float]) -> str:
    """Where a node's label goes so that it points away from the centre (fewer overlaps)."""
    x, y = point
    vertical = "top" if y > 0.1 else "bottom" if y < -0.1 else "middle"
    horizontal = "right" if x > 0.3 else "left" if x < -0.3 else "center"
    return (
        f"{vertical} {horizontal}"
        if vertical != "middle" or horizontal != "center"
        else "top center"
    )


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def cluster_map(nodes: pd.DataFrame, edges: pd.DataFrame) -> go.Figure:
    """The cluster's actor groups (inner ring) and institutions (outer ring), tied by linkages.

    nodes: key, label, type ("group" or "institution"), detail.
    edges: source, target (node keys), direction, nature, strength, trend, cited (where the
    tie comes from: paper lines for a case, the answer for an assessment).
    Edge width shows strength, colour the direction, an arrowhead which way it runs (from the
    work-giver or provider to the receiver); hovering a tie's midpoint tells its nature,
    strength, trend and source.
    """
    groups = nodes[nodes["type"] == "group"]["key"].tolist()
    institutions = nodes[nodes["type"] == "institution"]["key"].tolist()
    position = {**_ring(groups, 1.0), **_ring(institutions, 1.9, start=math.pi / 7)}
    figure = go.Figure()
    shown = set()
    arrows = []
    for edge in edges.itertuples(index=False):
        if edge.source not in position or edge.target not in position:
            continue
        (x0, y0), (x1, y1) = position[edge.source], position[edge.target]
        if edge.source != edge.target:
            # An arrowhead on the last stretch of the tie shows its direction (from -> to).
            arrows.append(
                {
                    "x": x1, "y": y1, "ax": x0 + 0.75 * (x1 - x0), "ay": y0 + 0.75 * (y1 - y0),
                    "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "text": "",
                    "showarrow": True, "arrowhead": 2, "arrowsize": 1.2, "standoff": 9,
                    "arrowwidth": max(1.0, STRENGTH_WIDTH.get(edge.strength, 1.5) * 0.6),
                    "arrowcolor": DIRECTION_COLOUR.get(edge.direction, "#7f7f7f"),
                    "opacity": 0.8,
                }
            )  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                line={
                    "width": STRENGTH_WIDTH.get(edge.strength, 1.5),
                    "color": DIRECTION_COLOUR.get(edge.direction, "#7f7f7f"),
                },
                opacity=0.55,
                hoverinfo="skip",
                name=chart_text(edge.direction),
                legendgroup=chart_text(edge.direction),
                showlegend=edge.direction not in shown,
            )
        )
        shown.add(edge.direction)
        figure.add_trace(
            go.Scatter(
                x=[(x0 + x1) / 2],
                y=[(y0 + y1) / 2],
                mode="markers",
                marker={"size": 6, "color": DIRECTION_COLOUR.get(edge.direction, "#7f7f7f")},
                hovertext=chart_text(
                    f"{edge.nature}: {edge.strength}, {edge.trend} ({edge.cited})"
                ),
                hoverinfo="text",
                showlegend=False,
            )
        )
    for kind, symbol, colour in (
        ("group", "circle", "#ff7f0e"),
        ("institution", "square", "#17becf"),
    ):
        subset = nodes[nodes["type"] == kind]
        figure.add_trace(
            go.Scatter(
                x=[position[k][0] for k in subset["key"]],
                y=[position[k][1] for k in subset["key"]],
                mode="markers+text",
                marker={"size": 14, "symbol": symbol, "color": colour},
                text=[chart_text(_short(label)) for label in subset["label"]],
                textposition=[_outward(position[k]) for k in subset["key"]],
                textfont={"size": 12},
                hovertext=[
                    f"{chart_text(label)}<br>{chart_text(detail)}"
                    for label, detail in zip(subset["label"], subset["detail"], strict=True)
                ],
                hoverinfo="text",
                name="Actor groups" if kind == "group" else "Institutions",
            )
        )
    figure.update_layout(
        annotations=arrows,
        xaxis={"visible": False, "range": [-3.0, 3.0]},  # room for the outer labels
        yaxis={"visible": False},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=620,
        legend={"orientation": "h", "y": -0.02},
        title={"text": "Cluster map: groups, institutions and their ties", "font": {"size": 14}},
    )
    return figure
