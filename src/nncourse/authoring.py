"""Make student-like notebooks from the release, for testing checks and graders.

`completed_notebook` fills a release notebook the way a diligent student
would: every answer cell gets the solution's code, and the toolbox cell gets
the earlier assignments' functions pasted in. `overrides` swaps in other code
for chosen cells, which is how a test makes a notebook with one known bug.
"""

from __future__ import annotations

import re
from pathlib import Path

from nncourse.notebook import cells_by_id, grade_id, grading_code, is_answer, read_notebook

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)
USES = re.compile(r"""use_functions_from\(\s*["']([^"']+)["']\s*\)""")
TOOLBOX = "toolbox"


def solution_code(source):
    """Return a source cell's code as a student would have written it: markers and hidden tests gone."""
    return SOLUTION_MARKERS.sub("", HIDDEN_BLOCK.sub("", source))


def notebook_path(root, top, assignment):
    return Path(root) / top / assignment / f"{assignment}.ipynb"


def builds_on(top, assignment):
    """Return the earlier assignments whose functions `assignment`'s toolbox loads, in course order.

    top: the folder holding the instructor's assignment folders (a course's source/). Loading
    03_backprop loads what 03_backprop's own toolbox loads too.
    """
    found, todo = set(), [assignment]
    while todo:
        name = todo.pop()
        toolbox = cells_by_id(read_notebook(Path(top) / name / f"{name}.ipynb")).get(TOOLBOX)
        for earlier in USES.findall(toolbox.source if toolbox else ""):
            if earlier not in found:
                found.add(earlier)
                todo.append(earlier)
    return sorted(found)


def earlier_work(nb):
    """Return [(grade_id, source)] of what a later toolbox takes from a notebook: its imports and answer cells.

    The notebook's own toolbox is left out: the later toolbox takes that from its own notebook.
    """
    return [(cid, source) for cid, source in grading_code(nb) if cid != TOOLBOX]


def toolbox_code(pieces):
    """Return a toolbox's code from [(earlier assignment, [cell source, ...])], each part under `# From <assignment>`."""
    parts = []
    for earlier, sources in pieces:
        parts.append(f"# From {earlier}")
        parts += sources
    return "\n\n".join(p.strip() for p in parts if p.strip())


def pasted_toolbox(root, assignment):
    """Return the code a student pastes into `assignment`'s toolbox: the earlier functions it builds on."""
    pieces = []
    for earlier in builds_on(Path(root) / "source", assignment):
        cells = earlier_work(read_notebook(notebook_path(root, "source", earlier)))
        pieces.append((earlier, [solution_code(source) for _, source in cells]))
    return toolbox_code(pieces)


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
