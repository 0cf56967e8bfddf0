"""Put `nncourse grade` scores into nbgrader's gradebook, so `nbgrader export` and the formgrader agree.

Each graded function's test cell (`check_<function>`) gets, as its automatic
score, the points its hidden checks earned.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path


def cell_scores(report):
    """Return {grade cell name: points earned} from a results.json."""
    scores = {}
    for test in report["tests"]:
        function = test["name"].split(": ", 1)[0]
        cell = f"check_{function}"
        scores[cell] = scores.get(cell, 0.0) + test["score"]
    return scores


def record_scores(root, assignment, rows, db_url=None):
    """Write each student's cell scores into the gradebook; return a one-line summary."""
    from nbgrader.api import Gradebook, MissingEntry

    db_url = db_url or f"sqlite:///{Path(root) / 'gradebook.db'}"
    # nbgrader runs `alembic` by name when it opens a gradebook.
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    with Gradebook(db_url) as gb, warnings.catch_warnings():
        # nbgrader's own add_submission trips SQLAlchemy's autoflush warning; the rows are written all the same.
        warnings.filterwarnings("ignore", message=".*not in session.*")
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return f"gradebook not updated: {assignment} is not in it (run `nncourse build` in the course first)"
        for student, report in rows:
            gb.update_or_create_student(student)
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                submission = gb.add_submission(assignment, student)
            scores = cell_scores(report)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in scores:
                        grade.auto_score = scores[grade.name]
                    elif grade.auto_score is None:
                        grade.auto_score = 0.0  # a cell the grader has no check for earns nothing
        gb.db.commit()
    return f"gradebook updated: {len(rows)} students of {assignment}"
