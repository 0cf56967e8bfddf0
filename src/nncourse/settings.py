"""The course's settings, each set in one place, and the values `nncourse build` derives from them.

- A function's points: the `points=` of its hidden checks in `autograder/test_NN_slug.py` (the
  public checks imported there count too). `nncourse build` writes their total into the nbgrader
  `points` of the function's `check_<function>` cell in `source/`, before nbgrader reads it.
- The capstone's time budget and accuracy thresholds: `nncourse/checks/mnist.py`, which ships with
  the public checks.
- Numbers in a notebook's prose: a placeholder in the Markdown of `source/`, such as
  `{{budget_seconds}}` or `{{points.softmax}}`, which `nncourse build` fills in release/ and
  solutions/ (see `prose_values`).
- The settings table of README.md, between the two marker lines, is written by `nncourse build` too.

`nncourse verify` reports every place where a derived value disagrees with its setting.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from nncourse.authoring import TOOLBOX, notebook_path
from nncourse.notebook import cells_by_id, grade_id, is_answer, nbgrader_meta, read_notebook

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][\w.]*)\s*\}\}")
README_BEGIN = "<!-- settings table: begin (`nncourse build` writes it; see docs/authoring.md) -->"
README_END = "<!-- settings table: end -->"


class SettingsError(Exception):
    """A setting and a value derived from it disagree, or a derived value has nowhere to go."""


def number_text(value):
    """Return a number of points as the course writes it: 4, 2.5."""
    return f"{value:g}"


def place(root, path):
    """Return `path` relative to the course folder, for a message."""
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- points, from the hidden checks

class CheckCollector:
    """A pytest plugin that keeps (assignment, name, function, points, timeout) of every check pytest collects."""

    def __init__(self):
        self.checks = []

    def pytest_collection_finish(self, session):
        self.checks = [{"assignment": Path(item.path).stem.removeprefix("test_"), "name": item.obj.check.name,
                        "function": item.obj.check.function, "points": item.obj.check.points,
                        "timeout": item.obj.check.timeout}
                       for item in session.items]


def collect_here(autograder, assignments):
    """Collect the hidden checks of `assignments` with pytest in this process; return CheckCollector.checks."""
    import contextlib
    import io

    import pytest

    autograder = Path(autograder)
    missing = [f"autograder/test_{a}.py" for a in assignments if not (autograder / f"test_{a}.py").is_file()]
    if missing:
        raise SettingsError(f"no hidden checks: {', '.join(missing)} missing")
    collector = CheckCollector()
    args = [*(str(autograder / f"test_{a}.py") for a in assignments), "-c", str(autograder / "pytest.ini"),
            "--rootdir", str(autograder), "--import-mode=importlib", "-p", "no:cacheprovider", "--collect-only", "-q"]
    with contextlib.redirect_stdout(io.StringIO()) as log:
        code = pytest.main(args, plugins=[collector])
    if code != pytest.ExitCode.OK:
        raise SettingsError(f"the hidden checks do not load (pytest exit {code}):\n{log.getvalue()[-3000:]}")
    return collector.checks


def hidden_checks(autograder, assignments):
    """Return [{assignment, name, function, points, timeout}] for every hidden check of `assignments`, in run order.

    Pytest collects autograder/ in a child process, as grading does, so that no course's hidden
    modules linger in this one.
    """
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    done = subprocess.run([sys.executable, "-m", "nncourse.settings", str(autograder), *assignments],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SettingsError(done.stderr.strip() or f"collecting the hidden checks failed (exit {done.returncode})")
    return json.loads(done.stdout)


def points_of(checks, assignments):
    """Return {assignment: {function: total points}} of hidden `checks`, functions in the order checks run."""
    totals = {a: {} for a in assignments}
    for check in checks:
        functions = totals[check["assignment"]]
        functions[check["function"]] = functions.get(check["function"], 0.0) + check["points"]
    return totals


def hidden_points(autograder, assignments):
    """Return {assignment: {function: total points of its hidden checks}}, functions in the order checks run."""
    return points_of(hidden_checks(autograder, list(assignments)), assignments)


def check_cells(nb):
    """Return {function: cell} of the notebook's graded test cells, `check_<function>`."""
    return {cid.removeprefix("check_"): cell for cid, cell in cells_by_id(nb).items()
            if cid.startswith("check_") and cell.get("cell_type") == "code" and nbgrader_meta(cell).get("grade")}


