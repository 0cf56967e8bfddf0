"""The pytest plugin that hidden checks in `autograder/` run under.

It gives every check two fixtures:
- `student`: the graded functions of the notebook being graded;
- `reference`: the same functions from the instructor's solution in `source/`.

It also refuses a test without `@graded` (every test needs a name and points),
narrows a run to one function with `--check-function`, and records a Result
per check so a runner can total the points.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nncourse.checks import Result, Student
from nncourse.notebook import load_functions

NAMESPACE_KEY = pytest.StashKey[dict]()
RESULTS_KEY = pytest.StashKey[list]()


def pytest_addoption(parser):
    group = parser.getgroup("nncourse")
    group.addoption("--notebook", help="the notebook whose functions are graded")
    group.addoption("--source-dir", help="the course's source/ folder (default: beside autograder/)")
    group.addoption("--check-function", help="run only the checks of this graded function")
    group.addoption("--results-json", help="write the result of every check to this file")


class NamespaceProvider:
    """Registered by runners that already hold the student's namespace (a kernel)."""

    def __init__(self, namespace):
        self.namespace = namespace

    def pytest_configure(self, config):
        config.stash[NAMESPACE_KEY] = self.namespace


def pytest_configure(config):
    config.stash[RESULTS_KEY] = []


def pytest_collection_modifyitems(config, items):
    function = config.getoption("--check-function")
    keep, drop = [], []
    for item in items:
        info = getattr(getattr(item, "obj", None), "check", None)
        if info is None:
            raise pytest.UsageError(f"{item.nodeid} has no @graded(...) name and points")
        (keep if function in (None, info.function) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    info = item.obj.check
    failed_setup = report.when == "setup" and report.failed
    if report.when == "call" or failed_setup:
        message = "" if report.passed else failure_message(call.excinfo)
        item.config.stash[RESULTS_KEY].append(Result(info, report.passed, message))
    return report


def failure_message(excinfo):
    """Return the check's own words about a failure, never its code."""
    if excinfo is None:
        return ""
    error = excinfo.value
    text = str(error).strip()
    if isinstance(error, AssertionError):
        # A bare assert's message carries pytest's rewrite of the source line; keep only the first line.
        return text.split("\nassert ")[0] if text else "the check's assertion failed"
    return f"{type(error).__name__}: {text}"


def pytest_sessionfinish(session):
    path = session.config.getoption("--results-json")
    if path:
        rows = [
            {"name": r.check.name, "function": r.check.function, "points": r.check.points,
             "passed": r.passed, "message": r.message}
            for r in session.config.stash[RESULTS_KEY]
        ]
        Path(path).write_text(json.dumps(rows, indent=1))


def assignment_of_module(module):
    return Path(module.__file__).stem.removeprefix("test_")


@pytest.fixture(scope="session")
def student(request):
    namespace = request.config.stash.get(NAMESPACE_KEY, None)
    if namespace is None:
        notebook = request.config.getoption("--notebook")
        if not notebook:
            raise pytest.UsageError("give the notebook to grade with --notebook PATH")
        namespace, _ = load_functions(notebook)
    return Student(namespace)


@pytest.fixture(scope="module")
def reference(request):
    source = request.config.getoption("--source-dir")
    source = Path(source) if source else Path(request.module.__file__).resolve().parent.parent / "source"
    assignment = assignment_of_module(request.module)
    namespace, errors = load_functions(source / assignment / f"{assignment}.ipynb")
    if errors:
        raise RuntimeError(f"the reference solution of {assignment} is broken: {errors}")
    return Student(namespace)
