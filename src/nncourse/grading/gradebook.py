"""nbgrader's side of `nncourse grade`: the roster, due dates, manual grades, late penalties and feedback.

Before any check runs, each submission is recorded in the course's gradebook
with the time in its `timestamp.txt`, as `nbgrader autograde` does; the
gradebook then gives the student's due date (with any extension), how late
they were, and any grade set by hand in the formgrader. After grading:

- each grade cell (`check_<function>`) gets, as its automatic score, the points
  that function's checks earned; a grade set in the formgrader (manual_score)
  is kept, and replaces it in the total, as in nbgrader;
- the late penalty comes from the `LateSubmissionPlugin` that nbgrader_config.py
  gives `AssignLatePenalties`, and is stored per notebook as nbgrader does, so
  `nbgrader export` shows the timestamp, the penalty and the same score;
- `autograded/<student>/<assignment>/` holds the submission with its locked
  cells restored by nbgrader's own preprocessors, each check cell showing its
  checks (no student code runs here), so the formgrader lists it as autograded
  and can grade it by hand;
- `feedback/<student>/<assignment>/<notebook>.html`, with the submission's
  `timestamp.txt` and `submission_secret.txt`, is where `nbgrader release_feedback`
  takes each student's feedback from.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
import sys
import warnings
from contextlib import contextmanager
from html import escape
from pathlib import Path

import mistune
import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters.autograde import Autograde
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import AssignLatePenalties
from nbgrader.utils import parse_utc
from traitlets import Float

from nncourse.grading.report import Standing, feedback_markdown, function_points, is_check, write_atomic
from nncourse.grading.submission import find_notebook
from nncourse.notebook import NotebookError, grade_id, read_notebook

SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")  # what nbgrader's exchange adds to a submission


class SubtractEachHour(LateSubmissionPlugin):
    """Take `penalty` points off for each hour, or part of one, that a notebook is late."""

    penalty = Float(1.0, help="points taken off per started hour late").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return self.penalty * math.ceil(total_seconds_late / 3600)


def cell_scores(report):
    """Return {grade cell name: points earned} from a report of the checks."""
    return {f"check_{function}": earned for function, (earned, _) in function_points(report["tests"]).items()}


def utc(moment):
    """Return a gradebook time (naive, in UTC) as text, or None."""
    return None if moment is None else f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def read_timestamp(folder):
    """Return the time in a submission's timestamp.txt (naive UTC, as the gradebook keeps it), or None."""
    path = Path(folder) / "timestamp.txt"
    if not path.is_file() or path.is_symlink() or Path(folder).is_symlink():
        return None
    try:
        return parse_utc(path.read_text(errors="replace").strip() or None)
    except (ValueError, OverflowError):
        return None


def nbgrader_app(root):
    """Return nbgrader's own application, configured as `nbgrader` would be in the course folder `root`."""
    from nbgrader.apps.baseapp import NbGrader

    # nbgrader runs `alembic` by name when it opens a gradebook.
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))  # a plugin the config names may live beside it, as nbgrader allows
    app = NbGrader()
    app.initialize([], root=str(root))
    # Its preprocessors warn about every check cell of a release notebook, whose hidden tests are stripped.
    app.log_level = "ERROR"
    return app


