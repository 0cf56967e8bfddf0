"""The pytest plugin that hidden checks in `autograder/` run under.

It gives every check two fixtures:
- `student`: the graded functions of the notebook being graded;
- `reference`: the same functions from the instructor's solution in `source/`.

`--notebook PATH` loads a trusted notebook (the instructor's) in this process;
`--submission DIR` grades a student's folder with their code in a sandboxed
child process, so nothing they wrote runs where the score is decided.

It also refuses a test without `@graded` (every test needs a name and points),
narrows a run to one function with `--check-function`, and records a Result
per check so a runner can total the points.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nncourse.checks import Result, Student, carry_diagnoses
from nncourse.checks.callees import answered_callees
from nncourse.checks.core import parameter_names
from nncourse.grading.isolation import MODES, choose_mode, claim_uid
from nncourse.grading.sandbox import Isolation, Limits, RemoteStudent, Sandbox
from nncourse.grading.submission import read_submission
from nncourse.notebook import load_functions

NAMESPACE_KEY = pytest.StashKey[dict]()
RESULTS_KEY = pytest.StashKey[list]()
PROBLEMS_KEY = pytest.StashKey[list]()
TIMEOUT_KEY = pytest.StashKey[dict]()
CHECK_KEY = pytest.StashKey[dict]()  # the running check's CheckInfo and its module's reference namespace


def pytest_addoption(parser):
    group = parser.getgroup("nncourse")
    group.addoption("--notebook", help="a trusted notebook to grade in this process")
    group.addoption("--submission", help="a student's submission folder (or notebook) to grade in a sandbox")
    group.addoption("--isolation", choices=MODES, help="how student code is isolated (default: the strongest the probe finds)")
    group.addoption("--sandbox-uid", type=int, help="the unprivileged user id student code runs as (default: a free one)")
    group.addoption("--time-scale", type=float, default=1.0, help="multiply every check's timeout (slow machines: > 1)")
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
    config.stash[PROBLEMS_KEY] = []
    config.stash[TIMEOUT_KEY] = {"seconds": None}
    config.stash[CHECK_KEY] = {"info": None, "reference": {}, "apply": True, "changed": []}


def pytest_runtest_setup(item):
    # Set before fixtures run, so module fixtures (the MNIST training) get the first check's timeout.
    item.config.stash[TIMEOUT_KEY]["seconds"] = item.obj.check.timeout * item.config.getoption("--time-scale")
    current = item.config.stash[CHECK_KEY]
    current["info"] = item.obj.check
    current["reference"] = {} if item.obj.check.pipeline else reference_namespace(item.config, item.module)
    # A sandboxed child's report of in-place changes is its own word: it reaches a check's arguments
    # only where the check grades inputs unchanged (and a change reported there fails the check).
    current["apply"] = "unchanged" in item.obj.check.rules
    current["changed"] = []


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
    changed = item.config.stash[CHECK_KEY]["changed"]
    if report.when == "call" and report.passed and "unchanged" in info.rules and changed:
        report.outcome = "failed"
        report.longrepr = "; ".join(f"`{name}` changed its input {', '.join(f'`{a}`' for a in args)} in place"
                                    for name, args in changed)
    if report.when == "call" or failed_setup:
        message = "" if report.passed else (failure_message(call.excinfo) if call.excinfo else str(report.longrepr)
                                            + ".\n  hint:     Compute new arrays; never write into the inputs.")
        key = None if report.passed or call.excinfo is None else getattr(call.excinfo.value, "mistake", None)
        results = item.config.stash[RESULTS_KEY]
        public = item.obj.__module__.startswith("nncourse.checks.")  # imported from the public checks
        results.append(Result(info, report.passed, message, key, public))
        results[:] = carry_diagnoses(results)
    return report


def failure_message(excinfo):
    """Return the check's own words about a failure, never its code."""
    if excinfo is None:
        return ""
    error = excinfo.value
    text = str(error).strip()
    if isinstance(error, AssertionError):
        # A bare assert's message is pytest's rewrite of the check's source: never show it.
        text = text.split("\nassert ")[0]
        return "the result is not what the check expected" if not text or text.startswith("assert ") else text
    return f"{type(error).__name__}: {text}"


