"""Comparison charts: pure functions of DataFrames."""

import itertools
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cases.charts import wrap_label
from checklist.charts import LEGEND_BELOW, colours_for, legend_name
from clusterdx.html import chart_text
from engine import criteria

from .table import OFFICER

# Subject names on an axis are wrapped at this many characters ("Leon & Guadalajara shoes"
# on two lines), so neighbouring names never run into each other, on a laptop or a phone.
NAME_WIDTH = 14
# Institution kinds ("Research association or university") wrap onto two lines, which leaves
# a phone's plot room beside them; their rows are spaced for two lines.
KIND_WIDTH = 20


def _texts(values) -> list[str]:
    """A column's values as chart text (names, categories): drawn as typed, never as markup."""
    return [chart_text(v) for v in values]


def _wrapped(values, width: int = NAME_WIDTH) -> list[str]:
    """A column's values as chart text wrapped onto short lines (escaped, then `<br>`)."""
    return [wrap_label(v, width) for v in values]


def point_bars(scores: pd.DataFrame, colours=None) -> go.Figure:
    """Grouped bars, one trace per cluster; columns: cluster, point, score (None = unknown).

    colours: by cluster name (checklist.charts.subject_colours)."""
    labels = [wrap_label(f"{p.number}. {p.short}", 10) for p in criteria.POINTS]
    colour = colours_for(list(dict.fromkeys(scores["cluster"])), colours)
    traces = []
    for cluster, rows in scores.groupby("cluster", sort=False):
        by_point = dict(zip(rows["point"], rows["score"], strict=True))
        values = [by_point.get(p.number) for p in criteria.POINTS]
        traces.append(
            {
                "type": "bar",
                "x": labels,
                "y": [None if pd.isna(v) else float(v) for v in values],
                "name": legend_name(cluster),
                "marker": {"color": colour[cluster]},
            }
        )
    # One trace per cluster, so built in one call like checklist_radar (validated once).
    return go.Figure(
        data=traces,
        layout={
            "barmode": "group",
            "yaxis": {"range": [0, 100], "title": {"text": "score"}},
            "xaxis": {"automargin": True, "tickangle": 0},
            "legend": LEGEND_BELOW,
            "margin": {"l": 50, "r": 20, "t": 40, "b": 20},
            # Eight point labels do not fit side by side on a phone: they stand upright there.
            "meta": {"narrow": {"xaxis.tickangle": -90}},
            "title": {
                "text": "Checklist score by point (gaps: not yet known)",
                "font": {"size": 14},
            },
        },
    )


STRENGTHS = ["strong", "moderate", "weak", "unknown"]


def linkage_profile(ties: pd.DataFrame) -> go.Figure:
    """Horizontal bars of ties by direction for each subject, stacked by strength.

    Columns: subject, direction, strength, ties. One row per subject and direction, names
    wrapped at the left: rows never crowd, however narrow the screen.
    """
    traces = []
    for strength in STRENGTHS:
        rows = ties[ties["strength"] == strength]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": [_wrapped(rows["subject"]), _texts(rows["direction"])],
                "x": rows["ties"].tolist(),
                "name": strength,
            }
        )
    rows_drawn = len(ties[["subject", "direction"]].drop_duplicates())
    return go.Figure(  # in one call, validated once (see point_bars)
        data=traces,
        layout={
            "barmode": "stack",
            "xaxis": {"title": {"text": "ties"}},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "height": 160 + 24 * rows_drawn,
            "legend": {**LEGEND_BELOW, "title": {"text": "strength"}},
            "margin": {"l": 10, "r": 20, "t": 40, "b": 20},
            "title": {
                "text": "Linkage profile: ties by direction and strength",
                "font": {"size": 14},
            },
        },
    )


