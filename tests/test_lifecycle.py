"""Does a class go through nbgrader's whole lifecycle with `nncourse grade`?

A scratch course with a due date and the configured late penalty grades an
on-time student (submitted through nbgrader's exchange), a late one, one whose
grade is then set by hand as the formgrader does, and one on the roster who
submitted nothing. The results are read back through results.json, grades.csv,
`nbgrader export`, the formgrader's own API, and `nbgrader release_feedback`
and `fetch_feedback`.
"""

import csv
import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import mistune
import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import notebook_hash

from conftest import ROOT, total_points
from nncourse.authoring import completed_notebook
from nncourse.build import copy_course

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_forward"
FULL = total_points(ASSIGNMENT)  # from the hidden checks, the one place points are set
DUE = datetime.datetime.now(datetime.UTC).replace(microsecond=0, tzinfo=None) + datetime.timedelta(days=2)
LATE_BY = datetime.timedelta(hours=16, minutes=30)
FLAWS = {
    "bob": {"softmax": "def softmax(z):\n    e = np.exp(z - z.max(axis=0, keepdims=True))\n    return e / e.sum(axis=0, keepdims=True)\n"},
    "carol": {"relu": "def relu(z):\n    return np.abs(z)\n"},
}
OVERRIDE = ("check_relu", 3.0)  # carol's relu, set by hand


def run(command, cwd, ok=True):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if ok:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def nbgrader(course, *args, ok=True, cwd=None):
    exchange = [f"--Exchange.root={course / 'exchange'}", f"--Exchange.cache={course / 'cache'}"]
    return run([sys.executable, "-m", "nbgrader", *args, *exchange], cwd or course, ok)


def nncourse(course, *args, ok=True):
    return run([sys.executable, "-m", "nncourse.cli", *args], course, ok)


def read_csv(path):
    return list(csv.DictReader(Path(path).read_text().splitlines()))


def write_submission(course, folder, overrides=None, timestamp=None):
    folder.mkdir(parents=True)
    nbformat.write(completed_notebook(course, ASSIGNMENT, overrides), folder / f"{ASSIGNMENT}.ipynb")
    if timestamp:
        (folder / "timestamp.txt").write_text(f"{timestamp:%Y-%m-%d %H:%M:%S.%f} UTC")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course, its class graded once, then carol's relu set by hand and the class graded again."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("course"))
    nbgrader(course, "generate_assignment", ASSIGNMENT)  # release/ and a scratch gradebook with its grade cells
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
        gb.update_or_create_student("dana", first_name="Dana", last_name="Roster")

    # alice goes through nbgrader's exchange: release, submit, collect
    (course / "exchange").mkdir()
    nbgrader(course, "release_assignment", ASSIGNMENT)
    home = course / "home_alice"
    write_submission(course, home / ASSIGNMENT)
    nbgrader(course, "submit", ASSIGNMENT, "--course", "nncourse", "--student", "alice", cwd=home)
    nbgrader(course, "collect", ASSIGNMENT)
    for student, flaw in FLAWS.items():
        write_submission(course, course / "submitted" / student / ASSIGNMENT, flaw, DUE + LATE_BY if student == "bob" else DUE)

    first = nncourse(course, "grade", ASSIGNMENT)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(OVERRIDE[0], ASSIGNMENT, ASSIGNMENT, "carol")
        grade.manual_score = OVERRIDE[1]  # what the formgrader's grade handler does
        grade.needs_manual_grade = False
        gb.db.commit()
    second = nncourse(course, "grade", ASSIGNMENT)
    return course, first, second


def results(course, student):
    return json.loads((course / "graded" / ASSIGNMENT / student / "results.json").read_text())


def points_of(report, function):
    return sum(t["max_score"] for t in report["tests"] if t["name"].startswith(f"{function}: ") and "tags" not in t)


def earned(report, function):
    return sum(t["score"] for t in report["tests"] if t["name"].startswith(f"{function}: ") and "tags" not in t)


def test_lifecycle_grades_each_student_once_and_applies_the_override_without_regrading(course):
    course, first, second = course
    assert f"alice: {FULL:g} / {FULL:g}" in first.stdout and f"dana: 0 / {FULL:g}" in first.stdout
    assert "4 students already graded" in second.stdout


