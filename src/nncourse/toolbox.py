"""The toolbox: a notebook's own copy of the student's functions from the earlier assignments.

From 03_backprop on, a notebook builds on the functions of the assignments before it. Its
`toolbox` cell holds them, so that the notebook stands on its own when it is graded (graders
never see a student's other notebooks). The toolbox fills itself from the student's own sibling
notebooks, `../<earlier>/<earlier>.ipynb`, taking each one's `imports` cell and answer cells by
`grade_id`:

- in Jupyter, the toolbox cell runs `fill_toolbox()`, which replaces the cell's text with the code
  and defines the functions at once;
- in a terminal, `nncourse toolbox NOTEBOOK` writes the code into the saved notebook file;
- the locked cell after the toolbox runs `check_toolbox()`: the earlier assignments' public
  checks, on what the toolbox defined.

All three report the same way: which functions came from which notebook, and which are missing
or fail their public checks. Nothing is ever taken from an instructor's notebook.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nncourse.authoring import TOOLBOX, USES, earlier_work, toolbox_code
from nncourse.authoring import builds_on as instructor_builds_on
from nncourse.checks import ASSIGNMENTS, ChecksFailed, Student, public_checks, run_checks
from nncourse.checks.callees import calls_to_graded
from nncourse.checks.core import caller_namespace, is_assignment_name
from nncourse.notebook import SETUP_CELL, NotebookError, cells_by_id, grade_id, read_notebook

FILL_CALL = "from nncourse.toolbox import fill_toolbox\nfill_toolbox()"
CHECK_CALL = "from nncourse.toolbox import check_toolbox\ncheck_toolbox()"
INSTRUCTOR_MARKERS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "use_functions_from")
INSTRUCTOR_FOLDERS = ("source", "solutions")
STUB = re.compile(r"^[ \t]*raise NotImplementedError(\(\))?[ \t]*$", re.M)
PASSES, MISSING, FAILS = "passes", "missing", "fails"
NOT_DEFINED = "not defined: run the toolbox cell above"
TIMEOUT_SECONDS = 600
# The child's verdicts travel as 10 + exit code, so a student's os._exit(0) cannot pass for success.
CHILD_OFFSET = 10


class ToolboxError(Exception):
    """The toolbox cannot be filled here (no such notebook, no toolbox in it, not in Jupyter): said in one line."""

    def _render_traceback_(self):
        # IPython shows this line instead of a traceback through the kit.
        return [f"ToolboxError: {self}"]


@dataclass(frozen=True)
class Verdict:
    """How one earlier function stands: it passes its public checks, is missing, or fails them (detail says why)."""

    assignment: str
    function: str
    status: str
    detail: str = ""


@dataclass
class Toolbox:
    """What fills one notebook's toolbox: the code, where each function came from, and a verdict on each."""

    assignment: str
    builds_on: list
    taken: dict = field(default_factory=dict)  # earlier assignment -> functions taken from it
    notes: list = field(default_factory=list)  # earlier notebooks or cells that could not be used
    code: str = ""
    verdicts: list = field(default_factory=list)

    @property
    def complete(self):
        return all(v.status == PASSES for v in self.verdicts)

    def report(self):
        """Return the text printed after filling: what came from where, then the verdicts."""
        lines = [f"The toolbox of {self.assignment}, from your saved notebooks:"]
        for earlier in self.builds_on:
            functions = self.taken.get(earlier, [])
            if functions:
                lines.append(textwrap.fill(f"took from {sibling_text(earlier)}: {', '.join(functions)}", width=100,
                                           initial_indent="  ", subsequent_indent="      "))
        lines += [f"  {note}" for note in self.notes]
        lines.append("Public checks of what was taken:")
        return "\n".join(lines + [format_verdicts(self.builds_on, self.verdicts)])

    def cell_text(self):
        """Return the text of the filled toolbox cell: a short note for the student, then the code."""
        missing = [v.function for v in self.verdicts if v.status == MISSING]
        header = [
            f"# Your own functions from {joined(self.builds_on)}, copied here from your notebooks by",
            "# fill_toolbox(), so that this notebook stands on its own. To copy them again after you change",
            "# an earlier notebook, save that notebook, replace this cell's text with the two lines",
            *[f"#     {line}" for line in FILL_CALL.splitlines()],
            "# and run it again (or run `nncourse toolbox` on this notebook in a terminal).",
        ]
        if missing:
            header.append(f"# Missing from your notebooks, so not copied: {', '.join(missing)}.")
        return "\n".join(header) + "\n\n" + self.code + "\n"


