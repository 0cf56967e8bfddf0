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
from pathlib import Path

MESSAGE_LIMIT = 4000  # characters of one check's message or one note that reach a student
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_atomic(path, text):
    """Write `text` to `path` so that a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode("utf-8", "backslashreplace"))
    os.replace(tmp, path)


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


def feedback_markdown(student, assignment, report, published=False):
    """Return feedback a student can read: every check's name, points and message, never its code.

    Until grades are `published`, a hidden check (one not visible) shows its
    name and points only: no input, expected value or message.
    """
    lines = [f"# {table_cell(assignment)}: feedback for {table_cell(student)}", "",
             f"**Score: {report['score']:g} / {max_score(report):g}**", ""]
    if report["output"]:
        notes = [line.removeprefix("Note: ") for line in report["output"].splitlines()]
        lines += ["## About your submission", "", fenced("\n".join(notes)), ""]
    lines += ["## Checks", "", "| | check | points |", "|---|---|---|"]
    for t in report["tests"]:
        mark = "pass" if t["score"] == t["max_score"] else "FAIL"
        lines.append(f"| {mark} | {table_cell(t['name'])} | {t['score']:g} / {t['max_score']:g} |")
    failed = [t for t in report["tests"] if t["score"] < t["max_score"]]
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


def grades_csv(rows):
    """Return the class CSV: student_id,score,max_score."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "score", "max_score"])
    for student, report in rows:
        writer.writerow([csv_cell(student), f"{report['score']:g}", f"{max_score(report):g}"])
    return buffer.getvalue()


def write_student(folder, student, assignment, report, published=False):
    write_atomic(Path(folder) / "feedback.md", feedback_markdown(student, assignment, report, published))
    write_atomic(Path(folder) / "results.json", json.dumps(report, indent=1))
