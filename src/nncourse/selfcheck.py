"""`nncourse check`: run a notebook's public checks without Jupyter.

The student's cells run in a child process (`python -m nncourse.selfcheck`),
so a cell that loops, exits or crashes still leaves a report behind.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

from nncourse.checks import (ASSIGNMENTS, Student, callee_causes, format_results, graded_functions, public_checks,
                             recorded_checks, run_checks, stale_notice)
from nncourse.checks.core import is_assignment_name
from nncourse.notebook import NotebookError, cells_by_id, execute_cells, grading_code, read_notebook

TIMEOUT_SECONDS = 600


def guess_assignment(path):
    """Return the assignment a notebook belongs to, from its folder or file name, or what it records.

    A notebook built for an assignment these checks do not know yet gets an error that says they are older.
    """
    path = Path(path)
    record = recorded_checks(read_notebook(path)) or {}
    for name in (path.parent.name, path.stem, record.get("assignment")):
        if name in ASSIGNMENTS:
            return name
    if record.get("assignment"):
        raise NotebookError(f"{path.name} is {record['assignment']}, which the public checks installed here do not "
                            f"know. {stale_notice(record)}")
    raise NotebookError(f"cannot tell which assignment {path.name} is; pass --assignment (one of {', '.join(ASSIGNMENTS)})")


def run_in_child(path, assignment, timeout=TIMEOUT_SECONDS, quiet_passes=False):
    """Check the notebook in a child process; return its exit code (printing its report).

    quiet_passes: list only failing checks and the summary.
    """
    command = [sys.executable, "-m", "nncourse.selfcheck", str(path), assignment] + (["--quiet"] if quiet_passes else [])
    try:
        done = subprocess.run(command, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"Your notebook's code ran for over {timeout} s and was stopped. Look for a loop that never ends.")
        return 1
    if done.returncode not in (0, 1):
        print(f"Your notebook's code stopped the checker (exit code {done.returncode}). "
              "Look for sys.exit(), os._exit() or a crash in your cells.")
        return 1
    return done.returncode


def check_notebook(path, assignment, quiet_passes=False):
    """Run every public check of `assignment` on the notebook; print a report; return the exit code."""
    path = Path(path).resolve()
    nb = read_notebook(path)
    record = recorded_checks(nb)
    if record and record.get("assignment") != assignment:
        record = None  # checked as another assignment (--assignment): its record does not apply
    notice = stale_notice(record)
    if notice:
        print(notice)
    functions = graded_functions(assignment)
    # Functions the notebook was built to be checked on, which these checks do not cover: never a silent pass.
    unchecked = [f for f in (record or {}).get("functions", []) if f not in functions]
    if not functions and not unchecked:
        print(f"error: these public checks know no assignment {assignment!r}; known: {', '.join(ASSIGNMENTS)}",
              file=sys.stderr)
        return 1
    with contextlib.chdir(path.parent):
        namespace, errors = execute_cells(grading_code(nb))
    for cell_id, message in errors.items():
        if not message.startswith("NotImplementedError"):
            print(f"Cell `{cell_id}` raised {message}")
    student = Student(namespace)
    present = cells_by_id(nb)
    tests = public_checks(assignment) if functions else []
    all_results, verdicts = [], {}
    for function in functions:
        results = run_checks([t for t in tests if t.check.function == function], student)
        all_results += results
        cell = f"check_{function}" if is_assignment_name(function) else function  # a pipeline check has its own test cell
        if cell not in present:
            print(f"\n{function}: the cell with grade_id `{cell}` is missing from the notebook.")
        verdicts[function] = all(r.passed for r in results)
        if verdicts[function] and quiet_passes:
            continue
        print(f"\n{function}")
        failed = not verdicts.get(function)
        print(format_results(function, results, callee_causes(function, namespace, verdicts) if failed else ()))
    for function in unchecked:
        print(f"\n{function}\n  not checked: the public checks installed here have no checks for it (see the top).")
    passed = [r for r in all_results if r.passed]
    verdict = "all public checks pass" if len(passed) == len(all_results) else "some public checks fail"
    if unchecked:
        verdict = (f"{len(unchecked)} function(s) not checked ({', '.join(unchecked)}): "
                   "the public checks installed here are older than this notebook")
    print(f"\n{assignment}: {len(passed)}/{len(all_results)} public checks passed: {verdict}.")
    print(points_available(nb, {function: verdicts[function] for function in functions}))
    return 0 if len(passed) == len(all_results) and not unchecked else 1


def points_available(nb, verdicts):
    """Return the line that says how many of the notebook's points are within reach, and what that number is.

    A function's points are those of its test cell (`check_<function>`), which
    its hidden checks award; they are within reach when its public checks all pass.
    verdicts: {function: passes all its public checks?}, for the notebook's functions.
    """
    cells = cells_by_id(nb)
    points = {function: cell_points(cells.get(f"check_{function}")) for function in verdicts}
    reachable = sum(p for function, p in points.items() if verdicts[function])
    return (f"{reachable:g} of {sum(points.values()):g} points available: the points of the hidden checks of the "
            "functions whose public checks all pass. Hidden checks decide the grade and test more cases, "
            "so passing the public checks is a good sign, not a promise.")


def cell_points(cell):
    """Return the points nbgrader gives a test cell, or 0 when there is no such cell."""
    try:
        return float(cell.metadata.get("nbgrader", {}).get("points") or 0) if cell is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


if __name__ == "__main__":
    try:
        sys.exit(check_notebook(sys.argv[1], sys.argv[2], quiet_passes="--quiet" in sys.argv[3:]))
    except NotebookError as error:
        print(f"error: {error}")
        sys.exit(1)
