"""`nncourse grade`: grade a whole class, in parallel, resumably.

Students are graded by `--jobs` grader worker processes, each of which runs
every student's code in a sandboxed child of its own. Whatever goes wrong with one student (a crash, a hang, a
broken notebook) ends as that student's results.json with a message; the
others go on. The checks' results are written atomically with a fingerprint of
everything they depend on, so an interrupted run resumes where it stopped and a
changed submission, hidden check or instructor notebook is graded again.

What the course's gradebook adds (manual grades, the due date, the late
penalty) is applied to every student on every run: it costs no student code,
so a grade in the formgrader or a new due date shows at the next run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import selectors
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from nncourse.grading.isolation import MODES, IsolationError, choose_mode, claim_uid
from nncourse.grading.report import final_report, grades_csv, results_json, write_atomic, write_student
from nncourse.grading.sandbox import Limits

SLACK_SECONDS = 60  # starting the child, pytest and the reference
FINGERPRINT = ".fingerprint"
CHECKS = ".checks.json"  # the checks' report alone, before the gradebook's manual grades and late penalty


@dataclass(frozen=True)
class Job:
    assignment: str
    student: str
    folder: Path  # submitted/<student>/<assignment>
    out: Path  # <out>/<assignment>/<student>
    autograder: Path
    source: Path
    hidden_visibility: str = "after_published"
    published: bool = False  # write the hidden checks' details into feedback.md


def files_under(folder):
    """Return [(name relative to `folder`, path)] of the regular files under it, links left out."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts)
    return sorted((str(p.relative_to(folder)), p) for p in files)


def fingerprint(job):
    """Return a digest of everything that decides this student's check results.

    The submission (notebook, timestamp.txt, any other file), every file of
    autograder/ (hidden checks and their helpers), the instructor notebooks the
    reference solution loads, and the kit's version.
    """
    from nncourse import __version__
    from nncourse.authoring import builds_on

    notebooks = [job.assignment, *builds_on(job.source, job.assignment)]
    groups = {
        "submission": files_under(job.folder),
        "autograder": files_under(job.autograder),
        "source": [(name, job.source / name / f"{name}.ipynb") for name in notebooks],
    }
    digest = hashlib.sha256(f"{job.hidden_visibility} {__version__}".encode())
    for group, files in groups.items():
        for name, path in files:
            digest.update(f"{group}/{name}\0".encode("utf-8", "backslashreplace"))
            digest.update(hashlib.sha256(path.read_bytes() if path.is_file() else b"-").digest())
    return digest.hexdigest()


def is_done(job):
    marker = job.out / FINGERPRINT
    return (job.out / CHECKS).is_file() and marker.is_file() and marker.read_text() == fingerprint(job)


def read_checks(job):
    return json.loads((job.out / CHECKS).read_text())


def finish(job, standing=None, late_penalty=None):
    """Write the student's results.json and feedback.md: the checks, then manual grades and the late penalty; return it."""
    report = final_report(read_checks(job), job.assignment, standing, late_penalty)
    write_student(job.out, job.student, job.assignment, report, published=job.published)
    return report


def failed_report(assignment, message):
    """Return a results.json for a student whose grading itself could not finish."""
    report = results_json([], [message])
    report["tests"] = [{"name": f"{assignment}: grading", "score": 0.0, "max_score": 0.0, "output": message, "visibility": "visible"}]
    return report


class Worker:
    """A grader process (`python -m nncourse.grading.grader WORKER`) that grades students one by one.

    It keeps pytest and the reference solution loaded between students. The
    parent sends a job as a JSON line and waits for the line "done"; a worker
    that dies or overruns is killed, its student gets a results.json saying so,
    and a fresh worker takes the next student.
    """

    def __init__(self, extra_args=(), student_seconds=1800):
        self.extra_args = list(extra_args)
        self.student_seconds = student_seconds
        self.process = None

    def start(self):
        command = [sys.executable, "-m", "nncourse.grading.grader", "WORKER", *self.extra_args]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def grade(self, job):
        """Grade one job; return why it failed, or None."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        try:
            self.process.stdin.write(json.dumps({k: str(v) for k, v in vars(job).items()}) + "\n")
            self.process.stdin.flush()
        except OSError:
            return self.fail("the grader process could not be reached")
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        ready = selector.select(self.student_seconds)
        selector.close()
        if not ready:
            return self.fail(f"grading took over {self.student_seconds:.0f} s and was stopped")
        line = self.process.stdout.readline().strip()
        if line == "done":
            return None
        return self.fail(f"the grader stopped ({line or 'no answer'})")

    def fail(self, why):
        if self.process and self.process.poll() is None:
            self.process.kill()
        if self.process:
            self.process.wait()
            tail = self.process.stderr.read()[-500:].strip() if self.process.stderr else ""
            why += f": {tail}" if tail else ""
        self.process = None
        return why

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


def grade_with(worker, job):
    """Run the checks of `job` on `worker`; always leaves their report and the fingerprint behind."""
    (job.out / CHECKS).unlink(missing_ok=True)
    why = worker.grade(job)
    if why is not None or not (job.out / CHECKS).is_file():
        write_atomic(job.out / CHECKS, json.dumps(failed_report(job.assignment, why or "no results were written"), indent=1))
    write_atomic(job.out / FINGERPRINT, fingerprint(job))
    return read_checks(job)


NOT_STUDENTS = {".ipynb_checkpoints"}  # folders Jupyter makes, never a student's


def find_students(submitted, assignment):
    """Return the student ids under submitted/: every folder, whatever its name (a dot, odd bytes).

    A student without this assignment is included, and gets a row saying so.
    """
    submitted = Path(submitted)
    if not submitted.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submitted}")
    return sorted(p.name for p in submitted.iterdir() if p.is_dir() and p.name not in NOT_STUDENTS)


class GradingSetupError(Exception):
    """The course or the machine is not ready to grade: the instructor's to fix, never a student's 0."""


class UnknownStudentError(Exception):
    """A student asked for by name has no submission and is not on the gradebook's roster."""


