"""`nncourse grade`: grade a whole class, in parallel, resumably.

Students are graded by `--jobs` grader worker processes, each of which runs
every student's code in a sandboxed child of its own. Whatever goes wrong with one student (a crash, a hang, a
broken notebook) ends as that student's results.json with a message; the
others go on. Results are written atomically with a fingerprint of what was
graded, so an interrupted run resumes where it stopped.
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
from nncourse.grading.report import grades_csv, results_json, write_atomic, write_student
from nncourse.grading.sandbox import Limits

SLACK_SECONDS = 60  # starting the child, pytest and the reference
FINGERPRINT = ".fingerprint"


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


def fingerprint(job):
    """Return a digest of everything that decides this student's grade."""
    digest = hashlib.sha256()
    files = sorted(p for p in job.folder.rglob("*") if p.is_file()) if job.folder.is_dir() else []
    files += [job.autograder / f"test_{job.assignment}.py", job.source / job.assignment / f"{job.assignment}.ipynb"]
    digest.update(f"{job.hidden_visibility} {job.published}".encode())
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
    """Grade `job` on `worker`; always leaves a results.json and the fingerprint behind."""
    why = worker.grade(job)
    if why is not None or not (job.out / "results.json").is_file():
        write_student(job.out, job.student, job.assignment, failed_report(job, why or "no results were written"))
    write_atomic(job.out / FINGERPRINT, fingerprint(job))
    return json.loads((job.out / "results.json").read_text())


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


def preflight(assignment, autograder, source):
    """Raise GradingSetupError unless the assignment's hidden checks collect and its reference solution runs.

    Runs before any student is graded, so an instructor's typo or a broken
    hidden check stops the run with its message and nothing written.
    """
    autograder, source = Path(autograder), Path(source)
    hidden = autograder / f"test_{assignment}.py"
    if not hidden.is_file():
        known = sorted(p.stem.removeprefix("test_") for p in autograder.glob("test_*.py"))
        raise GradingSetupError(f"unknown assignment {assignment!r}: no {hidden}; known: {', '.join(known) or 'none'}")
    notebook = source / assignment / f"{assignment}.ipynb"
    if not notebook.is_file():
        raise GradingSetupError(f"no instructor notebook {notebook}")
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", str(hidden), "-c", str(autograder / "pytest.ini"), "--rootdir", str(autograder),
         "--import-mode=importlib", "-p", "no:cacheprovider", "--collect-only", "-q"],
        capture_output=True, text=True, cwd=autograder, env=dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"),
    )
    if collected.returncode != 0:
        raise GradingSetupError(f"the hidden checks of {assignment} do not load:\n{collected.stdout[-3000:]}{collected.stderr[-2000:]}")
    from nncourse.notebook import load_functions

    _, errors = load_functions(notebook)
    if errors:
        details = "; ".join(f"cell {cell}: {message}" for cell, message in errors.items())
        raise GradingSetupError(f"the instructor notebook of {assignment} does not run: {details}")


def student_seconds(assignment, autograder, time_scale=1.0):
    """Return the wall-clock bound of one student's whole grading: loading, then every check's own timeout."""
    import importlib.util

    path = Path(autograder) / f"test_{assignment}.py"
    sys.path.insert(0, str(autograder))
    try:
        spec = importlib.util.spec_from_file_location(f"hidden_timeouts_{assignment}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(autograder))
    timeouts = [test.check.timeout for test in vars(module).values() if callable(test) and hasattr(test, "check")]
    return time_scale * (Limits.total_load_seconds + sum(timeouts)) + SLACK_SECONDS


def all_failed_alike(reports):
    """Return the grader-side error every student's grading ended with, if it is one and the same, else None."""
    failed = lambda r: len(r["tests"]) == 1 and r["tests"][0]["name"].endswith(": grading")  # noqa: E731 (see failed_report)
    messages = {r["tests"][0]["output"] if failed(r) else None for r in reports}
    return messages.pop() if len(messages) == 1 and None not in messages and len(reports) > 1 else None


def grade_class(assignment, submitted, out, autograder, source, jobs=1, force=False, extra_args=(), log=print,  # noqa: PLR0913
                isolation=None, hidden_visibility="after_published", published=False):
    """Grade every student; write results.json and feedback per student and grades.csv; return the rows.

    isolation: a mode of isolation.MODES, or None for the strongest the probe finds.
    hidden_visibility: the Gradescope visibility of hidden checks in results.json;
    published: whether feedback.md shows the hidden checks' details (after grades are released).
    Raises GradingSetupError, before anything is written, when the course or the
    machine is not ready to grade, and after the run when every student failed alike.
    """
    preflight(assignment, autograder, source)
    out = Path(out) / assignment
    try:
        mode = choose_mode(isolation, claim_uid(), secrets=[source, autograder, submitted, out], log=log)
    except IsolationError as error:
        raise GradingSetupError(str(error)) from None
    extra_args = [*extra_args, "--isolation", mode]
    scale = float(extra_args[extra_args.index("--time-scale") + 1]) if "--time-scale" in extra_args else 1.0
    bound = student_seconds(assignment, autograder, scale)
    todo = [
        Job(assignment, s, Path(submitted) / s / assignment, out / s, Path(autograder), Path(source), hidden_visibility, published)
        for s in find_students(submitted, assignment)
    ]
    pending = [job for job in todo if force or not is_done(job)]
    if len(pending) < len(todo):
        log(f"{len(todo) - len(pending)} students already graded (use --force to regrade)")
    queue = list(reversed(pending))
    lock = threading.Lock()

    def drain():
        worker = Worker(extra_args, bound)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.pop()
                report = grade_with(worker, job)
                total = sum(t["max_score"] for t in report["tests"])
                log(f"{job.student}: {report['score']:g} / {total:g}")
        finally:
            worker.close()

    threads = [threading.Thread(target=drain) for _ in range(max(1, min(jobs, len(pending))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = [(job.student, json.loads((job.out / "results.json").read_text())) for job in todo]
    write_atomic(out / "grades.csv", grades_csv(rows))
    shared = all_failed_alike([report for _, report in rows])
    if shared:
        raise GradingSetupError(f"grading failed for every student with the same error, so it is the grader's: {shared}")
    return rows


def grade_one(job, extra_args=()):
    """Run the hidden checks on one submission and write its files (in a worker process)."""
    from nncourse.grading.hidden import run_hidden

    extra = ["--source-dir", job["source"], *extra_args]
    results, problems = run_hidden(job["assignment"], submission=job["folder"], autograder=job["autograder"], extra_args=extra)
    report = results_json(results, problems, job["hidden_visibility"])
    write_student(job["out"], job["student"], job["assignment"], report, published=job["published"] == "True")


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
