"""The `russia-china` command: course maintenance from one entry point."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .paths import REPO_ROOT


def _environment(args: argparse.Namespace) -> int:
    from .tools import environment

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


def _bench(args: argparse.Namespace) -> int:
    import json

    from tqdm import tqdm

    from .tools import bench

    rows = bench.bench_widgets(args.changes, progress=tqdm)
    print(f"{'widget':<28}{'changes':>8}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for row in rows:
        print(f"{row['widget']:<28}{row['changes']:>8}{row['median_ms']:>11}{row['p95_ms']:>9}{row['max_ms']:>9}")
    if args.json:
        Path(args.json).write_text(json.dumps({"widgets": rows}, indent=2) + "\n", encoding="utf-8")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="russia-china", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    env = commands.add_parser("environment", help="write environment.yml from pyproject.toml")
    env.add_argument("--check", action="store_true", help="fail if environment.yml is out of date")
    env.add_argument("--output", default=str(REPO_ROOT / "environment.yml"))
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

    bench = commands.add_parser("bench", help="measure widget redraw times (not a test)")
    bench.add_argument("--changes", type=int, default=30, help="control changes per widget (default 30)")
    bench.add_argument("--json", help="also write the raw numbers to this file")
    bench.set_defaults(run=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