def point_mismatches(root, assignment, totals):
    """Return (unmatched, differing): lines naming check cells and hidden checks without a partner, and cells
    whose points differ from their hidden checks' total."""
    path = notebook_path(root, "source", assignment)
    where, hidden = place(root, path), f"autograder/test_{assignment}.py"
    cells = check_cells(read_notebook(path))
    unmatched = [f"{where}, cell check_{function}: {hidden} has no checks of `{function}`"
                 for function in cells if function not in totals]
    unmatched += [f"{where}: no graded cell check_{function} for the checks of `{function}` in {hidden}"
                  for function in totals if function not in cells]
    differing = []
    for function, cell in cells.items():
        points = nbgrader_meta(cell).get("points")
        if function in totals and points != totals[function]:
            stated = number_text(points) if isinstance(points, (int, float)) else repr(points)
            differing.append(f"{where}, cell check_{function}: {stated} points, but the hidden checks of "
                             f"`{function}` in {hidden} total {number_text(totals[function])} "
                             "(run `nncourse build`, which writes them)")
    return unmatched, differing


def points_problems(root, assignment, totals):
    """Return one line per disagreement between the check cells' points in source/ and the hidden checks."""
    unmatched, differing = point_mismatches(root, assignment, totals)
    return unmatched + differing


def stamp_points(root, assignment, totals):
    """Write each check cell's nbgrader points in source/ from the hidden checks; return whether the file changed.

    Raises SettingsError when check cells and hidden checks do not match one to one.
    """
    import nbformat

    unmatched, _ = point_mismatches(root, assignment, totals)
    if unmatched:
        raise SettingsError("; ".join(unmatched))
    path = notebook_path(root, "source", assignment)
    nb = nbformat.read(path, as_version=4)
    changed = False
    for function, cell in check_cells(nb).items():
        points = int(totals[function]) if float(totals[function]).is_integer() else totals[function]
        if cell.metadata.nbgrader.get("points") != points:
            cell.metadata.nbgrader["points"] = points
            changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


# ---------------------------------------------------------------- graded functions

def graded_functions(root, assignment, totals):
    """Return the answer cells of source/ that carry a graded function, in notebook order.

    A graded function has checks (public or hidden) or a check cell; the toolbox and answer cells
    without any check (the bonus leaderboard entry) are not graded.
    """
    from nncourse.checks import ASSIGNMENTS, public_checks

    nb = read_notebook(notebook_path(root, "source", assignment))
    checked = set(totals) | set(check_cells(nb))
    if assignment in ASSIGNMENTS:
        checked |= {t.check.function for t in public_checks(assignment)}
    return [grade_id(c) for c in nb.cells if is_answer(c) and grade_id(c) != TOOLBOX and grade_id(c) in checked]


# ---------------------------------------------------------------- numbers in prose

def prose_values(assignment, totals):
    """Return {placeholder: text} for the Markdown of `assignment`'s notebook.

    `points.<function>` (and `points.<assignment>` for its pipeline checks) is the total of the hidden
    checks, `points.total` the assignment's; the public-check module of the assignment may add its own
    numbers through a `prose_values()` function (05_mnist's budget and thresholds).
    """
    values = {f"points.{function}": number_text(points) for function, points in totals.items()}
    values["points.total"] = number_text(sum(totals.values()))
    return {**values, **module_values(assignment)}


def module_values(assignment):
    """Return the placeholders the public-check module of `assignment` defines, or {}."""
    from nncourse.checks import ASSIGNMENTS

    if assignment not in ASSIGNMENTS:
        return {}
    module = importlib.import_module(f"nncourse.checks.{ASSIGNMENTS[assignment]}")
    return module.prose_values() if hasattr(module, "prose_values") else {}


def filled(text, values):
    """Return `text` with every placeholder replaced by its value; raise KeyError naming an unknown one.

    A value of several lines keeps the indentation of the placeholder's line (a table inside a list item).
    """

    def value(match):
        name = match.group(1)
        if name not in values:
            raise KeyError(name)
        indent = re.match(r"[ \t]*", text[text.rfind("\n", 0, match.start()) + 1:]).group(0)
        return values[name].replace("\n", "\n" + indent)

    return PLACEHOLDER.sub(value, text)


def fill_prose(root, assignment, totals):
    """Fill the placeholders of release/ and solutions/ notebooks of `assignment`; raise SettingsError on a bad one."""
    import nbformat

    values = prose_values(assignment, totals)
    for top in ("release", "solutions"):
        path = notebook_path(root, top, assignment)
        nb = nbformat.read(path, as_version=4)
        changed = False
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown" or not PLACEHOLDER.search(cell.source):
                continue
            if "nbgrader" in cell.metadata:
                # nbgrader keeps its cells' text in the gradebook and restores it when it autogrades.
                raise SettingsError(f"source/{assignment}/{assignment}.ipynb, Markdown cell {i}: placeholders belong in "
                                    "plain Markdown cells, not in nbgrader cells")
            try:
                cell.source = filled(cell.source, values)
            except KeyError as error:
                raise SettingsError(f"source/{assignment}/{assignment}.ipynb, Markdown cell {i}: unknown placeholder "
                                    f"{{{{{error.args[0]}}}}}; known: {', '.join(sorted(values))}") from None
            changed = True
        if changed:
            nbformat.write(nb, path)


