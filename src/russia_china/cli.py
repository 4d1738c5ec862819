"""The `russia-china` command: course maintenance from one entry point."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .paths import REPO_ROOT


def _environment(args: argparse.Namespace) -> int:
    from .tools import environment

    if args.colab:
        colab = REPO_ROOT / "colab" / "requirements.txt"
        colab.write_text(environment.colab_requirements(), encoding="utf-8")
        print(f"wrote {colab}")
        return 0
    target = Path(args.output)
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != environment.render():
            print(f"{target} is out of date with pyproject.toml; run `make environment.yml`", file=sys.stderr)
            return 1
        print(f"{target} matches pyproject.toml")
        return 0
    environment.write(target)
    print(f"wrote {target}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .data import DataFileError, list_datasets, load

    failures = 0
    for name in args.names or list_datasets():
        try:
            frame = load(name)
        except DataFileError as error:
            failures += 1
            print(error, file=sys.stderr)
        else:
            print(f"ok  {name}: {len(frame)} rows")
    return 1 if failures else 0


def _notebooks(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .tools import notebooks

    paths = [Path(p) for p in args.paths] or sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
    if args.check:
        noisy = {p: notebooks.noisy_cells(p) for p in paths}
        for path, problems in noisy.items():
            for problem in problems:
                print(f"{path}: {problem}", file=sys.stderr)
        return 1 if any(noisy.values()) else 0
    for path in tqdm(paths, desc="executing notebooks", unit="notebook"):
        notebooks.refresh(path)
    return 0


def _timing(args: argparse.Namespace) -> int:
    from .tools import timing

    short = 0
    print(f"{'lesson':<26} {'teaching: stated / read-through':<34} exercises: stated / read-through")
    for row in timing.report(REPO_ROOT):
        parts = " + ".join(f"{s}/{e}" for s, e in zip(row["stated_parts"], row["parts"]))
        print(f"{row['lesson']:<26} {parts:<34} {row['stated_exercises']}/{row['exercises']}")
        short += sum(s < e for s, e in zip(row["stated_parts"], row["parts"]))
        short += len(row["stated_parts"]) != len(row["parts"])
        short += row["exercises"] is not None and row["stated_exercises"] < row["exercises"]
    if short:
        print(f"{short} stated time(s) shorter than the read-through; see src/russia_china/tools/timing.py",
              file=sys.stderr)
    return 1 if short else 0


def _bench(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .tools import bench_report

    def run_widgets():
        from .tools.bench import bench_widgets
        return bench_widgets(args.changes, progress=tqdm)

    def run_browser():
        from .tools.bench_browser import bench_browser
        return bench_browser(args.changes, only=args.charts.split(",") if args.charts else None, progress=tqdm)

    def run_suite():
        from .tools.bench_suite import bench_suite
        return bench_suite()

    def run_setup():
        from .tools.bench_setup import bench_setup
        return bench_setup()

    def run_grading():
        from .tools.bench_grading import bench_grading
        return bench_grading(args.submissions, [1, 2])

    def run_shards():
        from .tools.bench_grading import bench_shards
        return bench_shards(args.submissions, shards=2, workers=2)

    runners = {"widgets": run_widgets, "browser": run_browser, "suite": run_suite, "setup": run_setup,
               "grading": run_grading, "shards": run_shards}
    parts = args.only.split(",")
    unknown = set(parts) - set(runners)
    if unknown:
        print(f"error: unknown benchmark part(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results: dict = {}
    started = time.perf_counter()
    for part, run in runners.items():  # always in this order, whatever the order asked for
        if part in parts:
            results[part] = run()
            print(bench_report.lines(part, results[part], {**bench_report.stored(), **results}) + "\n")
    results["bench_seconds"] = round(time.perf_counter() - started)
    print(f"the benchmark took {results['bench_seconds']} s")
    if not args.no_record:
        markdown, raw = bench_report.record(results)
        print(f"recorded in {markdown} and {raw}")
    return 0


def _exercises(args: argparse.Namespace) -> int:
    from .tools import answer_key, release

    solutions, exercises = Path(args.solutions), Path(args.output)
    try:
        written = release.release(solutions, exercises)
    except release.MarkerError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} student notebook(s) to {exercises}")
    if not args.skip_key:
        key = answer_key.build_key(solutions)
        path = answer_key.write_key(key, Path(args.key)) if args.key else answer_key.write_key(key)
        print(f"wrote the answer key for {len(key['exercises'])} exercises to {path}")
    return 0


def _merge(args: argparse.Namespace) -> int:
    from .grading import grader
    from .grading.shards import ShardError

    if not args.shards:
        print("error: grade merge needs the shards' output folders: russia-china grade merge DIR DIR ... "
              "--output grades/", file=sys.stderr)
        return 2
    try:
        outputs = grader.merge_shards([Path(f) for f in args.shards], Path(args.solutions), Path(args.output))
    except (ShardError, FileNotFoundError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"merged {len(args.shards)} shard(s): {len(outputs.results)} submission(s), "
          f"{len(outputs.skipped_entries)} skipped\ngradebook: {outputs.gradebook}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from collections import Counter

    from .grading import grader
    from .grading.deadline import parse_due
    from .grading.shards import Shard, ShardError

    if args.submissions == "merge":
        return _merge(args)
    if args.shards:
        print(f"error: unexpected arguments {' '.join(args.shards)} (one class folder is graded at a time)",
              file=sys.stderr)
        return 2
    limits = grader.Limits(cell_timeout=args.cell_timeout, submission_timeout=args.submission_timeout,
                           memory_mb=args.memory_mb, notebook_mb=args.max_notebook_mb)
    try:
        class_grader = grader.ClassGrader(Path(args.solutions), Path(args.submissions), Path(args.output),
                                          args.assignment, limits, unsandboxed=args.unsandboxed)
        parse_due(args.due)  # a due date the gradebook cannot read stops here, before any grading
        shard = Shard.parse(args.shard) if args.shard else None
        outputs = class_grader.grade(args.workers, Path(args.roster) if args.roster else None, args.due,
                                     shard=shard)
    except (ShardError, ValueError, FileNotFoundError, RuntimeError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    plan = class_grader.plan
    failures = [g for g in outputs.results if g.outcome == "error"]
    zeros = [g for g in outputs.results if g.outcome == "zero"]
    stopped = [g for g in outputs.results if g.stopped_because]
    flagged = [g for g in outputs.results if g.flagged]
    print(f"graded {len(outputs.results) - len(failures)} submission(s) for {plan.name} "
          f"({'UNSANDBOXED: student code ran with your permissions' if class_grader.unsandboxed else 'sandboxed'})")
    print(f"  scored 0 (unreadable): {len(zeros)}; stopped early (answers until then count): {len(stopped)}; "
          f"flagged for review: {len(flagged)}")
    kinds = Counter(entry.kind for entry in outputs.skipped_entries)
    print(f"  skipped: {len(outputs.skipped_entries)}" + "".join(f"; {kind}: {n}" for kind, n in kinds.items())
          + (f" (see {outputs.skipped})" if outputs.skipped_entries else ""))
    for graded in zeros + stopped:
        print(f"  {graded.student_id}: {graded.zeroed_because or graded.stopped_because}")
    print(f"gradebook: {outputs.gradebook}\nfeedback:  {outputs.feedback[0].parent if outputs.feedback else '-'}"
          f"\nwritten answers to grade by hand: {outputs.written_answers}")
    for graded in failures:
        print(f"error grading {graded.student_id}: {graded.reason}", file=sys.stderr)
    return 1 if failures else 0


def _collect(args: argparse.Namespace) -> int:
    from .grading.collect import collect
    from .grading.deadline import parse_due
    from .grading.homes import hub_users
    from .grading.plan import load_plans

    try:
        plans = load_plans(Path(args.solutions))
        matches = [name for name in plans if name.startswith(args.assignment)]
        if len(matches) != 1:
            raise ValueError(f"no single assignment matches {args.assignment!r}; the assignments are "
                             f"{', '.join(plans)}")
        students = hub_users(Path(args.roster)) if args.roster else None
        output = Path(args.output or REPO_ROOT / "submitted" / matches[0])
        rows = collect(Path(args.homes), matches[0], output, course_folder=args.course_folder,
                       due=parse_due(args.due), students=students)
    except (ValueError, FileNotFoundError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    counts = {status: sum(r.status == status for r in rows) for status in ("collected", "missing", "refused")}
    late = [r for r in rows if r.late_by]
    print(f"collected {counts['collected']} of {len(rows)} student(s) into {output}; missing {counts['missing']}, "
          f"refused {counts['refused']}, late {len(late)} (see {output.parent / (output.name + '-collected.csv')})")
    for row in rows:
        if row.status == "refused" or row.late_by:
            print(f"  {row.student_id}: {row.detail if row.status == 'refused' else 'late by ' + row.late_by}")
    return 0


def _return(args: argparse.Namespace) -> int:
    from .grading.handback import return_feedback
    from .grading.homes import hub_users

    grades = Path(args.grades)
    try:
        folders = [f for f in sorted(grades.iterdir()) if f.is_dir() and f.name.startswith(args.assignment)]
        if len(folders) != 1:
            raise ValueError(f"no single graded assignment in {grades} matches {args.assignment!r}")
        students = hub_users(Path(args.roster)) if args.roster else None
        rows = return_feedback(folders[0], Path(args.homes), course_folder=args.course_folder, students=students)
    except (ValueError, FileNotFoundError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    returned = sum(r.status == "returned" for r in rows)
    print(f"returned {returned} of {len(rows)} feedback file(s) for {folders[0].name} into the students' homes")
    for row in rows:
        if row.status != "returned":
            print(f"  {row.student_id}: {row.status}: {row.detail}")
    return 0 if returned == len(rows) else 1


def _student_copy(args: argparse.Namespace) -> int:
    from .tools.student_copy import StudentCopyError, student_copy

    try:
        target = student_copy(REPO_ROOT, Path(args.output), args.revision, repository=args.repository)
    except StudentCopyError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"wrote the students' copy of {args.revision} to {target} (a git repository, branch main, without "
          "solutions/ and instructor_notes/): push it where your class link points")
    return 0


def _rehearsal(args: argparse.Namespace) -> int:
    from .tools import rehearsal

    report = rehearsal.run(keep=Path(args.keep) if args.keep else None)
    print(rehearsal.summary(report))
    return 0


def _export(args: argparse.Namespace) -> int:
    from .grading import lms
    from .grading.plan import load_plans
    from .grading.submissions import load_roster

    grades = Path(args.grades)
    try:
        plans = load_plans(Path(args.solutions))
        chosen = [name for name in plans if not args.assignment or any(name.startswith(a) for a in args.assignment)]
        books = [(plans[name], grades / name / "gradebook.csv") for name in chosen]
        found = [(plan, path) for plan, path in books if path.exists()]
        if not found:
            raise lms.ExportError(f"no gradebook under {grades} for {', '.join(chosen) or 'any assignment'}; "
                                  "run `russia-china grade` first")
        canvas_ids = dict(item.split("=", 1) for item in args.canvas_id)
        marks = [lms.read_gradebook(path, plan) for plan, path in found]
        roster = load_roster(Path(args.roster))
        output = Path(args.output or grades / f"{args.format}.csv")
        lms.write_export(output, args.format, marks, roster, partial=args.partial, missing=args.missing,
                         moodle_key=args.moodle_key, canvas_ids=canvas_ids)
    except (lms.ExportError, ValueError, FileNotFoundError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    absent = {m.name: sum(s not in m.scores for s in roster) for m in marks}
    print(f"wrote {output}: {len(roster)} student(s), {len(marks)} assignment(s) "
          f"({', '.join(m.name for m in marks)}) for {args.format.capitalize()}")
    for name, count in absent.items():
        if count:
            print(f"  {name}: {count} student(s) on the roster handed nothing in: "
                  + ("0 points" if args.missing == "zero" else "left blank, so the LMS keeps what it has"))
    if args.partial and any(m.pending for m in marks):
        print("  --partial: written answers not yet graded count 0 in these totals")
    return 0


def _site(args: argparse.Namespace) -> int:
    from .site import SiteError
    from .site.build import build_site

    try:
        written = build_site(Path(args.output), jobs=args.jobs)
    except SiteError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} pages to {args.output}; open {Path(args.output) / 'index.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="russia-china", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    env = commands.add_parser("environment", help="write environment.yml from pyproject.toml")
    env.add_argument("--check", action="store_true", help="fail if environment.yml is out of date")
    env.add_argument("--output", default=str(REPO_ROOT / "environment.yml"))
    env.add_argument("--colab", action="store_true", help="write colab/requirements.txt instead (make binder)")
    env.set_defaults(run=_environment)

    validate = commands.add_parser("validate", help="validate data files against their manifests")
    validate.add_argument("names", nargs="*", help="datasets to check (default: all)")
    validate.set_defaults(run=_validate)
    nbs = commands.add_parser(
        "notebooks", help="execute notebooks and keep only the outputs nbval checks"
    )
    nbs.add_argument("paths", nargs="*", help="notebooks (default: notebooks/*.ipynb)")
    nbs.add_argument("--check", action="store_true", help="only report noisy outputs")
    nbs.set_defaults(run=_notebooks)
    exercises = commands.add_parser("exercises", help="generate exercises/ and the answer key from solutions/")
    exercises.add_argument("--solutions", default=str(REPO_ROOT / "solutions"))
    exercises.add_argument("--output", default=str(REPO_ROOT / "exercises"))
    exercises.add_argument("--skip-key", action="store_true", help="only write the student notebooks")
    exercises.add_argument("--key", help="write the answer key here instead of into the package (for drafts)")
    exercises.set_defaults(run=_exercises)

    copy = commands.add_parser("student-copy", help="write the students' copy of the course (no solutions, no "
                                                   "instructor notes) as a git repository for the class link")
    copy.add_argument("--output", required=True, help="a new, empty folder")
    copy.add_argument("--revision", default="HEAD", help="the commit to copy (default HEAD: what is committed)")
    copy.add_argument("--repository", help="owner/name of the GitHub repository you will push the copy to: each "
                                           "lesson and exercise then starts with an 'Open in Colab' link and the "
                                           "cell that sets Colab up")
    copy.set_defaults(run=_student_copy)

    rehearsal = commands.add_parser("rehearsal", help="one teaching week on a real JupyterHub on 127.0.0.1: "
                                                      "distribute, work, collect, grade, return, export")
    rehearsal.add_argument("--keep", help="copy the hub's folder (homes, grades, exports) here afterwards")
    rehearsal.set_defaults(run=_rehearsal)

    timing_cmd = commands.add_parser("timing", help="stated lesson times against a read-through estimate")
    timing_cmd.set_defaults(run=_timing)

    bench = commands.add_parser("bench", help="measure what users feel: widgets (in the kernel and in the browser), "
                                              "suite, setup, grading (not a test)")
    bench.add_argument("--only", default="widgets,browser,suite,setup,grading,shards",
                       help="comma-separated parts to run (default: all six)")
    bench.add_argument("--changes", type=int, default=30, help="control changes per widget (default 30)")
    bench.add_argument("--charts", default="", help="browser part: only these charts, e.g. 00:series_gallery")
    bench.add_argument("--submissions", type=int, default=50, help="generated class size for grading (default 50)")
    bench.add_argument("--no-record", action="store_true", help="print only; leave docs/performance.* alone")
    bench.set_defaults(run=_bench)

    site = commands.add_parser("site", help="build the offline course website (lessons and exercises, no solutions)")
    site.add_argument("--output", default=str(REPO_ROOT / "_site"))
    site.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    site.set_defaults(run=_site)

    grade = commands.add_parser("grade", help="grade a folder of submitted exercise notebooks into a gradebook")
    grade.add_argument("submissions", help="folder with one notebook or sub-folder per student; or `merge`, "
                                           "then the shards' output folders, to combine `--shard` runs")
    grade.add_argument("shards", nargs="*", help=argparse.SUPPRESS)
    grade.add_argument("--shard", metavar="k/N",
                       help="grade only the k-th of N deterministic shares of the class (merge them with "
                            "`russia-china grade merge`)")
    grade.add_argument("--assignment", help="e.g. 02 or 02_economics_exercises (default: guessed from the notebooks)")
    grade.add_argument("--solutions", default=str(REPO_ROOT / "solutions"))
    grade.add_argument("--output", default=str(REPO_ROOT / "grades"), help="gradebook folder (default grades/)")
    grade.add_argument("--workers", type=int, help="submissions graded at once (default: one per core)")
    grade.add_argument("--roster", help="CSV with student_id, first_name, last_name, email")
    grade.add_argument("--due", default="", help="due date (2026-12-08, meaning the end of that day in UTC, or "
                                                 "2026-12-08T17:00+01:00): copied into the gradebook's duedate "
                                                 "column, and later submissions are marked late")
    grade.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    grade.add_argument("--submission-timeout", type=int, default=600, help="seconds per submission (default 600)")
    grade.add_argument("--memory-mb", type=int, default=3072, help="memory limit per submission (default 3072)")
    grade.add_argument("--max-notebook-mb", type=int, default=5,
                       help="largest notebook once its stored outputs are dropped (default 5)")
    grade.add_argument("--unsandboxed", action="store_true",
                       help="grade without an OS sandbox (no bubblewrap): student code can then read everything "
                            "you can; every row is marked in the gradebook")
    grade.set_defaults(run=_grade)

    collect = commands.add_parser("collect", help="gather each student's exercise notebook from the hub's home "
                                                  "folders into a class folder for grading")
    collect.add_argument("--homes", required=True, help="folder holding one home folder per hub user")
    collect.add_argument("--assignment", required=True, help="e.g. 02 or 02_economics_exercises")
    collect.add_argument("--course-folder", default="russia-china-course",
                         help="where the nbgitpuller link put the course in each home (default russia-china-course)")
    collect.add_argument("--output", help="class folder to fill (default submitted/<assignment>)")
    collect.add_argument("--due", default="", help="due date: notebooks changed after it are marked late")
    collect.add_argument("--roster", help="collect only the roster's students; its hub_user column gives the home "
                                          "folder's name where it differs from student_id")
    collect.add_argument("--solutions", default=str(REPO_ROOT / "solutions"))
    collect.set_defaults(run=_collect)

    give_back = commands.add_parser("return", help="put each student's feedback file into their home on the hub")
    give_back.add_argument("--homes", required=True, help="folder holding one home folder per hub user")
    give_back.add_argument("--assignment", required=True, help="e.g. 02 or 02_economics_exercises")
    give_back.add_argument("--grades", default=str(REPO_ROOT / "grades"), help="gradebook folder (default grades/)")
    give_back.add_argument("--course-folder", default="russia-china-course",
                           help="the course's folder in each home; feedback goes to its feedback/ folder")
    give_back.add_argument("--roster", help="its hub_user column names the home where it differs from student_id")
    give_back.set_defaults(run=_return)

    export = commands.add_parser("export", help="write the gradebooks as the CSV Canvas or Moodle imports")
    export.add_argument("--format", required=True, choices=["canvas", "moodle"])
    export.add_argument("--roster", required=True,
                        help="CSV: student_id, first_name, last_name, email; for Canvas canvas_id and/or sis_user_id, "
                             "sis_login_id, section; for Moodle id_number (with --moodle-key idnumber)")
    export.add_argument("--grades", default=str(REPO_ROOT / "grades"), help="folder of gradebooks (default grades/)")
    export.add_argument("--solutions", default=str(REPO_ROOT / "solutions"))
    export.add_argument("--assignment", action="append", default=[],
                        help="only this assignment (e.g. 02); repeat for several (default: every gradebook)")
    export.add_argument("--output", help="file to write (default grades/canvas.csv or grades/moodle.csv)")
    export.add_argument("--missing", choices=["blank", "zero"], default="blank",
                        help="a student with no submission: blank (the LMS keeps its value) or 0 (default blank)")
    export.add_argument("--partial", action="store_true",
                        help="export although written answers are not graded yet (they count 0)")
    export.add_argument("--moodle-key", choices=["email", "idnumber"], default="email",
                        help="how Moodle finds the student: Email address or ID number (default email)")
    export.add_argument("--canvas-id", action="append", default=[], metavar="ASSIGNMENT=ID",
                        help="the Canvas assignment id of an assignment that exists there already, so the import "
                             "updates it instead of making a new one; repeat for several")
    export.set_defaults(run=_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
