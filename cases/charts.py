"""Case-library charts: pure functions of DataFrames (no ORM, no request)."""

from __future__ import annotations

import math
import textwrap

import networkx as nx
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


# Node labels are wrapped at this many characters and placed in the browser
# (static/js/charts.js), which knows their drawn size: each goes to the free spot among eight
# around its node. A phone gets a taller map, so the same labels find room.
LABEL_WIDTH = 20
NODE_LABEL = "node-label"


def wrap_label(value, width: int = LABEL_WIDTH) -> str:
    """Chart text broken into lines of at most `width` characters (a longer word stays whole).

    Each line is escaped on its own (chart_text) and the lines joined with Plotly's `<br>`, so
    a break can never split an escaped character and stored text never becomes markup."""
    lines = textwrap.wrap(str(value), width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(chart_text(line) for line in lines) if lines else chart_text(value)


def distinct_labels(nodes: pd.DataFrame) -> list[str]:
    """Each node's label, with context where two nodes share one ("SENAI" twice).

    The context is the first column among `context` (e.g. the cluster) and `name` (the full
    name, less the words the twins share) that tells the twins apart."""
    labels = nodes["label"].astype(str).tolist()
    result = list(labels)
    for label in set(labels):
        twins = [i for i, other in enumerate(labels) if other == label]
        if len(twins) < 2:
            continue
        for column in ("context", "name"):
            if column not in nodes:
                continue
            values = [str(nodes[column].iloc[i] or "") for i in twins]
            if column == "name":
                values = _differing_words(values)
            if all(values) and len(set(values)) == len(values):
                for i, value in zip(twins, values, strict=True):
                    result[i] = f"{label} ({value})"
                break
        else:  # nothing tells them apart: number them, so a reader still sees two nodes
            for number, i in enumerate(twins, start=1):
                result[i] = f"{label} ({number})"
    return result


def _differing_words(names: list[str]) -> list[str]:
    """The names without the words they all begin with."""
    split = [name.split() for name in names]
    shared = 0
    while (
        all(len(words) > shared for words in split) and len({words[shared] for words in split}) == 1
    ):
        shared += 1
    return [" ".join(words[shared:]) for words in split]


def layout_positions(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Node positions from a force-directed layout (networkx), spread over [-1, 1] each way.

    Seeded, and started from the groups' and institutions' rings, so a page always draws the
    same map; tied nodes pull together, untied ones push apart, which leaves labels room."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes["key"])
    graph.add_edges_from(
        (e.source, e.target)
        for e in edges.itertuples(index=False)
        if e.source in graph and e.target in graph and e.source != e.target
    )
    groups = nodes[nodes["type"] == "group"]["key"].tolist()
    institutions = nodes[nodes["type"] == "institution"]["key"].tolist()
    start = nx.shell_layout(graph, [shell for shell in (groups, institutions) if shell])
    # A faint tie from every node to a hidden hub keeps untied nodes and separate parts of
    # the network on the map instead of flung to its corners.
    hub = object()
    graph.add_edges_from(((hub, key) for key in list(graph)), weight=0.05)
    start[hub] = (0.0, 0.0)
    count = max(len(graph), 1)
    spread = nx.spring_layout(graph, pos=start, k=2.5 / math.sqrt(count), iterations=300, seed=7)
    spread.pop(hub)
    keys = list(spread)
    xs = _even([float(spread[k][0]) for k in keys])
    ys = _even([float(spread[k][1]) for k in keys])
    return {key: (x, y) for key, x, y in zip(keys, xs, ys, strict=True)}


def _even(values: list[float]) -> list[float]:
    """Coordinates scaled to [-1, 1] and evened out: half the position, half its rank, so a
    crowded middle spreads out (labels need room) while the order of the nodes is kept."""
    if len(values) < 2:
        return [0.0] * len(values)
    low, high = min(values), max(values)
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = {index: place for place, index in enumerate(order)}
    scaled = [0.0 if high - low < 1e-9 else 2 * (v - low) / (high - low) - 1 for v in values]
    ranked = [2 * rank[i] / (len(values) - 1) - 1 for i in range(len(values))]
    return [(a + b) / 2 for a, b in zip(scaled, ranked, strict=True)]


def tie_path(
    start: tuple[float, float], end: tuple[float, float], bend: float
) -> tuple[list[float], list[float], tuple[float, float]]:
    """Points along a tie and the point its hover sits on.

    A tie from a node to itself (producers supplying producers of the same kind) is a loop
    beside the node, never a line of length zero; `bend` curves a second or third tie between
    the same two nodes away from the first, so each has its own hover point."""
    (x0, y0), (x1, y1) = start, end
    if start == end:
        radius = 0.09
        angles = [2 * math.pi * i / 24 for i in range(25)]
        xs = [x0 + radius * math.sin(a) for a in angles]
        ys = [y0 + radius - radius * math.cos(a) for a in angles]
        return xs, ys, (x0, y0 + 2 * radius)
    # A quadratic curve whose control point sits off the midpoint, at right angles to the tie.
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    cx, cy = mx - dy * bend, my + dx * bend
    steps = [i / 16 for i in range(17)]
    xs = [(1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1 for t in steps]
    ys = [(1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1 for t in steps]
    return xs, ys, (xs[8], ys[8])


def _bends(edges: pd.DataFrame) -> list[float]:
    """0 for the first tie between two nodes, then ±0.2, ±0.4… for the next ones."""
    seen: dict[frozenset, int] = {}
    bends = []
    for edge in edges.itertuples(index=False):
        pair = frozenset((edge.source, edge.target))
        count = seen.get(pair, 0)
        seen[pair] = count + 1
        size = 0.2 * ((count + 1) // 2)
        sign = 1 if count % 2 else -1
        # Keep the bend's side fixed whichever way the tie runs.
        if (edge.source, edge.target) != tuple(sorted((edge.source, edge.target))):
            sign = -sign
        bends.append(sign * size)
    return bends


def cluster_map(nodes: pd.DataFrame, edges: pd.DataFrame) -> go.Figure:
    """The cluster's actor groups and institutions, tied by linkages.

    nodes: key, label, type ("group" or "institution"), detail; optionally context (e.g. the
    cluster) and name (the full name), which tell apart nodes that share a label.
    edges: source, target (node keys), direction, nature, strength, trend, cited (where the
    tie comes from: paper lines for a case, the answer for an assessment).
    Edge width shows strength, colour the direction, an arrowhead which way it runs (from the
    work-giver or provider to the receiver); hovering a tie's midpoint tells its nature,
    strength, trend and source.
    """
    position = layout_positions(nodes, edges)
    labels = dict(zip(nodes["key"], distinct_labels(nodes), strict=True))
    figure = go.Figure()
    shown = set()
    arrows = []
    for edge, bend in zip(edges.itertuples(index=False), _bends(edges), strict=True):
        if edge.source not in position or edge.target not in position:
            continue
        xs, ys, middle = tie_path(position[edge.source], position[edge.target], bend)
        if edge.source != edge.target:
            # An arrowhead on the last stretch of the tie shows its direction (from -> to).
            arrows.append(
                {
                    "x": xs[-1], "y": ys[-1], "ax": xs[-4], "ay": ys[-4],
                    "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "text": "",
                    "showarrow": True, "arrowhead": 2, "arrowsize": 1.2, "standoff": 9,
                    "arrowwidth": max(1.0, STRENGTH_WIDTH.get(edge.strength, 1.5) * 0.6),
                    "arrowcolor": DIRECTION_COLOUR.get(edge.direction, "#7f7f7f"),
                    "opacity": 0.8,
                }
            )  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
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
                x=[middle[0]],
                y=[middle[1]],
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
                mode="markers",
                marker={"size": 14, "symbol": symbol, "color": colour},
                hovertext=[
                    f"{chart_text(labels[key])}<br>{chart_text(detail)}"
                    for key, detail in zip(subset["key"], subset["detail"], strict=True)
                ],
                hoverinfo="text",
                name="Actor groups" if kind == "group" else "Institutions",
            )
        )
    names = [
        {
            "x": position[key][0], "y": position[key][1], "xref": "x", "yref": "y",
            "text": wrap_label(labels[key]), "showarrow": False, "name": NODE_LABEL,
            "font": {"size": 11}, "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1,
            "yanchor": "bottom", "yshift": 9,
        }
        for key in nodes["key"]
    ]  # fmt: skip
    count = len(nodes)
    figure.update_layout(
        annotations=[*arrows, *names],
        plot_bgcolor="white",
        xaxis={"visible": False, "range": [-1.12, 1.12]},
        yaxis={"visible": False, "range": [-1.15, 1.15]},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=max(560, 220 + 22 * count),
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        title={"text": "Cluster map: groups, institutions and their ties", "font": {"size": 14}},
        # A phone is narrow: the same labels need a taller map to find room (charts.js).
        meta={"narrow": {"height": max(640, 160 + 58 * count)}},
    )
    return figure
