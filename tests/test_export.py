"""Tests of `nncourse export`: grades.csv's numbers in the files Canvas, Moodle and spreadsheets import."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from nncourse.grading.export import ExportError, UnmappedStudents, export_assignment, number
from nncourse.grading.report import grades_csv

ASSIGNMENT = "01_forward"
NNCOURSE = Path(sys.executable).parent / "nncourse"
# student id -> (score, max_score), as the grader reports them (float noise included)
SCORES = {"alice": (61.0, 61.0), "bob": (12.5, 61.0), "=evil": (0.1 + 0.2, 61.0)}
# nbgrader's own roster format (`nbgrader db student import`): what the gradebook knows
GRADEBOOK = [
    {"id": "alice", "first_name": "Alice", "last_name": "Ng", "email": "alice@uni.edu", "lms_user_id": "101"},
    {"id": "bob", "first_name": "Bob", "last_name": "=HYPERLINK(\"x\")", "email": "bob@uni.edu", "lms_user_id": ""},
    {"id": "=evil", "first_name": "Eve", "last_name": "Doe", "email": "", "lms_user_id": "103"},
    {"id": "dan", "first_name": "Dan", "last_name": "Ode", "email": "dan@uni.edu", "lms_user_id": "104"},
]


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def nncourse(*args, cwd):
    return subprocess.run([str(NNCOURSE), *args], cwd=cwd, capture_output=True, text=True)


def export(course, fmt, **options):
    """Export in this process (nbgrader, which reads the gradebook, imports slowly); return (rows, warnings)."""
    out, warnings = export_assignment(course, ASSIGNMENT, fmt, **options)
    return read_rows(out), warnings


def report(score, max_score):
    return {"score": score, "tests": [{"max_score": max_score}]}


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """Return a gradebook.db that nbgrader itself filled from its roster format."""
    folder = tmp_path_factory.mktemp("gradebook")
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    (folder / "source").mkdir()
    # nbgrader runs `alembic` by name
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "import",
                           str(write_csv(folder / "students.csv", GRADEBOOK))],
                          cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder / "gradebook.db"


@pytest.fixture
def course(tmp_path, gradebook):
    """Return a course graded as `nncourse grade` leaves it: grades.csv written by the grader's own code."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(gradebook, tmp_path / "gradebook.db")
    graded = tmp_path / "graded" / ASSIGNMENT
    graded.mkdir(parents=True)
    (graded / "grades.csv").write_text(grades_csv([(s, report(*points)) for s, points in SCORES.items()]))
    return tmp_path


@pytest.mark.parametrize(("value", "text"), [
    pytest.param(61.0, "61", id="whole"),
    pytest.param(12.5, "12.5", id="half"),
    pytest.param(0.1 + 0.2, "0.3", id="float-noise"),
    pytest.param(0.0, "0", id="zero"),
    pytest.param(1234.25, "1234.25", id="large"),
])
def test_number_is_written_without_float_noise(value, text):
    assert number(value) == text


def test_export_canvas_writes_canvas_import_layout_when_gradebook_knows_students(course):
    roster = write_csv(course / "roster.csv", [{"student_id": "bob", "sis_login_id": "bob42", "section": "A"}])
    rows, warnings = export(course, "canvas", roster=roster)
    assert rows == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT],
        ["Points Possible", "", "", "", "", "61"],
        ["Ng, Alice", "101", "", "", "", "61"],
        ["'=HYPERLINK(\"x\"), Bob", "", "", "bob42", "A", "12.5"],
        ["Doe, Eve", "103", "", "", "", "0.3"],
    ]
    # in the gradebook but not graded: said, not silently left out
    assert len(warnings) == 1 and warnings[0].endswith("have no row in grades.csv and are not exported: dan")


def test_export_moodle_identifies_students_by_email_or_id_number(course):
    roster = write_csv(course / "roster.csv", [{"student_id": "=evil", "sis_user_id": "S0003"}])
    rows, _ = export(course, "moodle", roster=roster, out=course / "moodle.csv", column="Assignment 1")
    assert rows == [
        ["First name", "Last name", "ID number", "Email address", "Assignment 1"],
        ["Alice", "Ng", "", "alice@uni.edu", "61"],
        ["Bob", "'=HYPERLINK(\"x\")", "", "bob@uni.edu", "12.5"],
        ["Eve", "Doe", "S0003", "", "0.3"],
    ]


