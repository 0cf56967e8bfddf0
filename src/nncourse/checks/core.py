"""The check framework shared by public checks and hidden checks.

A check is a plain function that takes a `student` (attribute access to the
student's graded functions) and raises `CheckFailure` when something is wrong.
`graded` attaches its name and points, so the same function runs three ways:
from the notebook's check cell, from `nncourse check`, and under pytest in
`autograder/` (where a fixture supplies `student`).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import types
import warnings
from dataclasses import dataclass

import numpy as np

from nncourse.checks.callees import swapped_in
from nncourse.checks.functions import bind_arguments

MAX_ITEMS = 1_000_000  # cap on how many items a returned generator may yield


DEFAULT_TIMEOUT = 5.0  # seconds a check may spend in student code, where it runs isolated


# The rules a check can grade: key -> (title, statement). Every notebook states the rules its
# checks grade in a "Rules for every function" section, each under its title in bold, and
# every check names the rules it grades, so that a rule a hidden check grades is always
# graded by a public check of the same function too.
RULES = {
    "values": ("Values", "it returns the right values; checks compare with a tolerance that accepts "
               "the usual guards, such as `+ 1e-7` inside a log"),
    "stability": ("Stability", "no warnings, inf or nan on finite input, including extreme values (|z| up to 1e4)"),
    "dtype": ("Dtype", "a floating array result keeps the floating dtype of the array inputs: "
              "float32 in gives float32 out"),
    "unchanged": ("Inputs unchanged", "it never writes into its inputs"),
    "shape": ("Shapes and types", "it returns the shapes and types its docstring states "
              "(numpy arrays, Python floats, tuples, lists)"),
    "defaults": ("Defaults", "its default arguments are the ones in its signature"),
    "rng": ("Randomness", "it draws random numbers only from the `rng` it is given, so the same seed "
            "gives the same result"),
    "budget": ("Time budget", "it finishes within the time budget stated in the notebook"),
}


@dataclass(frozen=True)
class CheckInfo:
    """What a check grades: `function` (for a pipeline check, the assignment), `what`, `points`.

    rules: the RULES it grades. pipeline: it runs the student's functions together,
    so their calls to one another are not answered by the reference.
    """

    function: str
    what: str
    points: float
    timeout: float = DEFAULT_TIMEOUT
    rules: tuple = ()
    pipeline: bool = False

    @property
    def name(self):
        return f"{self.function}: {self.what}"


def is_assignment_name(name):
    """Return whether `name` names an assignment (`05_mnist`) rather than a function."""
    return len(name) > 3 and name[:2].isdigit() and name[2] == "_"


def graded(function, what, points=1.0, timeout=DEFAULT_TIMEOUT, *, rules=None, pipeline=None):
    """Return a decorator that marks a check of `function` worth `points`.

    timeout: how long the check may wait for each call into student code when
    grading runs isolated (it has no effect in a notebook). rules: the RULES the
    check grades. pipeline: the check runs the student's own functions together;
    by default exactly the checks named after an assignment are pipeline checks.
    """
    rules = tuple(rules or ())
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rules {sorted(unknown)}; known: {', '.join(RULES)}")
    pipeline = is_assignment_name(function) if pipeline is None else bool(pipeline)

    def mark(test):
        test.check = CheckInfo(function, what, float(points), float(timeout), rules, pipeline)
        return test

    return mark


class CheckFailure(AssertionError):
    """A check failed: says what went wrong, on which input, and how to fix it."""

    def __init__(self, problem, *, input=None, expected=None, got=None, hint=None):
        super().__init__(problem)
        self.problem = problem
        self.input = input
        self.expected = expected
        self.got = got
        self.hint = hint

    def __str__(self):
        lines = [self.problem]
        for label, value in (("input", self.input), ("expected", self.expected), ("got", self.got)):
            if value is not None:
                lines.append(f"  {label + ':':<9} " + show(value).replace("\n", "\n" + " " * 12))
        gap = relative_difference(self.expected, self.got)
        if gap is not None:
            lines.append(f"  {'rel. error:':<9} {gap:.2e} (largest |got - expected| / largest |expected|)")
        if self.hint:
            lines.append(f"  hint:     {self.hint}")
        return "\n".join(lines)


def show(value):
    """Return a short readable text for a value in a message."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, threshold=24, edgeitems=3, suppress_small=True)
        return f"{body}  (shape {value.shape}, {value.dtype})"
    if isinstance(value, dict):
        return ", ".join(f"{k}={show(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.10g}"
    return repr(value)


def relative_difference(expected, got):
    """Return how far `got` is from `expected` relative to it, when both are numbers or same-shaped float arrays."""
    numeric = (int, float, np.ndarray)
    if not (isinstance(expected, numeric) and isinstance(got, numeric)) or isinstance(expected, bool) or isinstance(got, bool):
        return None
    expected, got = np.asarray(expected), np.asarray(got)
    if expected.shape != got.shape or expected.size == 0 or expected.dtype.kind not in "fiu" or got.dtype.kind not in "fiu":
        return None
    with np.errstate(all="ignore"):
        gap = np.max(np.abs(got.astype(np.float64) - expected)) / max(np.max(np.abs(expected.astype(np.float64))), 1e-300)
    return float(gap) if np.isfinite(gap) and gap > 0 else None


class StudentError(CheckFailure):
    """The student's function raised, warned, or returned something unusable."""


def cpu_seconds():
    """Return the CPU time used so far by this process (all threads) and its finished children."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Student:
    """Calls the student's functions by name and returns plain values.

    Results are copied into plain numpy arrays and Python numbers, so an
    object with a doctored `__eq__` or an array subclass cannot fool a check.
    numpy warnings raised inside a call become failures, because the course
    grades numerical stability. `last_cpu_seconds` is the CPU time of the
    latest call (time budgets are CPU time, whatever else the machine does).

    answers: optional; answers(name) returns {callee: reference function} for
    the graded functions whose calls the reference answers while `name` runs
    (see nncourse.checks.callees).
    """

    def __init__(self, namespace, answers=None):
        self._namespace = namespace
        self._answers = answers
        self.last_cpu_seconds = 0.0

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        function = self._namespace.get(name)
        if not callable(function):
            raise StudentError(
                f"`{name}` is not defined.",
                hint=f"Run the cell that defines `{name}` (and the cells above it) first.",
            )

        def timed(*args, **kwargs):
            replacements = self._answers(name) if self._answers else {}
            start = cpu_seconds()
            try:
                with swapped_in(self._namespace, replacements):
                    return call(name, function, args, kwargs)
            finally:
                self.last_cpu_seconds = cpu_seconds() - start

        return timed


def call(name, function, args, kwargs):
    """Return plain(function(*args, **kwargs)), turning trouble into a StudentError."""
    shown_input = describe_call(args, kwargs)
    try:
        # numpy's RuntimeWarnings (overflow, log of 0, 0/0) are instability, which is graded; any other
        # warning, and whatever a correct function prints to stderr, costs nothing (nbgrader would zero
        # a test cell with stderr output, so it is swallowed here).
        with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn"), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", RuntimeWarning)
            return plain(function(*bind_arguments(args), **kwargs), name)
    except StudentError:
        raise
    except NotImplementedError:
        raise StudentError(
            f"`{name}` is not written yet: it still raises NotImplementedError.",
            hint="Replace `raise NotImplementedError()` with your code.",
        ) from None
    except (Warning, FloatingPointError) as warning:
        raise StudentError(
            f"`{name}` triggered a numpy warning: {warning}.",
            input=shown_input,
            hint="A warning means an overflow, a log of 0 or a 0/0 happened. "
            "The course grades numerical stability: rewrite the formula so it cannot.",
        ) from None
    except RecursionError:
        raise StudentError(f"`{name}` recursed too deeply.", input=shown_input) from None
    except Exception as error:  # noqa: BLE001 (any student error becomes a message)
        raise StudentError(
            f"`{name}` raised {type(error).__name__}: {error}",
            input=shown_input,
            hint=where(error),
        ) from None


def describe_call(args, kwargs):
    parts = {f"arg{i}": a for i, a in enumerate(args) if not callable(a)}
    parts.update({k: v for k, v in kwargs.items() if not callable(v)})
    return {k: v for k, v in parts.items() if isinstance(v, (np.ndarray, int, float, str, list, tuple))}


def where(error):
    """Return 'line N of `f`' for the innermost frame of the student's code."""
    tb = error.__traceback__
    frame = None
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(("<frozen", __file__)):
            frame = tb
        tb = tb.tb_next
    if frame is None:
        return None
    return f"The error happened in `{frame.tb_frame.f_code.co_name}`, line {frame.tb_lineno} of its cell."


def plain(value, name, depth=0):
    """Return `value` rebuilt from plain numpy arrays, Python numbers and containers."""
    if depth > 20:
        raise StudentError(f"`{name}` returned a structure nested too deeply.")
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise StudentError(
                f"`{name}` returned an array of Python objects.",
                hint="Build the result from numpy arrays of numbers, not lists of arrays.",
            )
        return np.array(value, copy=True, subok=False)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if value is None or type(value) is str:
        return value
    if isinstance(value, (tuple, list)):
        items = [plain(v, name, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, (types.GeneratorType, map, filter, zip)):
        items = []
        for item in value:
            items.append(plain(item, name, depth + 1))
            if len(items) > MAX_ITEMS:
                raise StudentError(f"`{name}` yielded more than {MAX_ITEMS} items.")
        return items
    raise StudentError(
        f"`{name}` returned an object of type {type(value).__name__}.",
        hint="Return numpy arrays, Python numbers, or tuples and lists of them.",
    )


def caller_namespace(depth=2):
    """Return the globals of the code `depth` frames up (the notebook's namespace)."""
    return sys._getframe(depth).f_globals
