"""Is each flaw charged once, to its own function, and can student code never read the reference?

A class of 03_backprop and 04_training is graded by the real `nncourse grade`.
Each flawed student has exactly one flaw, in one callee, and correct callers
that call it; only the callee may lose points. A thief's callers try to read
the reference that answers their calls (source, code objects, globals,
closures, gc) and must learn nothing and earn nothing.
"""

import json
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT
from nncourse.authoring import completed_notebook, pasted_toolbox, solution_code
from nncourse.checks.core import is_assignment_name
from nncourse.notebook import cells_by_id, read_notebook

pytestmark = pytest.mark.slow

FLAWS = {
    "03_backprop": {
        "dense_backward": "def dense_backward(dz, x, W):\n    return dz @ W.T, x.T @ dz, dz.mean(axis=0)\n",
        "activation_backward": (
            "def activation_backward(da, z, activation):\n"
            "    if activation == 'tanh':\n        return da * tanh(z)\n"
            "    return da * {'sigmoid': sigmoid_prime, 'relu': relu_prime, 'leaky_relu': leaky_relu_prime}[activation](z)\n"),
    },
    "04_training": {
        "sgd_step": "def sgd_step(params, grads, learning_rate):\n"
                    "    return [(W + learning_rate * dW, b + learning_rate * db) for (W, b), (dW, db) in zip(params, grads)]\n",
        "minibatches": "def minibatches(x, y, batch_size, rng):\n"
                       "    for start in range(0, len(x) - batch_size + 1, batch_size):\n"
                       "        yield x[start:start + batch_size], y[start:start + batch_size]\n",
    },
}
# A flaw in a function of an earlier assignment, pasted in the toolbox: no unit check of 04 may lose for it.
TOOLBOX_FLAWS = {
    "04_training": {
        "forward": "def forward(x, params, activation='relu'):\n"
                   "    cache, a = [], x\n"
                   "    for W, b in params:\n"
                   "        z = a @ W + b\n        cache.append((a, z))\n"
                   "        a = {'sigmoid': sigmoid, 'tanh': tanh, 'relu': relu, 'leaky_relu': leaky_relu}[activation](z)\n"
                   "    return a, cache\n",
    },
}
# Callers that hunt for the reference behind the callees they are answered by; they answer
# zeros unless they find a function that computes for them.
THIEF = '''
def steal(name, *args):
    import gc, inspect
    found = []
    callee = globals()[name]
    probes = (lambda: inspect.getsource(callee), lambda: callee.__code__.co_consts, lambda: callee.__code__.co_names,
              lambda: sorted(callee.__globals__), lambda: [c.cell_contents for c in callee.__closure__ or ()],
              lambda: inspect.getsource(inspect.getmodule(callee)))
    for probe in probes:
        try:
            found.append(repr(probe())[:20000])
        except Exception as error:
            found.append(type(error).__name__)
    for obj in gc.get_objects():
        if inspect.isfunction(obj) and obj.__name__ == name and obj.__code__ is not callee.__code__:
            try:
                return obj(*args)
            except Exception:
                pass
    raise RuntimeError("LEARNED " + " ".join(found))
'''
THIEVES = {
    "03_backprop": {"backward": THIEF + "def backward(dlogits, cache, params, activation='relu'):\n"
                                "    steal('dense_backward')\n",
                    "dense_backward": "def dense_backward(dz, x, W):\n    return steal('dense_backward', dz, x, W)\n"},
    "04_training": {"train_epoch": THIEF + "def train_epoch(params, x, y, learning_rate, batch_size, rng, activation='relu'):\n"
                                   "    return steal('train_epoch', params, x, y, learning_rate, batch_size, rng, activation)\n"},
}


def write(submitted, student, assignment, nb):
    folder = submitted / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


def make_class(submitted):
    """Write the class; return {assignment: {student: flawed function or None}}."""
    roster = {}
    for assignment in FLAWS:
        roster[assignment] = {"correct": None, "thief": "thief"}
        write(submitted, "correct", assignment, completed_notebook(ROOT, assignment))
        write(submitted, "thief", assignment, completed_notebook(ROOT, assignment, THIEVES[assignment]))
        for function, code in FLAWS[assignment].items():
            write(submitted, f"flawed_{function}", assignment, completed_notebook(ROOT, assignment, {function: code}))
            roster[assignment][f"flawed_{function}"] = function
        for function, code in TOOLBOX_FLAWS.get(assignment, {}).items():
            toolbox = pasted_toolbox(ROOT, assignment) + "\n\n" + code
            write(submitted, f"flawed_{function}", assignment, completed_notebook(ROOT, assignment, {"toolbox": toolbox}))
            roster[assignment][f"flawed_{function}"] = function
    return roster


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    top = tmp_path_factory.mktemp("callees")
    roster = make_class(top / "submitted")
    for assignment in roster:
        done = subprocess.run([sys.executable, "-m", "nncourse.cli", "grade", assignment, "--submitted", str(top / "submitted"),
                               "--out", str(top / "graded"), "--jobs", "2", "--no-gradebook"],
                              capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stdout + done.stderr
    return top, roster


def points(top, assignment, student):
    """Return {function: points earned} of one student's unit checks (pipeline checks left out)."""
    report = json.loads((top / "graded" / assignment / student / "results.json").read_text())
    earned = {}
    for test in report["tests"]:
        function = test["name"].split(": ", 1)[0]
        if not is_assignment_name(function):
            earned[function] = earned.get(function, 0.0) + test["score"]
    return earned


CASES = [(a, f"flawed_{f}", f) for a in FLAWS for f in FLAWS[a]] + [
    (a, f"flawed_{f}", f) for a in TOOLBOX_FLAWS for f in TOOLBOX_FLAWS[a]]


@pytest.mark.parametrize(("assignment", "student", "flawed"), CASES, ids=[c[1] + "-" + c[0] for c in CASES])
def test_flaw_in_callee_costs_only_the_callee(graded, assignment, student, flawed):
    """Does one flaw in a callee cost that function's points and no caller's?"""
    top, _ = graded
    correct, got = points(top, assignment, "correct"), points(top, assignment, student)
    assert sum(correct.values()) > 0
    others = {f: p for f, p in got.items() if f != flawed}
    assert others == {f: p for f, p in correct.items() if f != flawed}
    if flawed in correct:
        assert got[flawed] < correct[flawed]


def reference_lines(assignment, functions):
    """Return the distinctive lines of the reference's solution of `functions`."""
    cells = cells_by_id(read_notebook(ROOT / "source" / assignment / f"{assignment}.ipynb"))
    code = "\n".join(solution_code(cells[f].source) for f in functions)
    body = [line.strip() for line in code.splitlines() if not line.strip().startswith(("def ", '"""', "#"))]
    return [line for line in body if len(line) > 25 and re.search(r"[=(]", line)]


@pytest.mark.parametrize("assignment", list(THIEVES))
def test_thief_learns_nothing_and_earns_nothing(graded, assignment):
    """Does code that hunts for the reference behind its callees find none of it and earn 0 for its functions?"""
    top, _ = graded
    got = points(top, assignment, "thief")
    assert all(got[f] == 0 for f in THIEVES[assignment]), got
    report = (top / "graded" / assignment / "thief" / "results.json").read_text()
    assert "LEARNED" in report  # the probes ran and reported what they saw
    leaked = [line for line in reference_lines(assignment, list(FLAWS[assignment]) + list(THIEVES[assignment]))
              if line in report]
    assert leaked == []