def institutions_timeline(institutions: pd.DataFrame) -> go.Figure:
    """Institutions by founding year, one row per subject, one trace per type.

    Columns: subject, name, kind, ownership, founded (and optionally paper_lines, citation,
    note for the hover). The marker's shape shows the ownership. Institutions without a year
    are counted in the title, not plotted.
    """
    dated = institutions.dropna(subset=["founded"])
    traces = []
    for kind, rows in dated.groupby("kind", sort=True):
        traces.append(
            {
                "type": "scatter",
                "x": rows["founded"].astype(int).tolist(),
                "y": _wrapped(rows["subject"]),
                "mode": "markers",
                "marker": {"size": 12, "symbol": [OWNERSHIP_SYMBOLS.get(o, "circle")
                                                  for o in rows["ownership"]]},
                "name": chart_text(kind),
                "hovertext": [f"{chart_text(r['name'])} ({chart_text(r['ownership'])})"
                              + (f"<br>{source_text(r)}" if "paper_lines" in r else "")
                              for _, r in rows.iterrows()],
                "hoverinfo": "text+x",
            }
        )  # fmt: skip
    undated = len(institutions) - len(dated)
    return go.Figure(  # in one call, validated once (see point_bars)
        data=traces,
        layout={
            "xaxis": {"title": {"text": "founded"}, "automargin": True},
            "yaxis": {"automargin": True},
            "height": 220 + 50 * institutions["subject"].nunique(),
            "margin": {"l": 10, "r": 20, "t": 110, "b": 20},
            "legend": LEGEND_BELOW,
            "title": {
                "text": wrap_label(
                    f"Institutions by founding year ({undated} without a year in the source)", 40
                )
                + f"<br><sup>{OWNERSHIP_KEY}</sup>",
                "font": {"size": 14},
            },
        },
    )


OWNERSHIP_SYMBOLS = {
    "Public": "circle",
    "Private": "diamond",
    "Public-private": "square",
    "Not stated": "circle-open",
}
OWNERSHIP_KEY = "shape = ownership: ● public  ◆ private<br>■ public-private  ○ not stated"


# The library charts. Every point's hover names its paper lines, citation and, where the
# reading is uncertain, the note; rows without a value are drawn as marked gaps, never as bars.

NOT_GIVEN = "Not in the paper's text"
PALETTE = ["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3"]


def source_text(row) -> str:
    """A frame row's source for a hover: lines, citation and the note, wrapped."""
    parts = []
    if row["paper_lines"]:
        parts.append(f"paper lines {chart_text(row['paper_lines'])}")
    if row["citation"]:
        parts.append(chart_text(row["citation"]))
    text = " · ".join(parts)
    if row["note"]:
        note = "<br>".join(chart_text(line) for line in textwrap.wrap(str(row["note"]), 70))
        text = f"{text}<br>{note}" if text else note
    return text


UNCERTAIN = (
    "hatched or open: the reading is uncertain<br>or the paper doubts it "
    "(why: hover, or the data table)"
)


def _title(text: str) -> dict:
    return {
        "text": f"{wrap_label(text, 40)}<br><sup>{UNCERTAIN}</sup>",
        "font": {"size": 14},
    }  # drawn in the middle of a top margin tall enough for its lines and the panel titles


def doubted(note) -> bool:
    """Whether a value's note marks an uncertain reading of the paper. An officer's answer
    carries a note saying so, which is not a doubt: it is drawn plain."""
    return bool(note) and note != OFFICER["note"]


def _hatched(rows: pd.DataFrame) -> dict:
    """A bar pattern marking the values whose reading is uncertain."""
    return {"shape": ["/" if doubted(note) else "" for note in rows["note"]]}


def _hover(rows: pd.DataFrame, head) -> list[str]:
    return [f"{head(row)}<br>{source_text(row)}" for _, row in rows.iterrows()]


def _year(value) -> str:
    return "year not given" if pd.isna(value) else str(int(value))


def size_group(row) -> str:
    """The outer axis label of a size-structure bar: subject, area and year."""
    area = wrap_label(f"{row['area']}, {_year(row['year'])}", NAME_WIDTH)
    return f"{wrap_label(row['subject'], NAME_WIDTH)}<br>{area}"


def size_class_label(row) -> str:
    """The inner axis label: class and bounds on two short lines (they fit a phone better).
    A cumulative share ("Small ≤99: 88%", which includes the very small firms) says so on the
    axis, so its bar is not read as a class of its own beside the smaller one."""
    label = (
        f"{wrap_label(row['size_class'], NAME_WIDTH)}<br>{wrap_label(row['bounds'], NAME_WIDTH)}"
    )
    if "cumulative" in str(row.get("basis") or "").casefold():
        label += "<br>cumulative"
    return label


def _categories(rows: pd.DataFrame, outer, inner) -> list[list[str]]:
    return [[outer(r) for _, r in rows.iterrows()], [inner(r) for _, r in rows.iterrows()]]


