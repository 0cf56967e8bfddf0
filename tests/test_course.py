"""Tests of the course content: source builds into release/solutions, solutions pass, stubs fail, nothing leaks."""

import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT, hidden_points, the_course
from nncourse import settings, verify
from nncourse.build import assignments, build_fresh, differences
from nncourse.checks import ASSIGNMENTS, Student, public_checks, run_checks
from nncourse.notebook import cells_by_id, grade_id, load_functions

ASSIGNMENT_NAMES = assignments(ROOT)


def notebook_path(top, assignment):
    return ROOT / top / assignment / f"{assignment}.ipynb"


def read(top, assignment):
    return nbformat.read(notebook_path(top, assignment), as_version=4)


def graded_functions(assignment):
    """Return the grade_ids of the answer cells that carry a graded function."""
    return settings.graded_functions(ROOT, assignment, hidden_points(assignment))


def course_of(assignment):
    """Return the repo's course narrowed to `assignment`, for nncourse.verify's checks."""
    course = the_course()
    return verify.Course(course.root, [assignment], course.hidden, course.points)


def run_hidden_checks(notebook, assignment, tmp_path, function=None):
    """Run autograder/test_<assignment>.py on `notebook` in a child pytest; return its result rows."""
    results = tmp_path / f"results-{function or 'all'}.json"
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "autograder" / f"test_{assignment}.py"),
        "-c", str(ROOT / "autograder" / "pytest.ini"), "--rootdir", str(ROOT / "autograder"),
        "--notebook", str(notebook), "--results-json", str(results), "-q", "-p", "no:cacheprovider",
    ]
    if function:
        command += ["--check-function", function]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(results.read_text())


@pytest.fixture(scope="module")
def fresh_build():
    scratch = build_fresh(ROOT)
    yield scratch
    shutil.rmtree(scratch)


def test_course_has_every_assignment():
    assert ASSIGNMENT_NAMES == list(ASSIGNMENTS)


@pytest.mark.parametrize("top", ["release", "solutions"])
def test_committed_tree_matches_fresh_build(fresh_build, top):
    """Is the committed release/ (solutions/) exactly what nbgrader builds from source/ now?"""
    assert differences(fresh_build / top, ROOT / top) == [], f"rebuild with `nncourse build` and commit {top}/"


@pytest.mark.parametrize("assignment", sorted(verify.CONTRACT_FUNCTIONS))
def test_graded_cells_follow_contract(assignment):
    """Does the notebook grade every function the contract fixes, in the contract's order?"""
    contract = verify.CONTRACT_FUNCTIONS[assignment]
    assert [f for f in graded_functions(assignment) if f in contract] == contract


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_every_graded_function_has_its_cells_and_checks(assignment):
    """Has each graded function a locked check cell after it, public checks, and hidden checks that add more?"""
    assert verify.graded_function_problems(course_of(assignment)) == []


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_check_cell_points_equal_hidden_points(assignment):
    assert settings.points_problems(ROOT, assignment, hidden_points(assignment)) == []


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_prose_numbers_come_from_settings(assignment):
    """Are the prose's numbers placeholders in source/, filled in release/ and solutions/?"""
    assert settings.prose_problems(ROOT, assignment, hidden_points(assignment)) == []


def test_readme_settings_table_is_current():
    assert settings.readme_problems(ROOT, the_course().points) == []


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_release_and_solutions_hold_no_secret_line(assignment):
    """Does release/ hold no solution, hidden or autograder line, and solutions/ no hidden or autograder line?"""
    assert verify.leak_problems(course_of(assignment)) == []


def release_paths():
    return [ROOT / "release" / a / f"{a}.ipynb" for a in ASSIGNMENT_NAMES]


def test_secret_lines_are_found_when_a_release_leaks_them(tmp_path):
    """Can the leak check fail? A solution line planted in a release must be caught."""
    secret = verify.secret_lines(ROOT)
    planted = next(line for line, kind in sorted(secret.items()) if kind == "solution")
    assert verify.leaked(secret, release_paths(), {"solution"}) == []
    nb = read("release", "01_forward")
    nb.cells[-1].source += "\n" + planted
    nbformat.write(nb, tmp_path / "01_forward.ipynb")
    assert verify.leaked(secret, [tmp_path / "01_forward.ipynb"], {"solution"}) == [("solution", planted)]


def solution_results(assignment, tmp_path_factory):
    return run_hidden_checks(notebook_path("source", assignment), assignment, tmp_path_factory.mktemp(assignment))


@pytest.fixture(scope="module")
def hidden_results(tmp_path_factory):
    """The hidden checks' results on each solution, computed once (05 trains on MNIST)."""
    cache = {}

    def get(assignment):
        if assignment not in cache:
            cache[assignment] = solution_results(assignment, tmp_path_factory)
        return cache[assignment]

    return get


def marks(assignment):
    return [pytest.mark.slow] if assignment == "05_mnist" else []


WITH_MARKS = [pytest.param(a, marks=marks(a), id=a) for a in ASSIGNMENT_NAMES]


@pytest.mark.parametrize("assignment", WITH_MARKS)
def test_solution_passes_every_hidden_check(assignment, hidden_results):
    failed = [(r["name"], r["message"]) for r in hidden_results(assignment) if not r["passed"]]
    assert hidden_results(assignment) and failed == []


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_solution_passes_every_public_check(assignment):
    namespace, errors = load_functions(notebook_path("source", assignment))
    assert errors == {}
    failed = [r for r in run_checks(public_checks(assignment), Student(namespace)) if not r.passed]
    assert failed == []


def with_stub(assignment, function):
    """Return the solution notebook with `function`'s cell replaced by its release stub."""
    nb = read("source", assignment)
    stub = cells_by_id(read("release", assignment))[function]
    nb.cells = [stub if grade_id(c) == function else c for c in nb.cells]
    return nb


STUBS = [
    pytest.param(a, f, id=f"{a}-{f}", marks=marks(a))
    for a in ASSIGNMENT_NAMES for f in graded_functions(a)
]


@pytest.mark.parametrize(("assignment", "function"), STUBS)
def test_release_stub_fails_every_check_of_its_function(assignment, function, tmp_path):
    """With every other function correct, does the stub alone fail all of its own checks?"""
    # A copy of source/, so the stubbed notebook's toolbox still finds the earlier notebooks.
    shutil.copytree(ROOT / "source", tmp_path / "source")
    stubbed = tmp_path / "source" / assignment / f"{assignment}.ipynb"
    nbformat.write(with_stub(assignment, function), stubbed)
    namespace, _ = load_functions(stubbed)
    public = run_checks(public_checks(assignment, function), Student(namespace))
    hidden = run_hidden_checks(stubbed, assignment, tmp_path, function)
    assert public and not any(r.passed for r in public)
    assert hidden and not any(r["passed"] for r in hidden)