def typed_numbers(values):
    """Return {number as the prose would write it: placeholder} for the setting values worth looking for."""
    typed = {}
    for name, text in values.items():
        if name.startswith("points."):
            continue  # small integers: "2" is everywhere in prose
        numbers = [text] if "\n" not in text else re.findall(r"\d+\.\d+", text)
        typed.update({number: name for number in numbers if re.search(r"\d", number) and len(number) > 1})
    return typed


def typed_in(text, values):
    """Return [(number, placeholder)] for the settings' numbers that `text` states outside placeholders."""
    bare = PLACEHOLDER.sub("", text)
    return [(number, name) for number, name in typed_numbers(values).items()
            if re.search(rf"(?<![\w.,]){re.escape(number)}(?![\w]|[.,]\d)", bare)]  # not part of 60,000 or 0.45


def prose_problems(root, assignment, totals):
    """Return one line per problem with the numbers of `assignment`'s prose: bad or typed-in ones, or left unfilled."""
    values = prose_values(assignment, totals)
    problems = []
    source = notebook_path(root, "source", assignment)
    for i, cell in enumerate(read_notebook(source).cells):
        if cell.get("cell_type") != "markdown":
            continue
        where = f"{place(root, source)}, Markdown cell {i}"
        unknown = sorted({name for name in PLACEHOLDER.findall(cell.source) if name not in values})
        if unknown:
            problems.append(f"{where}: unknown placeholder {', '.join('{{' + n + '}}' for n in unknown)}")
        if PLACEHOLDER.search(cell.source) and nbgrader_meta(cell):
            problems.append(f"{where}: placeholders belong in plain Markdown cells, not in nbgrader cells")
        problems += [f"{where}: {number!r} is typed in; write {{{{{name}}}}}, which `nncourse build` fills in"
                     for number, name in typed_in(cell.source, values)]
    for top in ("release", "solutions"):
        path = notebook_path(root, top, assignment)
        if not path.is_file():
            continue  # the fresh-build check reports it
        left = [i for i, cell in enumerate(read_notebook(path).cells)
                if cell.get("cell_type") == "markdown" and PLACEHOLDER.search(cell.source)]
        problems += [f"{place(root, path)}, Markdown cell {i}: a placeholder is left unfilled (run `nncourse build`)"
                     for i in left]
    return problems


# ---------------------------------------------------------------- the README's settings table

def readme_table(root, points):
    """Return the README's settings block (markers included) for {assignment: {function: points}}."""
    from nncourse.checks.mnist import ACCURACY_POINTS, TIME_BUDGET_SECONDS, threshold_text

    rows = [README_BEGIN, "| assignment | graded functions | points |", "|---|---|---|"]
    for assignment, totals in points.items():
        functions = graded_functions(root, assignment, totals)
        rows.append(f"| `{assignment}` | {len(functions)} | {number_text(sum(totals.values()))} |")
    steps = [f"{number_text(p)}{' more' if i else ''} point{'s' if p != 1 else ''} at {threshold_text(t)}"
             for i, (t, p) in enumerate(sorted(ACCURACY_POINTS.items()))]
    capstone = (f"In `05_mnist`, `train_mnist` has {TIME_BUDGET_SECONDS:g} s of CPU time on one core to train on the "
                f"60,000 training images; test accuracy earns {', '.join(steps)} (full marks).")
    rows += ["", capstone, README_END]
    return "\n".join(rows)


def readme_block(text):
    """Return (start, end) of the settings block in README text, or None when its markers are missing."""
    start, end = text.find(README_BEGIN), text.find(README_END)
    return (start, end + len(README_END)) if 0 <= start < end else None


def write_readme(root, points):
    """Rewrite README.md's settings block, if README.md has one; return whether it changed."""
    path = Path(root) / "README.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    block = readme_block(text)
    if block is None:
        return False
    new = text[:block[0]] + readme_table(root, points) + text[block[1]:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def readme_problems(root, points):
    """Return one line per problem with README.md's settings: a stale table or a setting's number typed in."""
    path = Path(root) / "README.md"
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    block = readme_block(text)
    if block is None:
        return [f"README.md: no settings table (its marker lines are {README_BEGIN} and {README_END})"]
    problems = []
    if text[block[0]:block[1]] != readme_table(root, points):
        problems.append("README.md, settings table: out of date (run `nncourse build`, which writes it)")
    outside = text[:block[0]] + text[block[1]:]
    problems += [f"README.md: {number!r} is typed in; the settings table states {name.replace('_', ' ')}"
                 for number, name in typed_in(outside, module_values("05_mnist"))]
    return problems


def main(argv=None):
    """`python -m nncourse.settings AUTOGRADER ASSIGNMENT...`: print the hidden checks' points as JSON."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m nncourse.settings AUTOGRADER ASSIGNMENT...", file=sys.stderr)
        return 2
    try:
        checks = collect_here(argv[0], argv[1:])
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
