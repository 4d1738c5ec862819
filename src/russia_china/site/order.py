"""Which pages the site has and in which order: the reading order gives the
contents page its list and every page its previous and next links.

Only notebooks/ and exercises/ are read: nothing from solutions/ can reach a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import SiteError

COURSE = "Russia–China Relations: Partners with Limits"


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    kind: str  # contents, lesson, exercises, sources or notes
    notebook: Path | None = None


@dataclass(frozen=True)
class Navigation:
    """What the header and footer of one page show."""

    title: str
    course: str
    previous: Page | None
    next: Page | None
    kind: str = "lesson"
    #: The notebook a page was made from, as a reader finds it in the course's folder ("" for other pages).
    notebook: str = ""


def first_heading(markdown: str) -> str | None:
    """The text of the first level-1 Markdown heading, if any."""
    match = re.search(r"^# (.+)$", markdown, flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def notebook_title(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        title = first_heading(cell.source) if cell.cell_type == "markdown" else None
        if title:
            return title
    return notebook.stem.replace("_", " ")


def _notebook_page(notebook: Path, kind: str) -> Page:
    return Page(f"{notebook.stem}.html", notebook_title(notebook), kind, notebook)


def reading_order(root: Path) -> list[Page]:
    """Contents, then each lesson followed by its exercises, then sources and instructor notes."""
    lessons = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    exercises = sorted((root / "exercises").glob("*.ipynb"))
    ordered = [Page("index.html", "Contents", "contents")]
    for lesson in lessons:
        ordered.append(_notebook_page(lesson, "lesson"))
        # Exercises share their lesson's number: 02_economics -> 02_economics_exercises.
        ordered += [_notebook_page(e, "exercises") for e in exercises if e.name[:3] == lesson.name[:3]]
    placed = {page.notebook for page in ordered}
    orphans = [e.name for e in exercises if e not in placed]
    if orphans:
        # Better to stop than to publish a site that silently leaves exercises out.
        raise SiteError(f"exercise notebooks with no lesson of the same number: {', '.join(orphans)}")
    ordered.append(Page("sources.html", "Sources and data providers", "sources"))
    ordered.append(Page("instructor_notes.html", "Instructor notes", "notes"))
    return ordered


def navigation(ordered: list[Page], index: int) -> Navigation:
    page = ordered[index]
    return Navigation(title=page.title, course=COURSE,
                      previous=ordered[index - 1] if index > 0 else None,
                      next=ordered[index + 1] if index + 1 < len(ordered) else None,
                      kind=page.kind,
                      notebook=f"{page.notebook.parent.name}/{page.notebook.name}" if page.notebook else "")