def joined(names):
    """Return names as 'a, b and c'."""
    names = list(names)
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def sibling_text(earlier):
    return f"../{earlier}/{earlier}.ipynb"


def functions_of(assignment):
    """Return the graded functions of `assignment`, in the order of its public checks."""
    tests = public_checks(assignment)
    return list(dict.fromkeys(t.check.function for t in tests if not is_assignment_name(t.check.function)))


def builds_on_of(notebook, assignment):
    """Return the earlier assignments whose functions the notebook's toolbox holds, in course order.

    A built notebook records them in its toolbox cell's metadata; an instructor's notebook names
    them in `use_functions_from` calls; failing both (no such file, say), every earlier assignment
    from 01 on that has graded functions.
    """
    notebook = Path(notebook)
    try:
        cell = cells_by_id(read_notebook(notebook)).get(TOOLBOX)
    except NotebookError:
        cell = None
    if cell is not None:
        recorded = cell.metadata.get("nncourse", {}).get("builds_on")
        if isinstance(recorded, list):
            return [name for name in recorded if name in ASSIGNMENTS]
        if USES.search(cell.source):
            return instructor_builds_on(notebook.parent.parent, assignment)
    return [name for name in ASSIGNMENTS if int(name[:2]) >= 1 and name < assignment and functions_of(name)]


def instructor_reason(path, nb):
    """Return why the notebook at `path` is an instructor's (and must not be taken from), or None."""
    folder = path.parent.parent.name
    if folder in INSTRUCTOR_FOLDERS:
        return f"it lies in the instructor's {folder}/ folder"
    for cell in nb.cells:
        for marker in INSTRUCTOR_MARKERS:
            if marker in cell.source:
                return f"it holds `{marker}`, so it is an instructor's notebook"
    return None


def run_quietly(source, label, namespace, folder):
    """Run one cell's code in `namespace` from `folder`, output swallowed; return None or what it raised."""
    try:
        with contextlib.chdir(folder), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, label, "exec"), namespace)  # noqa: S102
    except (Exception, SystemExit) as error:  # noqa: BLE001 (one broken cell must not hide the others)
        return f"{type(error).__name__}: {error}"
    return None


def take_from(top, earlier, namespace, toolbox, known):
    """Take `earlier`'s imports and answer cells from the student's sibling notebook into `toolbox`.

    Runs each taken cell in `namespace`, and notes in `known` the functions that are missing
    or whose cell raised. Returns the cell sources to put in the toolbox.
    """
    path = Path(top) / earlier / f"{earlier}.ipynb"
    functions = functions_of(earlier)
    try:
        nb = read_notebook(path)
        refusal = instructor_reason(path, nb)
    except NotebookError as error:
        nb, refusal = None, "there is no such notebook" if not path.is_file() else str(error)
    if refusal:
        toolbox.notes.append(f"nothing taken from {sibling_text(earlier)}: {refusal}")
        known.update({f: (MISSING, f"{sibling_text(earlier)} could not be used") for f in functions})
        return []
    cells = {}
    for cid, source in earlier_work(nb):
        cells.setdefault(cid, source)  # a duplicated cell: the first one counts, as in grading
    sources, taken = [], []
    for cid, source in cells.items():
        if STUB.search(source):
            if cid in functions:
                known[cid] = (MISSING, "not written yet: it still raises NotImplementedError")
            continue
        error = run_quietly(source, f"<{earlier}: cell {cid}>", namespace, path.parent)
        if error:
            if cid in functions:
                known[cid] = (FAILS, f"its cell in {sibling_text(earlier)} raised {error}, so it was left out")
            else:
                toolbox.notes.append(f"left out the `{cid}` cell of {sibling_text(earlier)}: it raised {error}")
            continue
        sources.append(source)
        if cid != SETUP_CELL:
            taken.append(cid)
    for function in functions:
        if function not in cells:
            known[function] = (MISSING, f"{sibling_text(earlier)} has no cell with grade_id `{function}`")
    toolbox.taken[earlier] = taken
    return sources


def gather(top, assignment, earlier):
    """Return the Toolbox of `assignment` from the student's notebooks in `top`/<earlier>/<earlier>.ipynb."""
    toolbox = Toolbox(assignment, list(earlier))
    namespace, known, pieces = {"__name__": "__toolbox__"}, {}, []
    for name in earlier:
        pieces.append((name, take_from(top, name, namespace, toolbox, known)))
    toolbox.code = toolbox_code([(name, sources) for name, sources in pieces if sources])
    toolbox.verdicts = judge(earlier, namespace, known)
    return toolbox