def _fix_order(figure: go.Figure, rows: pd.DataFrame, outer, inner, **where) -> None:
    """Pin a two-level category axis to the frame's row order.

    Plotly orders multi-level categories by first appearance across traces, so an invisible
    first trace listing every category in order fixes it, whatever the later traces hold."""
    unique = rows.assign(
        _o=[outer(r) for _, r in rows.iterrows()], _i=[inner(r) for _, r in rows.iterrows()]
    ).drop_duplicates(["_o", "_i"])
    figure.add_trace(
        go.Scatter(x=[0] * len(unique), y=[unique["_o"].tolist(), unique["_i"].tolist()],
                   mode="markers", marker={"opacity": 0}, hoverinfo="skip", showlegend=False,
                   name="order"),
        **where,
    )  # fmt: skip


MISSING_MARKER = {"symbol": "x-thin-open", "size": 12, "color": "#6c757d", "line": {"width": 2}}


def size_structure(sizes: pd.DataFrame) -> go.Figure:
    """Horizontal bars per size class, grouped by subject, area and year; a trace per measure.

    Columns: subject, area, year, measure, size_class, bounds, value, shown, basis,
    paper_lines, citation, note. Shares and firm counts get separate panels. A row whose
    value is missing (None) is drawn as a marker at zero saying so, never as a bar.
    """
    counts = sizes["measure"] == "Number of firms"
    panels = [
        (title, rows)
        for title, rows in (("Share (%)", sizes[~counts]), ("Number of firms", sizes[counts]))
        if len(rows)
    ]
    heights = [len(rows.drop_duplicates(["subject", "area", "year", "size_class"]))
               for _, rows in panels]  # fmt: skip
    measures = max([rows["measure"].nunique() for _, rows in panels] or [1])
    figure = make_subplots(
        rows=max(len(panels), 1),
        cols=1,
        subplot_titles=[title for title, _ in panels],
        row_heights=heights or None,
        vertical_spacing=0.08,
    )
    for number, (_, rows) in enumerate(panels, start=1):
        _fix_order(figure, rows, size_group, size_class_label, row=number, col=1)
        for measure, part in rows.groupby("measure", sort=False):
            drawn = part[part["value"].notna()]
            if len(drawn):
                figure.add_trace(
                    go.Bar(
                        y=_categories(drawn, size_group, size_class_label),
                        x=drawn["value"].astype(float).tolist(),
                        orientation="h",
                        name=chart_text(measure),
                        marker={"pattern": _hatched(drawn)},
                        text=_texts(drawn["shown"]),
                        textposition="outside",
                        textfont={"size": 11},
                        cliponaxis=False,
                        hovertext=_hover(drawn, lambda r: chart_text(
                            f"{r['size_class']}: {r['shown']} ({r['basis'] or r['measure']})")),
                        hoverinfo="text",
                    ),
                    row=number,
                    col=1,
                )  # fmt: skip
        missing = rows[rows["value"].isna()]
        if len(missing):
            figure.add_trace(
                go.Scatter(
                    y=_categories(missing, size_group, size_class_label),
                    x=[0] * len(missing),
                    mode="markers+text",
                    marker=MISSING_MARKER,
                    text=[NOT_GIVEN.lower()] * len(missing),
                    textposition="middle right",
                    cliponaxis=False,
                    name=NOT_GIVEN,
                    hovertext=_hover(
                        missing, lambda r: chart_text(f"{r['size_class']}: {r['shown']}")
                    ),
                    hoverinfo="text",
                ),
                row=number,
                col=1,
            )
        figure.update_yaxes(autorange="reversed", automargin=True, row=number, col=1)
        # Room right of the longest bar for its value label ("about 1,500"), at any width.
        largest = rows["value"].astype(float).max()
        largest = 100.0 if pd.isna(largest) else largest
        figure.update_xaxes(range=[0, largest * 1.45], row=number, col=1)
    figure.update_layout(
        barmode="group",
        uniformtext={"minsize": 10, "mode": "show"},
        # Each class row holds one bar per measure, each tall enough for its value label.
        height=160 + sum(heights) * (20 + 26 * measures),
        legend=LEGEND_BELOW,
        # t: the two-line title and its caveat wrap to four lines on a phone.
        margin={"l": 10, "r": 60, "t": 170, "b": 20},
        title=_title("Firm size structure, in each case's own size classes"),
    )
    return figure