def test_export_csv_writes_every_student_with_what_is_known(course):
    rows, _ = export(course, "csv")
    assert rows == [
        ["student_id", "lms_id", "name", "email", "score", "max_score"],
        ["alice", "101", "Alice Ng", "alice@uni.edu", "61", "61"],
        ["bob", "", "Bob =HYPERLINK(\"x\")", "bob@uni.edu", "12.5", "61"],
        ["'=evil", "103", "Eve Doe", "", "0.3", "61"],
    ]


def test_export_roster_cells_override_the_gradebook(course):
    roster = write_csv(course / "roster.csv", [{"id": "alice", "email": "", "lms_user_id": "999"}])
    rows, _ = export(course, "csv", roster=roster)
    assert rows[1] == ["alice", "999", "Alice Ng", "alice@uni.edu", "61", "61"]  # an empty cell keeps the gradebook's


@pytest.mark.parametrize(("fmt", "missing"), [pytest.param("canvas", "bob", id="canvas"),
                                              pytest.param("moodle", "=evil", id="moodle")])
def test_export_refuses_naming_students_when_lms_cannot_match_them(course, fmt, missing):
    with pytest.raises(UnmappedStudents, match=f": {missing}\\. Add them"):
        export(course, fmt)
    assert not (course / "graded" / ASSIGNMENT / f"{ASSIGNMENT}-{fmt}.csv").exists()
    rows, warnings = export(course, fmt, allow_unmapped=True)
    assert f"warning: 1 graded student(s) have no {fmt.title()} identity" in warnings[0] and missing in warnings[0]
    assert [row[-1] for row in rows[-len(SCORES):]] == ["61", "12.5", "0.3"]


def test_export_reads_the_score_column_when_grading_adds_columns_after_it(course):
    grades = course / "graded" / ASSIGNMENT / "grades.csv"
    write_csv(grades, [{"student_id": "alice", "score": "48.8", "max_score": "61", "timestamp": "2025-03-01 10:00",
                        "hours_late": "16.5", "penalty": "12.2", "note": ""}])
    rows, _ = export(course, "csv")
    assert rows[1][-2:] == ["48.8", "61"]


def test_export_warns_when_a_students_max_score_differs(course):
    grades = course / "graded" / ASSIGNMENT / "grades.csv"
    grades.write_text(grades_csv([("alice", report(61.0, 61.0)), ("bob", report(0.0, 0.0))]))
    _, warnings = export(course, "csv")
    assert any("differs for bob (0)" in line for line in warnings)


@pytest.mark.parametrize(("roster", "message"), [
    pytest.param([{"name": "alice", "email": "a@uni.edu"}], "has no student_id column", id="no-id-column"),
    pytest.param([{"student_id": "alice", "canvas_id": "1"}], "does not know: canvas_id", id="unknown-column"),
    pytest.param([{"student_id": "alice"}, {"student_id": "alice"}], "line 3: student alice is listed twice",
                 id="twice"),
    pytest.param([{"student_id": "", "email": "a@uni.edu"}], "line 2: no student_id", id="empty-id"),
    pytest.param("student_id,last_name\nalice,Müller\n".encode("latin-1"), "not a UTF-8 CSV file", id="latin-1"),
])
def test_export_raises_naming_the_problem_when_roster_is_wrong(course, roster, message):
    path = course / "r.csv"
    path.write_bytes(roster) if isinstance(roster, bytes) else write_csv(path, roster)
    with pytest.raises(ExportError, match=message):
        export(course, "csv", roster=path)


def test_export_cli_exits_1_with_one_line_when_students_are_unmapped(course):
    done = nncourse("export", ASSIGNMENT, "--format", "canvas", cwd=course)
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1 and "--allow-unmapped" in done.stderr


def test_export_cli_exits_2_saying_grade_first_when_assignment_is_not_graded(course):
    done = nncourse("export", ASSIGNMENT, "--format", "canvas", "--graded", str(course / "elsewhere"), cwd=course)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and f"grade {ASSIGNMENT} first" in done.stderr


def test_export_cli_writes_the_file_and_says_where(course):
    done = nncourse("export", ASSIGNMENT, "--format", "csv", cwd=course)
    out = course / "graded" / ASSIGNMENT / f"{ASSIGNMENT}-csv.csv"
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout and read_rows(out)[1][0] == "alice"