def preflight(assignment, autograder, source):
    """Return the assignment's hidden checks (see settings.hidden_checks) once they collect and its reference runs.

    Raises GradingSetupError otherwise. Runs before any student is graded, so
    an instructor's typo or a broken hidden check stops the run with its
    message and nothing written.
    """
    from nncourse.settings import SettingsError, hidden_checks

    autograder, source = Path(autograder), Path(source)
    hidden = autograder / f"test_{assignment}.py"
    if not hidden.is_file():
        known = sorted(p.stem.removeprefix("test_") for p in autograder.glob("test_*.py"))
        raise GradingSetupError(f"unknown assignment {assignment!r}: no {hidden}; known: {', '.join(known) or 'none'}")
    notebook = source / assignment / f"{assignment}.ipynb"
    if not notebook.is_file():
        raise GradingSetupError(f"no instructor notebook {notebook}")
    try:
        checks = hidden_checks(autograder, [assignment])
    except SettingsError as error:
        raise GradingSetupError(f"the hidden checks of {assignment} do not load:\n{error}") from None
    from nncourse.notebook import load_functions

    _, errors = load_functions(notebook)
    if errors:
        details = "; ".join(f"cell {cell}: {message}" for cell, message in errors.items())
        raise GradingSetupError(f"the instructor notebook of {assignment} does not run: {details}")
    return checks


def student_seconds(checks, time_scale=1.0):
    """Return the wall-clock bound of one student's whole grading: loading, then the `checks`' own timeouts."""
    return time_scale * (Limits.total_load_seconds + sum(check["timeout"] for check in checks)) + SLACK_SECONDS


def all_failed_alike(reports):
    """Return the grader-side error every student's grading ended with, if it is one and the same, else None."""
    failed = lambda r: len(r["tests"]) == 1 and r["tests"][0]["name"].endswith(": grading")  # noqa: E731 (see failed_report)
    messages = {r["tests"][0]["output"] if failed(r) else None for r in reports}
    return messages.pop() if len(messages) == 1 and None not in messages and len(reports) > 1 else None


