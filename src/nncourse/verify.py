"""`nncourse verify`: the course's integrity checks, to run after editing it.

Each check prints one line, `ok` with what it found, or one `FAIL` line per
problem, naming the place (file, cell, function) to fix:

- settings: the capstone's budget and thresholds make sense, and full marks need
  at least the accuracy the contract fixes;
- graded functions: every graded function (the contract's among them) has its
  answer cell, a locked check cell right after it, public checks, and hidden
  checks that include the public ones and more;
- points, prose, README: every value derived from a setting agrees with it
  (see nncourse.settings);
- leaks: release/ holds no solution, hidden-test or autograder line, solutions/
  no hidden-test or autograder line;
- stubs: each release stub fails every public check of its function;
- public checks: each solution passes every public check;
- fresh build: release/ and solutions/ are exactly what `nncourse build` makes now;
- grading: graded by the real grader, each solution earns full marks and each
  untouched release notebook earns nothing.

The fresh build and the grading take most of the time; they run side by side.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from nncourse import settings
from nncourse.leaks import meaningful_lines, source_regions
from nncourse.notebook import cells_by_id, grade_id, is_answer, nbgrader_meta, python_source, read_notebook

# The graded functions of each assignment that the course's fixed interface (its contract) names.
# The course may add functions and assignments of its own; these must stay.
CONTRACT_FUNCTIONS = {
    "01_forward": ["sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime", "leaky_relu",
                   "leaky_relu_prime", "softmax", "dense_forward", "init_params", "forward"],
    "02_loss": ["one_hot", "mse", "mse_grad", "binary_cross_entropy", "cross_entropy", "softmax_cross_entropy",
                "softmax_cross_entropy_grad", "accuracy"],
    "03_backprop": ["numerical_gradient", "relative_error", "dense_backward", "activation_backward", "backward"],
    "04_training": ["sgd_step", "minibatches", "train_epoch", "predict"],
    "05_mnist": ["preprocess", "train_mnist"],
}
CONTRACT_FULL_MARKS = 0.97  # the contract: full marks on 05_mnist need at least this test accuracy

SOLUTION, RELEASE = "solution", "release"  # the two "students" verify grades


@dataclass
class Course:
    """What the checks share: the course folder, the assignments checked, and the hidden checks of all."""

    root: Path
    names: list
    hidden: list = field(default_factory=list)  # settings.hidden_checks of every assignment
    points: dict = field(default_factory=dict)  # {assignment: {function: points}}

    def where(self, top, assignment):
        return f"{top}/{assignment}/{assignment}.ipynb"


def load_hidden(course):
    """Collect the hidden checks of every assignment into `course`; return the problems found doing it."""
    from nncourse.build import assignments

    everything = assignments(course.root)
    present = [a for a in everything if (course.root / "autograder" / f"test_{a}.py").is_file()]
    problems = [f"autograder/test_{a}.py: missing; every assignment needs its hidden checks"
                for a in everything if a not in present]
    try:
        course.hidden = settings.hidden_checks(course.root / "autograder", present)
    except settings.SettingsError as error:
        problems.append(str(error))
    course.points = settings.points_of(course.hidden, everything)
    return problems


def load_course(root, names=None):
    """Return the Course of `root` (the assignments `names`, default all) with its hidden checks collected.

    Raises SettingsError when they cannot be.
    """
    from nncourse.build import assignments

    course = Course(Path(root), list(names or assignments(root)))
    problems = load_hidden(course)
    if problems:
        raise settings.SettingsError("; ".join(problems))
    return course


# ---------------------------------------------------------------- settings and graded functions

def settings_problems(course):
    """Return problems with the capstone's time budget and accuracy thresholds."""
    from nncourse.checks import mnist

    where = settings.place(course.root, Path(mnist.__file__))
    problems = []
    if not mnist.ACCURACY_POINTS:
        return [f"{where}, ACCURACY_POINTS: no thresholds"]
    problems += [f"{where}, ACCURACY_POINTS: threshold {t!r} is not an accuracy in (0, 1]"
                 for t in mnist.ACCURACY_POINTS if not 0 < t <= 1]
    problems += [f"{where}, ACCURACY_POINTS: threshold {t!r} is worth {p!r} points; each must be worth more than 0"
                 for t, p in mnist.ACCURACY_POINTS.items() if not p > 0]
    top = max(mnist.ACCURACY_POINTS)
    if top < CONTRACT_FULL_MARKS:
        problems.append(f"{where}, ACCURACY_POINTS: full marks need {mnist.threshold_text(top)}, but the contract "
                        f"asks that they need at least {CONTRACT_FULL_MARKS}")
    if not mnist.TIME_BUDGET_SECONDS > 0:
        problems.append(f"{where}, TIME_BUDGET_SECONDS: {mnist.TIME_BUDGET_SECONDS!r} is not a time")
    return problems


