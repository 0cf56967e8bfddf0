"""Public checks: the ones students run from their notebooks and `nncourse check`.

Each assignment has a module of checks (`forward` for `01_forward`, ...). The
hidden checks in `autograder/` import every public check of their assignment
and add stricter ones, so the public checks are a subset of what grades.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

from nncourse.checks.callees import calls_to_graded
from nncourse.checks.core import CheckFailure, CheckInfo, Student, caller_namespace, graded
from nncourse.checks.mistakes import mistake

__all__ = [
    "ASSIGNMENTS",
    "CheckFailure",
    "CheckInfo",
    "Result",
    "Student",
    "carry_diagnoses",
    "check",
    "graded",
    "public_checks",
    "run_checks",
]

# assignment folder -> module of its public checks
ASSIGNMENTS = {
    "00_welcome": "welcome",
    "01_forward": "forward",
    "02_loss": "loss",
    "03_backprop": "backprop",
    "04_training": "training",
    "05_mnist": "mnist",
    "06_extensions": "extensions",
}


def checks_in(module):
    """Return the checks defined in `module`, in the order they appear."""
    found = [v for v in vars(module).values() if callable(v) and hasattr(v, "check")]
    return sorted(found, key=lambda test: test.__code__.co_firstlineno)


def public_checks(assignment=None, function=None):
    """Return the public checks of an assignment, of one function, or of all."""
    names = [assignment] if assignment else list(ASSIGNMENTS)
    tests = []
    for name in names:
        if name not in ASSIGNMENTS:
            raise KeyError(f"unknown assignment {name!r}; known: {', '.join(ASSIGNMENTS)}")
        module = importlib.import_module(f"nncourse.checks.{ASSIGNMENTS[name]}")
        tests += checks_in(module)
    if function is not None:
        tests = [t for t in tests if t.check.function == function]
    return tests


def assignment_of(function):
    """Return the assignment whose public checks cover `function`.

    Whole-pipeline checks (the MNIST threshold) are named after their
    assignment, which is then the answer.
    """
    if function in ASSIGNMENTS:
        return function
    for assignment in ASSIGNMENTS:
        if public_checks(assignment, function):
            return assignment
    raise KeyError(f"no assignment has public checks for {function!r}")


@dataclass(frozen=True)
class Result:
    """The verdict of one check. mistake: the catalogue key of the usual mistake its message names, if any.

    public: the check is one students run themselves (not a hidden check of autograder/).
    """

    check: CheckInfo
    passed: bool
    message: str = ""
    mistake: str | None = None
    public: bool = True


def run_checks(tests, student):
    """Run each check against `student`; return one Result per check, with diagnoses carried (see carry_diagnoses)."""
    results = []
    for test in tests:
        try:
            test(student)
        except CheckFailure as failure:
            results.append(Result(test.check, False, str(failure), failure.mistake))
        except Exception as error:  # noqa: BLE001 (a broken check must not hide the others)
            results.append(Result(test.check, False, f"the check itself failed: {type(error).__name__}: {error}"))
        else:
            results.append(Result(test.check, True))
    return carry_diagnoses(results)


SAME_MISTAKE = "Probably the same mistake as above: "


def carry_diagnoses(results):
    """Return `results` where a failure naming no usual mistake repeats the one named by an earlier failure of its function.

    One mistake often fails several checks of a function, and only some of them
    can recognise it; the others would say just "wrong values". Public and hidden
    results both pass through here, and a result passes through unchanged the
    second time.
    """
    named, carried = {}, []
    for result in results:
        key = named.get(result.check.function)
        if not result.passed and result.mistake is None and key is not None:
            message = f"{SAME_MISTAKE}{mistake(key).headline}\n{result.message}"
            result = Result(result.check, False, message, key, result.public)
        elif not result.passed and result.mistake is not None:
            named[result.check.function] = result.mistake
        carried.append(result)
    return carried


def format_results(function, results, causes=()):
    """Return the friendly report printed under a graded cell.

    causes: lines naming a callee that is the likelier cause of the failures; they come first.
    """
    failed = [r for r in results if not r.passed]
    lines = [f"  {cause}" for cause in causes] if failed else []
    for r in results:
        mark = "PASS" if r.passed else "FAIL"
        lines.append(f"  [{mark}] {r.check.name}")
        if not r.passed:
            lines.append("         " + r.message.replace("\n", "\n         "))
    if failed:
        lines.append(f"{len(failed)} of {len(results)} public checks of `{function}` failed. Read the messages above, fix the cell and run it again.")
    else:
        lines.append(
            f"All {len(results)} public checks of `{function}` passed. "
            "Well done! Hidden checks will test more cases when your work is graded."
        )
    return "\n".join(lines)


def callee_causes(function, namespace, verdicts):
    """Return lines naming the graded functions that `function` calls and that are missing or fail their own checks.

    verdicts: a cache {callee: passes its own public checks?} shared by one run.
    Public checks have no reference to answer a callee's calls with, so a
    flawed callee makes its callers fail too: the student is told to fix it first.
    """
    causes = []
    for callee in calls_to_graded(namespace.get(function)):
        if not callable(namespace.get(callee)):
            causes.append(f"`{callee}` is not defined: `{function}` needs it. Fill the toolbox (see the cell at the top) "
                          "or run the cell that defines it.")
            continue
        if callee not in verdicts:
            verdicts[callee] = all(r.passed for r in run_checks(public_checks(function=callee), Student(namespace)))
        if not verdicts[callee]:
            causes.append(f"`{function}` calls your `{callee}`, which fails its own checks: fix that first.")
    return causes


class ChecksFailed(AssertionError):
    """Raised in a notebook when public checks fail, so nbgrader's Validate sees it."""

    def _render_traceback_(self):
        # IPython shows this instead of a long traceback of the kit's internals.
        return [f"ChecksFailed: {self}"]


def check(*functions):
    """Run the public checks of the given functions and print a friendly report.

    Call it in the cell after a graded function, as `check(softmax)`. It
    raises ChecksFailed when a check fails, which is what nbgrader's Validate
    button looks for. While nbgrader autogrades, the hidden checks decide the
    score, so it only prints.
    """
    namespace = caller_namespace()
    student = Student(namespace)
    failures = []
    for function in functions:
        name = function if isinstance(function, str) else getattr(function, "__name__", str(function))
        tests = public_checks(function=name)
        if not tests:
            raise KeyError(f"there are no public checks for {name!r}")
        results = run_checks(tests, student)
        failed = any(not r.passed for r in results)
        print(format_results(name, results, callee_causes(name, namespace, {}) if failed else ()))
        failures += [r for r in results if not r.passed]
    if failures and os.environ.get("NBGRADER_EXECUTION") != "autograde":
        raise ChecksFailed(f"{len(failures)} public check(s) failed; see the messages above.")
