"""The offline website: built once per module, then read as HTML and opened in Chromium.

Checks what a reader without a kernel gets: a page for every lesson and exercise
notebook and nothing from solutions/, navigation in lesson order, charts as
images with alt text (and source lines), headings in order, nothing fetched from
another host, and axe-core reporting no serious or critical problem on any page.
Expectations come from the repository's folders, not from the site package.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from browser import axe_violations, block_outside_requests, free_port, launch, need_axe, need_chromium

from russia_china.data import load
from russia_china.paths import REPO_ROOT
from russia_china.site import SiteError
from russia_china.site.build import _empty, build_site
from russia_china.site.notebooks import FOLD_LINES, WIDGET_VIEW, NotebookPages, StaticCharts, StaticFeedback
from russia_china.site.order import Navigation
from russia_china.tools.release import MARKERS, PLACEHOLDER_NOTE

LESSONS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((REPO_ROOT / "exercises").glob("*.ipynb"))
OTHER_PAGES = ["index.html", "sources.html", "instructor_notes.html"]
REMOTE = re.compile(r"^\s*(//|[a-z][a-z0-9+.-]*:)", re.IGNORECASE)
URL_ATTRIBUTES = {"src", "href", "srcset", "data", "poster", "action", "formaction"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def reading_order() -> list[str]:
    """Contents, each lesson followed by the exercises of the same number, sources, notes."""
    order = ["index.html"]
    for lesson in LESSONS:
        order += [f"{lesson.stem}.html"] + [f"{e.stem}.html" for e in EXERCISES if e.name[:3] == lesson.name[:3]]
    return [*order, "sources.html", "instructor_notes.html"]


class PageParser(HTMLParser):
    """What the tests read from one page: text, headings, landmarks, links, images and figures."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.css: list[str] = []
        self.headings: list[int] = []
        self.images: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.main_links: list[dict[str, str]] = []  # the page's content, without header and footer
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, value) of every URL attribute
        self.figures: list[dict] = []  # {"images": [...], "caption": str}
        self.tags: list[str] = []
        self.raw = ""
        self.html_lang = ""
        self.title = ""
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if tag not in VOID:
            self._open.append(tag)
        if tag == "html":
            self.html_lang = attributes.get("lang", "")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img":
            self.images.append(attributes)
            if self.figures and "figure" in self._open:
                self.figures[-1]["images"].append(attributes)
        if tag == "figure":
            self.figures.append({"images": [], "caption": ""})
        if tag == "a" and "href" in attributes:
            self.links.append(attributes)
            if "main" in self._open:
                self.main_links.append(attributes)
        self.references += [(tag, name, value) for name, value in attributes.items() if name in URL_ATTRIBUTES]

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]

    def handle_data(self, data):
        if self._open and self._open[-1] == "style":
            self.css.append(data)
            return
        self.text.append(data)
        if "title" in self._open:
            self.title += data
        if "figcaption" in self._open and self.figures:
            self.figures[-1]["caption"] += data

    @property
    def plain(self) -> str:
        return "".join(self.text)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.raw = path.read_text(encoding="utf-8")
    parser.feed(parser.raw)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("site") / "_site"
    build_site(output, progress=False)
    return output


@pytest.fixture(scope="module")
def parsed(site) -> dict[str, PageParser]:
    return {page.name: parse(page) for page in sorted(site.iterdir())}


def _source_text(paths) -> str:
    """The cell sources (notebooks) or text (anything else) of the files, one after another."""
    texts = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        texts.append(text)
    return "\n".join(texts)


def _solution_only_lines() -> list[str]:
    """Lines of solutions/ that no page may show: found in no exercise or lesson notebook, nor the notes.

    That covers the solution code, the hidden tests, the model answers and rubrics, and
    cells only the solutions have. Short lines (`answer = 3`) are left out: they could
    occur anywhere.
    """
    public = _source_text([*EXERCISES, *LESSONS, *(REPO_ROOT / "instructor_notes").glob("*.md")])
    lines = {line.strip() for line in _source_text((REPO_ROOT / "solutions").glob("*.ipynb")).splitlines()}
    return sorted(line for line in lines if len(line) > 25 and line not in public)


# 1. The pages, and nothing from solutions/ ---------------------------------------------------------------


def test_a_page_for_every_lesson_and_exercise_notebook_and_no_other_file(site):
    expected = [f"{p.stem}.html" for p in LESSONS + EXERCISES] + OTHER_PAGES
    assert len(LESSONS) >= 6 and len(EXERCISES) >= 6
    assert sorted(p.name for p in site.iterdir()) == sorted(expected)