def size_caveats(sizes: pd.DataFrame) -> list[str]:
    """What a reader must know before comparing the size bars: differing class boundaries,
    classes without bounds, classes that include smaller ones, values the text lacks."""
    caveats = []
    bounds = sizes.drop_duplicates(["subject", "size_class", "bounds"])
    for name, rows in bounds.groupby("size_class", sort=False):
        if rows["subject"].nunique() > 1 and rows["bounds"].nunique() > 1:
            meanings = "; ".join(f"{b} in {s}" for s, b in zip(rows["subject"], rows["bounds"],
                                                                 strict=True))  # fmt: skip
            caveats.append(f"“{name}” differs between cases: {meanings}. Not comparable.")
    unbounded = bounds[bounds["bounds"] == "no size bounds in the paper"]
    for subject, rows in unbounded.groupby("subject", sort=False):
        names = ", ".join(rows["size_class"])
        caveats.append(f"{subject}: the paper gives no size bounds for {names}; counts only.")
    for row in sizes.drop_duplicates(["subject", "area", "basis"]).itertuples():
        if "includes" in (row.basis or ""):
            caveats.append(f"{row.subject}, {row.area}: {row.basis}.")
    gaps = sizes[sizes["value"].isna()].drop_duplicates(["subject", "area", "year"])
    for _, row in gaps.iterrows():
        caveats.append(
            f"{row['subject']}, {row['area']} {_year(row['year'])}: {row['shown']} "
            f"(lines {row['paper_lines']}). {row['note']}"
        )
    return caveats


def firms_and_employment(firms: pd.DataFrame) -> go.Figure:
    """Producing firms above employment, a row per subject; each cited figure a segment.

    Columns: subject, measure, part, label, value (None: not given), shown, paper_lines,
    citation, note. A case with several clusters stacks one segment per cluster. The bars run
    across with the names at the left, so the names never crowd, however narrow the screen.
    """
    measures = ["Producing firms", "Employment"]
    figure = make_subplots(rows=2, cols=1, subplot_titles=measures, vertical_spacing=0.16)
    subjects = list(dict.fromkeys(_wrapped(firms["subject"])))
    # Rows are evenly spaced, so every row gets the room the name with most lines needs.
    lines = max((name.count("<br>") + 1 for name in subjects), default=1)
    pitch = max(44, 15 * lines + 14)
    parts = list(dict.fromkeys(firms.loc[firms["value"].notna(), "part"]))
    colours = dict(zip(parts, itertools.cycle(PALETTE), strict=False))
    for row, measure in enumerate(measures, start=1):
        rows = firms[firms["measure"] == measure]
        for part in parts:
            drawn = rows[(rows["part"] == part) & rows["value"].notna()]
            figure.add_trace(
                go.Bar(
                    y=_wrapped(drawn["subject"]),
                    x=drawn["value"].astype(float).tolist(),
                    orientation="h",
                    name=chart_text(part) or "Whole cluster",
                    marker={"color": colours[part], "pattern": _hatched(drawn)},
                    legendgroup=chart_text(part),
                    showlegend=row == 1 and len(parts) > 1,
                    hovertext=_hover(drawn, lambda r: chart_text(f"{r['label']}: {r['shown']}")),
                    hoverinfo="text",
                ),
                row=row,
                col=1,
            )
        missing = rows[rows["value"].isna()]
        figure.add_trace(
            go.Scatter(
                y=_wrapped(missing["subject"]),
                x=[0] * len(missing),
                mode="markers",
                marker=MISSING_MARKER,
                name="Not given (why: hover, or the data table)",
                legendgroup="missing",
                showlegend=row == 1 and len(missing) > 0,
                hovertext=_hover(missing, lambda r: chart_text(f"{r['measure']}: {r['shown']}")),
                hoverinfo="text",
            ),
            row=row,
            col=1,
        )
        figure.update_yaxes(categoryorder="array", categoryarray=subjects[::-1], automargin=True,
                            row=row, col=1)  # fmt: skip
        figure.update_xaxes(automargin=True, row=row, col=1)
    figure.update_layout(
        barmode="stack",
        height=260 + 2 * pitch * len(subjects),
        legend=LEGEND_BELOW,
        margin={"l": 10, "r": 20, "t": 120, "b": 20},
        title=_title("Producing firms and employment"),
    )
    return figure


