"""The text of lessons and exercises as a reader sees it in JupyterLab.

Markdown: two unescaped dollar signs in one paragraph turn the text between them
into LaTeX in JupyterLab ("$237 bn ... $244.8 bn" becomes "237bnfor2024..."); a
dollar sign is written \\$, which JupyterLab and the site both show as "$".
Outputs: a printed table must fit the notebook's width (JupyterLab wraps wider
lines mid-word), or be shown as a DataFrame; and a count of one takes the
singular. Only checked cells keep outputs in git, so the site's tests
(tests/test_site.py) check the plurals of every output too.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from russia_china.paths import REPO_ROOT

NOTEBOOKS = sorted([*(REPO_ROOT / "notebooks").glob("*.ipynb"), *(REPO_ROOT / "exercises").glob("*.ipynb"),
                    *(REPO_ROOT / "solutions").glob("*.ipynb")])
LESSONS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
#: About what a JupyterLab notebook shows in one line of output at its default width, beside the file browser.
NOTEBOOK_WIDTH = 100
#: JupyterLab's math delimiters and what can end or hide them (@jupyterlab/rendermime's removeMath).
MATH_TOKENS = re.compile(r"(\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n\s*)+|@@\d+@@|\\\\[()[\]])", re.I)
FENCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n.*?^\1`*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)[^\n]*?[^`\n]\1(?!`)")
#: Nouns the course counts. "1 series" is singular already, so it is not listed.
COUNTED = ("events|claims|figures|forecasts|vetoes|drafts|rows|exercises|articles|patrols|members|years|months|"
           "days|times|sources|quotes|lessons|cells|suppliers|records|entries|passages|markers|countries|"
           "deliveries|items|points|answers|notebooks")
ONE_PLURAL = re.compile(rf"(?<![\d.,−-])\b1 (?:{COUNTED})\b")


def math_spans(markdown: str) -> list[str]:
    """The stretches of a Markdown cell JupyterLab would typeset as LaTeX, between `$` or `$$` pairs."""
    hidden = FENCE.sub(lambda m: m.group(0).replace("$", "~"), markdown)
    hidden = CODE_SPAN.sub(lambda m: m.group(0).replace("$", "~"), hidden)
    parts = MATH_TOKENS.split(hidden.replace("\r\n", "\n"))
    spans, start, closing = [], None, None
    for index in range(1, len(parts), 2):
        token = parts[index]
        if start is None:
            if token in ("$", "$$"):
                start, closing = index, token
        elif token == closing:
            spans.append("".join(parts[start:index + 1]))
            start = None
        elif re.search(r"\n.*\n", token):  # a blank line ends the paragraph, and any math in it
            start = None
    return spans


def markdown_cells(path):
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown"]


def test_the_math_detector_finds_what_jupyterlab_typesets():
    assert math_spans("The article gives $237 bn; customs say $244.8 bn.") == ["$237 bn; customs say $"]
    assert math_spans(r"The article gives \$237 bn; customs say \$244.8 bn.") == []
    assert math_spans("One US$ billion, and `$x` in code, and\n\n$5 in the next paragraph.") == []
    assert math_spans("```python\nprint(f'${a}', f'${b}')\n```") == []
    assert math_spans("$$\nx^2\n$$") == ["$$\nx^2\n$$"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_dollar_signs_turn_text_into_math(path):
    found = [span[:60] for cell in markdown_cells(path) for span in math_spans(cell.source)]
    assert found == [], f"{path.name}: write a dollar sign as \\$ so it is not typeset as LaTeX: {found}"


def test_an_escaped_dollar_shows_as_a_dollar_on_the_site():
    question = next(cell.source for cell in markdown_cells(REPO_ROOT / "notebooks" / "00_introduction.ipynb")
                    if "237 bn" in cell.source)
    html = markdown2html_mistune(question)
    assert "$237 bn" in html and "\\$" not in html


def _shown_text(output) -> str:
    """The text an output shows in JupyterLab; a DataFrame shows its HTML table, not its text."""
    if output.output_type == "stream":
        return output.text
    data = output.get("data", {})
    return "" if "text/html" in data else data.get("text/plain", "")


def _is_table_row(line: str) -> bool:
    # Columns padded with spaces: at least two gaps of two or more spaces between words.
    return len(re.findall(r"\S {2,}(?=\S)", line)) >= 2


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_printed_tables_fit_the_notebook(path):
    nb = nbformat.read(path, as_version=4)
    wide = [(index, len(line)) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for output in cell.get("outputs", []) for line in _shown_text(output).splitlines()
            if _is_table_row(line) and len(line) > NOTEBOOK_WIDTH]
    assert wide == [], (f"{path.name}: printed table rows wider than {NOTEBOOK_WIDTH} characters (cell, width); "
                        "narrow the columns or show the table as a DataFrame")


def test_the_width_check_tells_a_table_from_prose():
    assert _is_table_row("1950s alliance                    1950–1957  100.0%       2,619")
    assert not _is_table_row("On the military front, both countries are engaged in the second phase of Joint Sea")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_count_of_one_takes_the_singular(path):
    nb = nbformat.read(path, as_version=4)
    texts = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    texts += [_shown_text(output) for cell in nb.cells for output in cell.get("outputs", [])]
    found = [match.group(0) for text in texts for match in ONE_PLURAL.finditer(text)]
    assert found == [], f"{path.name}: {found}"


def test_the_plural_check_knows_one_from_many():
    assert ONE_PLURAL.findall("Imperial rivalry   1 events from: gill2025") == ["1 events"]
    assert ONE_PLURAL.findall("21 events; 0.1 years; 2021 claims; 1 event; 1 series") == []
