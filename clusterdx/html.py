"""The one way stored data becomes markup: data tables, and text drawn in charts.

Stored text (an assessment's name, a library acronym) can hold anything a user typed, so it
reaches a page only escaped:
- `data_table` renders a DataFrame with every cell escaped, whatever its dtype (pandas 3 gives
  text the `str` dtype, so escaping "object columns" and then rendering unescaped escaped
  nothing), and links built by `format_html`.
- `chart` hands a figure to the page as data (`json_script`), drawn by static/js/charts.js:
  no inline script, as the Content-Security-Policy requires.
- `chart_text` makes text safe for Plotly, which draws a small HTML subset (`<b>`, `<br>`,
  `<a href>`) found in trace names, hover text, tick labels and annotations.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

MISSING = "—"


def chart_text(value) -> str:
    """Text for a Plotly figure, shown as typed: `<`, `>` and `&` escaped.

    Plotly turns `&lt;` back into `<` when it draws, so the reader sees the text itself;
    escape each piece of data before joining pieces with the chart's own `<br>`."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shown(value, missing: str) -> str:
    """A cell's text: missing values (None, NaN, pandas' NA) as `missing`, whole floats
    without ".0" (1963, not 1963.0)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return missing
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def data_table(
    frame: pd.DataFrame,
    *,
    links: Mapping[str, Callable[[object], SafeString | str]] | None = None,
    missing: str = MISSING,
    classes: str = "table table-sm small",
) -> SafeString:
    """`frame` as an HTML table, header and every cell escaped.

    links: column -> function turning a cell's value into markup; it must build that markup
    with `format_html` (which escapes its arguments), e.g. a paper-lines link."""
    links = links or {}
    columns = list(frame.columns)
    header = format_html_join("", "<th>{}</th>", ((column,) for column in columns))

    def cell(column, value):
        if column in links:
            return links[column](value)  # format_html escapes the value inside the link
        return _shown(value, missing)

    rows = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "", "<td>{}</td>", ((cell(c, v),) for c, v in zip(columns, row, strict=True))
                ),
            )
            for row in frame.itertuples(index=False, name=None)
        ),
    )
    return format_html(
        '<table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        classes,
        header,
        rows,
    )


def chart(figure: go.Figure, div_id: str) -> dict:
    """A figure for templates/includes/chart.html: the element id and the figure as JSON data.

    plotly.io's encoder writes numeric arrays as typed-array specs, which plotly.js reads;
    `json_script` in the template then escapes the JSON for the page."""
    return {
        "id": div_id,
        "figure_id": f"{div_id}-figure",
        "figure": json.loads(pio.to_json(figure, validate=False)),
    }
