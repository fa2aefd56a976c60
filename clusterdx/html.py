"""The one way stored data becomes markup: data tables, and text drawn in charts.

Stored text (an assessment's name, a library acronym) can hold anything a user typed, so it
reaches a page only escaped:
- `data_table` renders a DataFrame with every cell escaped, whatever its dtype (pandas 3 gives
  text the `str` dtype, so escaping "object columns" and then rendering unescaped escaped
  nothing), and links built by `format_html`.
- `chart` hands a figure to the page as data (`json_script`), drawn by static/js/charts.js:
  no inline script, as the Content-Security-Policy requires. With `data=` (the frame the
  figure is drawn from) it carries the chart's data table too: templates/includes/chart.html
  names the chart after its title and points its description at that table (WCAG 1.1.1).
- `linked_terms` escapes a plain text and links the terms in it that have a page (the
  indicator codes in the step forms' help, linked to /method/).
- `chart_text` makes text safe for Plotly, which draws a small HTML subset (`<b>`, `<br>`,
  `<a href>`) found in trace names, hover text, tick labels and annotations.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString

MISSING = "—"


def chart_text(value) -> str:
    """Text for a Plotly figure, shown as typed: `<`, `>` and `&` escaped.

    Plotly turns `&lt;` back into `<` when it draws, so the reader sees the text itself;
    escape each piece of data before joining pieces with the chart's own `<br>`."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def linked_terms(
    text: str, term: re.Pattern, link: Callable[[str], tuple[str, str] | None]
) -> SafeString:
    """`text` escaped, each match of `term` for which `link(match)` gives (href, title) made a
    link to it; matches without one stay plain text."""
    pieces, start = [], 0
    for match in term.finditer(str(text)):
        target = link(match.group(0))
        if target is None:
            continue
        pieces.append(format_html("{}", str(text)[start : match.start()]))
        pieces.append(format_html('<a href="{}" title="{}">{}</a>', *target, match.group(0)))
        start = match.end()
    pieces.append(format_html("{}", str(text)[start:]))
    return format_html_join("", "{}", ((piece,) for piece in pieces))


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
    caption: str = "",
    table_id: str = "",
) -> SafeString:
    """`frame` as an HTML table, header and every cell escaped.

    links: column -> function turning a cell's value into markup; it must build that markup
    with `format_html` (which escapes its arguments), e.g. a paper-lines link.
    caption: the table's name for screen readers (and its `<caption>`), with the id
    `<table_id>-caption` so a chart can point its description at it."""
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
    id_attribute = format_html(' id="{}"', table_id) if table_id else ""
    caption_html = (
        format_html('<caption id="{}-caption">{}</caption>', table_id or "table", caption)
        if caption
        else ""
    )
    return format_html(
        '<table class="{}"{}>{}<thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        classes,
        id_attribute,
        caption_html,
        header,
        rows,
    )


def figure_title(figure: go.Figure) -> str:
    """The figure's title as plain text (Plotly's `<br>`, `<sup>` and entities removed)."""
    text = figure.layout.title.text or ""
    return " ".join(html.unescape(strip_tags(text.replace("<br>", " "))).split())


def chart(
    figure: go.Figure,
    div_id: str,
    *,
    data: pd.DataFrame | None = None,
    caption: str = "",
    links: Mapping[str, Callable[[object], SafeString | str]] | None = None,
    missing: str = MISSING,
    described_by: str = "",
) -> dict:
    """A figure for templates/includes/chart.html: the element id, the figure as JSON data,
    its accessible name (the figure's title) and its data table.

    data: the frame the figure is drawn from, shown as a table (through `data_table`, with a
    caption) beside the chart; described_by: instead, the id of a table elsewhere on the page
    that holds this chart's data (two charts drawn from one frame share one table).
    plotly.io's encoder writes numeric arrays as typed-array specs, which plotly.js reads;
    `json_script` in the template then escapes the JSON for the page."""
    title = figure_title(figure) or div_id
    table_id = f"{div_id}-data"
    table = None
    if data is not None:
        table = data_table(
            data,
            links=links,
            missing=missing,
            caption=caption or f"Data of the chart: {title}",
            table_id=table_id,
        )
    return {
        "id": div_id,
        "figure_id": f"{div_id}-figure",
        "figure": json.loads(pio.to_json(figure, validate=False)),
        "title": title,
        "table": table,
        "described_by": f"{described_by or table_id}-caption" if (table or described_by) else "",
    }
