"""What grading writes: Gradescope's results.json, readable feedback, and the class CSV.

Everything here may carry text from student code (exception messages, file
names, student ids), so it is bounded and quoted: each check's message is
capped, feedback shows student text only inside code fences it cannot close,
table cells are escaped, a CSV cell cannot start a spreadsheet formula, and
any character, even an unpaired surrogate from an odd file name, is written
as valid UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MESSAGE_LIMIT = 4000  # characters of one check's message or one note that reach a student
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_atomic(path, text):
    """Write `text` to `path` so that a reader sees the old file or the new one, never half of one.

    A file that already holds `text` is left as it is, so a regrade that changes nothing touches nothing.
    """
    path = Path(path)
    data = text.encode("utf-8", "backslashreplace")
    if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        raise


def capped(text, limit=MESSAGE_LIMIT):
    """Return `text` cut to `limit` characters, saying how much was left out."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit} more characters left out)"


VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's


def results_json(results, problems, hidden_visibility="after_published"):
    """Return Gradescope's results.json content for one student.

    Public checks are always visible; hidden checks get `hidden_visibility`, so
    Gradescope shows them (inputs, expected values, messages) only when the
    instructor says.
    """
    tests = [
        {
            "name": r.check.name,
            "score": r.check.points if r.passed else 0.0,
            "max_score": r.check.points,
            "output": capped(r.message),
            "visibility": "visible" if getattr(r, "public", True) else hidden_visibility,
        }
        for r in results
    ]
    return {
        "score": sum(t["score"] for t in tests),
        "output": "\n".join(f"Note: {capped(p)}" for p in problems),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def max_score(report):
    return sum(t["max_score"] for t in report["tests"])


def one_line(text):
    """Return `text` on one line, control characters shown as spaces."""
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", str(text)).strip()


def table_cell(text):
    """Return `text` safe inside a Markdown table cell: one line, pipes and markup escaped."""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", one_line(text))


def fenced(text):
    """Return `text` in a code fence longer than any run of backticks inside it, so it cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


@dataclass
class Standing:
    """What a course's gradebook adds to a student's check results: when they submitted, and any manual grades."""

    submitted: bool = True  # False: no submission folder for this assignment
    timestamp: str | None = None  # from nbgrader's timestamp.txt, e.g. "2025-03-01 17:00:00 UTC"
    due: str | None = None  # this student's due date (with any extension)
    seconds_late: float = 0.0
    manual: dict = field(default_factory=dict)  # {function: points a grader set in the formgrader}


ADJUSTMENT = "adjustment"  # the tag of a results.json line that is not a check: a manual grade or a late penalty


def function_points(tests):
    """Return {function: (points earned, points possible)} of check results."""
    points = {}
    for t in tests:
        function = t["name"].split(": ", 1)[0]
        earned, possible = points.get(function, (0.0, 0.0))
        points[function] = (earned + t["score"], possible + t["max_score"])
    return points


def adjustment(name, score, output):
    return {"name": name, "score": score, "max_score": 0.0, "output": output, "visibility": "visible", "tags": [ADJUSTMENT]}


def final_report(checks, assignment, standing=None, late_penalty=None):
    """Return the results.json a student gets: the checks' report with manual grades and the late penalty applied.

    checks: the report of the checks alone (results_json's); standing: a Standing, or None
    outside a course; late_penalty(score, seconds_late): the points the course takes off.
    A manual grade replaces its function's points (a line adds the difference);
    the penalty, at most the score, is taken off after, as nbgrader does.
    """
    standing = standing or Standing()
    tests = list(checks["tests"])
    earned = function_points(checks["tests"])
    for function, points in sorted(standing.manual.items()):
        got, possible = earned.get(function, (0.0, 0.0))
        tests.append(adjustment(f"{function}: manual grade", points - got,
                                f"Your instructor set {function} to {points:g} / {possible:g} points (the checks gave {got:g})."))
    before_penalty = sum(t["score"] for t in tests)
    penalty = 0.0
    if standing.seconds_late > 0 and late_penalty is not None:
        penalty = min(max(float(late_penalty(before_penalty, standing.seconds_late) or 0.0), 0.0), max(before_penalty, 0.0))
    lines = [line for line in checks["output"].splitlines() if line]
    if standing.seconds_late > 0:
        late = f"Submitted {standing.timestamp}, {hours(standing.seconds_late)} h after the due date ({standing.due})"
        lines.append(f"Late: {late}: {penalty:g} points off.")
        tests.append(adjustment(f"{assignment}: late submission", 0.0 - penalty, f"{late}: {penalty:g} points off."))
    return {**checks, "score": before_penalty - penalty, "output": "\n".join(lines), "tests": tests, "extra_data": {
        "submitted": standing.submitted, "timestamp": standing.timestamp, "due_date": standing.due,
        "seconds_late": standing.seconds_late, "late_penalty": penalty, "score_before_penalty": before_penalty,
        "manual_grades": dict(sorted(standing.manual.items())),
    }}


def hours(seconds):
    return f"{seconds / 3600:.1f}"


def is_check(test):
    return ADJUSTMENT not in test.get("tags", ())


def score_lines(report):
    """Return the Markdown lines that say how a score was made, when anything but the checks made it."""
    extra = report.get("extra_data", {})
    adjustments = [t for t in report["tests"] if not is_check(t)]
    if not adjustments and not extra.get("timestamp"):
        return []
    checks = sum(t["score"] for t in report["tests"] if is_check(t))
    lines = ["## How your score is made", "", f"- The checks: {checks:g} / {max_score(report):g}"]
    lines += [f"- {table_cell(t['output'])} ({t['score']:+g})" for t in adjustments if t["score"] or t["name"].endswith(": manual grade")]
    if extra.get("timestamp") and not extra.get("seconds_late"):
        due = f", due {table_cell(extra['due_date'])}" if extra.get("due_date") else ""
        lines.append(f"- Submitted {table_cell(extra['timestamp'])}{due}: on time.")
    elif extra.get("seconds_late") and not extra.get("late_penalty"):
        lines.append(f"- Submitted {table_cell(extra['timestamp'])}, {hours(extra['seconds_late'])} h late: no points off.")
    return lines + [f"- Your score: {report['score']:g} / {max_score(report):g}", ""]


def feedback_markdown(student, assignment, report, published=False):
    """Return feedback a student can read: every check's name, points and message, never its code.

    Until grades are `published`, a hidden check (one not visible) shows its
    name and points only: no input, expected value or message. Manual grades
    and a late penalty are listed apart, with the score they lead to.
    """
    lines = [f"# {table_cell(assignment)}: feedback for {table_cell(student)}", "",
             f"**Score: {report['score']:g} / {max_score(report):g}**", ""]
    notes = [line.removeprefix("Note: ") for line in report["output"].splitlines() if line.startswith("Note: ")]
    if notes:
        lines += ["## About your submission", "", fenced("\n".join(notes)), ""]
    lines += score_lines(report)
    checks = [t for t in report["tests"] if is_check(t)]
    lines += ["## Checks", "", "| | check | points |", "|---|---|---|"]
    for t in checks:
        mark = "pass" if t["score"] == t["max_score"] else "FAIL"
        lines.append(f"| {mark} | {table_cell(t['name'])} | {t['score']:g} / {t['max_score']:g} |")
    failed = [t for t in checks if t["score"] < t["max_score"]]
    if failed:
        lines += ["", "## What went wrong", ""]
        for t in failed:
            shown = t.get("visibility", "visible") == "visible" or published
            text = (t["output"] or "(no message)") if shown else "A hidden check: its details come when grades are published."
            lines += [f"### {table_cell(t['name'])}", "", fenced(text), ""]
    return "\n".join(lines) + "\n"


def csv_cell(text):
    """Return `text` so that a spreadsheet shows it as text, never runs it as a formula."""
    text = one_line(text)
    return "'" + text if text.startswith(FORMULA_START) else text


CSV_COLUMNS = ["student_id", "score", "max_score", "timestamp", "hours_late", "late_penalty", "note"]


def grades_csv(rows):
    """Return the class CSV: student_id,score,max_score (fixed), then when and how late, the penalty and a note."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for student, report in rows:
        extra = report.get("extra_data", {})
        late = extra.get("seconds_late") or 0.0
        writer.writerow([csv_cell(student), f"{report['score']:g}", f"{max_score(report):g}", extra.get("timestamp") or "",
                         hours(late) if late else "", f"{extra.get('late_penalty') or 0:g}", csv_cell(note(report))])
    return buffer.getvalue()


def note(report):
    """Return what an instructor should know about a row beyond its score: no submission, manual grades."""
    extra = report.get("extra_data", {})
    notes = [] if extra.get("submitted", True) else ["no submission"]
    if extra.get("manual_grades"):
        notes.append("manual grade: " + ", ".join(extra["manual_grades"]))
    return "; ".join(notes)


def write_student(folder, student, assignment, report, published=False):
    write_atomic(Path(folder) / "feedback.md", feedback_markdown(student, assignment, report, published))
    write_atomic(Path(folder) / "results.json", json.dumps(report, indent=1))
