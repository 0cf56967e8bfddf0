"""Turn a student's submission into the code to grade, the way nbgrader would.

Cells are matched by `grade_id`, never by position. Answer cells come from the
student; locked cells (the `imports` cell) come from the instructor's notebook,
so editing them changes nothing. Anything odd (a missing or duplicated cell, a
code cell turned into Markdown, a renamed notebook) becomes a message for the
student, and grading goes on with what is usable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from nncourse.notebook import SETUP_CELL, NotebookError, grade_id, is_answer, malformed_grade_ids, python_source, read_notebook


@dataclass
class Submission:
    student: str
    notebook: Path | None
    cells: list = field(default_factory=list)  # [(grade_id, source)] to run, in instructor order
    problems: list = field(default_factory=list)  # messages for the student


def find_notebook(folder, assignment):
    """Return (path or None, problems) for the notebook of `assignment` in a student's folder.

    Links are never followed: a submitted "notebook" that is a symlink (to the
    instructor's notebook, say) is refused, and so is a linked folder.
    """
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        why = "is a link, which is not accepted" if folder.is_symlink() else "is missing"
        return None, [f"nothing was submitted for {assignment} (the folder {folder.name}/ {why})"]
    expected = folder / f"{assignment}.ipynb"
    if expected.is_symlink():
        return None, [f"{assignment}.ipynb is a link, not a notebook; submit the notebook file itself"]
    if expected.is_file():
        return expected, []
    notebooks = sorted(p for p in walk_without_links(folder) if p.suffix == ".ipynb" and ".ipynb_checkpoints" not in p.parts)
    if len(notebooks) == 1:
        return notebooks[0], [f"the notebook was renamed to {notebooks[0].name}; graded it anyway"]
    if not notebooks:
        return None, [f"no notebook found; expected {assignment}.ipynb"]
    names = ", ".join(p.name for p in notebooks)
    return None, [f"{assignment}.ipynb is missing and several other notebooks are there ({names}); rename yours to {assignment}.ipynb"]


def walk_without_links(folder):
    """Return the regular files under `folder`, never entering or returning a symlink."""
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(top, d))]
        found += [Path(top) / f for f in files if not os.path.islink(os.path.join(top, f))]
    return found


def submission_cells(student_nb, instructor_nb):
    """Return (cells, problems): the code to grade, built from both notebooks."""
    student_cells = {}
    problems = []
    for cell in student_nb.cells:
        cid = grade_id(cell)
        if not cid:
            continue
        if cid in student_cells:
            problems.append(f"the cell `{cid}` appears more than once; graded the first one")
            continue
        student_cells[cid] = cell
    cells = []
    for cell in instructor_nb.cells:
        cid = grade_id(cell)
        if cell.get("cell_type") != "code" or not (cid == SETUP_CELL or is_answer(cell)):
            continue
        if cid == SETUP_CELL:
            cells.append((cid, python_source(cell.source)))
            continue
        mine = student_cells.get(cid)
        if mine is None:
            problems.append(f"the cell `{cid}` is missing (deleted, or its metadata lost); it counts as not answered")
        elif mine.get("cell_type") != "code":
            problems.append(f"the cell `{cid}` was changed to {mine.get('cell_type')}; it counts as not answered")
        else:
            cells.append((cid, python_source(mine.get("source", ""))))
    return cells, problems


def read_submission(student, folder, assignment, instructor_notebook):
    """Return the Submission of `student` for `assignment` from their folder."""
    path, problems = find_notebook(folder, assignment)
    submission = Submission(student, path, problems=problems)
    if path is None:
        return submission
    try:
        student_nb = read_notebook(path)
    except NotebookError as error:
        submission.problems.append(str(error))
        return submission
    submission.cells, more = submission_cells(student_nb, read_notebook(instructor_notebook))
    submission.problems += malformed_grade_ids(student_nb) + more
    return submission
