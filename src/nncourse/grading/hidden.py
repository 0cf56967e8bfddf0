"""Run the hidden checks of `autograder/` from Python: in a notebook or in a grader.

In a source notebook, each graded function's test cell ends with a hidden block

    ### BEGIN HIDDEN TESTS
    grade_in_notebook("softmax")
    ### END HIDDEN TESTS

nbgrader strips it from the release and puts it back when it autogrades. The
call runs the same pytest checks that `nncourse grade` runs and leaves the
points earned as the cell's value, which nbgrader reads as partial credit.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from nncourse.checks import assignment_of
from nncourse.checks.core import caller_namespace
from nncourse.grading.plugin import PROBLEMS_KEY, RESULTS_KEY, NamespaceProvider

ENV_AUTOGRADER = "NNCOURSE_AUTOGRADER"


class ResultsCollector:
    results = ()
    problems = ()

    def pytest_sessionfinish(self, session):
        self.results = list(session.config.stash[RESULTS_KEY])
        self.problems = list(session.config.stash[PROBLEMS_KEY])


def find_autograder(start=None):
    """Return the course's `autograder/` folder: $NNCOURSE_AUTOGRADER, or the nearest one above `start`."""
    if os.environ.get(ENV_AUTOGRADER):
        return Path(os.environ[ENV_AUTOGRADER])
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "autograder" / "conftest.py").is_file():
            return folder / "autograder"
    raise FileNotFoundError(f"no autograder/ folder above {here}; set {ENV_AUTOGRADER}")


@contextlib.contextmanager
def only_our_plugin():
    """Keep pytest from loading every plugin installed (slow, and none is needed here)."""
    old = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = old


def run_hidden(assignment, *, namespace=None, notebook=None, submission=None, function=None, autograder=None,
               extra_args=()):
    """Run the hidden checks of `assignment`; return (results, problems).

    The student's code comes from one of: `namespace` (a live kernel's),
    `notebook` (trusted, loaded here) or `submission` (a student's folder,
    run in a sandbox).
    """
    autograder = Path(autograder or find_autograder())
    args = [
        str(autograder / f"test_{assignment}.py"),
        "-c", str(autograder / "pytest.ini"),
        "--rootdir", str(autograder),
        "--import-mode=importlib",
        "-p", "no:cacheprovider",
        "-q",
    ]
    if function:
        args += ["--check-function", function]
    if notebook:
        args += ["--notebook", str(notebook)]
    if submission:
        args += ["--submission", str(submission)]
    args += list(extra_args)
    collector = ResultsCollector()
    plugins = [collector] + ([NamespaceProvider(namespace)] if namespace is not None else [])
    with contextlib.redirect_stdout(io.StringIO()) as log, only_our_plugin():
        code = pytest.main(args, plugins=plugins)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(f"the hidden checks of {assignment} could not run (pytest exit {code}):\n{log.getvalue()}")
    return collector.results, collector.problems


def grade_in_notebook(function):
    """Run the hidden checks of `function` on the notebook's own namespace; return the points earned."""
    results, _ = run_hidden(assignment_of(function), namespace=caller_namespace(), function=function)
    for r in results:
        status = "PASS" if r.passed else "FAIL"
        print(f"[{status}] {r.check.name} ({r.check.points:g} pt)")
        if not r.passed:
            print("       " + r.message.replace("\n", "\n       "))
    return sum(r.check.points for r in results if r.passed)
