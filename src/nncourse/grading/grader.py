"""`nncourse grade`: grade a whole class, in parallel, resumably.

Each student is graded by a separate grader process (`python -m
nncourse.grading.grader ONE ...`), which in turn runs the student's code in a
sandboxed child. Whatever goes wrong with one student (a crash, a hang, a
broken notebook) ends as that student's results.json with a message; the
others go on. Results are written atomically with a fingerprint of what was
graded, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from nncourse.grading.report import grades_csv, results_json, write_atomic, write_student

STUDENT_TIMEOUT = 1800  # seconds for one student's whole grading, hidden checks' own timeouts included
FINGERPRINT = ".fingerprint"


@dataclass(frozen=True)
class Job:
    assignment: str
    student: str
    folder: Path  # submitted/<student>/<assignment>
    out: Path  # <out>/<assignment>/<student>
    autograder: Path
    source: Path


def fingerprint(job):
    """Return a digest of everything that decides this student's grade."""
    digest = hashlib.sha256()
    files = sorted(p for p in job.folder.rglob("*") if p.is_file()) if job.folder.is_dir() else []
    files += [job.autograder / f"test_{job.assignment}.py", job.source / job.assignment / f"{job.assignment}.ipynb"]
    for path in files:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def is_done(job):
    marker = job.out / FINGERPRINT
    return (job.out / "results.json").is_file() and marker.is_file() and marker.read_text() == fingerprint(job)


def failed_report(job, message):
    """Return a results.json for a student whose grading itself could not finish."""
    report = results_json([], [message])
    report["tests"] = [{"name": f"{job.assignment}: grading", "score": 0.0, "max_score": 0.0, "output": message, "visibility": "visible"}]
    return report


def grade_job(job, extra_args=()):
    """Grade one student in a child grader process; always leaves a results.json behind."""
    command = [sys.executable, "-m", "nncourse.grading.grader", "ONE", job.assignment, job.student,
               str(job.folder), str(job.out), "--autograder", str(job.autograder), "--source", str(job.source), *extra_args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=STUDENT_TIMEOUT)
        ok = done.returncode == 0 and (job.out / "results.json").is_file()
        why = f"the grader stopped with exit code {done.returncode}: {done.stderr.strip()[-500:]}"
    except subprocess.TimeoutExpired:
        ok, why = False, f"grading took over {STUDENT_TIMEOUT} s and was stopped"
    if not ok:
        write_student(job.out, job.student, job.assignment, failed_report(job, why))
    write_atomic(job.out / FINGERPRINT, fingerprint(job))
    return json.loads((job.out / "results.json").read_text())


def find_students(submitted, assignment):
    """Return the student ids under submitted/ (a student without this assignment is included)."""
    submitted = Path(submitted)
    if not submitted.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submitted}")
    return sorted(p.name for p in submitted.iterdir() if p.is_dir() and not p.name.startswith("."))


def grade_class(assignment, submitted, out, autograder, source, jobs=1, force=False, extra_args=(), log=print):
    """Grade every student; write results.json and feedback per student and grades.csv; return the rows."""
    out = Path(out) / assignment
    todo = [
        Job(assignment, s, Path(submitted) / s / assignment, out / s, Path(autograder), Path(source))
        for s in find_students(submitted, assignment)
    ]
    pending = [job for job in todo if force or not is_done(job)]
    if len(pending) < len(todo):
        log(f"{len(todo) - len(pending)} students already graded (use --force to regrade)")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for job, report in zip(pending, pool.map(lambda j: grade_job(j, extra_args), pending)):
            total = sum(t["max_score"] for t in report["tests"])
            log(f"{job.student}: {report['score']:g} / {total:g}")
    rows = [(job.student, json.loads((job.out / "results.json").read_text())) for job in todo]
    write_atomic(out / "grades.csv", grades_csv(rows))
    return rows


def grade_one(args):
    """Entry point of the child grader: run the hidden checks on one submission and write its files."""
    from nncourse.grading.hidden import run_hidden

    extra = ["--source-dir", args.source] + (["--no-bwrap"] if args.no_bwrap else [])
    results, problems = run_hidden(args.assignment, submission=args.folder, autograder=args.autograder, extra_args=extra)
    write_student(args.out, args.student, args.assignment, results_json(results, problems))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nncourse.grading.grader")
    parser.add_argument("mode", choices=["ONE"])
    parser.add_argument("assignment")
    parser.add_argument("student")
    parser.add_argument("folder")
    parser.add_argument("out")
    parser.add_argument("--autograder", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--no-bwrap", action="store_true")
    grade_one(parser.parse_args(argv))


if __name__ == "__main__":
    main()
