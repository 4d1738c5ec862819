"""The class rehearsal (`make rehearsal`): one teaching week on a real JupyterHub on
127.0.0.1, with eight students and an instructor, checked step by step.

It needs npm's configurable-http-proxy (`npm ci`, which make test runs) and
bubblewrap for grading; without them it skips here and says why. CI has both,
so there it always runs.
"""

from __future__ import annotations

import os
import shutil

import pytest

from russia_china.tools import hub, rehearsal

CI = bool(os.environ.get("CI"))
pytestmark = pytest.mark.skipif(
    not CI and (not hub.PROXY.exists() or shutil.which("bwrap") is None),
    reason="needs configurable-http-proxy (npm ci) and bubblewrap (apt-get install bubblewrap); CI has both")

#: Automatic points of exercise 00 (15), plus the instructor's points for the written answer 00.6.
FULL, WRITTEN = 15, rehearsal.WRITTEN_POINTS
EXPECTED = {  # student: (automatic points, written points, comment the gradebook must give)
    "ada": (FULL, WRITTEN, ""), "ben": (FULL, WRITTEN, ""),
    "cleo": (FULL - 2, WRITTEN, ""),  # 00.1 answered wrong after the right answer: the last check counts
    "hana": (FULL - 2, WRITTEN, ""),
    "dev": (4, 0, ""),  # only 00.1 and 00.2 answered
    "eli": (0, 0, "no exercise was answered"),
    "fay": (FULL, WRITTEN, "submitted under a minute after the due date (marked, no points taken)"),
    "gus": (FULL - 2, WRITTEN, ""),  # the forged record for 00.1 replaces the right answer and earns nothing
}


@pytest.fixture(scope="module")
def week():
    messages: list[str] = []
    report = rehearsal.run(log=messages.append)
    print(rehearsal.summary(report))
    return report


def test_the_class_is_the_one_listed_here():
    assert sorted(s.name for s in rehearsal.CLASS) == sorted(EXPECTED)


def test_every_step_ran_and_the_hub_was_shut_down(week):
    assert list(week.seconds) == ["start the hub", "distribute and work", "late work", "collect", "grade",
                                  "return feedback", "export", "shut down"]
    assert all(seconds > 0 for seconds in week.seconds.values())
    assert week.stopped_cleanly


def test_each_student_pulled_the_course_by_the_link_without_the_solutions(week):
    assert not week.solutions_pulled
    assert sorted(week.pulled) == sorted(EXPECTED)
    assert all(phases[-1] == "finished" for phases in week.pulled.values())


def test_each_students_server_ran_the_lesson_and_the_exercises_without_error_output(week):
    assert week.lesson_errors == {name: [] for name in EXPECTED}
    assert week.exercise_errors == {name: [] for name in EXPECTED}


def test_every_check_call_showed_its_feedback(week):
    for name, outputs in week.check_outputs.items():
        assert len(outputs) >= 7 and all(o.startswith(("✓", "✗", "✎")) for o in outputs), name
    assert all("not answered yet" in o for o in week.check_outputs["eli"])
    assert any(o.startswith("✗ Exercise 00.1: not yet") for o in week.check_outputs["cleo"])


def test_collected_set_equals_the_class_and_the_late_one_is_marked(week):
    assert sorted(row["student_id"] for row in week.collected) == sorted(EXPECTED)
    assert all(row["status"] == "collected" for row in week.collected)
    late = {row["student_id"]: row["late_by"] for row in week.collected if row["late_by"]}
    assert late == {"fay": "under a minute"}


def test_the_gradebook_has_the_expected_scores_with_their_reasons(week):
    assert "graded 8 submission(s) for 00_introduction_exercises (sandboxed)" in week.grade_output
    assert sorted(week.gradebook) == sorted(EXPECTED)
    for name, (automatic, written, comment) in EXPECTED.items():
        row = week.gradebook[name]
        assert float(row["score"]) == automatic, (name, row["comments"])
        assert float(row["00.6"] or 0) == written, name
        assert row["comments"] == comment, name
        assert row["sandbox"] == "bubblewrap"
    assert "malformed answer record" in week.feedback_written["gus"]


def test_each_feedback_file_landed_in_its_own_home_and_nowhere_else(week):
    # gus turned his feedback folder into a link to ada's course folder: return refuses to follow it.
    assert "gus: refused: gus/russia-china-course/feedback is a symbolic link" in week.returned_output
    assert "returned 7 of 8" in week.returned_output
    landed = [f"{name}/russia-china-course/feedback/00_introduction_exercises.md" for name in EXPECTED if name != "gus"]
    assert week.feedback_files == sorted(landed)
    for name in EXPECTED:
        if name == "gus":
            assert week.feedback_seen[name] == ""
        else:  # what the student opens through their own server is their own feedback
            assert week.feedback_seen[name] == week.feedback_written[name]
            assert f"Student: {name}  " in week.feedback_seen[name]


def test_the_lms_exports_carry_every_students_total(week):
    totals = {name: automatic + written for name, (automatic, written, _) in EXPECTED.items()}
    header, points, *rows = week.canvas
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "00_introduction_exercises"]
    assert points == ["    Points Possible", "", "", "", "", "19"]
    assert {row[3]: float(row[5]) for row in rows} == totals
    header, *rows = week.moodle
    assert header == ["First name", "Last name", "ID number", "Email address", "00_introduction_exercises"]
    assert {row[3].split("@")[0]: float(row[4]) for row in rows} == totals


def _rehearsal_processes() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "russia-china-rehearsal-" in command:
                found.append(command)
    return found


def test_a_step_that_fails_still_shuts_everything_down(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(rehearsal, "CLASS", rehearsal.CLASS[:1])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def fails(*_args):
        raise RuntimeError("a student's server broke mid-lesson")

    monkeypatch.setattr(rehearsal, "_student_week", fails)
    with pytest.raises(RuntimeError, match="broke mid-lesson"):
        rehearsal.run(log=lambda _message: None)
    assert _rehearsal_processes() == []
    assert list(tmp_path.iterdir()) == []  # the hub's folder, homes and all, is gone
