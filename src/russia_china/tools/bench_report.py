"""Print the benchmark as tables and record it in docs/performance.md and docs/performance.json."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
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
             f"{_mark(suite['ratio_to_floor'] <= 1.5)}).", "",
             "| notebook | seconds (sum of its cells) |", "|---|---:|"]
    lines += [f"| {name} | {seconds} |" for name, seconds in suite["per_notebook_s"].items()]
    return lines


def setup_lines(setup: dict) -> list[str]:
    return [f"`make install` on a fresh clone: **{setup['cold_cache_s']} s** with a cold package cache, "
            f"**{setup['warm_cache_s']} s** with a warm one (goal {GOALS['setup']}: "
            f"{_mark(setup['cold_cache_s'] < 90)})."]


def grading_lines(rows: list[dict]) -> list[str]:
    lines = ["| submissions | workers | seconds | per minute | peak kernel MB | failed |",
             "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['submissions']} | {row['workers']} | {row['seconds']} | "
                     f"{60 * row['submissions'] / row['seconds']:.1f} | {row['peak_kernel_mb']} | {row['failed']} |")
    by_workers = {row["workers"]: row["seconds"] for row in rows}
    if 1 in by_workers and 2 in by_workers:
        speedup = by_workers[1] / by_workers[2]
        sandbox = "bubblewrap" if rows[0]["bubblewrap"] else "audit hook only"
        lines += ["", f"Speed-up with 2 workers: **{speedup:.2f} ×** (goal {GOALS['grading']}: "
                      f"{_mark(speedup >= 1.7)}). Sandbox: {sandbox}."]
    return lines


def shard_lines(result: dict) -> list[str]:
    machines = max(result["shard_s"]) + result["merge_s"]
    return [f"{result['submissions']} submissions, {result['workers']} workers per run, on this machine:", "",
            "| run | seconds |", "|---|---:|", f"| one run (1 shard) | {result['one_run_s']} |",
            *[f"| shard {i}/{result['shards']} | {s} |" for i, s in enumerate(result["shard_s"], start=1)],
            f"| merge | {result['merge_s']} |", "",
            f"On {result['shards']} machines like this one the class takes the slowest shard plus the merge: "
            f"**{machines:.1f} s** against {result['one_run_s']} s in one run. The merged files equal the one "
            f"run's: **{'yes' if result['merged_equals_one_run'] else 'NO'}**."]


#: Every browser row carries these, each a positive number (or None where a part could not be split off).
BROWSER_TIMES = ("median_ms", "p95_ms", "max_ms", "swap_median_ms", "decode_median_ms", "kernel_median_ms",
                 "kernel_p95_ms", "png_median_ms", "encode_median_ms", "message_kb", "transfer_median_ms")


def validate_browser_row(row: dict) -> dict:
    """A row of the browser benchmark, checked before it is recorded: a chart, ≥ 1 change, sane times."""
    missing = {"widget", "changes", *BROWSER_TIMES} - set(row)
    if missing:
        raise ValueError(f"browser row {row.get('widget', '?')} lacks {', '.join(sorted(missing))}")
    if row["changes"] < 1 or row["median_ms"] is None or row["p95_ms"] is None:
        raise ValueError(f"browser row {row['widget']}: no change was timed")
    if not 0 < row["median_ms"] <= row["p95_ms"] <= row["max_ms"]:
        raise ValueError(f"browser row {row['widget']}: median, p95 and max out of order")
    negative = [key for key in BROWSER_TIMES[3:] if key != "transfer_median_ms"
                and row[key] is not None and row[key] < 0]
    if negative:
        raise ValueError(f"browser row {row['widget']}: negative {', '.join(negative)}")
    return row


def _cell(value) -> str:
    return "–" if value is None else f"{value:g}"


def browser_lines(browser: dict, kernel_rows: list[dict] | None = None, before: dict | None = None) -> list[str]:
    """Per chart: browser median and p95 against the goal, the in-kernel figures beside them, the
    figures before this round's work, and then the parts of the time."""
    kernel = {row["widget"]: row for row in kernel_rows or []}
    earlier = {row["widget"]: row for row in (before or {}).get("rows", [])}
    rows = [validate_browser_row(row) for row in browser["rows"]]
    lines = [f"Commit {browser.get('commit', '?')}; load average (1, 5, 15 min) {browser.get('load_before', '?')} "
             f"at the start, {browser.get('load_after', '?')} at the end; {browser.get('seconds', '?')} s.", ""]
    if before:
        lines += [f"Before: commit {before.get('commit', '?')}, measured {before.get('date', '?')} at load "
                  f"{before.get('load_before', '?')} → {before.get('load_after', '?')}.", ""]
    lines += ["| widget | changes | browser median ms | browser p95 ms | in-kernel median ms | in-kernel p95 ms "
              "| before: browser median / p95 ms | goal |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        ok = row["median_ms"] <= 50 and row["p95_ms"] <= 100
        inside, old = kernel.get(row["widget"], {}), earlier.get(row["widget"])
        then = f"{_cell(old['median_ms'])} / {_cell(old['p95_ms'])}" if old else "–"
        lines.append(f"| {row['widget']} | {row['changes']} | {_cell(row['median_ms'])} | {_cell(row['p95_ms'])} | "
                     f"{_cell(inside.get('median_ms'))} | {_cell(inside.get('p95_ms'))} | {then} | {_mark(ok)} |")
    lines += ["", "Where the time goes (medians, ms, in the same run): the redraw in the lesson's kernel (control "
              "change to image sent), of which the PNG (drawing and encoding) and its encoding alone; the message's "
              "size; the trip (the browser's event to the new <img> in the DOM, minus the kernel's redraw: "
              "websocket both ways, the widget message parsed and set as HTML); and the image's decode.", "",
              "| widget | kernel redraw | kernel p95 | PNG draw + encode | PNG encode | message KB | trip | decode |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['widget']} | {_cell(row['kernel_median_ms'])} | {_cell(row['kernel_p95_ms'])} | "
                     f"{_cell(row['png_median_ms'])} | {_cell(row['encode_median_ms'])} | "
                     f"{_cell(row['message_kb'])} | {_cell(row['transfer_median_ms'])} | "
                     f"{_cell(row['decode_median_ms'])} |")
    return lines


#: Each part of the benchmark: its heading in docs/performance.md and the lines that show its results.
SECTIONS: dict[str, tuple[str, Callable[..., list[str]]]] = {
    "widgets": ("Widget response (control change → finished PNG)", widget_lines),
    "browser": ("Widget response in the browser (control event → new image decoded, JupyterLab in Chromium)",
                browser_lines),
    "suite": ("Test suite: notebook execution against its floor", suite_lines),
    "setup": ("Setup", setup_lines), "grading": ("Grading throughput", grading_lines),
    "shards": ("Grading in shards (`grade --shard k/N`, then `grade merge`)", shard_lines)}


def lines(part: str, result, results: dict | None = None) -> str:
    """One part's results as printed and recorded; the browser part shows the in-kernel and before figures
    from ``results`` beside its own."""
    if part == "browser":
        results = results or {}
        return "\n".join(browser_lines(result, results.get("widgets"), results.get("browser_before")))
    return "\n".join(SECTIONS[part][1](result))


def stored(folder: Path = DOCS) -> dict:
    """The results recorded so far."""
    raw = folder / "performance.json"
    return json.loads(raw.read_text(encoding="utf-8")) if raw.exists() else {}


def report(results: dict) -> str:
    sections = [f"# Performance\n\nMeasured by `make bench` on {results['date']} on {results['machine']} "
                f"({results['cores']} cores) in {results.get('bench_seconds', '?')} s. Raw numbers: "
                "`docs/performance.json`. Timings vary by about ±20 % between runs on this machine."]
    for key, (title, _) in SECTIONS.items():
        if key in results:
            sections.append(f"## {title}\n\n" + lines(key, results[key], results))
    notes = DOCS / "performance-notes.md"  # hand-written: what was tried, what limits a missed goal
    if notes.exists():
        sections.append(notes.read_text(encoding="utf-8").strip())
    return "\n\n".join(sections) + "\n"


def record(results: dict, folder: Path = DOCS) -> tuple[Path, Path]:
    """Merge into earlier results (a partial run keeps the other sections) and write both files."""
    folder.mkdir(exist_ok=True)
    raw = folder / "performance.json"
    earlier = stored(folder)
    merged = {**earlier, **results, "date": date.today().isoformat(), "cores": os.cpu_count(),
              "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"}
    raw.write_text(json.dumps(merged, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown = folder / "performance.md"
    markdown.write_text(report(merged), encoding="utf-8")
    return markdown, raw