def graded_function_problems(course):
    """Return problems with the graded functions: each needs its cells and its public and hidden checks."""
    from nncourse.checks import ASSIGNMENTS, public_checks
    from nncourse.checks import __file__ as checks_init

    checks_folder = Path(checks_init).parent
    problems = []
    for assignment in course.names:
        source = course.where("source", assignment)
        if assignment not in ASSIGNMENTS:
            problems.append(f"{source}: nncourse.checks.ASSIGNMENTS names no module of public checks for {assignment}")
            continue
        functions = settings.graded_functions(course.root, assignment, course.points[assignment])
        problems += [f"{source}: no answer cell `{f}`, a graded function the contract fixes"
                     for f in CONTRACT_FUNCTIONS.get(assignment, []) if f not in functions]
        problems += check_cell_problems(course, assignment, functions)
        hidden = {c["name"] for c in course.hidden if c["assignment"] == assignment}
        module = settings.place(course.root, Path(checks_folder) / f"{ASSIGNMENTS[assignment]}.py")
        for function in functions:
            public = {t.check.name for t in public_checks(assignment, function)}
            own_hidden = {n for n in hidden if n.startswith(function + ": ")}
            if not public:
                problems.append(f"{module}: no public checks of `{function}`")
            if not own_hidden:
                problems.append(f"autograder/test_{assignment}.py: no hidden checks of `{function}`")
            elif public and not public < own_hidden:
                problems.append(f"autograder/test_{assignment}.py: the hidden checks of `{function}` must include "
                                f"every public one and add more ({len(public)} public, {len(own_hidden)} hidden)")
    return problems


def check_cell_problems(course, assignment, functions):
    """Return problems with the locked test cell that must follow each graded function's answer cell."""
    cells = read_notebook(course.root / course.where("source", assignment)).cells
    problems = []
    for i, cell in enumerate(cells):
        name = grade_id(cell)
        if not (is_answer(cell) and name in functions):
            continue
        following = next((c for c in cells[i + 1:] if c.get("cell_type") == "code"), None)
        meta = nbgrader_meta(following or {})
        if not (following and grade_id(following) == f"check_{name}" and meta.get("locked") and meta.get("grade")
                and following.source.startswith(f"check({name})")):
            problems.append(f"{course.where('source', assignment)}, cell {name}: the next code cell must be the "
                            f"locked, graded cell check_{name}, starting with check({name})")
    return problems


def points_problems(course):
    return [p for a in course.names for p in settings.points_problems(course.root, a, course.points[a])]


def prose_problems(course):
    return [p for a in course.names for p in settings.prose_problems(course.root, a, course.points[a])]


def readme_problems(course):
    return settings.readme_problems(course.root, course.points)


# ---------------------------------------------------------------- leaks

def code_lines(paths):
    """Return every stripped line of every cell of the notebooks at `paths`."""
    return {line.strip() for path in paths for cell in read_notebook(path).cells for line in cell.source.splitlines()}


def secret_lines(root):
    """Return {line: "solution" | "hidden" | "autograder"}: the lines of every solution region, hidden block and
    hidden-check module.

    A line that the source notebooks also show students (outside those regions),
    such as `rng = np.random.default_rng(0)` in a demo, is public and not a secret.
    """
    regions, public = source_regions(root)
    secret = {line: kind for kind, _, line in regions}
    for path in sorted(Path(root, "autograder").glob("*.py")):
        secret.update({line: "autograder" for line in meaningful_lines(path.read_text()) if line not in secret})
    return {line: kind for line, kind in secret.items() if line not in public}


def leaked(secret, paths, kinds):
    """Return [(kind, line)] of the secret lines of `kinds` that the notebooks at `paths` hold."""
    shown = code_lines(paths)
    return sorted((kind, line) for line, kind in secret.items() if kind in kinds and line in shown)


