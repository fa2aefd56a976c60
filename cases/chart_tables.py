"""Data tables for the charts that have no table of their own: the cluster map's ties.

Built from the very frames the figure is drawn from (cases/charts.py `cluster_map`), so the
table a screen-reader or keyboard user reads says what the map shows, and what the map only
shows on mouse hover. Pure pandas; no ORM, no request."""

from __future__ import annotations

import pandas as pd

from .charts import distinct_labels

TIE_COLUMNS = ["From", "To", "Direction", "Nature", "Strength", "Trend", "Source"]


def ties_table(nodes: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """One row per tie: its two ends by name, its direction, nature, strength and trend, and
    where it comes from. nodes: key, label; edges: source, target, direction, nature,
    strength, trend, cited (cluster_map's columns). Ties whose ends the map cannot place are
    left out, as the map leaves them out."""
    # The names the map draws, twins told apart ("SENAI (tanning)"): the table stands for the
    # map for a screen reader, so it must not merge what the map keeps apart.
    label = dict(zip(nodes["key"], distinct_labels(nodes), strict=True)) if len(nodes) else {}
    rows = [
        [label[e.source], label[e.target], e.direction, e.nature, e.strength, e.trend, e.cited]
        for e in edges.itertuples(index=False)
        if e.source in label and e.target in label
    ]
    return pd.DataFrame(rows, columns=TIE_COLUMNS)
