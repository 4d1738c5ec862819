"""Execute a lesson or exercise notebook as a reader would, and convert it into a page.

Committed notebooks carry almost no outputs, so each is run top to bottom in a
fresh kernel (exercises unanswered: their checks say "not answered yet"). The
course template (templates/course, built on nbconvert's lab template) loads no
script and shows every chart as its PNG with the text alternative as alt.
"""

from __future__ import annotations

import re
from pathlib import Path
from subprocess import DEVNULL

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from . import TEMPLATES, SiteError
from .order import Navigation

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Every token colour of Pygments' "xcode" style has at least 4.6:1 contrast on
#: JupyterLab's code background (#f5f5f5); nbconvert's default takes JupyterLab's
#: editor colours, several of which fall below WCAG AA's 4.5:1.
CODE_STYLE = "xcode"
#: Code cells longer than this fold away behind a <details> summary, as does every cell that
#: builds a chart's text alternative: the page shows the chart and its text alternative already.
FOLD_LINES = 12
#: An exercise check's "not answered" feedback asks to run the cell again, which a static page cannot do.
RUN_AGAIN = re.compile(r",? then run the cell again\.")
STATIC_CHECK = (" in the notebook, opened in JupyterLab (make lab), and run this cell there: "
                "this static page cannot check answers.")


def execute(notebook: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """The notebook with its outputs, run in its own folder so relative paths work."""
    nb = nbformat.read(notebook, as_version=4)
    # No widget state: the pages never load widget JavaScript, so it would be dead weight.
    client = NotebookClient(nb, timeout=timeout, store_widget_state=False,
                            resources={"metadata": {"path": str(notebook.parent)}})
    try:
        # The kernel's stderr carries only its start-up warnings; a failing cell still raises.
        client.execute(stderr=DEVNULL)
    except CellExecutionError as error:
        raise SiteError(f"{notebook}: a cell failed\n{error}") from error
    return nb


class StaticCharts(Preprocessor):
    """Reduce every image output to its PNG, so the template draws it with its alt text.

    A widget chart's output holds the live view (useless without a kernel) beside
    its static fallback; a chart shown with charts.show() holds an HTML <img>
    beside the PNG. Both put the text alternative in the PNG's metadata, which
    the template writes into the img tag (and, for a widget, under the image,
    where its live caption was). An image without one stops the build.
    """

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and "image/png" not in data:
                raise SiteError(f"cell {index}: a widget with no static image to show without a kernel")
            if "image/png" not in data:
                continue
            if not output.get("metadata", {}).get("image/png", {}).get("alt", "").strip():
                raise SiteError(f"cell {index}: an image with no text alternative (alt) in its metadata")
            if data.pop(WIDGET_VIEW, None) is not None:
                # charts.show() prints the text alternative under a chart; the live widget's
                # caption is gone with its view, so the page prints it instead.
                output["metadata"]["image/png"]["caption_alt"] = True
            data.pop("text/html", None)
        return cell, resources


class StaticFeedback(Preprocessor):
    """Say what to do on a static page where a check's feedback says to run the cell again."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if isinstance(output.get("text"), str):
                output["text"] = RUN_AGAIN.sub(STATIC_CHECK, output["text"])
            for mimetype, value in output.get("data", {}).items():
                if mimetype.startswith("text/") and isinstance(value, str):
                    output["data"][mimetype] = RUN_AGAIN.sub(STATIC_CHECK, value)
        return cell, resources


class NotebookPages:
    """One exporter for every notebook page (building nbconvert's Jinja environment is not free)."""

    def __init__(self) -> None:
        config = Config({"CSSHTMLHeaderPreprocessor": {"style": CODE_STYLE}})
        # No prompts: execution counts mean nothing on a static page.
        self.exporter = HTMLExporter(config=config, template_name="course",
                                     extra_template_basedirs=[str(TEMPLATES)],
                                     exclude_input_prompt=True, exclude_output_prompt=True)
        self.exporter.register_preprocessor(StaticCharts, enabled=True)
        self.exporter.register_preprocessor(StaticFeedback, enabled=True)

    def render(self, nb: nbformat.NotebookNode, site: Navigation, name: str) -> str:
        nb.metadata["title"] = f"{site.title} · {site.course}"
        try:
            body, _ = self.exporter.from_notebook_node(nb, resources={"site": site, "fold_lines": FOLD_LINES})
        except SiteError as error:
            raise SiteError(f"{name}: {error}") from error
        return body