def leak_problems(course):
    """Return problems: a secret line in a release notebook, or a hidden or autograder line in a solutions one."""
    secret = secret_lines(course.root)
    # autograder/ holds mistaken versions of the functions, which share lines with the solutions themselves.
    solution_code = {line for line, kind in secret.items() if kind == "solution"}
    problems = []
    for assignment in course.names:
        for top, kinds in (("release", {"solution", "hidden", "autograder"}), ("solutions", {"hidden", "autograder"})):
            path = course.root / course.where(top, assignment)
            if not path.is_file():
                continue  # the fresh-build check reports it
            found = [(kind, line) for kind, line in leaked(secret, [path], kinds)
                     if top == "release" or line not in solution_code]
            if top == "solutions" and any("HIDDEN TESTS" in line for line in code_lines([path])):
                found.append(("hidden", "### BEGIN HIDDEN TESTS"))
            problems += [f"{course.where(top, assignment)} shows a {kind} line: {line}" for kind, line in found]
    return problems


# ---------------------------------------------------------------- stubs and solutions against the public checks

@contextlib.contextmanager
def quiet():
    """Swallow what the notebooks' code prints (training progress) while their functions load and run."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def stub_problems(course):
    """Return problems: a public check that a release stub passes while every other function is correct."""
    from nncourse.checks import Student, public_checks, run_checks
    from nncourse.notebook import load_functions

    problems = []
    for assignment in course.names:
        functions = settings.graded_functions(course.root, assignment, course.points[assignment])
        release = course.root / course.where("release", assignment)
        if not release.is_file():
            continue
        with quiet():
            namespace, errors = load_functions(course.root / course.where("source", assignment))
        if errors:
            problems.append(f"{course.where('source', assignment)}: the solution does not run: {errors}")
            continue
        stubs = cells_by_id(read_notebook(release))
        for function in functions:
            if function not in stubs:
                problems.append(f"{course.where('release', assignment)}: no cell `{function}`")
                continue
            stubbed = dict(namespace)
            exec(compile(python_source(stubs[function].source), f"<stub {function}>", "exec"), stubbed)  # noqa: S102
            with quiet():
                results = run_checks(public_checks(assignment, function), Student(stubbed))
            passed = [r.check.name for r in results if r.passed]
            problems += [f"{course.where('release', assignment)}, cell {function}: the stub passes the public check "
                         f"'{name}'" for name in passed]
    return problems


def public_problems(course):
    """Return problems: a public check that a solutions notebook fails."""
    from nncourse.checks import Student, public_checks, run_checks
    from nncourse.notebook import load_functions

    problems = []
    for assignment in course.names:
        path = course.root / course.where("solutions", assignment)
        if not path.is_file():
            continue
        with quiet():
            namespace, errors = load_functions(path)
            failed = [r for r in run_checks(public_checks(assignment), Student(namespace)) if not r.passed]
        problems += [f"{course.where('solutions', assignment)}, cell {cell}: {message}" for cell, message in errors.items()]
        problems += [f"{course.where('solutions', assignment)}: fails the public check '{r.check.name}': "
                     f"{r.message.splitlines()[0]}" for r in failed]
    return problems


# ---------------------------------------------------------------- the slow ones: a fresh build, real grading

def fresh_build_problems(course):
    """Return problems: a file of release/ or solutions/ that a fresh build makes differently."""
    from nncourse.build import build_fresh, differences

    scratch = build_fresh(course.root, course.names)
    try:
        problems = []
        for assignment in course.names:
            for top in ("release", "solutions"):
                changed = differences(scratch / top / assignment, course.root / top / assignment)
                problems += [f"{top}/{assignment}/{name} differs from a fresh build (run `nncourse build`)"
                             for name in changed]
        return problems
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def grading_problems(course, assignment):
    """Grade the solutions notebook and the untouched release notebook of `assignment` with the real grader."""
    scratch = Path(tempfile.mkdtemp(prefix="nncourse-verify-"))
    try:
        for student, top in ((SOLUTION, "solutions"), (RELEASE, "release")):
            path = course.root / course.where(top, assignment)
            if path.is_file():
                (scratch / "submitted" / student / assignment).mkdir(parents=True)
                shutil.copy2(path, scratch / "submitted" / student / assignment)
        if not (scratch / "submitted").is_dir():
            return []  # the fresh-build check reports the missing notebooks
        # `nncourse grade` itself, in a process of its own: the grader reaps every child process of the process
        # it grades in, which would take the fresh build's nbgrader with it.
        done = subprocess.run(
            [sys.executable, "-m", "nncourse.cli", "grade", assignment, "--submitted", str(scratch / "submitted"),
             "--out", str(scratch / "graded"), "--no-gradebook"],
            cwd=course.root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            said = (done.stderr.strip() or done.stdout.strip())[-1500:]
            return [f"grading {assignment}: `nncourse grade` failed (exit {done.returncode}): {said}"]
        rows = {student: json.loads(path.read_text())
                for student in (SOLUTION, RELEASE)
                if (path := scratch / "graded" / assignment / student / "results.json").is_file()}
        return graded_problems(course, assignment, rows)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def graded_problems(course, assignment, rows):
    """Return problems with the graded reports: a solution that loses points, stubs that earn some."""
    problems = []
    if SOLUTION in rows:
        problems += [f"{course.where('solutions', assignment)} loses {t['max_score'] - t['score']:g} points in "
                     f"'{t['name']}': {t['output'].strip().splitlines()[0] if t['output'].strip() else 'no message'}"
                     for t in rows[SOLUTION]["tests"] if t["score"] < t["max_score"]]
        ran = sorted(t["name"] for t in rows[SOLUTION]["tests"])
        collected = sorted(c["name"] for c in course.hidden if c["assignment"] == assignment)
        if ran != collected:
            # The grader's processes import the checks anew: a course whose settings they cannot see grades otherwise.
            problems.append(f"grading {assignment}: the grader ran {len(ran)} checks, not the {len(collected)} hidden "
                            f"checks of autograder/test_{assignment}.py (first difference: "
                            f"{sorted(set(ran) ^ set(collected))[:1] or 'how many times a check ran'})")
    if RELEASE in rows and rows[RELEASE]["score"] > 0:
        earned = [t["name"] for t in rows[RELEASE]["tests"] if t["score"] > 0]
        problems.append(f"{course.where('release', assignment)}: untouched, it earns {rows[RELEASE]['score']:g} "
                        f"points, in {', '.join(earned)}")
    return problems


# ---------------------------------------------------------------- running them

QUICK = [
    ("settings", settings_problems,
     f"the capstone's budget and thresholds are sound; full marks need at least {CONTRACT_FULL_MARKS}"),
    ("graded functions", graded_function_problems,
     ("every graded function has its answer cell, check cell, public checks and stricter hidden checks; "
      "the contract's functions are all there")),
    ("points", points_problems, "every check cell's points equal its hidden checks' total"),
    ("prose", prose_problems, "every placeholder is known and filled; no setting's number is typed in"),
    ("README", readme_problems, "the settings table is current"),
    ("leaks", leak_problems,
     "release/ holds no solution, hidden or autograder line; solutions/ no hidden or autograder line"),
    ("stubs", stub_problems, "every release stub fails every public check of its function"),
    ("public checks", public_problems, "every solution passes every public check"),
]
FRESH_BUILD = ("fresh build", "release/ and solutions/ are what `nncourse build` makes now")
GRADING = ("grading", "graded by the real grader, each solution earns full marks and each release notebook 0")


def report(name, summary, problems, out):
    """Print the check's line, or one FAIL line per problem; return the number of problems."""
    if not problems:
        print(f"ok    {name}: {summary}", file=out, flush=True)
    for problem in problems:
        print(f"FAIL  {name}: {' / '.join(problem.splitlines())[:2000]}", file=out, flush=True)
    return len(problems)