def pytest_sessionfinish(session):
    path = session.config.getoption("--results-json")
    if path:
        rows = [
            {"name": r.check.name, "function": r.check.function, "points": r.check.points,
             "passed": r.passed, "message": r.message, "mistake": r.mistake}
            for r in session.config.stash[RESULTS_KEY]
        ]
        Path(path).write_text(json.dumps(rows, indent=1))


def assignment_of_module(module):
    return Path(module.__file__).stem.removeprefix("test_")


def source_dir(config, module):
    source = config.getoption("--source-dir")
    return Path(source) if source else Path(module.__file__).resolve().parent.parent / "source"


@pytest.fixture(scope="session")
def student(request):
    config = request.config
    namespace = config.stash.get(NAMESPACE_KEY, None)
    if namespace is None and config.getoption("--notebook"):
        namespace = load_functions(config.getoption("--notebook"))[0]
    if namespace is not None:
        return Student(namespace, answers=lambda name: reference_answers(config.stash[CHECK_KEY], name))
    if not config.getoption("--submission"):
        raise pytest.UsageError("give --notebook PATH (trusted) or --submission DIR (a student's work)")
    return sandboxed_student(request)


def reference_answers(current, name):
    """Return {callee: reference function} for the calls `name` makes to other graded functions in this check."""
    reference = current["reference"]
    return {callee: reference[callee] for callee in answered_callees(current["info"], name, reference)}


def sandboxed_student(request):
    config = request.config
    module = request.session.items[0].module  # a grading run covers one assignment's module
    assignment = assignment_of_module(module)
    folder = Path(config.getoption("--submission"))
    if folder.suffix == ".ipynb":
        folder = folder.parent
    instructor = source_dir(config, module) / assignment / f"{assignment}.ipynb"
    submission = read_submission(folder.name, folder, assignment, instructor)
    scale = config.getoption("--time-scale")
    limits = Limits(load_seconds=Limits.load_seconds * scale, total_load_seconds=Limits.total_load_seconds * scale)
    uid = config.getoption("--sandbox-uid") or claim_uid()
    mode = config.getoption("--isolation") or choose_mode(None, uid, secrets=[instructor, config.rootpath, folder])
    isolation = Isolation(mode, uid)
    sandbox = Sandbox(submission.cells, limits, isolation)
    request.addfinalizer(sandbox.close)
    sandbox.start()
    problems = config.stash[PROBLEMS_KEY]
    problems += submission.problems
    problems += [f"the cell `{cid}` raised {message}" for cid, message in sandbox.load_errors.items()]
    return RemoteStudent(sandbox, config.stash[TIMEOUT_KEY],
                         answers=lambda name: reference_answers(config.stash[CHECK_KEY], name),
                         parameters=lambda name: reference_parameters(config, module, name),
                         inputs=config.stash[CHECK_KEY])


def reference_parameters(config, module, name):
    """Return the names of the positional parameters of the reference `name`, for messages; () without a reference."""
    try:
        return parameter_names(reference_namespace(config, module).get(name))
    except (OSError, RuntimeError):
        return ()


REFERENCES = {}  # (path, mtime) -> namespace: a grader worker loads each solution once


def reference_namespace(config, module):
    """Return the namespace of the instructor's solution of the assignment `module` checks."""
    assignment = assignment_of_module(module)
    path = (source_dir(config, module) / assignment / f"{assignment}.ipynb").resolve()
    key = (path, path.stat().st_mtime_ns)
    if key not in REFERENCES:
        namespace, errors = load_functions(path)
        if errors:
            raise RuntimeError(f"the reference solution of {assignment} is broken: {errors}")
        REFERENCES[key] = namespace
    return REFERENCES[key]


@pytest.fixture(scope="module")
def reference(request):
    return Student(reference_namespace(request.config, request.module))