def test_exercise_pages_ran_unanswered(parsed):
    for notebook in EXERCISES:
        text = parsed[f"{notebook.stem}.html"].plain
        # The placeholder line shows that code text is compared as it is written in the notebook.
        assert PLACEHOLDER_NOTE in text, notebook.name
        assert "not answered yet" in text and "public checks passed" not in text, notebook.name


def test_nothing_from_solutions_appears_anywhere(parsed):
    secrets = _solution_only_lines()
    assert len(secrets) > 100, "the solutions have fewer private lines than expected; is solutions/ there?"
    for name, page in parsed.items():
        text = page.plain
        assert [marker for marker in MARKERS if marker in text] == [], name
        assert "Model answer" not in text and "Rubric (" not in text, name
        assert [line for line in secrets if line in text] == [], f"{name} shows text from solutions/"


def test_exercise_pages_say_what_to_do_instead_of_running_a_cell(parsed):
    for name, page in parsed.items():
        assert "run the cell again" not in page.plain, f"{name} asks for what a static page cannot do"
    for notebook in EXERCISES:
        text = " ".join(parsed[f"{notebook.stem}.html"].plain.split())
        assert f"static copy of exercises/{notebook.name}" in text and "open the notebook in JupyterLab" in text


def test_a_not_answered_check_points_to_jupyterlab():
    message = "02.1 · not answered yet: Write your answer in place of the ..., then run the cell again."
    output = nbformat.v4.new_output("stream", name="stdout", text=message)
    html = nbformat.v4.new_output("display_data", data={"text/html": f"<p>{message}</p>", "text/plain": message})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("check('02.1', ...)", outputs=[output, html])])
    nb, _ = StaticFeedback().preprocess(nb, {})
    shown = [nb.cells[0].outputs[0].text, *nb.cells[0].outputs[1].data.values()]
    assert all("run the cell again" not in text and "opened in JupyterLab" in text for text in shown)


