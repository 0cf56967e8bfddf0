"""`nncourse export`: an assignment's grades as a file that Canvas, Moodle or a spreadsheet imports.

The numbers are those of `<graded>/<assignment>/grades.csv` (its `score` and
`max_score` columns), so the LMS shows what `nncourse grade` printed. An LMS
knows students by its own ids, so each student id is matched to a person:
first from nbgrader's gradebook (first_name, last_name, email, lms_user_id, as
`nbgrader db student add` or `import` set them), then from a roster CSV, whose
non-empty cells win. The roster has a `student_id` column (or nbgrader's `id`)
and any of ROSTER_FIELDS.

A format that needs an LMS identity (Canvas, Moodle) refuses to write when a
graded student has none, naming them, unless the instructor allows it.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, fields
from pathlib import Path

from nncourse.grading.report import FORMULA_START, csv_cell, write_atomic

FORMATS = ("canvas", "moodle", "csv")
# What each format needs to find a student in the LMS: any one of these fields (see the README).
IDENTITIES = {
    "canvas": ("lms_user_id", "sis_user_id", "sis_login_id"),
    "moodle": ("email", "sis_user_id"),
    "csv": (),
}
IDENTITY_NAMES = {
    "canvas": "Canvas identity (lms_user_id, sis_user_id or sis_login_id)",
    "moodle": "Moodle identity (email or sis_user_id)",
}


class ExportError(Exception):
    """The export cannot be written: said in one line."""


class UnmappedStudents(ExportError):
    """Graded students have no identity the LMS can match."""


@dataclass
class Person:
    """What an LMS may know a student by; every field is text, empty when unknown."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""  # Canvas's user ID (the gradebook export's `ID` column)
    sis_user_id: str = ""  # the institution's student number: Canvas's SIS User ID, Moodle's ID number
    sis_login_id: str = ""  # Canvas's SIS Login ID
    section: str = ""

    def name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def sortable_name(self):
        """Return "Last, First", as Canvas's own gradebook export writes the Student column."""
        return ", ".join(part for part in (self.last_name, self.first_name) if part)


ROSTER_FIELDS = tuple(f.name for f in fields(Person))


@dataclass(frozen=True)
class Grade:
    student: str
    score: float
    max_score: float


def number(value):
    """Return a score as a spreadsheet shows it: 61 not 61.0, 12.5 kept, no float noise (0.1 + 0.2 is 0.3)."""
    return f"{round(value, 6):.12g}"


def stored_id(cell):
    """Return a student id as grading knew it, undoing the quote csv_cell puts before a formula character."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def read_grades(path):
    """Return the Grades of grades.csv, in its order; raise ExportError when it is missing or malformed."""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"no grades at {path}")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("student_id", "score", "max_score") if c not in (reader.fieldnames or [])]
        if missing:
            raise ExportError(f"{path} has no {' or '.join(missing)} column: regrade to rewrite it")
        grades = []
        for line, row in enumerate(reader, start=2):
            try:
                score, max_score = float(row["score"]), float(row["max_score"])
            except (TypeError, ValueError):
                raise ExportError(f"{path}, line {line}: score {row['score']!r} / {row['max_score']!r} "
                                  "is not a number") from None
            if not (math.isfinite(score) and math.isfinite(max_score)):
                raise ExportError(f"{path}, line {line}: score {row['score']} / {row['max_score']} is not finite")
            grades.append(Grade(stored_id(row["student_id"]), score, max_score))
    return grades


def gradebook_people(root):
    """Return {student id: Person} from the gradebook of the course at `root`, or {} when it has none yet."""
    try:
        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SQLAlchemyError

        from nncourse.grading.gradebook import nbgrader_app
    except ImportError:
        if (Path(root) / "gradebook.db").is_file():
            raise ExportError(f"reading {Path(root) / 'gradebook.db'} needs nbgrader: "
                              "pip install 'nncourse[course]'") from None
        return {}
    # The database and course id nbgrader_config.py names, as `nbgrader` itself would open them.
    coursedir = nbgrader_app(root).coursedir
    db = coursedir.db_url.removeprefix("sqlite:///")
    if coursedir.db_url.startswith("sqlite:///") and not Path(db).is_file():
        return {}  # opening a missing gradebook would create one
    try:
        with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
            return {s.id: Person(**{name: getattr(s, name, None) or "" for name in ROSTER_FIELDS}) for s in gb.students}
    except SQLAlchemyError as error:
        raise ExportError(f"could not read the gradebook {coursedir.db_url}: {error}") from None


def roster_people(path):
    """Return {student id: {field: text}} from a roster CSV; raise ExportError naming what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"no roster at {path}")
    try:
        return read_roster(path)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ExportError(f"{path} is not a UTF-8 CSV file: {error}") from None


def read_roster(path):
    with path.open(newline="", encoding="utf-8-sig") as f:  # utf-8-sig: a spreadsheet's byte-order mark
        reader = csv.DictReader(f)
        columns = [c.strip() for c in reader.fieldnames or []]
        key = "student_id" if "student_id" in columns else "id" if "id" in columns else None
        if key is None:
            raise ExportError(f"{path} has no student_id column (its columns: {', '.join(columns) or 'none'})")
        unknown = [c for c in columns if c not in (key, *ROSTER_FIELDS)]
        if unknown:
            raise ExportError(f"{path} has columns this export does not know: {', '.join(unknown)} "
                              f"(known: student_id, {', '.join(ROSTER_FIELDS)})")
        people = {}
        for line, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            student = row.pop(key)
            if not student:
                raise ExportError(f"{path}, line {line}: no student_id")
            if student in people:
                raise ExportError(f"{path}, line {line}: student {student} is listed twice")
            people[student] = row
    return people


