"""Public checks: the ones students run from their notebooks and `nncourse check`.

Each assignment has a module of checks (`forward` for `01_forward`, ...). The
hidden checks in `autograder/` import every public check of their assignment
and add stricter ones, so the public checks are a subset of what grades.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from nncourse import __version__
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
    "stale_notice",
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


def graded_functions(assignment):
    """Return the functions (and pipeline checks) the installed public checks cover in `assignment`, in order.

    An assignment these checks do not know has none.
    """
    if assignment not in ASSIGNMENTS:
        return []
    return list(dict.fromkeys(test.check.function for test in public_checks(assignment)))


# --- Which public checks a notebook was built with ---
#
# `nncourse build` records in each release notebook's metadata (nncourse.checks) the version of
# these checks and the functions they cover. A student's install that is older (a function missing,
# or a lower version) or newer than that says so, instead of failing or skipping in silence.

# Run in the course kit's folder: reinstall the package from the kit's wheels/, never from an index.
UPDATE_COMMAND = "python -m pip install --force-reinstall --no-deps --no-index --find-links wheels nncourse"


def update_hint():
    """Return how to update the installed public checks, with this environment's own interpreter."""
    command = UPDATE_COMMAND.replace("python", shlex.quote(sys.executable), 1)
    return (f"Update them: get the latest course kit from your instructor, then in its folder run\n    {command}\n"
            "and restart the kernel. On a JupyterHub or on Binder, tell your instructor.")


def checks_record(assignment):
    """Return what a release notebook of `assignment` records about the public checks it is built with."""
    return {"assignment": assignment, "version": __version__, "functions": graded_functions(assignment)}


def recorded_checks(nb):
    """Return the checks record of a notebook (a dict read from JSON), or None when it has none."""
    record = nb.get("metadata", {}).get("nncourse", {}).get("checks")
    return record if isinstance(record, dict) and isinstance(record.get("functions", []), list) else None


def compare_versions(installed, built):
    """Return -1, 0 or 1 as version `installed` is lower than, equal to or higher than `built`; 0 when either is unreadable."""
    try:
        a, b = Version(str(installed)), Version(str(built))
    except InvalidVersion:
        return 0
    return (a > b) - (a < b)


def joined_names(names):
    return ", ".join(f"`{name}`" for name in names)


def stale_notice(record):
    """Return what to tell a student whose installed public checks differ from those `record` names, or None.

    record: a notebook's recorded checks (see checks_record), or None.
    """
    if record is None:
        return None
    needs = [str(f) for f in record.get("functions", [])]
    has = graded_functions(record.get("assignment"))
    missing, extra = [f for f in needs if f not in has], [f for f in has if f not in needs]
    built = record.get("version", "unknown")
    order = compare_versions(__version__, built)
    versions = f" (installed: nncourse {__version__}; notebook built with {built})" if str(built) != __version__ else ""
    if missing or order < 0:
        lacking = f": they have no checks for {joined_names(missing)}" if missing else ""
        return f"The public checks installed here are older than this notebook{versions}{lacking}.\n{update_hint()}"
    if extra or order > 0:
        more = f": they also check {joined_names(extra)}, which this notebook does not have" if extra else ""
        return (f"The public checks installed here are newer than this notebook{versions}{more}. "
                "Your functions are still checked; ask your instructor whether to move your work into "
                "the notebook's new version.")
    return None


def running_notebook(namespace):
    """Return the path of the notebook this kernel runs, or None when that cannot be told.

    Jupyter names it (JPY_SESSION_NAME, `__session__`); nbgrader's Validate does not, but runs the
    kernel in the notebook's folder, which in this course holds one notebook.
    """
    for named in (namespace.get("__session__"), os.environ.get("JPY_SESSION_NAME")):
        if isinstance(named, str) and named.endswith(".ipynb") and Path(named).is_file():
            return Path(named)
    here = list(Path.cwd().glob("*.ipynb"))
    return here[0] if len(here) == 1 else None


def notebook_record(namespace):
    """Return the checks record of the notebook this kernel runs, or None."""
    path = running_notebook(namespace)
    try:
        return read_record(str(path), path.stat().st_mtime_ns) if path else None
    except OSError:
        return None


@functools.lru_cache(maxsize=4)
def read_record(path, mtime_ns):
    """Return the checks record of the notebook file at `path` (read once per version of the file), or None."""
    try:
        return recorded_checks(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError):
        return None


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
    autograding = os.environ.get("NBGRADER_EXECUTION") == "autograde"
    record = None if autograding else notebook_record(namespace)
    notice = stale_notice(record)
    if notice and notice not in TOLD:
        TOLD.add(notice)
        print(notice + "\n")
    failures = []
    for function in functions:
        name = function if isinstance(function, str) else getattr(function, "__name__", str(function))
        tests = public_checks(function=name)
        if not tests:
            problem = no_checks_message(name, record)
            if autograding:
                print(problem)
                continue
            raise ChecksFailed(problem)
        results = run_checks(tests, student)
        failed = any(not r.passed for r in results)
        print(format_results(name, results, callee_causes(name, namespace, {}) if failed else ()))
        failures += [r for r in results if not r.passed]
    if failures and not autograding:
        raise ChecksFailed(f"{len(failures)} public check(s) failed; see the messages above.")


TOLD = set()  # stale-install notices already printed by this kernel


def no_checks_message(name, record):
    """Return why check(name) has nothing to run: checks older than the notebook, or not a graded function."""
    if record is not None and name not in record.get("functions", []):
        return f"There are no public checks for `{name}`: check() takes a function this notebook grades."
    if record is not None:
        return (f"The public checks installed here (nncourse {__version__}) are older than this notebook: "
                f"they have no checks for `{name}`.\n{update_hint()}")
    return (f"The public checks installed here (nncourse {__version__}) have no checks for `{name}`. If this notebook "
            f"grades `{name}`, they are older than the notebook.\n{update_hint()}")
