"""Make student-like notebooks from the release, for testing checks and graders.

`completed_notebook` fills a release notebook the way a diligent student
would: every answer cell gets the solution's code, and the toolbox cell gets
the earlier assignments' functions pasted in. `overrides` swaps in other code
for chosen cells, which is how a test makes a notebook with one known bug.
"""

from __future__ import annotations

import re
from pathlib import Path

from nncourse.notebook import SETUP_CELL, cells_by_id, grade_id, is_answer, read_notebook

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)
USES = re.compile(r"""use_functions_from\(\s*["']([^"']+)["']\s*\)""")
TOOLBOX = "toolbox"


def solution_code(source):
    """Return a source cell's code as a student would have written it: markers and hidden tests gone."""
    return SOLUTION_MARKERS.sub("", HIDDEN_BLOCK.sub("", source))


def notebook_path(root, top, assignment):
    return Path(root) / top / assignment / f"{assignment}.ipynb"


def pasted_toolbox(root, assignment, seen=None):
    """Return the code a student pastes into `assignment`'s toolbox: the earlier functions it builds on."""
    seen = set() if seen is None else seen
    cells = cells_by_id(read_notebook(notebook_path(root, "source", assignment)))
    toolbox = cells.get(TOOLBOX)
    parts = []
    for earlier in USES.findall(toolbox.source if toolbox else ""):
        if earlier in seen:
            continue
        seen.add(earlier)
        parts.append(pasted_toolbox(root, earlier, seen))
        earlier_cells = read_notebook(notebook_path(root, "source", earlier)).cells
        parts.append(f"# From {earlier}")
        parts += [solution_code(c.source) for c in earlier_cells if grade_id(c) == SETUP_CELL]
        parts += [solution_code(c.source) for c in earlier_cells if is_answer(c) and grade_id(c) != TOOLBOX]
    return "\n\n".join(p.strip() for p in parts if p.strip())


def completed_notebook(root, assignment, overrides=None):
    """Return the release notebook of `assignment` with every answer filled in, then `overrides` applied."""
    nb = read_notebook(notebook_path(root, "release", assignment))
    solutions = cells_by_id(read_notebook(notebook_path(root, "source", assignment)))
    for cell in nb.cells:
        cid = grade_id(cell)
        if not is_answer(cell):
            continue
        if cid == TOOLBOX:
            cell.source = pasted_toolbox(root, assignment)
        elif cid in solutions:
            cell.source = solution_code(solutions[cid].source)
    for cid, source in (overrides or {}).items():
        matches = [c for c in nb.cells if grade_id(c) == cid]
        if not matches:
            raise KeyError(f"{assignment} has no cell {cid!r}")
        matches[0].source = source
    return nb
