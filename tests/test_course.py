"""Tests of the course content: source builds into release/solutions, solutions pass, stubs fail, nothing leaks."""

import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import CONTRACT, ROOT
from nncourse.build import assignments, build_fresh, differences
from nncourse.checks import ASSIGNMENTS, Student, public_checks, run_checks
from nncourse.notebook import cells_by_id, grade_id, is_answer, load_functions, nbgrader_meta

ASSIGNMENT_NAMES = assignments(ROOT)
# Answer cells that carry no graded function: pasted earlier work, and the bonus leaderboard entry.
UNGRADED_ANSWERS = {"toolbox", "train_challenge"}
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)
SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def notebook_path(top, assignment):
    return ROOT / top / assignment / f"{assignment}.ipynb"


def read(top, assignment):
    return nbformat.read(notebook_path(top, assignment), as_version=4)


def graded_functions(assignment):
    """Return the grade_ids of the answer cells that carry a graded function."""
    return [grade_id(c) for c in read("source", assignment).cells if is_answer(c) and grade_id(c) not in UNGRADED_ANSWERS]


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


@pytest.mark.parametrize("assignment", sorted(CONTRACT))
def test_graded_cells_follow_contract(assignment):
    assert graded_functions(assignment) == CONTRACT[assignment]


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_every_graded_function_has_a_locked_check_cell_after_it(assignment):
    cells = read("source", assignment).cells
    answers = [i for i, c in enumerate(cells) if is_answer(c) and grade_id(c) not in UNGRADED_ANSWERS]
    for i in answers:
        name = grade_id(cells[i])
        following = next(c for c in cells[i + 1:] if c.cell_type == "code")
        meta = nbgrader_meta(following)
        assert grade_id(following) == f"check_{name}" and meta.get("locked") and meta.get("grade"), name
        assert following.source.startswith(f"check({name})"), name


def meaningful_lines(text):
    """Return the lines of code worth looking for elsewhere: not blank, short, comments or imports."""
    lines = {line.strip() for line in text.splitlines()}
    return {line for line in lines if len(line) >= 20 and not line.startswith(("#", "import ", "from ", '"""'))}


def code_lines(top):
    lines = set()
    for path in (ROOT / top).rglob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            lines |= {line.strip() for line in cell.source.splitlines()}
    return lines


def secret_lines():
    """Return the lines of every solution region, hidden block and hidden check module.

    A line that the source notebooks also show students (outside those regions),
    such as `rng = np.random.default_rng(0)` in a demo, is public and not a secret.
    """
    secret, public = set(), set()
    for assignment in ASSIGNMENT_NAMES:
        source = "\n".join(c.source for c in read("source", assignment).cells)
        secret |= {"solution: " + line for block in SOLUTION_BLOCK.findall(source) for line in meaningful_lines(block)}
        secret |= {"hidden: " + line for block in HIDDEN_BLOCK.findall(source) for line in meaningful_lines(block)}
        public |= meaningful_lines(SOLUTION_BLOCK.sub("", HIDDEN_BLOCK.sub("", source)))
    for path in (ROOT / "autograder").glob("*.py"):
        secret |= {"autograder: " + line for line in meaningful_lines(path.read_text())}
    return {s for s in secret if s.split(": ", 1)[1] not in public}


def test_release_holds_no_solution_hidden_or_autograder_line():
    release = code_lines("release")
    leaked = sorted(s for s in secret_lines() if s.split(": ", 1)[1] in release)
    assert leaked == []


def test_solutions_hold_no_hidden_or_autograder_line():
    solutions = code_lines("solutions")
    secret = secret_lines()
    # autograder/ holds mistaken versions of the functions, which share lines with the solutions themselves.
    solution_code = {s.split(": ", 1)[1] for s in secret if s.startswith("solution: ")}
    leaked = sorted(s for s in secret if not s.startswith("solution: ")
                    and s.split(": ", 1)[1] in solutions and s.split(": ", 1)[1] not in solution_code)
    assert leaked == []
    assert not any("HIDDEN TESTS" in line for line in solutions)


def test_secret_lines_are_found_when_a_release_leaks_them():
    """Can the leak check fail? A solution line planted in the release must be caught."""
    planted = next(s for s in sorted(secret_lines()) if s.startswith("solution: ")).split(": ", 1)[1]
    assert planted in code_lines("solutions")
    assert planted not in code_lines("release")


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


@pytest.mark.parametrize("assignment", WITH_MARKS)
def test_check_cell_points_equal_hidden_points(assignment, hidden_results):
    totals = {}
    for r in hidden_results(assignment):
        totals[r["function"]] = totals.get(r["function"], 0) + r["points"]
    cells = cells_by_id(read("source", assignment))
    cell_points = {k.removeprefix("check_"): nbgrader_meta(c)["points"] for k, c in cells.items()
                   if k.startswith("check_") and nbgrader_meta(c).get("grade")}
    assert cell_points == totals


@pytest.mark.parametrize("assignment", WITH_MARKS)
def test_public_checks_are_strict_subset_of_hidden_per_function(assignment, hidden_results):
    hidden = {r["name"] for r in hidden_results(assignment)}
    for function in graded_functions(assignment):
        public = {t.check.name for t in public_checks(assignment, function)}
        hidden_of_function = {n for n in hidden if n.startswith(function + ": ")}
        assert public, function
        assert public < hidden_of_function, function


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