def guarded(check, *args):
    """Return check(*args), or a one-line problem saying why it could not run."""
    try:
        return check(*args)
    except Exception as error:  # noqa: BLE001 (a check that cannot run is a failure to report, not a crash)
        return [f"could not run: {type(error).__name__}: {error}"]


def verify(root, names=None, quick=False, out=None):
    """Run the checks on the course at `root` (the assignments `names`, default all); return the number of problems.

    quick: only the checks that take seconds, without the fresh build and the grading.
    """
    from nncourse.build import assignments

    out = out or sys.stdout
    started = time.monotonic()
    root = Path(root)
    course = Course(root, list(names or assignments(root)))
    problems = report("hidden checks", "every assignment's hidden checks load", load_hidden(course), out)
    with ThreadPoolExecutor(max_workers=2) as pool:
        # Started first, the slow checks run while the quick ones do: a build is mostly nbgrader's
        # processes, grading mostly the grader's.
        build = None if quick else pool.submit(guarded, fresh_build_problems, course)
        grading = [] if quick else [pool.submit(guarded, grading_problems, course, a) for a in course.names]
        for name, check, summary in QUICK:
            problems += report(name, summary, guarded(check, course), out)
        if build:
            problems += report(*FRESH_BUILD, build.result(), out)
            problems += report(*GRADING, [p for future in grading for p in future.result()], out)
    elapsed = time.monotonic() - started
    checked = ", ".join(course.names) if names else f"all {len(course.names)} assignments"
    verdict = "every check passes" if not problems else f"{problems} problem{'s' if problems != 1 else ''}"
    print(f"verify ({checked}{', quick' if quick else ''}): {verdict}, in {elapsed:.0f} s", file=out, flush=True)
    return problems
