"""Tests of the catalogue of usual mistakes: is every catalogued mistake caught, and named, by the checks?"""

import importlib.util
import json
import os
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from conftest import ROOT
from nncourse.authoring import completed_notebook
from nncourse.checks import ASSIGNMENTS, Student, assignment_of, public_checks
from nncourse.checks.core import CheckFailure
from nncourse.checks.mistakes import MISTAKES, Mistake, mistake

# One BLAS thread, as the grader's sandbox gives student code: without it, two
# checker processes on a small machine fight over the cores and 05_mnist's checks
# take 20 times longer.
ONE_THREAD = {**os.environ, **{name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
CHECK_SOURCES = sorted((ROOT / "src/nncourse/checks").glob("*.py")) + sorted((ROOT / "autograder").glob("test_*.py"))


def instructor_examples():
    """Return {key: mistaken source} from autograder/, where the near-solutions stay out of students' reach."""
    spec = importlib.util.spec_from_file_location("mistake_examples", ROOT / "autograder" / "mistake_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXAMPLES


EXAMPLES = instructor_examples()
PUBLIC = [pytest.param(m, id=m.key) for m in MISTAKES if m.public]
HIDDEN_ONLY = [pytest.param(m, id=m.key) for m in MISTAKES if not m.public]


def write_notebook(tmp_path, assignment, overrides=None):
    """Write the completed release notebook, with `overrides` for some cells, where `nncourse check` can place it."""
    path = tmp_path / assignment / f"{assignment}.ipynb"
    path.parent.mkdir()
    nbformat.write(completed_notebook(ROOT, assignment, overrides), path)
    return path


def nncourse_check(path):
    return subprocess.run([sys.executable, "-m", "nncourse.cli", "check", str(path)],
                          capture_output=True, text=True, env=ONE_THREAD)


def hidden_failures(path, assignment, function, tmp_path):
    """Run the hidden checks of `function` on a trusted notebook; return the messages of those that fail."""
    results = tmp_path / "results.json"
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "autograder" / f"test_{assignment}.py"),
        "-c", str(ROOT / "autograder" / "pytest.ini"), "--rootdir", str(ROOT / "autograder"),
        "--notebook", str(path), "--check-function", function, "--results-json", str(results), "-q",
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=ONE_THREAD)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return [r["message"] for r in json.loads(results.read_text()) if not r["passed"]]


@pytest.mark.parametrize("entry", PUBLIC)
def test_check_fails_and_names_mistake_when_notebook_has_it(entry, tmp_path):
    """With every other answer right, does `nncourse check` fail and name the function and the mistake?"""
    assignment = assignment_of(entry.function)
    done = nncourse_check(write_notebook(tmp_path, assignment, {entry.function: EXAMPLES[entry.key]}))
    assert done.returncode != 0, done.stdout
    assert f"`{entry.function}`: {entry.name}" in done.stdout, done.stdout


@pytest.mark.parametrize("entry", HIDDEN_ONLY)
def test_hidden_checks_name_mistake_when_notebook_has_it(entry, tmp_path):
    """Does a hidden check of the function fail and name a mistake that the public checks let through?"""
    assignment = assignment_of(entry.function)
    path = write_notebook(tmp_path, assignment, {entry.function: EXAMPLES[entry.key]})
    messages = hidden_failures(path, assignment, entry.function, tmp_path)
    assert any(f"`{entry.function}`: {entry.name}" in m for m in messages), messages


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_check_exits_0_when_completed_notebook_has_no_mistake(assignment, tmp_path):
    done = nncourse_check(write_notebook(tmp_path, assignment))
    assert done.returncode == 0, done.stdout


def test_mistake_keys_are_unique():
    keys = [m.key for m in MISTAKES]
    assert len(set(keys)) == len(keys)


def test_mistake_names_are_unique_per_function():
    names = [(m.function, m.name) for m in MISTAKES]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("entry", [pytest.param(m, id=m.key) for m in MISTAKES])
def test_mistake_belongs_to_graded_function_with_public_checks(entry):
    assert entry.key.startswith(f"{entry.function}-")
    assert public_checks(assignment_of(entry.function), entry.function)


@pytest.mark.parametrize("entry", [pytest.param(m, id=m.key) for m in MISTAKES])
def test_mistake_example_defines_its_function(entry):
    namespace = {}
    exec(compile(EXAMPLES[entry.key], entry.key, "exec"), {"np": np}, namespace)  # noqa: S102 (the kit's own code)
    assert list(namespace) == [entry.function]


def test_every_mistake_has_exactly_one_example():
    assert sorted(EXAMPLES) == sorted(m.key for m in MISTAKES)


def test_package_ships_no_mistaken_implementation():
    """Are the near-solutions kept out of the package that students install?"""
    package = "\n".join(p.read_text() for p in (ROOT / "src" / "nncourse").rglob("*.py"))
    shipped = [key for key, code in EXAMPLES.items() if code.strip() in package]
    assert shipped == []


def test_every_mistake_is_reported_by_a_check():
    """Does some check name each key (in `mistake("key")`, or as a string it hands on to one)?"""
    sources = "\n".join(path.read_text() for path in CHECK_SOURCES if path.name != "mistakes.py")
    assert sorted(m.key for m in MISTAKES if f'"{m.key}"' not in sources) == []


def test_every_mistake_a_check_reports_is_catalogued():
    """Is every string shaped like a key ("<graded function>-<what>") in the checks a catalogued key?"""
    functions = "|".join(sorted({t.check.function for t in public_checks()}, key=len, reverse=True))
    key_like = re.compile(rf"""["']((?:{functions})-[A-Za-z0-9_-]+)["']""")
    keys = {m.key for m in MISTAKES}
    unknown = sorted({f"{path.name}: {key}" for path in CHECK_SOURCES for key in key_like.findall(path.read_text())
                      if key not in keys})
    assert unknown == []


def test_mistake_raises_key_error_when_key_is_unknown():
    with pytest.raises(KeyError, match="no-such-mistake"):
        mistake("no-such-mistake")


def test_failure_names_function_mistake_and_detail_with_entry_hint():
    entry = mistake("softmax-no-max-shift")
    failure = entry.failure("numpy warned.", input=np.array([1000.0]), expected="finite", got="inf")
    assert failure.problem == "Usual mistake in `softmax`: softmax without subtracting the max. numpy warned."
    assert failure.hint == entry.hint
    assert "input:" in str(failure) and "hint:" in str(failure)


EXAMPLE = Mistake("f-demo", "f", name="a demo", detect="-", hint="do better")


def test_catches_reports_mistake_when_student_code_warns():
    student = Student({"f": lambda z: np.exp(z)})
    with pytest.raises(CheckFailure) as caught, EXAMPLE.catches("numpy warning"):
        student.f(np.array([1e4]))
    assert caught.value.problem.startswith("Usual mistake in `f`: a demo. `f` triggered a numpy warning: overflow")
    assert caught.value.hint == "do better"


def test_catches_lets_other_student_errors_through_when_marker_is_absent():
    student = Student({"f": lambda z: 1 / 0})
    with pytest.raises(CheckFailure, match="ZeroDivisionError") as caught, EXAMPLE.catches("numpy warning"):
        student.f(np.array([1.0]))
    assert "Usual mistake" not in caught.value.problem