def grade_class(assignment, submitted, out, autograder, source, jobs=1, force=False, time_scale=1.0, log=print,  # noqa: PLR0913
                isolation=None, hidden_visibility="after_published", published=False, students=(), gradebook=None):
    """Grade the class; write results.json and feedback per student and grades.csv; return the rows.

    time_scale: multiplies every check's timeout (and so each student's wall-clock bound).
    isolation: a mode of isolation.MODES, or None for the strongest the probe finds.
    hidden_visibility: the Gradescope visibility of hidden checks in results.json;
    published: whether feedback.md shows the hidden checks' details (after grades are released).
    students: run the checks of these students only (the others keep their results);
    gradebook: a gradebook.CourseGradebook, whose roster joins the class and whose
    manual grades, due date and late penalty apply; None grades the checks alone.
    Raises GradingSetupError, before anything is written, when the course or the
    machine is not ready to grade, and after the run when every student failed alike.
    """
    checks = preflight(assignment, autograder, source)
    out = Path(out) / assignment
    everyone = sorted(set(find_students(submitted, assignment)) | set(gradebook.roster() if gradebook else ()))
    unknown = sorted(set(students) - set(everyone))
    if unknown:
        raise UnknownStudentError(f"no submission of {assignment} and not on the roster: {', '.join(unknown)}")
    try:
        mode = choose_mode(isolation, claim_uid(), secrets=[source, autograder, submitted, out], log=log)
    except IsolationError as error:
        raise GradingSetupError(str(error)) from None
    worker_args = ["--time-scale", str(time_scale), "--isolation", mode]
    bound = student_seconds(checks, time_scale)
    todo = [
        Job(assignment, s, Path(submitted) / s / assignment, out / s, Path(autograder), Path(source), hidden_visibility, published)
        for s in everyone
    ]
    chosen = [job for job in todo if not students or job.student in students]
    if gradebook and (why := gradebook.missing()):
        log(f"gradebook not used: {why}")
        gradebook = None
    # Only students graded now or before get a submission in the gradebook: an empty one would need grading by hand.
    ours = [job for job in todo if job in chosen or (job.out / CHECKS).is_file()]
    standings = gradebook.standings({job.student: job.folder for job in ours}) if gradebook else {}

    def finished(job):
        penalty = (lambda score, seconds: gradebook.late_penalty(job.student, score, seconds)) if gradebook else None
        return finish(job, standings.get(job.student), penalty)

    pending = [job for job in chosen if force or not is_done(job)]
    if len(pending) < len(chosen):
        log(f"{len(chosen) - len(pending)} students already graded (use --force to regrade)")
    queue = list(reversed(pending))
    lock = threading.Lock()
    unwritten = {}  # student -> why their files could not be written
    written = {}  # student -> the report written for them in this run

    def drain():
        worker = Worker(worker_args, bound)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.pop()
                try:
                    grade_with(worker, job)
                    report = written[job.student] = finished(job)
                except OSError as error:  # a full disk, a folder in the way: this student's, not the run's
                    unwritten[job.student] = str(error)
                    log(f"{job.student}: error: could not write the results: {error}")
                    continue
                total = sum(t["max_score"] for t in report["tests"])
                log(f"{job.student}: {report['score']:g} / {total:g}")
        finally:
            worker.close()

    threads = [threading.Thread(target=drain) for _ in range(max(1, min(jobs, len(pending))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    graded = [job for job in todo if (job.out / CHECKS).is_file()]
    rows = []
    for job in graded:
        try:
            rows.append((job.student, written.get(job.student) or finished(job)))
            unwritten.pop(job.student, None)  # written on the second try, once the space came back
        except (OSError, ValueError) as error:
            unwritten[job.student] = str(error)
    for student in sorted(set(unwritten) - {student for student, _ in rows}):
        rows.append((student, failed_report(assignment,
                                            f"the grader could not write this student's results: {unwritten[student]}")))
    rows.sort()
    try:
        write_atomic(out / "grades.csv", grades_csv(rows))
    except OSError as error:
        raise GradingSetupError(f"could not write {out / 'grades.csv'}: {error}") from None
    shared = all_failed_alike([read_checks(job) for job in graded])
    if shared:
        raise GradingSetupError(f"grading failed for every student with the same error, so it is the grader's: {shared}")
    if gradebook:
        log(gradebook.record({job.student: read_checks(job) for job in graded if job.student not in unwritten},
                             dict(rows), published))
    if unwritten:
        raise GradingSetupError("the results of " + ", ".join(sorted(unwritten)) + " could not be written (grades.csv "
                                "has their rows; free the space or fix the folder and run again): "
                                + "; ".join(f"{s}: {why}" for s, why in sorted(unwritten.items())))
    return rows


def grade_one(job, extra_args=()):
    """Run the hidden checks on one submission and write their report (in a worker process)."""
    from nncourse.grading.hidden import run_hidden

    extra = ["--source-dir", job["source"], *extra_args]
    results, problems = run_hidden(job["assignment"], submission=job["folder"], autograder=job["autograder"], extra_args=extra)
    report = results_json(results, problems, job["hidden_visibility"])
    write_atomic(Path(job["out"]) / CHECKS, json.dumps(report, indent=1))


def serve(extra_args):
    """The worker loop: a JSON job per line on stdin, "done" on the real stdout when its files are written."""
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # pytest and anything else that prints go to stderr, never into the replies
    sys.stdout = sys.stderr
    for line in sys.stdin:
        job = json.loads(line)
        try:
            grade_one(job, extra_args)
        except Exception as error:  # noqa: BLE001 (the parent records this student as failed; the next goes on)
            replies.write(f"error {type(error).__name__}: {error}\n".replace("\n", " ").strip() + "\n")
        else:
            replies.write("done\n")
        replies.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nncourse.grading.grader")
    parser.add_argument("mode", choices=["WORKER"])
    parser.add_argument("--isolation", choices=MODES, required=True)
    parser.add_argument("--time-scale", default="1.0")
    args = parser.parse_args(argv)
    serve(["--isolation", args.isolation, "--sandbox-uid", str(claim_uid()), "--time-scale", args.time_scale])


if __name__ == "__main__":
    main()
