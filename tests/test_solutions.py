"""Tests that every built solutions notebook is a model submission: it stands alone and earns full marks.

The solutions are graded as one student's submissions in a scratch copy of
the course, by the real `nncourse grade`, whose sandbox cannot see the
sibling notebooks a toolbox cell might try to load.
"""

import csv
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT
from nncourse.build import assignments

ASSIGNMENT_NAMES = assignments(ROOT)
STUDENT = "model"


def solution_path(assignment):
    return ROOT / "solutions" / assignment / f"{assignment}.ipynb"


def scratch_course(top):
    """Return a copy of the course under `top` whose only submissions are the solutions."""
    shutil.copy2(ROOT / "nbgrader_config.py", top)
    shutil.copytree(ROOT / "source", top / "source")
    shutil.copytree(ROOT / "autograder", top / "autograder")
    for assignment in ASSIGNMENT_NAMES:
        folder = top / "submitted" / STUDENT / assignment
        folder.mkdir(parents=True)
        shutil.copy2(solution_path(assignment), folder)
    return top


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Return a function that grades one assignment's solution (once) and returns the course folder."""
    course = scratch_course(tmp_path_factory.mktemp("course"))
    done = set()

    def grade(assignment):
        if assignment not in done:
            run = subprocess.run([sys.executable, "-m", "nncourse.cli", "grade", assignment, "--no-gradebook"],
                                 capture_output=True, text=True, cwd=course)
            assert run.returncode == 0, run.stdout + run.stderr
            done.add(assignment)
        return course

    return grade


def marks(assignment):
    return [pytest.mark.slow] if assignment == "05_mnist" else []


WITH_MARKS = [pytest.param(a, marks=marks(a), id=a) for a in ASSIGNMENT_NAMES]


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_solution_never_loads_sibling_notebooks(assignment):
    """Does the solutions notebook define everything itself, with no `use_functions_from`?"""
    cells = nbformat.read(solution_path(assignment), as_version=4).cells
    assert not any("use_functions_from" in cell.source for cell in cells)


@pytest.mark.parametrize("assignment", WITH_MARKS)
def test_solution_gets_full_marks_when_graded_as_a_submission(assignment, graded):
    out = graded(assignment) / "graded" / assignment
    report = json.loads((out / STUDENT / "results.json").read_text())
    lost = [(t["name"], t["output"]) for t in report["tests"] if t["score"] != t["max_score"]]
    assert report["tests"] and lost == []
    assert report["score"] == sum(t["max_score"] for t in report["tests"])
    [row] = csv.DictReader((out / "grades.csv").read_text().splitlines())
    assert row["student_id"] == STUDENT
    assert float(row["score"]) == float(row["max_score"]) == report["score"]


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_solution_toolbox_defines_every_earlier_function_right(assignment):
    """Does the toolbox of a solution alone define every earlier graded function, passing its public checks?"""
    from nncourse.checks import Student, public_checks, run_checks
    from nncourse.notebook import execute_cells, grading_code, read_notebook

    cells = [(cid, source) for cid, source in grading_code(read_notebook(solution_path(assignment)))
             if cid in ("imports", "toolbox")]
    namespace, errors = execute_cells(cells)
    assert errors == {}
    toolbox = dict(cells).get("toolbox", "")
    earlier = [t for a in re.findall(r"^# From (\S+)$", toolbox, re.M) for t in public_checks(a) if not t.check.pipeline]
    assert bool(earlier) == bool(toolbox)
    results = run_checks(earlier, Student(namespace))
    assert [r.check.name for r in results if not r.passed] == []