class CourseGradebook:
    """A course's nbgrader gradebook and settings, for grading one assignment."""

    def __init__(self, root, assignment):
        self.app = nbgrader_app(root)
        self.coursedir = self.app.coursedir
        self.assignment = assignment
        late = AssignLatePenalties(parent=self.app)
        late.init_plugin()
        self.plugin = late.plugin_inst
        self.folders = {}
        self.unshown = []  # students whose notebook nbgrader could not prepare for the formgrader
        self.notebooks = [assignment]
        # The preprocessors `nbgrader autograde` prepares a submission with before running it.
        self.sanitizers = [pp(parent=self.app) for pp in Autograde(coursedir=self.coursedir, parent=self.app).sanitize_preprocessors]

    @contextmanager
    def open(self):
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb, warnings.catch_warnings():
            # nbgrader's own add_submission trips SQLAlchemy's autoflush warning; the rows are written all the same.
            warnings.filterwarnings("ignore", message=".*not in session.*")
            yield gb

    def missing(self):
        """Return why this gradebook cannot take the assignment's grades, or None."""
        with self.open() as gb:
            try:
                notebooks = gb.find_assignment(self.assignment).notebooks
            except MissingEntry:
                notebooks = []
            if not notebooks:
                return f"{self.assignment} is not in {self.coursedir.db_url} (run `nncourse build {self.assignment}` in the course first)"
            self.notebooks = [notebook.name for notebook in notebooks]
        return None

    def roster(self):
        with self.open() as gb:
            return [student.id for student in gb.students]

    def standings(self, folders):
        """Record every submission with its timestamp; return {student: Standing}.

        folders: {student: their folder of this assignment}. A student without
        one gets no submission in the gradebook (nbgrader export shows 0 for them).
        """
        self.folders = dict(folders)
        found = {}
        with self.open() as gb:
            for student, folder in folders.items():
                if not Path(folder).is_dir():
                    found[student] = Standing(submitted=False)
                    continue
                gb.update_or_create_student(student)
                submission = gb.update_or_create_submission(self.assignment, student, timestamp=read_timestamp(folder))
                manual = {grade.name.removeprefix("check_"): grade.manual_score
                          for notebook in submission.notebooks for grade in notebook.grades if grade.manual_score is not None}
                found[student] = Standing(True, utc(submission.timestamp), utc(submission.duedate),
                                          float(submission.total_seconds_late), manual)
        return found

    def late_penalty(self, student, score, seconds_late):
        return self.plugin.late_submission_penalty(student, score, seconds_late)

    def record(self, checks, reports, published=False):
        """Write the scores and penalties into the gradebook, then autograded/ and feedback/; return a summary.

        checks: {student: report of the checks alone}; reports: {student: final report}.
        """
        submitted = [s for s in checks if reports[s].get("extra_data", {}).get("submitted", True) and s in self.folders]
        with self.open() as gb:
            for student in submitted:
                self.record_one(gb.find_submission(self.assignment, student), cell_scores(checks[student]),
                                reports[student]["extra_data"])
            gb.db.commit()
        for student in submitted:
            self.write_autograded(student, reports[student], published)
            self.write_feedback(student, feedback_markdown(student, self.assignment, reports[student], published))
        feedback = self.coursedir.format_path(self.coursedir.feedback_directory, "*", self.assignment)
        unshown = f"; no notebook for the formgrader to show of {', '.join(self.unshown)}" if self.unshown else ""
        return (f"gradebook updated: {len(submitted)} submissions of {self.assignment}; "
                f"feedback in {feedback} for `nbgrader release_feedback {self.assignment}`{unshown}")

    @staticmethod
    def record_one(submission, scores, extra):
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                score = scores.get(grade.name, 0.0)  # a cell the grader has no check for earns nothing
                # As in nbgrader: a manual grade stays, and is flagged for review only if what it overrode changed.
                grade.needs_manual_grade = grade.manual_score is not None and grade.auto_score not in (None, score)
                grade.auto_score = score
            notebook.late_submission_penalty = None
        if extra.get("seconds_late") and submission.notebooks:
            submission.notebooks[0].late_submission_penalty = extra.get("late_penalty", 0.0)

    def student_folder(self, kind, student):
        return Path(self.coursedir.format_path(kind, student, self.assignment))

    def copy_submission_files(self, student, dest):
        """Copy the submission's timestamp.txt and submission_secret.txt into `dest`, replacing older ones."""
        folder = Path(self.folders[student])
        for name in SUBMISSION_FILES:
            source = folder / name
            (dest / name).unlink(missing_ok=True)
            if source.is_file() and not source.is_symlink() and not folder.is_symlink():
                shutil.copyfile(source, dest / name)

    def write_autograded(self, student, report, published):
        """Write autograded/<student>/<assignment>/: the notebook the formgrader shows, and the submission's files."""
        dest = self.student_folder(self.coursedir.autograded_directory, student)
        dest.mkdir(parents=True, exist_ok=True)
        self.copy_submission_files(student, dest)
        path, _ = find_notebook(self.folders[student], self.assignment)
        notebook_id = self.notebooks[0]
        target = dest / f"{notebook_id}.ipynb"
        nb = path and self.sanitized(path, student, notebook_id)
        if nb is None:
            target.unlink(missing_ok=True)  # nothing the formgrader could show
            self.unshown.append(student)
            return
        show_checks(nb, report, published)
        write_atomic(target, nbformat.writes(nb))

    def sanitized(self, path, student, notebook_id):
        """Return the student's notebook as `nbgrader autograde` prepares it before running it, or None if it cannot."""
        try:
            nb = read_notebook(path)
        except NotebookError:
            return None
        resources = {"nbgrader": {"notebook": notebook_id, "assignment": self.assignment, "student": student,
                                  "db_url": self.coursedir.db_url}}
        try:
            for preprocessor in self.sanitizers:
                nb, resources = preprocessor.preprocess(nb, resources)
        except Exception:  # noqa: BLE001 (nbgrader refuses odd metadata; the grade stands, the view is left out)
            return None
        return nb

    def write_feedback(self, student, markdown):
        """Write feedback/<student>/<assignment>/ as nbgrader's generate_feedback would, for release_feedback."""
        dest = self.student_folder(self.coursedir.feedback_directory, student)
        dest.mkdir(parents=True, exist_ok=True)
        secret = dest / "submission_secret.txt"
        earlier = secret.read_text() if secret.is_file() else None
        self.copy_submission_files(student, dest)
        # release_feedback reads both files. A submission that did not come through the
        # exchange has neither: it gets an empty timestamp and a secret of its own.
        if not (dest / "timestamp.txt").is_file():
            write_atomic(dest / "timestamp.txt", "")
        if not secret.is_file():
            write_atomic(secret, earlier or secrets.token_hex(64))  # the same from run to run
        write_atomic(dest / f"{self.notebooks[0]}.html", feedback_html(f"{self.assignment}: feedback for {student}", markdown))


def show_checks(nb, report, published):
    """Give each check cell of `nb` an output listing its function's checks and points, as the formgrader shows it."""
    for cell in nb.cells:
        cell_id = grade_id(cell) or ""
        if cell.get("cell_type") != "code" or not cell_id.startswith("check_"):
            continue
        function = cell_id.removeprefix("check_")
        lines = []
        for t in report["tests"]:
            if t["name"].split(": ", 1)[0] != function:
                continue
            status = "PASS" if t["score"] >= t["max_score"] else "FAIL"
            status = status if is_check(t) else "NOTE"
            lines.append(f"[{status}] {t['name']} ({t['score']:g} / {t['max_score']:g})")
            if t["score"] < t["max_score"] and (t.get("visibility") == "visible" or published):
                lines.append("       " + (t["output"] or "").replace("\n", "\n       "))
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n")] if lines else []


def feedback_html(title, markdown):
    """Return a standalone HTML page of the feedback Markdown; raw HTML in it is shown as text, never run."""
    body = mistune.create_markdown(escape=True, plugins=["table"])(markdown)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
            "pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}</style>\n"
            f"</head>\n<body>\n{body}</body>\n</html>\n")