def _code_cells(notebook: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"]


def test_long_code_and_text_alternative_builders_fold_away(parsed):
    for notebook in LESSONS + EXERCISES:
        cells = _code_cells(notebook)
        folded = [c for c in cells if "alt_text" in c or len(c.splitlines()) > FOLD_LINES]
        raw = parsed[f"{notebook.stem}.html"].raw
        assert raw.count('<details class="site-code">') == len(folded), notebook.name
        assert raw.count("<summary>Code that draws the chart") == len([c for c in folded if "alt_text" in c])
    assert any(_code_cells(notebook) for notebook in LESSONS)


# 2. Contents and navigation ------------------------------------------------------------------------------


def test_contents_lists_the_lessons_in_order_each_with_its_exercises(parsed):
    notebook_pages = reading_order()[1:-2]
    listed = [link["href"] for link in parsed["index.html"].main_links if link["href"] in notebook_pages]
    assert listed == notebook_pages, "the contents page lists the notebooks out of reading order"


def test_every_page_links_its_previous_and_next_page(site, parsed):
    order = reading_order()
    for index, name in enumerate(order):
        rel = {link.get("rel"): link["href"] for link in parsed[name].links if link.get("rel") in ("prev", "next")}
        assert rel.get("prev") == (order[index - 1] if index else None), name
        assert rel.get("next") == (order[index + 1] if index + 1 < len(order) else None), name
        local = {link["href"].split("#")[0] for link in parsed[name].links if not REMOTE.match(link["href"])}
        assert [href for href in local - {""} if not (site / href).is_file()] == [], name


def test_sources_page_lists_the_articles_and_providers(parsed):
    sources = load("sources")
    text = parsed["sources.html"].plain
    articles = sources[sources["record_kind"] == "article"]
    assert len(articles) == 5
    for row in sources.itertuples():
        assert row.source_id in text and row.title in text and row.author in text, row.source_id
    assert text.count("[outlet inferred]") == 3 and text.count("[date inferred]") == 3


def test_instructor_notes_are_all_on_their_page_under_its_h1(parsed):
    page = parsed["instructor_notes.html"]
    headings = [re.match(r"(#+) (.+)", line).groups() for note in sorted((REPO_ROOT / "instructor_notes").glob("*.md"))
                for line in note.read_text(encoding="utf-8").splitlines() if re.match(r"#+ ", line)]
    assert len(headings) > 12
    assert [text for _, text in headings if text not in page.plain] == []
    # One level down: each note's "# ..." is an h2 under the page's own h1.
    assert sorted(page.headings[1:]) == sorted(len(marks) + 1 for marks, _ in headings)


# 3. Charts -----------------------------------------------------------------------------------------------


def test_every_image_has_meaningful_alt_text_and_every_lesson_has_charts(parsed):
    for name, page in parsed.items():
        short = [img.get("alt", "")[:40] for img in page.images if len(img.get("alt", "").strip()) < 20]
        assert short == [], f"{name}: images without a meaningful alt"
    for lesson in LESSONS:
        page = parsed[f"{lesson.stem}.html"]
        assert len(page.figures) >= 1 and all(len(f["images"]) == 1 for f in page.figures), lesson.name
    # Widget charts show their static image: no live view, no widget state, no script at all.
    for name, page in parsed.items():
        assert "script" not in page.tags and "application/vnd.jupyter.widget" not in page.raw, name


def test_every_chart_on_a_lesson_page_has_its_source_line_and_text_alternative_as_text(parsed):
    for lesson in LESSONS:
        figures = parsed[f"{lesson.stem}.html"].figures
        assert figures and all(f["caption"].strip().startswith("Source:") for f in figures), lesson.name
        # and its text alternative in view under it, widget charts included.
        page = parsed[f"{lesson.stem}.html"]
        assert page.raw.count("<em>Text alternative:</em>") == len(figures), lesson.name


def test_every_widget_chart_on_a_lesson_page_offers_its_data_as_a_table(parsed):
    """The live "Show the data" is gone with the kernel; the page gives the same table."""
    for lesson in LESSONS:
        raw = parsed[f"{lesson.stem}.html"].raw
        widgets_shown = raw.count('<p class="russia-china-widget-alt">')
        tables = re.findall(r'<details class="russia-china-chart-data"><summary>Show the data</summary>\s*'
                            r"<table><caption>Data plotted in .*?</caption>.*?<th scope=\"col\">.*?<td>.*?</table>",
                            raw, re.S)
        assert len(tables) == widgets_shown, lesson.name
    assert sum('<p class="russia-china-widget-alt">' in parsed[f"{lesson.stem}.html"].raw for lesson in LESSONS) >= 6


def test_the_template_builds_the_data_table_from_plain_values_escaped(tmp_path):
    table = {"caption": "Data plotted in “Vetoes” (drafts)", "columns": ["year", "<b>drafts</b>"],
             "rows": [["2011", "1"], ["2012", "<script>x</script>"]]}
    nb = _image_output({"image/png": "iVBOR"}, {"image/png": {"alt": "Bars", "data_table": table}})
    site = Navigation(title="A page", course="A course", previous=None, next=None)
    page = NotebookPages().render(nb, site, "page.html")
    assert '<th scope="col">&lt;b&gt;drafts&lt;/b&gt;</th>' in page
    assert "<td>&lt;script&gt;x&lt;/script&gt;</td>" in page
    assert "<caption>Data plotted in “Vetoes” (drafts)</caption>" in page and "<script>x" not in page


def _image_output(data: dict, metadata: dict) -> nbformat.NotebookNode:
    output = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("chart", outputs=[output])])


def test_a_chart_becomes_its_png_and_one_without_alt_stops_the_build():
    widget = {WIDGET_VIEW: {"model_id": "x"}, "text/html": "<img>", "image/png": "iVBOR", "text/plain": "Chart"}
    nb, _ = StaticCharts().preprocess(_image_output(widget, {"image/png": {"alt": "A line rising"}}), {})
    assert sorted(nb.cells[0].outputs[0].data) == ["image/png", "text/plain"]
    assert nb.cells[0].outputs[0].metadata["image/png"]["caption_alt"]  # its live caption is gone: print the alt
    with pytest.raises(SiteError, match="no text alternative"):
        StaticCharts().preprocess(_image_output({"image/png": "iVBOR"}, {}), {})
    with pytest.raises(SiteError, match="no static image"):
        StaticCharts().preprocess(_image_output({WIDGET_VIEW: {"model_id": "x"}, "text/plain": "VBox()"}, {}), {})


