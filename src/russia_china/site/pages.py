"""The pages that are not notebooks: contents, sources and instructor notes.

Each is a Jinja template in templates/course/ sharing the notebook pages'
header, footer and styles; this module only gathers what they list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import cast

import jinja2
import mistune
import pandas as pd

from ..citations import outlet_and_date
from ..data import load
from . import TEMPLATES
from .order import Navigation, Page, first_heading


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "course"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _lessons(ordered: list[Page]) -> list[dict]:
    """Each lesson with the exercise pages that follow it in the reading order."""
    lessons: list[dict] = []
    for page in ordered:
        if page.kind == "lesson":
            lessons.append({"page": page, "exercises": []})
        elif page.kind == "exercises":
            lessons[-1]["exercises"].append(page)
    return lessons


def _sources() -> dict[str, list[dict]]:
    """The articles and the reference-data providers, as rows of data/sources.csv."""
    sources = load("sources")
    sources = sources.astype(object).where(sources.notna(), "")  # empty cells print as nothing, not "nan"
    records = sources.to_dict("records")
    for record in records:
        if record["record_kind"] == "article":  # outlet and date as citations print them, inferences marked
            record["outlet"], record["published"] = outlet_and_date(pd.Series(record))
    return {"articles": [r for r in records if r["record_kind"] == "article"],
            "providers": [r for r in records if r["record_kind"] == "provider"]}


class _DemotedHeadings(mistune.HTMLRenderer):
    """Each note's headings one level down, under the page's single H1."""

    def heading(self, text, level, **attrs):
        return super().heading(text, min(level + 1, 6), **attrs)


def _notes(root: Path) -> list[dict[str, str]]:
    render = mistune.create_markdown(renderer=_DemotedHeadings(), plugins=["table"])
    notes = []
    for path in sorted((root / "instructor_notes").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        html = cast(str, render(text))  # mistune's str | list union covers its AST renderer; this one gives HTML
        notes.append({"id": path.stem, "title": first_heading(text) or path.stem, "html": html})
    return notes


def render(page: Page, site: Navigation, ordered: list[Page], root: Path) -> str:
    """The HTML of a contents, sources or notes page."""
    context = {"contents": lambda: {"lessons": _lessons(ordered)},
               "sources": _sources,
               "notes": lambda: {"notes": _notes(root)}}[page.kind]()
    return _environment().get_template(f"{page.kind}.html.j2").render(site=site, **context)
