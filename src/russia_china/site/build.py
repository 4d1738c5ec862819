"""Build the offline course website: `make site` (`russia-china site`).

Lessons and exercise notebooks are executed (never solutions/), converted with
nbconvert's lab template minus every remote script, and linked in teaching
order with previous/next navigation. Widget charts appear as their static
default image with alt text; the sources and the instructor notes get pages of
their own. Nothing on any page is fetched from the network.
"""

from __future__ import annotations

import html
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL

import jinja2
import mistune
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from tqdm import tqdm

from ..data import load
from ..paths import REPO_ROOT

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
COURSE = "Russia–China Relations: Partners with Limits"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    kind: str  # contents, lesson, exercises, sources or notes
    notebook: Path | None = None


class StaticWidgetFallback(Preprocessor):
    """Drop live widget views (they need a kernel) so each output's static
    fallback, the chart image with its alt text, is what the page shows."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if WIDGET_VIEW in data and len(data) > 1:
                    del data[WIDGET_VIEW]
                elif WIDGET_VIEW in data:
                    raise ValueError(f"a widget output has no static fallback: {cell.source[:80]!r}")
        return nb, resources


def _title(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        match = re.search(r"^# (.+)$", cell.source, flags=re.MULTILINE) if cell.cell_type == "markdown" else None
        if match:
            return match.group(1).strip()
    return notebook.stem.replace("_", " ")


def pages(root: Path = REPO_ROOT) -> list[Page]:
    """Every page in reading order: contents, each lesson then its exercises, sources, notes."""
    ordered = [Page("index.html", "Contents", "contents")]
    for lesson in sorted((root / "notebooks").glob("0*.ipynb")):
        ordered.append(Page(f"{lesson.stem}.html", _title(lesson), "lesson", lesson))
        exercises = sorted((root / "exercises").glob(f"{lesson.stem[:2]}_*.ipynb"))
        ordered += [Page(f"{e.stem}.html", _title(e), "exercises", e) for e in exercises]
    ordered.append(Page("sources.html", "Sources and data providers", "sources"))
    ordered.append(Page("instructor_notes.html", "Instructor notes", "notes"))
    return ordered


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "course"), autoescape=False)


def _chrome(ordered: list[Page], index: int) -> dict[str, str]:
    """Header (skip link, site navigation) and footer (previous/next) for one page."""
    link = lambda page: f'<a href="{page.file}">{html.escape(page.title)}</a>'  # noqa: E731
    header = ('<a class="site-skip" href="#content">Skip to content</a>\n<header class="site-header">'
              f'<nav aria-label="Course"><ul><li><a href="index.html">{html.escape(COURSE)}</a></li>'
              '<li><a href="sources.html">Sources</a></li><li><a href="instructor_notes.html">Instructor notes</a>'
              '</li></ul></nav></header>')
    steps = []
    if index > 0:
        steps.append(f"<li>Previous: {link(ordered[index - 1])}</li>")
    if index < len(ordered) - 1:
        steps.append(f"<li>Next: {link(ordered[index + 1])}</li>")
    footer = f'<footer class="site-footer"><nav aria-label="Previous and next"><ul>{"".join(steps)}</ul></nav></footer>'
    return {"header": header, "footer": footer, "css": (HERE / "site.css").read_text(encoding="utf-8")}


def execute(notebook: Path, timeout: int = 300) -> nbformat.NotebookNode:
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=timeout, store_widget_state=False,
                            resources={"metadata": {"path": str(notebook.parent)}})
    client.execute(stderr=DEVNULL)
    return nb


def notebook_html(nb: nbformat.NotebookNode, chrome: dict[str, str], title: str) -> str:
    exporter = HTMLExporter(template_name="course", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(StaticWidgetFallback, enabled=True)
    nb.metadata["title"] = f"{title} · {COURSE}"
    body, _ = exporter.from_notebook_node(nb, resources={"site": chrome})
    return body


def _demote_headings(markdown: str) -> str:
    """The notes' own headings go one level below the page's single H1."""
    return re.sub(r"^(#{1,5}) ", r"#\1 ", markdown, flags=re.MULTILINE)


def notes_body(root: Path = REPO_ROOT) -> str:
    render = mistune.create_markdown(plugins=["table"])
    return "\n".join(render(_demote_headings(path.read_text(encoding="utf-8")))
                     for path in sorted((root / "instructor_notes").glob("*.md")))


def sources_body() -> str:
    sources = load("sources")
    cell = lambda value: html.escape("" if value is None or value != value else str(value))  # noqa: E731
    articles = sources[sources["record_kind"] == "article"]
    providers = sources[sources["record_kind"] == "provider"]
    rows = "".join(f"<tr><td>{cell(r.title)}</td><td>{cell(r.author)}</td><td>{cell(r.outlet)}</td>"
                   f"<td>{cell(r.published)}</td><td>{cell(r.source_kind)}</td><td><code>{cell(r.source_id)}</code>"
                   "</td></tr>" for r in articles.itertuples())
    provided = "".join(f"<tr><td>{cell(r.author)}</td><td>{cell(r.title)}</td><td>{cell(r.licence)}</td>"
                       f"<td><code>{cell(r.source_id)}</code></td></tr>" for r in providers.itertuples())
    return (f"<p>Every figure and claim in the course traces to one of these {len(articles)} articles, or to a "
            "reference series whose original provider is listed below. The quotes themselves are in the course's "
            "<code>data/</code> folder.</p><h2>The five articles</h2><table><thead><tr><th scope=\"col\">Title</th>"
            "<th scope=\"col\">Author</th><th scope=\"col\">Outlet</th><th scope=\"col\">Date</th>"
            "<th scope=\"col\">Kind</th><th scope=\"col\">Id</th></tr></thead>"
            f"<tbody>{rows}</tbody></table><h2>Reference data providers</h2><table><thead><tr>"
            "<th scope=\"col\">Provider</th><th scope=\"col\">Series</th><th scope=\"col\">Licence</th>"
            f"<th scope=\"col\">Id</th></tr></thead><tbody>{provided}</tbody></table>")


def contents_body(ordered: list[Page]) -> str:
    items = []
    for page in ordered:
        if page.kind == "lesson":
            items.append(f'<li><a href="{page.file}">{html.escape(page.title)}</a>')
        elif page.kind == "exercises":
            items[-1] += f' · <a href="{page.file}">exercises</a>'
    return ("<p>A static copy of the course: every chart shows its default view, with its source line and a text "
            "alternative. To move the controls and do the exercises with instant feedback, open the notebooks in "
            "JupyterLab (<code>make lab</code>).</p><h2>Lessons</h2><ol>"
            + "</li>".join(items) + "</li></ol><h2>Also</h2><ul><li><a href=\"sources.html\">Sources and data "
            "providers</a></li><li><a href=\"instructor_notes.html\">Instructor notes</a></li></ul>")


def build_site(output: Path, jobs: int = 2, root: Path = REPO_ROOT, progress: bool = True) -> list[Path]:
    """Write every page into `output` (replaced if it exists); returns the pages written."""
    ordered = pages(root)
    notebooks = [p for p in ordered if p.notebook is not None]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        executed = dict(zip([p.file for p in notebooks],
                            tqdm(pool.map(lambda p: execute(p.notebook), notebooks), total=len(notebooks),
                                 desc="executing", unit="notebook", disable=not progress)))
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    page_template = _environment().get_template("page.html.j2")
    written = []
    for index, page in enumerate(ordered):
        chrome = _chrome(ordered, index)
        if page.notebook is not None:
            text = notebook_html(executed[page.file], chrome, page.title)
        else:
            body = {"contents": contents_body, "sources": lambda _: sources_body(),
                    "notes": lambda _: notes_body(root)}[page.kind](ordered)
            text = page_template.render(title=page.title, course=COURSE, body=body, **chrome)
        path = output / page.file
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