def test_the_template_writes_alt_and_source_from_the_png_metadata(tmp_path):
    nb = _image_output({"image/png": "iVBOR", "text/html": "<img src='x'>"},
                       {"image/png": {"alt": "Bars rising from 4 in 2020 to 31 in 2024", "source": "Source: Gazprom."}})
    site = Navigation(title="A page", course="A course", previous=None, next=None)
    (tmp_path / "page.html").write_text(NotebookPages().render(nb, site, "page.html"), encoding="utf-8")
    figure = parse(tmp_path / "page.html").figures
    assert figure == [{"images": [{"class": "russia-china-chart-image", "src": "data:image/png;base64,iVBOR",
                                   "alt": "Bars rising from 4 in 2020 to 31 in 2024"}],
                       "caption": "Source: Gazprom."}]


def test_the_build_never_empties_a_folder_that_is_not_a_site(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(SiteError, match="not a site"):
        _empty(tmp_path)
    assert (tmp_path / "notes.txt").exists()


# 4. Nothing from the network -----------------------------------------------------------------------------


def test_nothing_is_fetched_from_another_host(parsed):
    # Text may name web pages; tags may not load them. A link to another site is allowed
    # only if the sources page lists it (today no data file gives a URL, so there is none).
    cited = {value for tag, _, value in parsed["sources.html"].references if tag == "a" and REMOTE.match(value)}
    for name, page in parsed.items():
        remote = [(tag, attribute, value) for tag, attribute, value in page.references
                  if REMOTE.match(value) and not value.startswith("data:")]
        assert [r for r in remote if r[0] != "a" or r[2] not in cited] == [], name
        css = "".join(page.css)
        assert re.findall(r"@import|url\(\s*['\"]?(?:https?:)?//", css) == [], name


# 5. Document structure -----------------------------------------------------------------------------------


def test_language_title_landmarks_and_heading_order(parsed):
    for name, page in parsed.items():
        assert page.html_lang == "en" and page.title.strip(), name
        assert page.tags.count("main") == 1 and page.tags.count("nav") == 2, name
        levels = page.headings
        assert levels.count(1) == 1 and levels[0] == 1, f"{name}: {levels[:5]}"
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert skips == [], f"{name} skips heading levels {skips}"


# 6. In a browser, offline --------------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


#: Prose may run to about 80 characters a line; a little slack for the browser's rounding.
MEASURE_CH = 81
#: The width of each prose block, in widths of its own font's "0" (CSS's ch unit).
PROSE_WIDTHS = r"""() => [...document.querySelectorAll(
    '.jp-RenderedMarkdown p, .jp-RenderedMarkdown li, main.site-page p')]
  .filter(el => el.offsetParent !== null)
  .map(el => {
    const probe = document.createElement('span');
    probe.textContent = '0'.repeat(100);
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
    el.appendChild(probe);
    const ch = probe.getBoundingClientRect().width / 100;
    probe.remove();
    return [el.textContent.slice(0, 40), el.getBoundingClientRect().width / ch];
  })"""


def test_prose_keeps_a_readable_measure_in_a_wide_window(site, served):
    need_chromium()
    from playwright.sync_api import sync_playwright

    wide, measured = {}, 0
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            for name in ["index.html", f"{LESSONS[0].stem}.html", f"{EXERCISES[0].stem}.html", "instructor_notes.html"]:
                page.goto(f"{served}/{name}", wait_until="load")
                widths = page.evaluate(PROSE_WIDTHS)
                measured += len(widths)
                over = [(text, round(chars)) for text, chars in widths if chars > MEASURE_CH]
                if over:
                    wide[name] = over[:3]
        finally:
            browser.close()
    assert measured > 20, "no prose found to measure"
    assert wide == {}, f"prose wider than {MEASURE_CH} characters a line: {wide}"


def test_every_page_renders_offline_with_no_serious_accessibility_problems(site, served):
    need_chromium()
    need_axe()
    from playwright.sync_api import sync_playwright

    problems, unrendered = {}, {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context()
            blocked = block_outside_requests(context)
            page = context.new_page()
            for name in sorted(p.name for p in site.iterdir()):
                page.goto(f"{served}/{name}", wait_until="load")
                broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                                       ".map(i => i.alt.slice(0, 60))")
                if not page.locator("h1").is_visible() or broken:
                    unrendered[name] = broken
                found = axe_violations(page)
                if found:
                    problems[name] = found
        finally:
            browser.close()
    assert blocked == [], "the site asked for something outside the machine"
    assert unrendered == {}, "pages without a visible h1, or with images that did not load"
    assert problems == {}, problems
