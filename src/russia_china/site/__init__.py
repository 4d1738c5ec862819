"""The offline course website (`make site`, `russia-china site`).

order.py decides which pages exist and in which order, notebooks.py executes a
lesson or exercise notebook and converts it, pages.py renders the pages that are
not notebooks (contents, sources, instructor notes), and build.py puts them
together. The Jinja templates, nbconvert's included, are in templates/course/.
"""

from __future__ import annotations

from pathlib import Path

#: nbconvert and the plain pages both load templates from here (the "course" template).
TEMPLATES = Path(__file__).parent / "templates"


class SiteError(Exception):
    """The site cannot be built as asked: a notebook fails, a chart lacks alt text, an unsafe output folder."""
