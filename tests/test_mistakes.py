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


# ---------------------------------------------------------------- how messages name the cause

def failed_blocks(output, function):
    """Return {check name: message} for the failing checks of `function` in `nncourse check`'s output."""
    parts = re.split(r"^  \[(PASS|FAIL)\] ", output, flags=re.M)  # [before, mark, block, mark, block, ...]
    return {block.split("\n", 1)[0]: block for mark, block in zip(parts[1::2], parts[2::2])
            if mark == "FAIL" and block.startswith(f"{function}: ")}


@pytest.mark.parametrize("key", [
    pytest.param("forward-activation-on-logits", id="forward-activation-on-logits"),
    pytest.param("softmax_cross_entropy_grad-not-divided", id="softmax_cross_entropy_grad-not-divided"),
])
def test_check_names_mistake_in_every_failing_check_when_one_mistake_fails_several(key, tmp_path):
    """Does every public check that the mistake fails name it, rather than saying "wrong values"?"""
    entry = mistake(key)
    done = nncourse_check(write_notebook(tmp_path, assignment_of(entry.function), {entry.function: EXAMPLES[key]}))
    blocks = failed_blocks(done.stdout, entry.function)
    assert len(blocks) >= 2, done.stdout
    assert [name for name, block in blocks.items() if entry.headline not in block] == [], done.stdout


def test_hidden_checks_repeat_diagnosis_when_later_check_names_no_mistake(tmp_path):
    """Do the hidden results of `forward` all name the mistake that an earlier check recognised?"""
    entry = mistake("forward-activation-on-logits")
    path = write_notebook(tmp_path, "01_forward", {"forward": EXAMPLES[entry.key]})
    messages = hidden_failures(path, "01_forward", "forward", tmp_path)
    assert any(m.startswith("Probably the same mistake as above: ") for m in messages), messages
    assert [m for m in messages if entry.headline not in m] == []


# backward with the wrong layer's z: the broadcast fails inside the student's (correct) activation_backward.
BACKWARD_WRONG_Z_FOR_CALLEE = """\
def backward(dlogits, cache, params, activation="relu"):
    grads = [None] * len(params)
    dz = dlogits
    for layer in reversed(range(len(params))):
        a_prev, z = cache[layer]
        dx, dW, db = dense_backward(dz, a_prev, params[layer][0])
        grads[layer] = (dW, db)
        dz = activation_backward(dx, z, activation)
    return grads
"""
# The same mistake written out in backward itself: the broadcast fails on backward's own line 8.
BACKWARD_RAW_BROADCAST = BACKWARD_WRONG_Z_FOR_CALLEE.replace("activation_backward(dx, z, activation)", "dx * z")


def test_check_names_callee_and_calling_line_when_backward_breaks_inside_activation_backward(tmp_path):
    done = nncourse_check(write_notebook(tmp_path, "03_backprop", {"backward": BACKWARD_WRONG_Z_FOR_CALLEE}))
    assert "`backward` raised ValueError in `activation_backward`, line " in done.stdout, done.stdout
    assert "was called from line 8 of `backward`'s cell" in done.stdout, done.stdout


def test_check_names_backwards_own_line_when_backward_raises_broadcast_error(tmp_path):
    done = nncourse_check(write_notebook(tmp_path, "03_backprop", {"backward": BACKWARD_RAW_BROADCAST}))
    blocks = failed_blocks(done.stdout, "backward")
    assert blocks, done.stdout
    for block in blocks.values():
        assert "`backward` raised ValueError on line 8 of its cell: operands could not be broadcast" in block
        assert "activation_backward" not in block


def test_check_shows_03_arguments_by_name_and_summarises_cache_and_params(tmp_path):
    done = nncourse_check(write_notebook(tmp_path, "03_backprop", {"backward": BACKWARD_RAW_BROADCAST}))
    block = next(iter(failed_blocks(done.stdout, "backward").values()))
    for shown in ("dlogits=[[", "cache=list of 2 (a_prev, z) pairs: (2, 2) float64, (2, 3) float64; (2, 3) float64, "
                  "(2, 2) float64", "params=list of 2 (W, b) pairs: (2, 3) float64, (3,) float64;", "activation=relu"):
        assert shown in block, block
    assert "arg0" not in block and "array(" not in block


def test_grading_names_backwards_line_and_parameters_when_answered_callee_fails(tmp_path):
    """In the sandbox, where activation_backward is answered by the reference, is the error placed in backward?"""
    path = write_notebook(tmp_path, "03_backprop", {"backward": BACKWARD_WRONG_Z_FOR_CALLEE})
    done = subprocess.run([sys.executable, "-m", "nncourse.cli", "grade-notebook", str(path), "--assignment", "03_backprop",
                           "--course", str(ROOT)], capture_output=True, text=True, env=ONE_THREAD, cwd=tmp_path)
    outputs = [t["output"] for t in json.loads(done.stdout)["tests"] if t["name"].startswith("backward: a 2-3-2 relu")]
    assert outputs and "`backward` raised ValueError on line 8 of its cell" in outputs[0], outputs
    assert "cache=list of 2 (a_prev, z) pairs" in outputs[0] and "arg0" not in outputs[0]


def test_check_summary_explains_points_available_when_one_function_fails(tmp_path):
    path = write_notebook(tmp_path, "03_backprop", {"backward": BACKWARD_RAW_BROADCAST})
    done = nncourse_check(path)
    points = {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points
              for c in nbformat.read(path, as_version=4).cells if c.metadata.get("nbgrader", {}).get("grade")}
    total = sum(points.values())
    expected = (f"{total - points['check_backward']:g} of {total:g} points available: the points of the hidden checks "
                "of the functions whose public checks all pass. Hidden checks decide the grade")
    assert expected in done.stdout, done.stdout
