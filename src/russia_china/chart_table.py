"""A widget chart's plotted numbers as an accessible HTML table.

Alt text summarises a chart; the table gives every number it plots, for
screen-reader users and for students who want the figures themselves. It sits
under the chart, folded in a native ``<details>`` element ("Show the data"),
which opens from the keyboard with Enter or Space.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"  # no value: a blank in the source, as on the chart
    if isinstance(value, float):
        # No thousands separator: a year must read 2022, not 2,022.
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def data_table(data: pd.DataFrame | None, title: str, units: str) -> dict[str, Any] | None:
    """The table as plain data: a caption naming the chart and its units, the
    column names and every row as text; None without data. The static page
    (``make site``) builds its own table from it."""
    if data is None or data.empty:
        return None
    caption = f"Data plotted in “{title}” ({units}), {len(data)} row{'s' if len(data) != 1 else ''}"
    return {"caption": caption, "columns": [str(column) for column in data.columns],
            "rows": [[_cell(value) for value in row] for row in data.itertuples(index=False)]}


def data_table_html(data: pd.DataFrame | None, title: str, units: str) -> str:
    """The table, folded under "Show the data"; '' without data."""
    table = data_table(data, title, units)
    if table is None:
        return ""
    head = "".join(f'<th scope="col">{html.escape(column)}</th>' for column in table["columns"])
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(value)}</td>" for value in row) + "</tr>"
                   for row in table["rows"])
    return ('<details class="russia-china-chart-data"><summary>Show the data</summary>'
            '<table style="border-collapse:collapse;font-size:0.85em">'
            f'<caption style="text-align:left;font-weight:bold">{html.escape(table["caption"])}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>")


def plotted_data(ax, *, x: str = "x", y: str = "y") -> pd.DataFrame:
    """The labelled lines, points and bars on the axes as a long table
    (series, x, y), for charts whose draw function has no table of its own:
    what is read back is what was drawn."""
    import pandas as pd
    from matplotlib.collections import PathCollection

    def named(artist) -> str | None:
        label = artist.get_label()
        return None if not label or label.startswith("_") else label

    rows: list[tuple[str, object, object]] = []
    # Only marks placed in data coordinates: a line across the axes (axvline) has no data to read.
    for line in ax.get_lines():
        label = named(line)
        if label and line.get_transform() is ax.transData:
            rows += [(label, a, b) for a, b in zip(line.get_xdata(), line.get_ydata())]
    for collection in ax.collections:
        label = named(collection)
        if (isinstance(collection, PathCollection) and label
                and collection.get_offset_transform() is ax.transData):
            offsets: Any = collection.get_offsets()  # an (n, 2) array; matplotlib's stubs say any ArrayLike
            rows += [(label, a, b) for a, b in offsets]
    for container in ax.containers:
        label = named(container)
        if label:
            rows += [(label, patch.get_x() + patch.get_width() / 2, patch.get_height())
                     for patch in container.patches]
    frame = pd.DataFrame(rows, columns=["series", x, y])
    frame[y] = pd.to_numeric(frame[y], errors="coerce")
    return frame
