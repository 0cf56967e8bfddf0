"""The check framework shared by public checks and hidden checks.

A check is a plain function that takes a `student` (attribute access to the
student's graded functions) and raises `CheckFailure` when something is wrong.
`graded` attaches its name and points, so the same function runs three ways:
from the notebook's check cell, from `nncourse check`, and under pytest in
`autograder/` (where a fixture supplies `student`).
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import sys
import sysconfig
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

    def __init__(self, problem, *, input=None, expected=None, got=None, hint=None, mistake=None):
        super().__init__(problem)
        self.problem = problem
        self.input = input
        self.expected = expected
        self.got = got
        self.hint = hint
        self.mistake = mistake  # the catalogue key of the usual mistake this failure names, if any

    def __str__(self):
        lines = [self.problem]
        for label, value in (("input", self.input), ("expected", self.expected), ("got", self.got)):
            if value is not None:
                text = show(value, summarise=label == "input")
                lines.append(f"  {label + ':':<9} " + text.replace("\n", "\n" + " " * 12))
        gap = relative_difference(self.expected, self.got)
        if gap is not None:
            lines.append(f"  {'rel. error:':<9} {gap:.2e} (largest |got - expected| / largest |expected|)")
        if self.hint:
            lines.append(f"  hint:     {self.hint}")
        return "\n".join(lines)


def show(value, name=None, summarise=False):
    """Return a short readable text for a value in a message; `name` is the argument it was passed as.

    summarise: show large nested lists of arrays (an input's params or cache) as their shapes and dtypes.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, threshold=24, edgeitems=3, suppress_small=True)
        return f"{body}  (shape {value.shape}, {value.dtype})"
    if isinstance(value, dict):
        entries = [f"{k}=" + show(v, k, summarise).replace("\n", "\n" + " " * (len(str(k)) + 1))
                   for k, v in value.items()]
        line = ", ".join(entries)
        return line if len(line) <= LINE_WIDTH and "\n" not in line else "\n".join(entries)
    if summarise and holds_arrays(value) and numbers_in(value) > SMALL_INPUT:
        return summarize(value, name)
    if isinstance(value, float):
        return f"{value:.10g}"
    return repr(value)


# How the pairs of the course's nested arguments are written, for the summary of a cache or params.
PAIR_NAMES = {"params": "(W, b)", "grads": "(dW, db)", "velocity": "(W, b)-shaped", "cache": "(a_prev, z)",
              "teacher_params": "(W, b)"}
SUMMARY_ITEMS = 6  # items a summary lists before it only counts the rest
SMALL_INPUT = 12  # numbers a nested input may hold and still be shown in full
LINE_WIDTH = 100  # a dict of values (a call's arguments) longer than this, or spanning lines, is shown one per line


def holds_arrays(value):
    """Return whether `value` is a list or tuple of lists or tuples of arrays, such as params or a cache."""
    return isinstance(value, (list, tuple)) and any(
        isinstance(item, (list, tuple)) and any(isinstance(part, np.ndarray) for part in item) for item in value)


def numbers_in(value):
    """Return how many numbers the arrays in a nested list or tuple hold."""
    if isinstance(value, np.ndarray):
        return value.size
    return sum(numbers_in(item) for item in value) if isinstance(value, (list, tuple)) else 1


def summarize(value, name=None):
    """Return the shapes and dtypes of a nested list of arrays, item by item.

    For params: "list of 2 (W, b) pairs: (2, 3) float64, (3,) float64; (3, 2) float64, (2,) float64".
    """
    pairs = all(isinstance(item, (list, tuple)) and len(item) == 2 for item in value)
    kind = f"{PAIR_NAMES[name]} pairs" if pairs and name in PAIR_NAMES else "pairs" if pairs else "items"
    items = [shape_of(item) for item in value[:SUMMARY_ITEMS]]
    if len(value) > SUMMARY_ITEMS:
        items.append(f"... ({len(value) - SUMMARY_ITEMS} more)")
    return f"{type(value).__name__} of {len(value)} {kind}: " + "; ".join(items)


def shape_of(value):
    """Return an array's shape and dtype, or those of each array in a list or tuple."""
    if isinstance(value, np.ndarray):
        return f"{value.shape} {value.dtype}"
    if isinstance(value, (list, tuple)):
        return ", ".join(shape_of(item) for item in value)
    text = show(value)
    return text if len(text) <= 40 else f"a {type(value).__name__}"


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
                    return call(name, function, args, kwargs, answered=replacements.values())
            finally:
                self.last_cpu_seconds = cpu_seconds() - start

        return timed


def call(name, function, args, kwargs, answered=()):
    """Return plain(function(*args, **kwargs)), turning trouble into a StudentError.

    answered: the functions standing in for graded callees during the call; an
    error inside them is placed at the student's line that called them.
    """
    shown_input = describe_call(args, kwargs, parameter_names(function))
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
        frames = student_frames(error, answered)
        raise StudentError(
            f"`{name}` raised {type(error).__name__}{place(name, frames)}: {error}",
            input=shown_input,
            hint=where_hint(name, frames, str(error)),
        ) from None


def parameter_names(function):
    """Return the names of the positional parameters of `function`, or () when it has no readable signature."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return ()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in parameters if p.kind in positional)


def describe_call(args, kwargs, names=()):
    """Return {parameter name: value} of a call's arguments, for a message; `names` are the parameters' names.

    An argument beyond `names` is shown as argN. Functions are left out; nested
    lists of arrays (params, caches) are summarised by `show` as shapes and dtypes.
    """
    parts = {names[i] if i < len(names) else f"arg{i}": a for i, a in enumerate(args) if not callable(a)}
    parts.update({k: v for k, v in kwargs.items() if not callable(v)})
    return {k: v for k, v in parts.items() if isinstance(v, (np.ndarray, int, float, str, list, tuple))}


def library_folders():
    """Return the folders whose code is not the student's: Python's own, installed packages, and this kit."""
    paths = sysconfig.get_paths()
    folders = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    folders.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the nncourse package
    return tuple(os.path.join(folder, "") for folder in sorted(folders))


LIBRARY_FOLDERS = library_folders()


def is_students(code, answered_codes):
    """Return whether `code` belongs to the student's code, not to Python, numpy, the kit or a stand-in answer."""
    filename = code.co_filename
    if code in answered_codes or filename.startswith(("<frozen", "<expression>")):
        return False
    return filename.startswith("<") or not os.path.abspath(filename).startswith(LIBRARY_FOLDERS)


def codes_of(functions):
    """Return the code objects of `functions`, nested functions and comprehensions included."""
    codes, stack = set(), [getattr(f, "__code__", None) for f in functions]
    while stack:
        code = stack.pop()
        if code is not None and code not in codes:
            codes.add(code)
            stack += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return codes


def student_frames(error, answered=()):
    """Return (function, line) for each frame of the student's code in the error's traceback, outermost first."""
    answered_codes = codes_of(answered)
    frames, tb = [], error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if is_students(code, answered_codes):
            function = code.co_name
            if function.startswith("<"):  # a comprehension or lambda belongs to the function it is written in
                function = frames[-1][0] if frames else None
            frames.append((function, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def place(name, frames):
    """Return where in the student's code an error happened: " on line 4 of its cell", or " in `f`, line 4 of its cell"."""
    if not frames:
        return ""
    function, line = frames[-1]
    if function in (name, None):
        return f" on line {line} of its cell"
    return f" in `{function}`, line {line} of its cell"


def where_hint(name, frames, text):
    """Return the hint for an error in student code: when it happened in another function, the line that called it."""
    shapes = any(word in text for word in ("broadcast", "shapes", "mismatch", "aligned"))
    if len(frames) >= 2 and frames[-1][0] not in (name, None):
        function, (caller, line) = frames[-1][0], frames[-2]
        hint = f"`{function}` was called from line {line} of `{caller or name}`'s cell."
        if shapes:
            hint += (f" If `{function}` passes its own checks, look at what that line passes to it: "
                     "print the .shape of each argument.")
        return hint
    if shapes:
        return "Print the .shape of the arrays on that line and compare them with the shapes in the docstring."
    return None


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
