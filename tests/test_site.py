"""The offline website: built once per module, then read as HTML and opened in Chromium.

Checks what a reader without a kernel gets: every lesson and exercise page, no
solutions, charts as images with alt text and source lines, navigation that
works, headings in order, nothing fetched from the network, and axe-core
reporting no serious or critical accessibility problems.
"""

from __future__ import annotations

import functools
import html
import http.server
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from browser import axe_violations, block_outside_requests, free_port, launch, need_axe, need_chromium

from russia_china.site.build import build_site, pages
from russia_china.tools.release import BEGIN_SOLUTION, END_SOLUTION

REPO = Path(__file__).resolve().parents[1]


class PageParser(HTMLParser):
    """Headings, images, links and remote references of one page."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.images: list[dict[str, str]] = []
        self.links: list[str] = []
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img":
            self.images.append(attributes)
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])
        for name in ("src", "href"):
            value = attributes.get(name, "")
            if tag != "a" and re.match(r"(https?:)?//", value):
                self.remote.append(f"<{tag} {name}={value}>")


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("site") / "_site"
    build_site(output, progress=False)
    return output


def test_every_lesson_and_exercise_notebook_has_a_page_and_nothing_else_comes_from_solutions(site):
    files = sorted(p.name for p in site.iterdir())
    lessons = sorted(p.stem for p in (REPO / "notebooks").glob("0*.ipynb"))
    exercises = sorted(p.stem for p in (REPO / "exercises").glob("*.ipynb"))
    assert files == sorted([f"{s}.html" for s in lessons + exercises]
                           + ["index.html", "sources.html", "instructor_notes.html"])


def _solution_lines() -> list[str]:
    """Lines that only solutions/ contains: the bodies of solution regions, and model answers."""
    lines = []
    for path in (REPO / "solutions").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if line.strip() == BEGIN_SOLUTION:
                    inside = True
                elif line.strip() == END_SOLUTION:
                    inside = False
                elif inside and len(line.strip()) > 25:
                    lines.append(line.strip())
    return lines


def test_no_solution_appears_anywhere(site):
    secrets = _solution_lines()
    assert len(secrets) > 40
    for page in site.iterdir():
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert "BEGIN SOLUTION" not in text and "Model answer" not in text, page.name
        assert [line for line in secrets if line in text] == [], page.name


def test_contents_lists_lessons_in_order_and_every_page_links_its_neighbours(site):
    ordered = [p.file for p in pages()]
    contents = parse(site / "index.html").links
    lesson_links = list(dict.fromkeys(href for href in contents
                                      if re.fullmatch(r"0\d_[a-z_]+(?<!exercises)\.html", href)))
    assert lesson_links == sorted(lesson_links) and len(lesson_links) == 6
    for index, name in enumerate(ordered):
        links = parse(site / name).links
        if index > 0:
            assert ordered[index - 1] in links, f"{name} links back to {ordered[index - 1]}"
        if index < len(ordered) - 1:
            assert ordered[index + 1] in links, f"{name} links on to {ordered[index + 1]}"
        local = [href.split("#")[0] for href in links if not re.match(r"[a-z]+:", href) and href.split("#")[0]]
        assert [href for href in local if not (site / href).exists()] == [], name


def test_every_image_has_alt_text_and_every_chart_a_source_line(site):
    charts = 0
    for page in site.glob("0*.html"):
        parsed = parse(page)
        assert [img for img in parsed.images if len(img.get("alt", "").strip()) < 15] == [], page.name
        charts += sum("russia-china-chart-image" in img.get("class", "") for img in parsed.images)
    # 14 widget charts show as their static default, plus the charts drawn with charts.show().
    assert charts >= 14


def test_nothing_is_fetched_from_another_host(site):
    for page in site.iterdir():
        assert parse(page).remote == [], page.name


def test_one_h1_per_page_and_no_skipped_heading_levels(site):
    for page in site.iterdir():
        levels = parse(page).headings
        assert levels.count(1) == 1 and levels[0] == 1, f"{page.name}: {levels[:5]}"
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert skips == [], f"{page.name} skips heading levels {skips}"


@pytest.fixture(scope="module")
def served(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_every_page_renders_offline_with_no_serious_accessibility_problems(site, served):
    need_chromium()
    need_axe()
    from playwright.sync_api import sync_playwright

    problems = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context()
            blocked = block_outside_requests(context)
            page = context.new_page()
            for name in sorted(p.name for p in site.iterdir()):
                page.goto(f"{served}/{name}")
                page.wait_for_load_state("load")
                assert page.locator("h1").first.is_visible(), name
                broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                                       ".map(i => i.alt.slice(0, 60))")
                assert broken == [], f"{name}: images that did not load"
                found = axe_violations(page)
                if found:
                    problems[name] = found
        finally:
            browser.close()
    assert blocked == [], "the site asked for something outside the machine"
    assert problems == {}, problems
