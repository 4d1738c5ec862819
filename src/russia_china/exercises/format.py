"""The exercise format: the one place release, check() and grading learn it from.

Markers and tags an author writes in solutions/, the settings file beside each
solutions notebook, where the answer key lives, the statuses a check reports,
the kinds of exercise, and the one parser that finds marked regions and
exercise ids. Nothing here imports the rest of the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# -- what an author writes -------------------------------------------------------------

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
#: Cells with this tag (model answers, rubrics) never reach students.
SOLUTION_ONLY_TAG = "solution-only"
#: The comment the release puts where a solution was.
PLACEHOLDER_NOTE = "# YOUR ANSWER HERE: replace each ... below"
#: What the release puts between the triple quotes of a written answer.
PLACEHOLDER_TEXT = "Write your answer here."

# -- kinds and statuses ----------------------------------------------------------------

#: Kinds an instructor grades by hand; every other kind ("number", "text", "table", "chart",
#: "widget", "extraction") is judged against the answer key.
MANUAL_KINDS = ("written", "manual")

NOT_ANSWERED = "not answered yet"
PASSED = "public checks passed"
HINT = "not yet"
RECORDED = "recorded"
UNKNOWN = "unknown exercise"

# -- where things are ------------------------------------------------------------------

#: The student-side answer key: salted hashes only, shipped inside the package.
KEY_FILE = Path(__file__).resolve().with_name("answer_key.json")
#: Lets an author try a draft's key before `make exercises` writes the real one.
KEY_ENV = "RUSSIA_CHINA_ANSWER_KEY"
#: A file that check() appends every answer to, as plain data: set by the
#: release while it records the key, and by the grading sandbox.
RECORD_ENV = "RUSSIA_CHINA_RECORD_ANSWERS"
#: The instructor-side file of plain model answers, in solutions/.
ANSWERS_NAME = "answers.json"


def settings_path(notebook: Path) -> Path:
    """solutions/NAME.yml holds the settings of solutions/NAME.ipynb."""
    return notebook.with_suffix(".yml")


# -- the parser ------------------------------------------------------------------------

#: A check("id", ...) call, also inside a notebook's raw JSON text (escaped quotes).
_CHECK_CALL = re.compile(r"""\bcheck\(\s*\\?["']([^"'\\\s]+)\\?["']""")


def check_ids(source: str) -> list[str]:
    """Exercise ids of the check() calls in a cell's source (or raw notebook text), in order."""
    return _CHECK_CALL.findall(source)


@dataclass(frozen=True)
class Segment:
    """A run of lines inside or outside a marked region; ``indent`` is the begin marker's."""

    inside: bool
    lines: tuple[str, ...]
    indent: str = ""


def segments(source: str, begin: str, end: str) -> list[Segment]:
    """Split a cell's source at one kind of region's markers (markers dropped).

    An unclosed region runs to the end of the cell; `release.CheckMarkers`
    refuses such a notebook before anything else reads it.
    """
    result: list[Segment] = []
    lines: list[str] = []
    inside, indent = False, ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == begin and not inside:
            result.append(Segment(False, tuple(lines)))
            lines, inside, indent = [], True, line[: len(line) - len(line.lstrip())]
        elif stripped == end and inside:
            result.append(Segment(True, tuple(lines), indent))
            lines, inside = [], False
        else:
            lines.append(line)
    result.append(Segment(inside, tuple(lines), indent if inside else ""))
    return [s for s in result if s.lines or s.inside]


def outside(source: str, begin: str, end: str) -> str:
    """The source without one kind of region (markers and bodies)."""
    return "\n".join(line for s in segments(source, begin, end) if not s.inside for line in s.lines)


def inside(source: str, begin: str, end: str) -> list[str]:
    """The bodies of one kind of region, in order."""
    return ["\n".join(s.lines) for s in segments(source, begin, end) if s.inside]
