"""What grading writes: Gradescope's results.json, readable feedback, and the class CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path


def write_atomic(path, text):
    """Write `text` to `path` so that a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def results_json(results, problems):
    """Return Gradescope's results.json content for one student."""
    tests = [
        {
            "name": r.check.name,
            "score": r.check.points if r.passed else 0.0,
            "max_score": r.check.points,
            "output": r.message,
            "visibility": "visible",
        }
        for r in results
    ]
    return {
        "score": sum(t["score"] for t in tests),
        "output": "\n".join(f"Note: {p}" for p in problems),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def max_score(report):
    return sum(t["max_score"] for t in report["tests"])


def feedback_markdown(student, assignment, report):
    """Return feedback a student can read: every check's name, points and message, never its code."""
    lines = [f"# {assignment}: feedback for {student}", "",
             f"**Score: {report['score']:g} / {max_score(report):g}**", ""]
    if report["output"]:
        lines += ["## About your submission", ""] + [f"- {line.removeprefix('Note: ')}" for line in report["output"].splitlines()] + [""]
    lines += ["## Checks", "", "| | check | points |", "|---|---|---|"]
    for t in report["tests"]:
        mark = "pass" if t["score"] == t["max_score"] else "FAIL"
        lines.append(f"| {mark} | {t['name']} | {t['score']:g} / {t['max_score']:g} |")
    failed = [t for t in report["tests"] if t["score"] < t["max_score"]]
    if failed:
        lines += ["", "## What went wrong", ""]
        for t in failed:
            lines += [f"### {t['name']}", "", "```", t["output"] or "(no message)", "```", ""]
    return "\n".join(lines) + "\n"


def grades_csv(rows):
    """Return the class CSV: student_id,score,max_score."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "score", "max_score"])
    for student, report in rows:
        writer.writerow([student, f"{report['score']:g}", f"{max_score(report):g}"])
    return buffer.getvalue()


def write_student(folder, student, assignment, report):
    write_atomic(Path(folder) / "feedback.md", feedback_markdown(student, assignment, report))
    write_atomic(Path(folder) / "results.json", json.dumps(report, indent=1))
