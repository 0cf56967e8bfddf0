"""Do nbgrader's own route, nncourse's grader, the gradebook and the Gradescope bundle agree?"""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, hidden_points, total_points
from nncourse.authoring import completed_notebook
from nncourse.build import copy_course
from nncourse.grading.gradescope import build_bundle, unpack_like_gradescope

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_forward"
HONEST = {
    "complete": {},
    "forgot_forward": {"forward": None},  # left as the release stub
    "softmax_over_columns": {"softmax": "def softmax(z):\n    e = np.exp(z - z.max(axis=0, keepdims=True))\n"
                                        "    return e / e.sum(axis=0, keepdims=True)\n"},
    "leaky_without_alpha": {"leaky_relu": "def leaky_relu(z, alpha=0.01):\n    return np.where(z > 0, z, 0.01 * z)\n"},
    # forward calls this relu: both routes charge the flaw to relu only
    "flawed_relu_called_by_forward": {"relu": "def relu(z):\n    return np.abs(z)\n"},
}


def run(command, cwd):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def read_csv(path):
    return list(csv.DictReader(Path(path).read_text().splitlines()))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course with four honest submissions, its gradebook made by nbgrader."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("course"))
    run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"], course)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    stubs = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in release.cells}
    for student, overrides in HONEST.items():
        code = {cid: stubs[cid] if source is None else source for cid, source in overrides.items()}
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(completed_notebook(ROOT, ASSIGNMENT, code), folder / f"{ASSIGNMENT}.ipynb")
    return course


def exported_totals(course):
    run([sys.executable, "-m", "nbgrader", "export", "--to", "export.csv"], course)
    return {r["student_id"]: float(r["score"]) for r in read_csv(course / "export.csv") if r["assignment"] == ASSIGNMENT}


def test_nbgrader_autograde_and_nncourse_grade_give_same_totals_when_submissions_are_honest(course):
    run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"], course)
    nbgrader_totals = exported_totals(course)
    run([sys.executable, "-m", "nncourse.cli", "grade", ASSIGNMENT, "--no-gradebook"], course)
    ours = {r["student_id"]: float(r["score"]) for r in read_csv(course / "graded" / ASSIGNMENT / "grades.csv")}
    full = total_points(ASSIGNMENT)
    assert ours["complete"] == full and ours["forgot_forward"] == full - hidden_points(ASSIGNMENT)["forward"]
    assert len({ours[student] for student in list(HONEST)[:4]}) == 4  # different totals: the comparison can fail
    relu = json.loads((course / "graded" / ASSIGNMENT / "complete" / "results.json").read_text())
    relu_points = sum(t["max_score"] for t in relu["tests"] if t["name"].startswith("relu: "))
    assert ours["flawed_relu_called_by_forward"] == ours["complete"] - relu_points
    assert nbgrader_totals == ours


def test_gradebook_export_shows_nncourse_scores_when_grade_writes_them(course):
    run([sys.executable, "-m", "nncourse.cli", "grade", ASSIGNMENT, "--force"], course)
    ours = {r["student_id"]: float(r["score"]) for r in read_csv(course / "graded" / ASSIGNMENT / "grades.csv")}
    assert exported_totals(course) == ours


def test_gradescope_bundle_grades_a_submission_when_run_like_gradescope(course, tmp_path):
    bundle = build_bundle(course, ASSIGNMENT, tmp_path / "bundle.zip")
    root = unpack_like_gradescope(bundle, tmp_path / "autograder")
    assert (root / "source" / "setup.sh").is_file() and list((root / "source" / "wheels").glob("nncourse-*.whl"))
    shutil.copy(course / "submitted" / "softmax_over_columns" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root / "submission" / "anything.ipynb")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), NNCOURSE=str(Path(sys.executable).parent / "nncourse"))
    done = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads((root / "results" / "results.json").read_text())
    if not (course / "graded" / ASSIGNMENT / "grades.csv").is_file():  # when this test runs on its own
        run([sys.executable, "-m", "nncourse.cli", "grade", ASSIGNMENT, "--no-gradebook"], course)
    expected = {r["student_id"]: float(r["score"]) for r in read_csv(course / "graded" / ASSIGNMENT / "grades.csv")}
    assert report["score"] == expected["softmax_over_columns"]
    assert "renamed to anything.ipynb" in report["output"]


def test_gradescope_setup_script_is_valid_bash(course, tmp_path):
    root = unpack_like_gradescope(build_bundle(course, ASSIGNMENT, tmp_path / "b.zip"), tmp_path / "ag")
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(root / "source" / script)]).returncode == 0
