"""Print the benchmark as tables and record it in docs/performance.md and docs/performance.json."""

from __future__ import annotations

import json
import os
import platform
from datetime import date
from pathlib import Path

from ..paths import REPO_ROOT

DOCS = REPO_ROOT / "docs"
GOALS = {
    "widget median": "≤ 50 ms", "widget p95": "≤ 100 ms", "suite": "≤ 1.5 × floor",
    "setup": "< 90 s with a cold cache", "grading": "2 workers ≥ 1.7 × one worker",
}


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def widget_lines(rows: list[dict]) -> list[str]:
    lines = ["| widget | changes | median ms | p95 ms | max ms | goal |", "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        ok = row["median_ms"] <= 50 and row["p95_ms"] <= 100
        lines.append(f"| {row['widget']} | {row['changes']} | {row['median_ms']} | {row['p95_ms']} | "
                     f"{row['max_ms']} | {_mark(ok)} |")
    return lines


def suite_lines(suite: dict) -> list[str]:
    lines = [f"nbval over {suite['notebooks']} notebooks with {suite['workers']} workers: **{suite['wall_s']} s** "
             f"(tests passed: {suite['passed']}). Floor: {suite['kernel_start_and_imports_s']} s to start a kernel "
             f"and import the course's libraries × {suite['notebooks']} notebooks ÷ {suite['workers']} cores = "
             f"{suite['floor_s']} s. Ratio **{suite['ratio_to_floor']} ×** (goal {GOALS['suite']}: "
             f"{_mark(suite['ratio_to_floor'] <= 1.5)}).", "", "| notebook | seconds (sum of its cells) |", "|---|---:|"]
    lines += [f"| {name} | {seconds} |" for name, seconds in suite["per_notebook_s"].items()]
    return lines


def setup_lines(setup: dict) -> list[str]:
    return [f"`make install` on a fresh clone: **{setup['cold_cache_s']} s** with a cold package cache, "
            f"**{setup['warm_cache_s']} s** with a warm one (goal {GOALS['setup']}: "
            f"{_mark(setup['cold_cache_s'] < 90)})."]


def grading_lines(rows: list[dict]) -> list[str]:
    lines = ["| submissions | workers | seconds | per minute | peak kernel MB | failed |", "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['submissions']} | {row['workers']} | {row['seconds']} | "
                     f"{60 * row['submissions'] / row['seconds']:.1f} | {row['peak_kernel_mb']} | {row['failed']} |")
    by_workers = {row["workers"]: row["seconds"] for row in rows}
    if 1 in by_workers and 2 in by_workers:
        speedup = by_workers[1] / by_workers[2]
        lines += ["", f"Speed-up with 2 workers: **{speedup:.2f} ×** (goal {GOALS['grading']}: "
                      f"{_mark(speedup >= 1.7)}). Sandbox: {'bubblewrap' if rows[0]['bubblewrap'] else 'audit hook only'}."]
    return lines


#: Each part of the benchmark: its heading in docs/performance.md and the lines that show its results.
SECTIONS = {"widgets": ("Widget response (control change → finished PNG)", widget_lines),
            "suite": ("Test suite: notebook execution against its floor", suite_lines),
            "setup": ("Setup", setup_lines), "grading": ("Grading throughput", grading_lines)}


def lines(part: str, result) -> str:
    """One part's results as printed and recorded."""
    return "\n".join(SECTIONS[part][1](result))


def report(results: dict) -> str:
    sections = [f"# Performance\n\nMeasured by `make bench` on {results['date']} on {results['machine']} "
                f"({results['cores']} cores) in {results.get('bench_seconds', '?')} s. Raw numbers: "
                "`docs/performance.json`. Timings vary by about ±20 % between runs on this machine."]
    for key, (title, build) in SECTIONS.items():
        if key in results:
            sections.append(f"## {title}\n\n" + lines(key, results[key]))
    notes = DOCS / "performance-notes.md"  # hand-written: what was tried, what limits a missed goal
    if notes.exists():
        sections.append(notes.read_text(encoding="utf-8").strip())
    return "\n\n".join(sections) + "\n"


def record(results: dict, folder: Path = DOCS) -> tuple[Path, Path]:
    """Merge into earlier results (a partial run keeps the other sections) and write both files."""
    folder.mkdir(exist_ok=True)
    raw = folder / "performance.json"
    earlier = json.loads(raw.read_text(encoding="utf-8")) if raw.exists() else {}
    merged = {**earlier, **results, "date": date.today().isoformat(), "cores": os.cpu_count(),
              "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"}
    raw.write_text(json.dumps(merged, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown = folder / "performance.md"
    markdown.write_text(report(merged), encoding="utf-8")
    return markdown, raw
