"""nbval tests each notebook as git's index holds it, never the working copy.

Working through a lesson in JupyterLab autosaves its outputs, execution counts
and any cell a student tried; none of that should make `make test` fail. So
the notebooks pytest collects (lessons, exercises, solutions) are read from the
index, which is what the next commit will contain, whenever the working copy
differs from it only in outputs and counts. A notebook whose cells were edited
is tested as edited; outside a git checkout the working copy is read as before.
The kernel still runs in the notebook's own folder.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags

from russia_china.tools.notebooks import version_for_tests

FIX = {
    "index": ("nbval ran the version of this notebook staged in git (your copy differs only in outputs). If a "
              "checked output no longer matches, the data or the code changed: run `make notebooks`, check that "
              "the lesson's prose still matches the new numbers, then `git add` the notebook."),
    "edited": ("You edited this notebook, so nbval ran your copy. `git checkout -- <notebook>` returns to the "
               "course's version; to keep the edit, run `make notebooks` to refresh its checked outputs."),
    "working copy": "Run `make notebooks` to refresh the checked outputs, and check the lesson's prose still matches.",
}


class CommittedNotebook(IPyNbFile):
    """nbval's notebook collector, reading the version that version_for_tests chooses."""

    def collect(self):
        self.nb, self.origin = version_for_tests(self.path)
        cell_num = 0
        for cell in self.nb.cells:
            if cell.cell_type != "code":
                continue
            options = defaultdict(bool, find_metadata_tags(cell.metadata))
            options.update(dict(find_comment_markers(cell.source)))
            options.setdefault("check", self.compare_outputs)
            yield IPyNbCell.from_parent(self, name=f"Cell {cell_num}", cell_num=cell_num, cell=cell, options=options)
            cell_num += 1


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collected = yield
    return [CommittedNotebook.from_parent(parent, path=file_path) if type(node) is IPyNbFile else node
            for node in collected]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    origin = getattr(item.parent, "origin", None) if isinstance(item, IPyNbCell) else None
    if report.failed and origin:
        report.sections.append(("how to fix", FIX[origin]))
    return report


def pytest_terminal_summary(terminalreporter):
    """Say when notebooks differ from git's index, and which version was tested."""
    try:
        changed = subprocess.run(["git", "diff", "--name-only", "--", "*.ipynb"], capture_output=True, text=True,
                                 check=False, cwd=terminalreporter.config.rootpath, timeout=30).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return
    if changed:
        terminalreporter.write_line(
            f"{len(changed)} notebook(s) differ from git's index ({', '.join(changed[:3])}"
            f"{', ...' if len(changed) > 3 else ''}). Where only outputs differ (JupyterLab's autosave), "
            "the tests read the staged version; where cells were edited, the edit.")
