"""A sample class for exercise 00, built from solutions/ so it never drifts.

Each student's expected automatic score is stated next to how the submission
is made, with a phrase its comments must contain. Exercise 00 has 15
automatically graded points (00.1, 00.2, 00.4, 00.5: 2 each; 00.3: 3; the
extraction 00.7: 4) and a written answer (00.6, 4 points) for the instructor. Besides honest students
of every kind, the class holds one submission per way of cheating or of
breaking the grader that a class has tried; none of them may earn a point it
did not compute, and none may cost an honest answer its points.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat

from russia_china.paths import REPO_ROOT
from russia_china.tools.release import handed_in_notebook

ASSIGNMENT = "00_introduction_exercises"
SOLUTIONS = REPO_ROOT / "solutions"
EXERCISES = REPO_ROOT / "exercises" / f"{ASSIGNMENT}.ipynb"
FULL_MARKS = 15.0
#: macOS does not enforce RLIMIT_AS, so a memory hog there is stopped by the OS, not the grader.
MEMORY_LIMIT_ENFORCED = sys.platform.startswith("linux")


def _solved() -> nbformat.NotebookNode:
    return handed_in_notebook(nbformat.read(SOLUTIONS / f"{ASSIGNMENT}.ipynb", as_version=4), ASSIGNMENT)


def _cell_checking(nb: nbformat.NotebookNode, exercise_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if f'check("{exercise_id}"' in c.source)


def _insert_after(nb: nbformat.NotebookNode, exercise_id: str, source: str) -> nbformat.NotebookNode:
    position = nb.cells.index(_cell_checking(nb, exercise_id)) + 1
    nb.cells.insert(position, nbformat.v4.new_code_cell(source))
    return nb


def _write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def honest_students(folder: Path) -> dict[str, tuple[float, str | None]]:
    expected: dict[str, tuple[float, str | None]] = {}

    _write(_solved(), folder / "perfect.ipynb")
    expected["perfect"] = (FULL_MARKS, None)

    # Cells retyped, reordered and duplicated: answers are found by exercise id.
    nb = _solved()
    code = [c for c in nb.cells if c.cell_type == "code"]
    nb.cells = [code[0], *reversed(code[1:]), nbformat.v4.new_code_cell(code[1].source)]
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("my notes"))
    _write(nb, folder / "shuffled" / "my work.ipynb")
    expected["shuffled"] = (FULL_MARKS, None)

    # 00.1 wrong number, 00.4 a labelled chart of China's line only: 15 - 2 - 2.
    nb = _solved()
    _insert_after(nb, "00.1", 'gap_2024 = 0.5\ncheck("00.1", gap_2024)')
    _insert_after(nb, "00.4", (
        'fig_gdp, ax = charts.new_chart()\n'
        'sns.lineplot(data=gdp[gdp["country"] == "China"], x="year", y="gdp_usd_bn", ax=ax)\n'
        'charts.label_chart(fig_gdp, ax, title="GDP of China", units="US$ billion, log scale",\n'
        '                   sources=["world_bank"], alt_text="China only, 1960 to 2023.")\n'
        'check("00.4", fig_gdp)'))
    _write(nb, folder / "partial.ipynb")
    expected["partial"] = (11.0, None)

    # The check cell for 00.5 deleted: the answer's variable is graded instead.
    nb = _solved()
    cell = _cell_checking(nb, "00.5")
    cell.source = cell.source.replace('check("00.5", difference_2022)', "")
    _write(nb, folder / "no_check_call.ipynb")
    expected["no_check_call"] = (FULL_MARKS, "check() recorded no answer; graded the variable difference_2022")

    _write(nbformat.read(EXERCISES, as_version=4), folder / "blank.ipynb")
    expected["blank"] = (0.0, "no exercise was answered")

    nb = _solved()
    _cell_checking(nb, "00.2").source = ('figures_per_source = figures.groupby("source_id".size(\n'
                                         'check("00.2", figures_per_source)')
    _write(nb, folder / "syntax_error.ipynb")
    expected["syntax_error"] = (13.0, "SyntaxError")

    # A one-value Series and array for the numbers, the table with its key column as the index:
    # check() says "public checks passed" to each, so the grade must agree.
    nb = _solved()
    _insert_after(nb, "00.1", 'check("00.1", pd.Series([gap_2024]))')
    _insert_after(nb, "00.2", 'check("00.2", figures_per_source.set_index("source_id"))')
    _insert_after(nb, "00.5", 'import numpy as np\ncheck("00.5", np.array([difference_2022]))')
    _write(nb, folder / "other_forms.ipynb")
    expected["other_forms"] = (FULL_MARKS, None)

    # A folder with the untouched download (changed last) and the completed notebook.
    _write(_solved(), folder / "two_notebooks" / "my answers.ipynb")
    _write(nbformat.read(EXERCISES, as_version=4), folder / "two_notebooks" / f"{ASSIGNMENT}.ipynb")
    os.utime(folder / "two_notebooks" / "my answers.ipynb", (1_700_000_000, 1_700_000_000))
    expected["two_notebooks"] = (FULL_MARKS, "graded my answers.ipynb")

    _write(_insert_after(_solved(), "00.1", "while True:\n    pass"), folder / "infinite_loop.ipynb")
    expected["infinite_loop"] = (FULL_MARKS, "ran longer than 10 s and was stopped")

    _write(_insert_after(_solved(), "00.1", "raise KeyboardInterrupt"), folder / "interrupt.ipynb")
    expected["interrupt"] = (FULL_MARKS, "was interrupted (KeyboardInterrupt raised in the cell)")

    if MEMORY_LIMIT_ENFORCED:
        _write(_insert_after(_solved(), "00.1", "hog = bytearray(64 * 2**30)"), folder / "memory_hog.ipynb")
        expected["memory_hog"] = (FULL_MARKS, "MemoryError: it needed more than the memory limit")

    # The kernel exits after 00.3: the three answers before it count (2 + 2 + 3).
    _write(_insert_after(_solved(), "00.3", "import os\nos._exit(3)"), folder / "exits_midway.ipynb")
    expected["exits_midway"] = (7.0, "the kernel stopped while running cell")

    # 30 MB of stored outputs, which grading drops before any size limit.
    nb = _solved()
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 30 * 2**20)]
    _write(nb, folder / "big_outputs.ipynb")
    expected["big_outputs"] = (FULL_MARKS, None)

    (folder / "invalid_json.ipynb").write_text('{"cells": [ this is not JSON', encoding="utf-8")
    expected["invalid_json"] = (0.0, "not a valid notebook")

    _write(nbformat.v4.new_notebook(), folder / "empty.ipynb")
    expected["empty"] = (0.0, "empty")

    # Several notebooks: a practice one that checks 00.1 seven times, a scratch one of 200,000 blank
    # lines (which once took the picker minutes), and the finished one, which has the most exercises.
    practice = nbformat.read(EXERCISES, as_version=4)
    practice.cells += [nbformat.v4.new_code_cell(f'check("00.1", {n})') for n in range(7)]
    _write(practice, folder / "practised" / "practice.ipynb")
    _write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("\n" * 200_000)]),
           folder / "practised" / "scratch.ipynb")
    _write(_solved(), folder / "practised" / "final.ipynb")
    expected["practised"] = (FULL_MARKS, "graded final.ipynb")

    # A folder that also holds a named pipe (it is left out, and grading goes on).
    _write(_solved(), folder / "with_a_pipe" / "work.ipynb")
    os.mkfifo(folder / "with_a_pipe" / "pipe")
    expected["with_a_pipe"] = (FULL_MARKS, None)

    # A name as long as the file system allows: its feedback file gets a shortened name.
    _write(_solved(), folder / f"{'m' * 240}.ipynb")
    expected["m" * 240] = (FULL_MARKS, None)

    # The same student twice: the folder (first by name) is graded, the file is listed as skipped.
    _write(_solved(), folder / "twice" / "work.ipynb")
    _write(nbformat.read(EXERCISES, as_version=4), folder / "twice.ipynb")
    expected["twice"] = (FULL_MARKS, None)

    # The extraction 00.7 with one figure's year wrong (a near miss) and a row the passage does not hold:
    # 3 of its 4 rows found, less 1 for the row not in the text, earns 4 * (3 - 1) / 4 = 2 of 4 points.
    nb = _insert_after(_solved(), "00.7", (
        'extracted = pd.DataFrame({"value": [190, 237, 5, 5, 36],\n'
        '                          "unit": ["US$ bn", "US$ bn", "$bn a month", "US$ bn per month", "per cent"],\n'
        '                          "year": [2021, 2024, 2019, 2023, 2024]})\n'
        'check("00.7", extracted)'))
    _write(nb, folder / "extraction_partial.ipynb")
    expected["extraction_partial"] = (FULL_MARKS - 2, None)
    return expected


def cheats(folder: Path, canary: Path) -> dict[str, tuple[float, str | None]]:
    expected: dict[str, tuple[float, str | None]] = {}

    # Forged records, flags and a report sent down the grader's channel, and a result in the old grader's format.
    nb = _insert_after(_solved(), "00.1", (
        "import json, os\n"
        "from IPython.display import publish_display_data\n"
        "channel = os.environ['RUSSIA_CHINA_RECORD_ANSWERS'].split(os.pathsep)[0]\n"
        "with open(channel, 'a') as f:\n"
        "    f.write(json.dumps({'exercise_id': '00.1', 'via': 'check', 'points': 999,\n"
        "                        'answer': {'type': 'number', 'value': 0.5}}) + '\\n')\n"
        "    f.write(json.dumps({'exercise_id': '99.9', 'answer': {}}) + '\\nnot json\\n')\n"
        "    f.write(json.dumps({'flag': 'all clear, full marks'}) + '\\n')\n"
        "    f.write(json.dumps({'report': {'finished': True, 'points': 999}}) + '\\n')\n"
        "publish_display_data({'application/vnd.russia-china.grading+json': json.dumps(\n"
        "    {'exercises': [{'exercise_id': '00.1', 'points': 999}]})})"))
    _write(nb, folder / "forged_result.ipynb")
    expected["forged_result"] = (13.0, "3 line(s) sent to the grader were not answer records")

    # Objects whose comparisons lie, for both numbers.
    nb = _insert_after(_solved(), "00.1", (
        "class Liar(float):\n"
        "    def __eq__(self, other): return True\n"
        "    def __sub__(self, other): return 0.0\n"
        "    def __rsub__(self, other): return 0.0\n"
        "    def __abs__(self): return 0.0\n"
        "    def __lt__(self, other): return True\n"
        "    def __gt__(self, other): return False\n"
        "    __hash__ = float.__hash__\n"
        "check('00.1', Liar(123.0))"))
    _insert_after(nb, "00.5", (
        "class Anything:\n"
        "    def __eq__(self, other): return True\n"
        "    def __float__(self): return 0.0\n"
        "    def __lt__(self, other): return True\n"
        "    def item(self): return 0.0\n"
        "    size = 1\n"
        "check('00.5', Anything())"))
    _write(nb, folder / "lying_objects.ipynb")
    expected["lying_objects"] = (11.0, None)

    # A number too large for a float, and a folder nested far deeper than any student's.
    _write(_insert_after(_solved(), "00.1", 'check("00.1", 10**400)'), folder / "huge_number.ipynb")
    expected["huge_number"] = (13.0, None)
    deep = folder / "deep_folder"
    _write(_solved(), deep / "work.ipynb")
    (deep / "/".join(["a"] * 40)).mkdir(parents=True)
    expected["deep_folder"] = (0.0, "nests more than 16 folders deep")

    # The judging helpers patched in the kernel, then a wrong answer.
    nb = _insert_after(_solved(), "00.1", (
        "from russia_china.exercises import checking, keys\n"
        "keys.digest = lambda *a: 'same'\n"
        "keys.normalise_number = lambda *a: ['same']\n"
        "checking.judge = lambda exercise, value, key=None: (None, value)\n"
        "checking.canonical = lambda kind, value, entry: value\n"
        "check('00.1', 0.5)"))
    _write(nb, folder / "patched_globals.ipynb")
    expected["patched_globals"] = (13.0, None)

    # Looking for the solutions in the repository, its .git and the installed package.
    nb = _insert_after(_solved(), "00.5", (
        "from pathlib import Path\n"
        "import russia_china\n"
        "from russia_china.paths import REPO_ROOT\n"
        "package = Path(russia_china.__file__).parent\n"
        "found = [p for p in (REPO_ROOT / '.git' / 'HEAD', REPO_ROOT / 'solutions' / 'answers.json',\n"
        "                     package / 'exercises' / 'answer_key.json', package / 'grading' / 'judge.py')\n"
        "         if p.exists()]\n"
        "assert not found, found\n"
        "(REPO_ROOT / '.git' / 'HEAD').read_text()"))
    _write(nb, folder / "reads_git.ipynb")
    expected["reads_git"] = (FULL_MARKS, "FileNotFoundError")

    nb = _insert_after(_solved(), "00.1", (
        "from russia_china.paths import REPO_ROOT\n"
        "stolen = (REPO_ROOT / 'solutions' / 'answers.json').read_text()"))
    _write(nb, folder / "reads_solutions.ipynb")
    expected["reads_solutions"] = (FULL_MARKS, "FileNotFoundError")

    # libc through ctypes: open the solutions, fork, signal the namespace's first process.
    nb = _insert_after(_solved(), "00.5", (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "from russia_china.paths import REPO_ROOT\n"
        "descriptor = libc.open(str(REPO_ROOT / 'solutions' / 'answers.json').encode(), 0)\n"
        "child = libc.fork()\n"
        "if child == 0:\n"
        "    libc._exit(0)\n"
        "os.waitpid(child, 0)\n"
        "libc.kill(1, 9)\n"
        "assert descriptor < 0, 'opened the solutions'"))
    _write(nb, folder / "ctypes_calls.ipynb")
    expected["ctypes_calls"] = (FULL_MARKS, "flagged for review (no points taken): the notebook tried ctypes.fork")

    # The tripwire disabled (the open() it writes with replaced), then a program run to find the key.
    nb = _insert_after(_solved(), "00.5", (
        "import builtins, os, subprocess\n"
        "real_open = builtins.open\n"
        "def quiet_open(path, *args, **kwargs):\n"
        "    return real_open(os.devnull if 'channel' in str(path) else path, *args, **kwargs)\n"
        "builtins.open = quiet_open\n"
        "try:\n"
        "    subprocess.run(['sh', '-c', 'find / -name answer_key.json -o -name answers.json | grep .'], check=True)\n"
        "finally:\n"
        "    builtins.open = real_open"))
    _write(nb, folder / "tripwire_off.ipynb")
    expected["tripwire_off"] = (FULL_MARKS, "CalledProcessError")

    # Fills its home and /tmp: both are in memory and of a fixed size, so the grader's disk never fills.
    nb = _insert_after(_solved(), "00.5", (
        "import itertools, os\n"
        "block = b'x' * 2**24\n"
        "for folder in ('..', '/tmp'):\n"
        "    for n in itertools.count():\n"
        "        with open(os.path.join(folder, f'fill{n}'), 'wb') as f:\n"
        "            f.write(block)"))
    _write(nb, folder / "fills_disk.ipynb")
    expected["fills_disk"] = (FULL_MARKS, "No space left on device")

    # Six processes of 1.2 GB each: every one is under the memory limit, together they are far over it.
    # Grading stops there, and 00.1 and 00.2 count.
    nb = _insert_after(_solved(), "00.2", (
        "import os, time\n"
        "for _ in range(6):\n"
        "    if os.fork() == 0:\n"
        "        block = bytearray(1200 * 2**20)\n"
        "        for k in range(0, len(block), 4096):\n"
        "            block[k] = 1\n"
        "        time.sleep(60)\n"
        "        os._exit(0)\n"
        "time.sleep(8)"))
    _write(nb, folder / "forks_memory.ipynb")
    expected["forks_memory"] = (4.0, "its processes together held more than the memory limit")

    # Kills its grading runner (the kernel's parent) after 00.2: 00.1 and 00.2 count.
    nb = _insert_after(_solved(), "00.2", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    _write(nb, folder / "kills_runner.ipynb")
    expected["kills_runner"] = (4.0, "the notebook stopped its grading runner (killed by signal 9")

    nb = _insert_after(_solved(), "00.1", f"import os\nos.remove({str(canary)!r})")
    _write(nb, folder / "deletes_files.ipynb")
    expected["deletes_files"] = (FULL_MARKS, "FileNotFoundError")

    nb = _insert_after(_solved(), "00.1", "open('../../outside.txt', 'w').write('was here')")
    _write(nb, folder / "writes_outside.ipynb")
    expected["writes_outside"] = (FULL_MARKS, None)  # refused, or written into the sandbox's own throwaway root

    # A spreadsheet formula as the student id and Markdown and HTML in an error message.
    nb = _insert_after(_solved(), "00.1", "raise ValueError('=1+2 <img src=x onerror=alert(1)> [click](http://x)')")
    _write(nb, folder / "=HYPERLINK(1).ipynb")
    expected["=HYPERLINK(1)"] = (FULL_MARKS, "raised ValueError: \"=1+2")

    # An old helper package shipped beside the notebook, whose check() praises
    # everything and records nothing: the answers are read from the notebook's
    # variables. 00.1 is wrong, and 00.4 fails because the old package has no
    # data module for the cell's `from russia_china.data import manifest`; the extraction 00.7 is
    # graded from its variable although its passage cell fails (no citations module): 15 - 2 - 2.
    package = folder / "old_helpers" / "russia_china"
    (package / "exercises").mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "0.0.1"\n', encoding="utf-8")
    (package / "exercises" / "__init__.py").write_text(
        "answers = {}\n\ndef check(exercise_id, answer=...):\n"
        "    answers[exercise_id] = answer\n    return 'public checks passed'\n", encoding="utf-8")
    nb = _solved()
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import sys\nsys.path.insert(0, '.')\n"
        "for name in [m for m in sys.modules if m.startswith('russia_china')]:\n    del sys.modules[name]\n"
        "from russia_china.exercises import answers, check"))
    _insert_after(nb, "00.1", 'gap_2024 = 0.5\ncheck("00.1", gap_2024)')
    _write(nb, folder / "old_helpers" / "exercises.ipynb")
    expected["old_helpers"] = (11.0, "check() recorded no answer; graded the variable gap_2024")
    return expected


def entries_to_skip(folder: Path) -> dict[str, str]:
    """Entries that are not graded, and a phrase of the reason skipped.csv gives."""
    _write(_solved(), folder / ".hidden.ipynb")
    (folder / "link.ipynb").symlink_to(folder / "perfect.ipynb")
    (folder / "not_a_notebook.pdf").write_bytes(b"%PDF-1.4 a scanned essay")
    return {".hidden.ipynb": "hidden or temporary name", "link.ipynb": "symbolic link",
            "not_a_notebook.pdf": "not a Jupyter notebook (.pdf)", "twice.ipynb": "a second entry for student twice"}


def build_class(folder: Path, canary: Path) -> dict[str, tuple[float, str | None]]:
    """Write the submissions; return student -> (expected score, a phrase its comments must contain)."""
    return {**honest_students(folder), **cheats(folder, canary)}


def folder_fingerprint(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