def judge(assignments, namespace, known=None):
    """Return a Verdict for every graded function of `assignments`, from their public checks on `namespace`.

    known: {function: (status, detail)} already decided (missing cells, cells that raised).
    A function whose own callee is missing or failing is said to fail because of it.
    """
    known = known or {}
    student, verdicts = Student(namespace), {}
    for assignment in assignments:
        for function in functions_of(assignment):
            if function in known:
                verdicts[function] = Verdict(assignment, function, *known[function])
            elif not callable(namespace.get(function)):
                verdicts[function] = Verdict(assignment, function, MISSING, NOT_DEFINED)
            else:
                verdicts[function] = judge_one(assignment, function, namespace, student, verdicts)
    return list(verdicts.values())


def judge_one(assignment, function, namespace, student, verdicts):
    """Return the Verdict of a defined function from its public checks, blaming a callee that is at fault."""
    failed = [r for r in run_checks(public_checks(assignment, function), student) if not r.passed]
    if not failed:
        return Verdict(assignment, function, PASSES)
    for callee in calls_to_graded(namespace[function]):
        trouble = callee_trouble(callee, namespace, verdicts)
        if trouble:
            return Verdict(assignment, function, FAILS, f"it calls `{callee}`, which {trouble}: fix that first")
    if all("is not written yet" in r.message for r in failed):
        return Verdict(assignment, function, MISSING, "not written yet: it still raises NotImplementedError")
    return Verdict(assignment, function, FAILS, f"{failed[0].check.name}\n{failed[0].message}")


def callee_trouble(callee, namespace, verdicts):
    """Return what is wrong with a function another one calls ('is missing', 'fails'), or None."""
    if callee in verdicts:
        return {PASSES: None, MISSING: "is missing", FAILS: "fails"}[verdicts[callee].status]
    return None if callable(namespace.get(callee)) else "is not defined"


def format_verdicts(assignments, verdicts):
    """Return the report on `verdicts`: a line per assignment, one per function that does not pass, a summary."""
    lines = []
    for assignment in assignments:
        own = [v for v in verdicts if v.assignment == assignment]
        passing = sum(v.status == PASSES for v in own)
        counted = f"all {passing}" if passing == len(own) else f"{passing} of {len(own)}"
        lines.append(f"  {assignment}: {counted} functions pass their public checks")
        for v in own:
            if v.status != PASSES:
                label = f"    [{'MISSING' if v.status == MISSING else 'FAIL'}] {v.function}: "
                lines.append(label + v.detail.replace("\n", "\n        "))
    trouble = sum(v.status != PASSES for v in verdicts)
    if trouble:
        lines.append(f"{trouble} of {len(verdicts)} functions from {joined(assignments)} are missing or fail their "
                     "public checks. Fix them in their own notebooks, save those, and fill the toolbox again.")
    else:
        lines.append(f"Toolbox ready: all {len(verdicts)} functions from {joined(assignments)} "
                     "pass their public checks.")
    return "\n".join(lines)


def assignment_of(folder):
    """Return the assignment the folder is named after, or raise ToolboxError."""
    name = Path(folder).name
    if name not in ASSIGNMENTS:
        raise ToolboxError(f"cannot tell which assignment this is: the folder `{name}` is not named after one "
                           f"({', '.join(ASSIGNMENTS)}). Keep each notebook in its assignment's folder.")
    return name


def collect_toolbox(notebook):
    """Return the Toolbox that fills the notebook file's toolbox cell; raise ToolboxError when it has none."""
    path = Path(notebook).resolve()
    try:
        cells = cells_by_id(read_notebook(path))
    except NotebookError as error:
        raise ToolboxError(str(error)) from None
    if TOOLBOX not in cells:
        raise ToolboxError(f"{path.name} has no toolbox cell: it does not build on earlier notebooks")
    assignment = path.stem if path.stem in ASSIGNMENTS else assignment_of(path.parent)
    return gather(path.parent.parent, assignment, builds_on_of(path, assignment))