def test_lifecycle_results_show_timestamp_lateness_penalty_and_override(course):
    course, _, _ = course
    alice, bob, carol, dana = (results(course, s) for s in ("alice", "bob", "carol", "dana"))
    assert alice["score"] == FULL and alice["extra_data"]["timestamp"] and alice["extra_data"]["seconds_late"] == 0

    penalty = math.ceil(LATE_BY.total_seconds() / 3600)  # SubtractEachHour, 1 point per started hour
    assert bob["extra_data"]["seconds_late"] == LATE_BY.total_seconds()
    assert bob["extra_data"]["late_penalty"] == penalty
    assert bob["score"] == FULL - (points_of(bob, "softmax") - earned(bob, "softmax")) - penalty < FULL - penalty
    late = [t for t in bob["tests"] if t["name"] == f"{ASSIGNMENT}: late submission"]
    assert late[0]["score"] == -penalty and "16.5 h after the due date" in late[0]["output"]
    assert "Late: " in bob["output"]

    relu = points_of(carol, "relu")
    assert earned(carol, "relu") < OVERRIDE[1] < relu
    assert carol["score"] == FULL - relu + OVERRIDE[1]
    assert carol["extra_data"]["manual_grades"] == {"relu": OVERRIDE[1]}
    assert any(t["name"] == "relu: manual grade" for t in carol["tests"])

    assert dana["score"] == 0 and dana["extra_data"]["submitted"] is False
    assert sum(t["max_score"] for t in dana["tests"]) == FULL


def test_lifecycle_grades_csv_keeps_contract_columns_first_and_lists_the_roster(course):
    course, _, _ = course
    text = (course / "graded" / ASSIGNMENT / "grades.csv").read_text()
    assert text.startswith("student_id,score,max_score,")
    rows = {r["student_id"]: r for r in read_csv(course / "graded" / ASSIGNMENT / "grades.csv")}
    assert sorted(rows) == ["alice", "bob", "carol", "dana"]
    for student, row in rows.items():
        assert float(row["score"]) == results(course, student)["score"] and row["max_score"] == f"{FULL:g}"
    assert rows["dana"]["note"] == "no submission" and rows["dana"]["score"] == "0"
    assert rows["bob"]["hours_late"] == "16.5" and rows["bob"]["late_penalty"] == "17" and rows["bob"]["timestamp"]
    assert rows["carol"]["note"] == "manual grade: relu" and rows["alice"]["late_penalty"] == "0"


def test_lifecycle_nbgrader_export_agrees_with_grades_csv(course):
    course, _, _ = course
    nbgrader(course, "export", "--to", "export.csv")
    exported = {r["student_id"]: r for r in read_csv(course / "export.csv") if r["assignment"] == ASSIGNMENT}
    ours = {r["student_id"]: r for r in read_csv(course / "graded" / ASSIGNMENT / "grades.csv")}
    assert {s: float(r["score"]) for s, r in exported.items()} == {s: float(r["score"]) for s, r in ours.items()}
    assert float(exported["bob"]["late_submission_penalty"]) == 17 and exported["bob"]["timestamp"]
    assert exported["alice"]["timestamp"] and exported["dana"]["timestamp"] == ""