def people_of(root=None, roster=None):
    """Return {student id: Person}: those of the course's gradebook, with the roster's non-empty cells on top."""
    people = gradebook_people(root) if root else {}
    for student, row in (roster_people(roster) if roster else {}).items():
        person = people.setdefault(student, Person())
        for name, value in row.items():
            if value:
                setattr(person, name, value)
    return people


def unmapped(grades, people, fmt):
    """Return the graded students the format cannot match to an LMS account."""
    needed = IDENTITIES[fmt]
    if not needed:
        return []
    return [g.student for g in grades if not any(getattr(people.get(g.student, Person()), f) for f in needed)]


def rows(grades, people, fmt, column):
    """Return the export's rows, header first."""
    possible = max((g.max_score for g in grades), default=0.0)
    if fmt == "canvas":
        # Canvas's gradebook import: it finds a student by ID, then SIS User ID, then SIS Login ID, then name.
        table = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
                 ["Points Possible", "", "", "", "", number(possible)]]
        for g in grades:
            p = people.get(g.student, Person())
            table.append([p.sortable_name() or g.student, p.lms_user_id, p.sis_user_id, p.sis_login_id, p.section,
                          number(g.score)])
        return table
    if fmt == "moodle":
        # Moodle's CSV grade import: "Identify user by" maps Email address (or ID number) to the account.
        table = [["First name", "Last name", "ID number", "Email address", column]]
        for g in grades:
            p = people.get(g.student, Person())
            table.append([p.first_name, p.last_name, p.sis_user_id, p.email, number(g.score)])
        return table
    table = [["student_id", "lms_id", "name", "email", "score", "max_score"]]
    for g in grades:
        p = people.get(g.student, Person())
        table.append([g.student, p.lms_user_id, p.name(), p.email, number(g.score), number(g.max_score)])
    return table


def export_text(grades, people, fmt, column):
    """Return the export as CSV text; every text cell is safe from spreadsheet formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows(grades, people, fmt, column):
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def export_grades(grades_csv, fmt, people, column, allow_unmapped=False):
    """Return (CSV text, warnings) for the grades in `grades_csv`.

    Raises UnmappedStudents when the format needs an LMS identity that some
    graded student lacks, unless `allow_unmapped`: then they are written by
    name (Canvas matches by name or asks; Moodle skips them) and a warning
    names them.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    grades = read_grades(grades_csv)
    warnings = []
    lost = unmapped(grades, people, fmt)
    if lost:
        what = f"{len(lost)} graded student(s) have no {IDENTITY_NAMES[fmt]}: {', '.join(lost)}"
        if not allow_unmapped:
            raise UnmappedStudents(f"{what}. Add them to nbgrader's gradebook or a --roster CSV, "
                                   "or pass --allow-unmapped to write them by name only")
        skipped = "Canvas matches them by name or asks you" if fmt == "canvas" else "Moodle will skip them"
        warnings.append(f"warning: {what}; written by name only ({skipped})")
    possible = max((g.max_score for g in grades), default=0.0)
    short = [f"{g.student} ({number(g.max_score)})" for g in grades if g.max_score != possible]
    if short:
        warnings.append(f"warning: max_score is {number(possible)} but differs for {', '.join(short)}: "
                        "their grading may not have finished; regrade them with --force")
    graded = {g.student for g in grades}
    ungraded = sorted(set(people) - graded)
    if ungraded:
        warnings.append(f"note: {len(ungraded)} student(s) of the gradebook or roster have no row in "
                        f"grades.csv and are not exported: {', '.join(ungraded)}")
    return export_text(grades, people, fmt, column), warnings


def default_out(graded, assignment, fmt):
    return Path(graded) / assignment / f"{assignment}-{fmt}.csv"


def export_assignment(root, assignment, fmt, graded=None, roster=None, out=None, column=None, allow_unmapped=False):
    """Write the export of a graded assignment of the course at `root`; return (path written, warnings)."""
    # Imported here, not at the top: it loads nbformat, which every `nncourse` command would pay for.
    from nncourse.build import assignments

    known = assignments(root)
    if assignment not in known:
        raise ExportError(f"unknown assignment {assignment!r}; known: {', '.join(known)}")
    graded = Path(graded) if graded else Path(root) / "graded"
    grades_csv = graded / assignment / "grades.csv"
    if not grades_csv.is_file():
        raise ExportError(f"no grades at {grades_csv}: grade {assignment} first (nncourse grade {assignment})")
    people = people_of(root, roster)
    text, warnings = export_grades(grades_csv, fmt, people, column or assignment, allow_unmapped)
    out = Path(out) if out else default_out(graded, assignment, fmt)
    try:
        write_atomic(out, text)
    except OSError as error:
        raise ExportError(f"could not write {out}: {error.strerror or error}") from None
    return out, warnings
