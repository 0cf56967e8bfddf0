"""Read course notebooks and pull out the code that defines a student's functions.

Grading never runs a notebook top to bottom: it runs the `imports` cell and the
answer cells (nbgrader `solution` cells, found by `grade_id`), so demos and
plots cost nothing and a stray cell cannot break the grade.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

SETUP_CELL = "imports"


class NotebookError(Exception):
    """A notebook is missing, unreadable or not laid out as the course expects."""


class Node(dict):
    """A dict whose keys read as attributes too (`cell.source`), like nbformat's NotebookNode."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        self[key] = value


def as_nodes(value):
    if isinstance(value, dict):
        return Node((k, as_nodes(v)) for k, v in value.items())
    if isinstance(value, list):
        return [as_nodes(v) for v in value]
    return value


def read_notebook(path):
    """Return the notebook at `path` (cells with string sources), or raise NotebookError saying why not.

    Plain json, not nbformat: nbformat takes seconds to import, and grading reads
    many notebooks.
    """
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"no notebook at {path}")
    try:
        nb = as_nodes(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise NotebookError(f"{path.name} is not valid notebook JSON: {error}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path.name} is JSON but not a notebook (it has no list of cells)")
    for cell in nb.cells:
        if not isinstance(cell, dict):
            raise NotebookError(f"{path.name} has a cell that is not a JSON object")
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(str(part) for part in cell["source"])
        if not isinstance(cell.get("source", ""), str):
            cell["source"] = ""
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = Node()
    return nb


def nbgrader_meta(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell):
    """Return the cell's nbgrader grade_id, or None when it has none or it is not a string."""
    cid = nbgrader_meta(cell).get("grade_id")
    return cid if isinstance(cid, str) and cid else None


def malformed_grade_ids(nb):
    """Return one line for each cell whose grade_id is present but not a non-empty string."""
    found = [nbgrader_meta(c).get("grade_id") for c in nb.cells]
    return [f"a cell has grade_id {cid!r}, which is not a name; it was ignored" for cid in found
            if cid is not None and not (isinstance(cid, str) and cid)]


def is_answer(cell):
    return cell.get("cell_type") == "code" and bool(nbgrader_meta(cell).get("solution"))


def cells_by_id(nb):
    """Return {grade_id: cell} for every nbgrader cell of the notebook."""
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def grading_code(nb):
    """Return [(grade_id, source)] of the cells that define the student's functions.

    That is the `imports` cell, then every answer cell, in notebook order.
    """
    cells = [c for c in nb.cells if is_answer(c) or (c.get("cell_type") == "code" and grade_id(c) == SETUP_CELL)]
    return [(grade_id(c) or "?", python_source(c.get("source", ""))) for c in cells]


def python_source(source):
    """Return a cell's source as the Python that IPython itself would run.

    IPython's own input transformation turns magics (`%matplotlib inline`) and
    shell escapes (`!pip install ...`) into calls to `get_ipython()` exactly
    where IPython sees them, and leaves everything else alone, such as a
    continuation line that starts with `%` or `!=`. Grading answers those calls
    by doing nothing (see QuietShell). A cell IPython cannot parse is returned
    as it is, so that running it reports the syntax error.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 (a broken cell is reported when it runs)
        return source


class QuietShell:
    """Stands in for IPython's shell where graders run cells: magics and shell commands do nothing."""

    def run_line_magic(self, *args, **kwargs):
        return None

    def run_cell_magic(self, *args, **kwargs):
        return None

    def system(self, *args, **kwargs):
        return None

    def getoutput(self, *args, **kwargs):
        return []


QUIET_SHELL = QuietShell()


def load_functions(path):
    """Execute a notebook's grading code in a fresh namespace.

    Returns `(namespace, errors)`, where errors maps the grade_id of each cell
    that raised to a one-line message; the cells after it still run. This runs
    in the calling process, so use it only for trusted notebooks (the
    instructor's solutions); student code goes through the isolated runner.
    """
    path = Path(path).resolve()
    # Cells run from the notebook's own folder, as they would in Jupyter.
    with contextlib.chdir(path.parent):
        return execute_cells(grading_code(read_notebook(path)))


def execute_cells(cells, namespace=None):
    """Run [(grade_id, source)] in order in one namespace; return (namespace, errors)."""
    namespace = {"__name__": "__notebook__"} if namespace is None else namespace
    namespace.setdefault("get_ipython", lambda: QUIET_SHELL)
    errors = {}
    for cell_id, source in cells:
        try:
            exec(compile(source, f"<cell {cell_id}>", "exec"), namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001 (one broken cell must not hide the others)
            errors[cell_id] = f"{type(error).__name__}: {error}"
    return namespace, errors


def use_functions_from(assignment, namespace=None):
    """Define, in the caller's namespace, the functions of a sibling assignment's notebook.

    Loads `../<assignment>/<assignment>.ipynb` relative to the current folder,
    which is the notebook's folder in Jupyter. Its own toolbox cell brings in
    the assignments before it.
    """
    from nncourse.checks.core import caller_namespace

    target = caller_namespace() if namespace is None else namespace
    path = (Path.cwd() / ".." / assignment / f"{assignment}.ipynb").resolve()
    with contextlib.chdir(path.parent):
        loaded, errors = execute_cells(grading_code(read_notebook(path)))
    if errors:
        details = "; ".join(f"cell {k}: {v}" for k, v in errors.items())
        raise NotebookError(f"{assignment} did not run cleanly ({details}); fix it there first")
    target.update({k: v for k, v in loaded.items() if not k.startswith("__") and k != "get_ipython"})