def firms_caveats(firms: pd.DataFrame) -> list[str]:
    """What each subject's count and employment figure cover, in the paper's own words: the
    two often describe different sets of firms (Sinos's 500 core producers against everyone
    engaged in its 1,800-firm shoe sector)."""
    caveats = []
    for subject, rows in firms[firms["value"].notna()].groupby("subject", sort=False):
        covered = {
            measure: "; ".join(part["label"])
            for measure, part in rows.groupby("measure", sort=False)
        }
        if len(covered) == 2:
            caveats.append(
                f"{subject}: the firms are “{covered['Producing firms']}”, the employment "
                f"“{covered['Employment']}” — they may not cover the same firms."
            )
    return caveats


def exports_over_time(exports: pd.DataFrame, colours=None) -> go.Figure:
    """One line per export time series, one panel per unit (shares, rupees, dollars).

    Columns: subject, series, label, scope, unit, year, value, shown, paper_lines, citation,
    note. Money is drawn on a log scale so early and late years both read. A series takes its
    subject's colour (colours, by subject name: checklist.charts.subject_colours).
    """
    colour = colours_for(list(dict.fromkeys(exports["subject"])), colours)
    units = list(dict.fromkeys(exports["unit"]))
    figure = make_subplots(
        rows=max(len(units), 1),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[("Share (%)" if u == "%" else chart_text(u)) for u in units],
        vertical_spacing=0.15,
    )
    for number, unit in enumerate(units, start=1):
        for (subject, _), rows in exports[exports["unit"] == unit].groupby(
            ["subject", "series"], sort=False
        ):
            scope = rows["scope"].iloc[0]
            where = "" if scope == "Cluster or network" else f" ({scope.lower()})"
            figure.add_trace(
                go.Scatter(
                    x=rows["year"].astype(int).tolist(),
                    y=rows["value"].astype(float).tolist(),
                    mode="lines+markers",
                    line={"color": colour[subject]},
                    marker={
                        "size": 9,
                        "color": colour[subject],
                        "symbol": ["circle-open" if doubted(n) else "circle" for n in rows["note"]],
                    },
                    name=legend_name(f"{subject}: {rows['label'].iloc[0]}{where}"),
                    hovertext=_hover(
                        rows,
                        lambda r: (
                            f"{chart_text(r['label'])}<br>{int(r['year'])}: "
                            f"{chart_text(r['shown'])}"
                        ),
                    ),
                    hoverinfo="text",
                ),
                row=number,
                col=1,
            )
        if unit != "%":
            figure.update_yaxes(type="log", title={"text": "log scale"}, row=number, col=1)
    figure.update_layout(
        height=280 * max(len(units), 1) + 120,
        showlegend=True,  # even for one series: its name says what is measured, and where
        legend=LEGEND_BELOW,
        margin={"l": 60, "r": 20, "t": 140, "b": 20},
        title=_title("Exports over time (series the paper gives)"),
    )
    return figure


OWNERSHIP_COLOURS = {
    "Public": "#1f77b4",
    "Private": "#ff7f0e",
    "Public-private": "#2ca02c",
    "Not stated": "#bbbbbb",
}


def institution_types(types: pd.DataFrame) -> go.Figure:
    """Horizontal bars of institutions per subject and type, stacked by ownership.

    Columns: subject, kind, ownership, institutions (a count), names.
    """
    figure = go.Figure()
    for ownership, rows in types.groupby("ownership", sort=False):
        figure.add_trace(
            go.Bar(
                y=[_wrapped(rows["subject"]), _wrapped(rows["kind"], KIND_WIDTH)],
                x=rows["institutions"].tolist(),
                orientation="h",
                name=chart_text(ownership),
                marker={"color": OWNERSHIP_COLOURS.get(str(ownership))},
                hovertext=[
                    chart_text(f"{k}, {ownership.lower()}: {n}") + "<br>"
                    + "<br>".join(_texts(names.split("; ")))
                    for k, n, names in zip(rows["kind"], rows["institutions"], rows["names"],
                                           strict=True)
                ],
                hoverinfo="text",
            )
        )  # fmt: skip
    figure.update_layout(
        barmode="stack",
        height=180 + 34 * types[["subject", "kind"]].drop_duplicates().shape[0],
        xaxis={"title": "institutions named", "dtick": 1, "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True},
        legend={**LEGEND_BELOW, "title": {"text": "ownership"}},
        # l: plotly's automargin does not measure the outer (subject) level of a two-level
        # axis, so it gets room of its own (charts.js widens it if the drawn names need more);
        # r: the axis title's overhang.
        margin={"l": 110, "r": 40, "t": 40, "b": 40},
        title={"text": "Institutions by type and ownership", "font": {"size": 14}},
    )
    return figure
