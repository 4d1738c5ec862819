"""An unanswered student notebook runs top to bottom and says 'not answered
yet' for every exercise. Executes exercises/ (slow), so it has its own module."""

from __future__ import annotations

import re
import shutil

import nbformat
from nbclient import NotebookClient

from russia_china.paths import REPO_ROOT

EXERCISES = REPO_ROOT / "exercises"


def test_unanswered_exercises_run_and_say_not_answered_yet(tmp_path):
    for path in EXERCISES.glob("*.ipynb"):
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        nb = nbformat.read(copy, as_version=4)
        NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(EXERCISES)}}).execute()
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert not [o for c in code for o in c.outputs if o.output_type == "error"]
        checked = re.findall(r'check\("(\d\d\.\d+)"', "\n".join(c.source for c in code))
        shown = "\n".join(o.get("data", {}).get("text/plain", "") for c in code for o in c.outputs)
        assert checked, f"{path.name} calls check() nowhere"
        for exercise in checked:
            assert f"Exercise {exercise}: not answered yet" in shown, f"{path.name}: {exercise}"
        assert "public checks passed" not in shown