def formgrader_api(course):
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = "nncourse"
    config.Exchange.root = str(course / "exchange")
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def test_lifecycle_formgrader_lists_submissions_as_autograded_with_their_scores(course):
    course, _, _ = course
    api = formgrader_api(course)
    submissions = {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}
    assert sorted(submissions) == ["alice", "bob", "carol"]
    for student, submission in submissions.items():
        assert submission["autograded"] and not submission["needs_manual_grade"], student
        assert submission["max_score"] == FULL
        assert submission["score"] == results(course, student)["extra_data"]["score_before_penalty"]
    notebooks = api.get_notebook_submissions(ASSIGNMENT, ASSIGNMENT)
    assert sorted(nb["student"] for nb in notebooks) == ["alice", "bob", "carol"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grades = [g for s in gb.find_assignment(ASSIGNMENT).submissions for nb in s.notebooks for g in nb.grades]
        assert grades and not [g.name for g in grades if g.needs_manual_grade]
        assert all(g.auto_score is not None for g in grades)


def test_lifecycle_autograded_notebook_shows_each_functions_checks(course):
    course, _, _ = course
    nb = nbformat.read(course / "autograded" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    check = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "check_softmax")
    assert "[FAIL] softmax: " in check.outputs[0]["text"]


def test_lifecycle_release_and_fetch_feedback_find_every_graded_students_feedback(course):
    course, _, _ = course
    nbgrader(course, "release_feedback", ASSIGNMENT)
    for student in ("alice", "bob", "carol"):
        folder = course / "feedback" / student / ASSIGNMENT
        secret = (folder / "submission_secret.txt").read_text()
        released = course / "exchange" / "nncourse" / "feedback" / f"{notebook_hash(secret=secret, notebook_id=ASSIGNMENT)}.html"
        assert released.is_file(), student
        assert f"feedback for {student}" in released.read_text()
    assert not (course / "feedback" / "dana").exists()
    home = course / "home_alice"
    nbgrader(course, "fetch_feedback", ASSIGNMENT, "--course", "nncourse", "--student", "alice", cwd=home)
    fetched = list((home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(fetched) == 1 and f"Score: {FULL:g} / {FULL:g}" in fetched[0].read_text()


def test_lifecycle_feedback_shows_penalty_and_override_in_valid_markdown(course):
    course, _, _ = course
    render = mistune.create_markdown(plugins=["table"])
    for student in ("alice", "bob", "carol", "dana"):
        text = (course / "graded" / ASSIGNMENT / student / "feedback.md").read_text()
        html = render(text)
        rows = html.split("<tr>")[1:]
        assert len(rows) == 1 + len(results(course, student)["tests"]) - len(
            [t for t in results(course, student)["tests"] if "tags" in t])
        assert all(row.count("<td") + row.count("<th") == 3 for row in rows), student
    bob = (course / "graded" / ASSIGNMENT / "bob" / "feedback.md").read_text()
    assert "16.5 h after the due date" in bob and "17 points off" in bob
    carol = (course / "graded" / ASSIGNMENT / "carol" / "feedback.md").read_text()
    assert "Your instructor set relu to 3 / 4 points (the checks gave" in carol


def test_grade_refuses_a_student_with_no_submission_who_is_not_on_the_roster(course):
    course, _, _ = course
    done = nncourse(course, "grade", ASSIGNMENT, "--student", "zed", ok=False)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: no submission of {ASSIGNMENT} and not on the roster: zed"


def test_zip_collect_files_lms_downloads_by_the_documented_name(tmp_path):
    """Does `nbgrader zip_collect` with the kit's config put <student_id>_<notebook>.ipynb where grading looks?"""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "release" / ASSIGNMENT, tmp_path / "release" / ASSIGNMENT)
    archive = tmp_path / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    notebook = nbformat.writes(nbformat.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4))
    (archive / f"alice_{ASSIGNMENT}.ipynb").write_text(notebook)
    with zipfile.ZipFile(archive / "more.zip", "w") as z:
        z.writestr(f"bob_smith_{ASSIGNMENT}.ipynb", notebook)
    run([sys.executable, "-m", "nbgrader", "zip_collect", ASSIGNMENT], tmp_path)
    found = sorted(p.relative_to(tmp_path / "submitted").as_posix() for p in (tmp_path / "submitted").rglob("*.ipynb"))
    assert found == [f"alice/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", f"bob_smith/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"]


def test_fingerprint_changes_with_the_submission_its_timestamp_hidden_checks_and_instructor_notebook(tmp_path):
    """Is a student regraded when what decides their checks changes, and only then?"""
    from nncourse.grading.grader import Job, fingerprint

    for folder in ("autograder", "source/01_forward", "source/02_loss"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    folder = tmp_path / "submitted" / "alice" / ASSIGNMENT
    write_submission(ROOT, folder)
    job = Job(ASSIGNMENT, "alice", folder, tmp_path / "graded", tmp_path / "autograder", tmp_path / "source")
    seen = {fingerprint(job)}
    edits = [folder / "timestamp.txt", tmp_path / "autograder" / "hidden_math.py", folder / f"{ASSIGNMENT}.ipynb",
             tmp_path / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"]
    for path in edits:
        with open(path, "a") as f:
            f.write("\n")
        assert fingerprint(job) not in seen, path.name
        seen.add(fingerprint(job))
    with open(tmp_path / "source" / "02_loss" / "02_loss.ipynb", "a") as f:
        f.write("\n")  # an assignment 01_forward does not build on
    assert fingerprint(job) in seen
