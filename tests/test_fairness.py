"""Is every point earned? Degenerate implementations earn nothing, and every graded rule is stated and public.

The course is read from source/ and autograder/, so an instructor's edit is
checked, not broken.
"""

import importlib.util
import sys
import types

import numpy as np
import pytest

from conftest import ROOT
from nncourse.build import assignments
from nncourse.checks import checks_in, public_checks, run_checks
from nncourse.checks.callees import graded_functions
from nncourse.checks.core import RULES, Student
from nncourse.grading.hidden import run_hidden
from nncourse.notebook import grade_id, is_answer, load_functions, read_notebook

ASSIGNMENT_NAMES = assignments(ROOT)
RULES_HEADING = "## Rules for every function"


def source_notebook(assignment):
    return ROOT / "source" / assignment / f"{assignment}.ipynb"


def functions_of(assignment):
    """Return the graded functions whose answer cells are in the assignment's source notebook."""
    cells = read_notebook(source_notebook(assignment)).cells
    return [grade_id(c) for c in cells if is_answer(c) and grade_id(c) in graded_functions()]


def hidden_checks(assignment):
    """Return the checks of autograder/test_<assignment>.py, imported as a plain module."""
    sys.path.insert(0, str(ROOT / "autograder"))
    try:
        spec = importlib.util.spec_from_file_location(f"hidden_{assignment}", ROOT / "autograder" / f"test_{assignment}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "autograder"))
    return [t for t in checks_in(module) if t.__name__.startswith("test_")]


# ---------------------------------------------------------------- degenerate implementations

def leafwise(make, value):
    """Return `value` with every array and number replaced by make(it); containers and strings kept."""
    if isinstance(value, (types.GeneratorType, map, filter, zip)):
        value = list(value)
    if isinstance(value, (list, tuple)):
        return type(value)(leafwise(make, v) for v in value)
    if isinstance(value, (np.ndarray, np.generic, int, float)) and not isinstance(value, bool):
        return make(value)
    return value


def random_like(value):
    noise = np.random.default_rng(0).standard_normal(np.shape(value))
    return noise.astype(value.dtype) if isinstance(value, np.ndarray) and value.dtype.kind == "f" else noise


def first_array(args):
    """Return the first argument that is data, not a function (numerical_gradient's x, not its f)."""
    return next((a for a in args if not callable(a)), None)


INPUT_SHAPED = {
    "returns its first argument": lambda args: first_array(args),
    "zeros_like its first argument": lambda args: leafwise(np.zeros_like, first_array(args)),
    "ones_like its first argument": lambda args: leafwise(np.ones_like, first_array(args)),
    "returns a constant": lambda args: 0.5,
    "returns None": lambda args: None,
}
OUTPUT_SHAPED = {  # right shapes, dtypes and types, wrong values
    "zeros shaped like the answer": lambda out: leafwise(np.zeros_like, out),
    "ones shaped like the answer": lambda out: leafwise(np.ones_like, out),
    "random values shaped like the answer": lambda out: leafwise(random_like, out),
}
DEGENERATES = [*INPUT_SHAPED, *OUTPUT_SHAPED]


def degenerate(kind, reference, name):
    """Return an implementation of `name` that computes nothing of what is asked."""
    if kind in INPUT_SHAPED:
        return lambda *args, **kwargs: INPUT_SHAPED[kind](args)
    if name == "train_mnist":  # the reference trains for a while: shape an untrained network instead
        return lambda *args, **kwargs: (OUTPUT_SHAPED[kind](reference["init_params"]([784, 64, 10], np.random.default_rng(0))), "relu")
    return lambda *args, **kwargs: OUTPUT_SHAPED[kind](reference[name](*args, **kwargs))


@pytest.fixture(scope="module")
def references():
    return {}


def reference_of(references, assignment):
    if assignment not in references:
        namespace, errors = load_functions(source_notebook(assignment))
        assert not errors, errors
        references[assignment] = namespace
    return references[assignment]


def points_by_function(results):
    earned = {}
    for r in results:
        earned[r.check.function] = earned.get(r.check.function, 0.0) + r.check.points * r.passed
    return earned


@pytest.mark.slow
@pytest.mark.parametrize("kind", DEGENERATES)
@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_degenerate_implementations_earn_nothing(assignment, kind, references):
    """Does every graded function that computes nothing earn 0, in its public and its hidden checks?"""
    reference = reference_of(references, assignment)
    functions = functions_of(assignment)
    student = dict(reference)
    for name in functions:
        student[name] = degenerate(kind, reference, name)
    public = points_by_function(run_checks(public_checks(assignment), Student(student)))
    hidden, _ = run_hidden(assignment, namespace=student, autograder=ROOT / "autograder")
    hidden = points_by_function(hidden)
    earned = {f"{name} ({where})": points[name] for where, points in (("public", public), ("hidden", hidden))
              for name in functions if points.get(name)}
    assert not earned, f"a degenerate implementation that {kind} earned points: {earned}"


# ---------------------------------------------------------------- rules

ALL_CHECKS = [(a, "public", t) for a in ASSIGNMENT_NAMES for t in public_checks(a)] + [
    (a, "hidden", t) for a in ASSIGNMENT_NAMES for t in hidden_checks(a)]


def test_every_check_names_the_rules_it_grades():
    """Does every public and hidden check say which rules it grades?"""
    untagged = [f"{where} {t.check.name}" for _, where, t in ALL_CHECKS if not t.check.rules]
    assert untagged == []


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_hidden_rules_are_graded_publicly_first(assignment):
    """Is every rule a function's hidden checks grade also graded by one of its public checks?"""
    public, hidden = {}, {}
    for a, where, t in ALL_CHECKS:
        if a == assignment:
            (public if where == "public" else hidden).setdefault(t.check.function, set()).update(t.check.rules)
    missing = {f: sorted(rules - public.get(f, set())) for f, rules in hidden.items() if rules - public.get(f, set())}
    assert missing == {}, "rules graded only by hidden checks"


def rules_section(assignment):
    cells = read_notebook(source_notebook(assignment)).cells
    found = [c.source for c in cells if c.get("cell_type") == "markdown" and c.source.lstrip().startswith(RULES_HEADING)]
    return found[0] if found else ""


@pytest.mark.parametrize("assignment", ASSIGNMENT_NAMES)
def test_notebook_states_every_rule_its_checks_grade(assignment):
    """Does the notebook's rules section name, in bold, every rule the assignment's checks grade?"""
    section = rules_section(assignment)
    graded = {rule for a, _, t in ALL_CHECKS if a == assignment for rule in t.check.rules}
    unstated = sorted(rule for rule in graded if f"**{RULES[rule][0]}**" not in section)
    assert unstated == [], f"{assignment}'s '{RULES_HEADING}' section does not state these rules"
