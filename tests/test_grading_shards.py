"""`grade --shard k/N` and `grade merge`: a class graded in shards and merged is,
file for file, what one run over the class writes."""

from __future__ import annotations

import json
import shutil

import pytest
from submission_fixtures import entries_to_skip, honest_students
from test_grading import needs_bubblewrap

from russia_china.cli import main
from russia_china.grading.shards import SHARD_FILE, Shard, ShardError, read_shards

#: A small class of differing outcomes: full marks, part marks, nothing answered, a broken cell, two notebooks,
#: a name a spreadsheet would run as a formula; plus entries that are skipped with their reasons.
CLASS = ["perfect", "partial", "blank", "syntax_error", "two_notebooks", "other_forms"]


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != SHARD_FILE}


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("sharded")
    every = root / "every"
    every.mkdir()
    honest_students(every)
    folder = root / "class"
    folder.mkdir()
    for name in CLASS:
        source = every / name if (every / name).is_dir() else every / f"{name}.ipynb"
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, folder / source.name)
    shutil.copy2(every / "perfect.ipynb", folder / "=HYPERLINK(1).ipynb")
    entries_to_skip(folder)
    return folder


@needs_bubblewrap
def test_two_shards_merged_equal_one_run(small_class, tmp_path, capsys):
    base = ["--assignment", "00", "--cell-timeout", "20", "--due", "2026-12-01"]
    assert main(["grade", str(small_class), "--output", str(tmp_path / "whole"), "--workers", "2", *base]) == 0
    for k in (1, 2):
        assert main(["grade", str(small_class), "--output", str(tmp_path / f"shard{k}"), "--workers", "1",
                     "--shard", f"{k}/2", *base]) == 0
    shard_ids = [[r["student_id"] for r in json.loads(
        next((tmp_path / f"shard{k}").glob(f"*/{SHARD_FILE}")).read_text())["results"]] for k in (1, 2)]
    assert shard_ids[0] and shard_ids[1] and not set(shard_ids[0]) & set(shard_ids[1])
    capsys.readouterr()
    assert main(["grade", "merge", str(tmp_path / "shard2"), str(tmp_path / "shard1"),
                 "--output", str(tmp_path / "merged")]) == 0
    whole, merged = _files(tmp_path / "whole"), _files(tmp_path / "merged")
    assert sorted(merged) == sorted(whole)
    assert len([name for name in whole if "/feedback/" in name]) == len(CLASS) + 1
    for name, content in whole.items():
        assert merged[name] == content, name
    assert "merged 2 shard(s): 7 submission(s), 3 skipped" in capsys.readouterr().out


def test_a_shard_is_written_k_slash_n():
    assert Shard.parse(" 2/3 ") == Shard(2, 3)
    for wrong in ("0/2", "3/2", "1-2", "two/3", ""):
        with pytest.raises(ShardError):
            Shard.parse(wrong)


def test_shares_are_deterministic_disjoint_and_cover_the_class():
    from pathlib import Path

    from russia_china.grading.submissions import Submission

    people = [Submission(name, Path(name), None) for name in ["e", "a", "d", "b", "c"]]
    shares = [[s.student_id for s in Shard(k, 3).take(people)] for k in (1, 2, 3)]
    assert shares == [["a", "d"], ["b", "e"], ["c"]]
    assert sorted(s for share in shares for s in share) == sorted(p.student_id for p in people)


def _record(folder, k: int, n: int, graded: list[str], class_ids: list[str], assignment: str = "00_x") -> None:
    result = {"student_id": "", "timestamp": "t", "outcome": "zero", "reason": "empty", "exercises": [],
              "cell_errors": [], "flags": [], "notes": [], "sandboxed": True, "ran_out_of_time": False,
              "peak_kernel_mb": None}
    (folder / assignment).mkdir(parents=True)
    (folder / assignment / SHARD_FILE).write_text(json.dumps({
        "assignment": assignment, "shard": [k, n], "class": class_ids, "duedate": "", "skipped": [], "roster": {},
        "results": [{**result, "student_id": s} for s in graded]}), encoding="utf-8")


def test_merge_refuses_shards_that_are_not_one_class_cut_in_n(tmp_path):
    _record(tmp_path / "a", 1, 2, ["ann"], ["ann", "bob"])
    _record(tmp_path / "b", 2, 2, ["bob"], ["ann", "bob"])
    _record(tmp_path / "c", 1, 2, ["ann"], ["ann", "bob"])
    _record(tmp_path / "d", 2, 2, ["bob"], ["ann", "bob", "cat"])
    _record(tmp_path / "e", 2, 3, ["bob"], ["ann", "bob"])
    assert [g.student_id for g in read_shards([tmp_path / "b", tmp_path / "a"]).results] == ["ann", "bob"]
    with pytest.raises(ShardError, match="shard\\(s\\) 2/2 missing"):
        read_shards([tmp_path / "a"])
    with pytest.raises(ShardError, match="shard 1/2 is given twice"):
        read_shards([tmp_path / "a", tmp_path / "c", tmp_path / "b"])
    with pytest.raises(ShardError, match="differ in class"):
        read_shards([tmp_path / "a", tmp_path / "d"])
    with pytest.raises(ShardError, match=r"is shard 2/3, but .* is one of 2"):
        read_shards([tmp_path / "a", tmp_path / "e"])
    with pytest.raises(ShardError, match=r"expected one shard\.json"):
        read_shards([tmp_path])


def test_a_tampered_result_in_a_shard_file_is_refused(tmp_path):
    _record(tmp_path / "a", 1, 1, ["ann"], ["ann"])
    path = tmp_path / "a" / "00_x" / SHARD_FILE
    record = json.loads(path.read_text())
    record["results"][0]["sandboxed"] = "yes"
    path.write_text(json.dumps(record))
    with pytest.raises(ShardError, match="field sandboxed has the wrong type"):
        read_shards([tmp_path / "a"])


def test_merge_without_folders_says_how(capsys):
    assert main(["grade", "merge"]) == 2
    assert "grade merge needs the shards' output folders" in capsys.readouterr().err


def test_the_kubernetes_example_runs_one_shard_per_index_and_merges_them_all():
    import yaml

    from russia_china.paths import REPO_ROOT

    text = (REPO_ROOT / "docs" / "kubernetes-grading-job.yaml").read_text(encoding="utf-8")
    job = yaml.safe_load(text)
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
    count = spec["completions"]
    command = " ".join(spec["template"]["spec"]["containers"][0]["args"])
    assert f"--shard $((JOB_COMPLETION_INDEX + 1))/{count}" in command
    merged = " ".join(f"/shards/shard-{k}" for k in range(1, count + 1))
    assert f"russia-china grade merge {merged}" in text