def write_toolbox(notebook, text):
    """Replace the text of the toolbox cell of the notebook file, in one atomic step (never half a file)."""
    path = Path(notebook)
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if grade_id(c) == TOOLBOX)
    cell["source"] = text.splitlines(keepends=True)
    cell["outputs"], cell["execution_count"] = [], None
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.stem}-",
                                     suffix=".ipynb", delete=False) as out:
        out.write(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    os.replace(out.name, path)


def fill_notebook(notebook):
    """Fill the toolbox cell of the notebook file from its siblings; print the report; return the exit code.

    0 when every function was found and passes its public checks, 1 otherwise,
    2 when there is no toolbox to fill (said in one line on stderr).
    """
    try:
        toolbox = collect_toolbox(notebook)
    except ToolboxError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(toolbox.report())
    if not any(toolbox.taken.values()):
        print(f"\nNothing was found to copy, so {Path(notebook).name} was left as it was.")
        return 1
    try:
        write_toolbox(notebook, toolbox.cell_text())
    except OSError as error:
        print(f"error: could not write {Path(notebook).name}: {error}", file=sys.stderr)
        return 2
    print(f"\nWrote the toolbox into {Path(notebook).name}. If it is open in Jupyter, reload it there "
          "(File > Reload Notebook from Disk) before you save it again.")
    return 0 if toolbox.complete else 1


def fill_in_child(notebook, timeout=TIMEOUT_SECONDS):
    """Run fill_notebook in a child process, where the student's code runs; return its exit code."""
    command = [sys.executable, "-m", "nncourse.toolbox", str(notebook)]
    try:
        done = subprocess.run(command, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"Your earlier notebooks' code ran for over {timeout} s and was stopped. Look for a loop that never ends.")
        return 1
    if done.returncode - CHILD_OFFSET not in (0, 1, 2):
        print(f"Your earlier notebooks' code stopped the toolbox command (exit code {done.returncode}). "
              "Look for sys.exit(), os._exit() or a crash in their cells.")
        return 1
    return done.returncode - CHILD_OFFSET


def ipython_shell():
    """Return the running IPython shell, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def fill_toolbox():
    """Copy your finished functions from your earlier notebooks into this toolbox cell, and define them.

    Run it in the toolbox cell. It reads your saved notebooks next to this one
    (`../01_forward/01_forward.ipynb`, ...), says which functions it took from which
    notebook and which are missing or fail their public checks, then replaces the cell's
    text with the code, so that the notebook you hand in stands on its own.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        # Graders never see the other notebooks: only code written into the cell counts.
        raise ToolboxError("the toolbox cell still calls fill_toolbox(): run that cell in Jupyter, so that your "
                           "functions are written into it, and save the notebook before you validate or submit it.")
    shell = ipython_shell()
    if shell is None:
        print("fill_toolbox() writes into the notebook cell it runs in, so it works only in Jupyter. In a terminal, "
              "run `nncourse toolbox NOTEBOOK` instead: it writes the toolbox into the saved notebook file.")
        return
    folder = Path.cwd()
    assignment = assignment_of(folder)
    toolbox = gather(folder.parent, assignment, builds_on_of(folder / f"{assignment}.ipynb", assignment))
    print(toolbox.report())
    if not any(toolbox.taken.values()):
        print("\nNothing was found to copy: finish and save your earlier notebooks next to this one, "
              "then run this cell again.")
        return
    exec(compile(toolbox.code, "<toolbox>", "exec"), shell.user_ns)  # noqa: S102
    shell.set_next_input(toolbox.cell_text(), replace=True)
    print("\nThis cell now holds your code, and your functions are defined. Save the notebook (Ctrl-S).")


def check_toolbox(namespace=None):
    """Run the public checks of every function the toolbox should hold, and print a short report.

    Call it in the cell after the toolbox. It raises ChecksFailed when a function is missing
    or fails, which is what nbgrader's Validate button looks for; while nbgrader autogrades,
    it only prints.
    """
    namespace = caller_namespace() if namespace is None else namespace
    try:
        assignment = assignment_of(Path.cwd())
    except ToolboxError as error:
        print(f"check_toolbox {error}")
        trouble = 1
    else:
        earlier = builds_on_of(Path.cwd() / f"{assignment}.ipynb", assignment)
        print(f"Public checks of your toolbox (the functions of {joined(earlier)}):")
        verdicts = judge(earlier, namespace)
        print(format_verdicts(earlier, verdicts))
        trouble = sum(v.status != PASSES for v in verdicts)
    if trouble and os.environ.get("NBGRADER_EXECUTION") != "autograde":
        raise ChecksFailed(f"{trouble} toolbox function(s) missing or failing; see the report above.")


def main(argv):
    return CHILD_OFFSET + fill_notebook(argv[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
