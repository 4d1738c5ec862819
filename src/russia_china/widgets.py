"""Widget-driven charts: controls redraw one reused figure.

A lesson's chart is a pure *draw function*: it takes the axes and the current
control values, plots with pandas and seaborn, and returns a :class:`ChartText`
(title, units, sources, text alternative). :class:`ChartWidget` wires it to
ipywidgets controls, so every widget chart gets the course's labelling, a
readable message instead of a traceback for an invalid choice, and a static
PNG fallback for pages without a running kernel.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ipywidgets as widgets

from .chart_image import ChartImage
from .chart_table import data_table, data_table_html
from .charts import clear_axes, label_chart, mimebundle, new_chart, png_bytes
from .keyboard import KeysToControls

if TYPE_CHECKING:
    import pandas as pd


class InvalidSelection(ValueError):
    """A control value the chart cannot show, e.g. an empty selection or a
    reversed year range. Its message is shown to the student as it is."""


@dataclass(frozen=True)
class ChartText:
    """What a draw function tells the reader about the chart it drew."""

    title: str
    units: str
    sources: Sequence[str]
    alt_text: str
    source_note: str = ""
    #: The numbers the chart plots, one row per mark, shown as a table under it
    #: ("Show the data"): the same information for screen readers and for
    #: students who want the numbers. Not compared: charts differ by their text.
    data: pd.DataFrame | None = field(default=None, compare=False, repr=False)


DrawFunction = Callable[..., ChartText]


def year_range(values: Sequence[int]) -> tuple[int, int]:
    """Check a (start, end) pair from a range slider or two inputs."""
    start, end = values
    if start > end:
        raise InvalidSelection(f"The start year {start} is after the end year {end}: swap them.")
    return int(start), int(end)


def year_window(first: int, last: int, start: int | None = None) -> widgets.IntRangeSlider:
    """The course's year-range control: redraws when the student lets go, not
    at every pixel of the drag, so a slow chart never queues redraws."""
    # The wider layout leaves room for the readout: at the default width JupyterLab cuts "1992 – 2024" short.
    return widgets.IntRangeSlider(value=(first if start is None else start, last), min=first, max=last,
                                  description="Years", continuous_update=False,
                                  layout=widgets.Layout(width="400px"))


def at_least_one(selection: Sequence[str], what: str) -> list[str]:
    """Check a multiple selection is not empty."""
    chosen = list(selection)
    if not chosen:
        raise InvalidSelection(f"Choose at least one {what} to draw the chart.")
    return chosen


@dataclass
class ChartWidget:
    """A chart that redraws when any of its controls changes.

    ``controls`` maps the draw function's keyword arguments to widgets; their
    ``value`` is passed on each redraw. In tests, change ``controls[name].value``
    (or call :meth:`set`) and read :attr:`text`, :attr:`message`, :attr:`png`
    or :attr:`axes` to see what the student would see.

    ``before_redraw(changed, controls)`` lets one control steer another, e.g.
    refill an event list when a filter changes. It runs before the chart
    redraws, with redraws held, so one student action costs one redraw.
    """

    draw: DrawFunction
    controls: Mapping[str, widgets.ValueWidget]
    width: float = 9
    height: float = 4.8
    before_redraw: Callable[[str, Mapping[str, widgets.ValueWidget]], None] | None = None
    text: ChartText | None = field(init=False, default=None)
    message: str = field(init=False, default="")
    png: bytes = field(init=False, default=b"")
    redraws: int = field(init=False, default=0)
    #: How long the last control change took in the kernel, read by the browser benchmark (bench_probe).
    last_redraw_ms: float = field(init=False, default=0.0)
    _held: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.figure, self.axes = new_chart(self.width, self.height, fixed_layout=True)
        # An <img> with alt text (widgets.Image has none), its PNG sent as binary: see chart_image.
        self.image = ChartImage(layout=widgets.Layout(max_width="100%"))
        self.caption = widgets.HTML()
        # Above the chart, where the eye is after moving a control; empty (no alert) while the chart is drawn.
        self.alert = widgets.HTML()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
            if isinstance(control, widgets.ToggleButtons) and not control.style.button_width:
                control.style.button_width = "auto"  # the default width cuts long choices short
            if isinstance(control, widgets.Checkbox) and control.layout.width is None:
                control.layout.width = "auto"  # the default 300 px cuts a long description short
        self.view = widgets.VBox(
            [widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
             self.alert, self.image, self.caption, KeysToControls()]
        )
        self.view.add_class("russia-china-chart")  # a stable hook for browser tests and styling
        self.update()
        if self.text is None:
            raise ValueError(f"the default control values cannot be drawn: {self.message}")

    @property
    def values(self) -> dict[str, object]:
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: object) -> ChartWidget:
        """Change several controls; the chart redraws after each change."""
        for name, value in values.items():
            self.controls[name].value = value
        return self

    def _on_change(self, change: dict) -> None:
        if self._held:
            return
        started = time.perf_counter()
        if self.before_redraw is not None:
            changed = next(name for name, control in self.controls.items() if control is change["owner"])
            self._held = True
            try:
                self.before_redraw(changed, self.controls)
            finally:
                self._held = False
        self.update()
        self.last_redraw_ms = (time.perf_counter() - started) * 1000

    def update(self, **overrides: object) -> None:
        """Redraw with the current control values, or explain why not.

        ``overrides`` replace control values for this one redraw; tests use them
        for values a control itself would refuse, such as a reversed range.
        """
        clear_axes(self.axes)
        try:
            text = self.draw(self.axes, **{**self.values, **overrides})
        except InvalidSelection as problem:
            self.message = str(problem)
            self.alert.value = (f'<p role="alert" class="russia-china-chart-alert"><strong>⚠ '
                                f'{html.escape(self.message)}</strong></p>')
            self._show_no_chart()
            return
        self.alert.value = ""
        label_chart(self.figure, self.axes, title=text.title, units=text.units, sources=text.sources,
                    alt_text=text.alt_text, source_note=text.source_note)
        self.text, self.message = text, ""
        self.png = png_bytes(self.figure)
        # label_chart's version: with the full citations when the chart names its sources briefly.
        alt_text = self.figure.alt_text  # type: ignore[attr-defined]
        self.image.show(self.png, alt_text)
        self.caption.value = (f"<p><em>Text alternative:</em> {html.escape(alt_text)}</p>"
                              + data_table_html(text.data, text.title, text.units))
        self.redraws += 1

    def _show_no_chart(self) -> None:
        """Replace the chart with an empty grey frame at once: the old chart
        would contradict the controls the student has just changed."""
        clear_axes(self.axes)
        self.axes.set_axis_off()
        self.axes.set_title("")
        self.axes.text(0.5, 0.5, "No chart for this choice:\nsee the message above.", ha="center", va="center",
                       fontsize=13, color="#555555", transform=self.axes.transAxes)
        self.figure.patch.set_facecolor("#EEEEEE")
        source_artist = getattr(self.figure, "source_artist", None)
        if source_artist is not None:
            source_artist.set_text("")
        self.png = png_bytes(self.figure)
        self.figure.patch.set_facecolor("white")
        self.image.show(self.png, f"No chart: {self.message}",
                        css_class="russia-china-chart-image russia-china-chart-empty")
        self.caption.value = ""

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus the current chart as a static PNG with alt text
        and its text alternative, for viewers without a kernel."""
        live = self.view._repr_mimebundle_(**kwargs) or {}
        text = self.text
        assert text is not None, "__post_init__ refuses a chart whose defaults cannot be drawn"
        # label_chart sets source_text on the figure; matplotlib's Figure type does not declare it.
        source_text = self.figure.source_text  # type: ignore[attr-defined]
        alt_text = self.figure.alt_text  # type: ignore[attr-defined]
        plain = f"Chart: {text.title} ({text.units}). {alt_text}"
        static, metadata = mimebundle(self.png, alt_text, plain, source_text)
        table = data_table(text.data, text.title, text.units)
        if table is not None:  # for the static page, which has no live "Show the data"
            metadata["image/png"]["data_table"] = table
        return {**static, **live, "text/plain": plain}, metadata
