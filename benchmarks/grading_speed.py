"""Print how fast `nncourse grade` is next to `nbgrader autograde` on the same submissions.

Makes a scratch course with N student submissions of one assignment (most
correct, some with a common bug), grades them both ways in the same run, and
prints seconds per submission, the ratio, and whether the totals agree.

    python benchmarks/grading_speed.py [--assignment 01_forward] [--students 20] [--jobs 2]
                                       [--course DIR] [--no-nbgrader]

--course grades with another copy of the course (say, an older commit checked
out elsewhere, with the package it ships on PYTHONPATH), so two versions can be
compared in one run; --no-nbgrader skips the slow nbgrader comparison.
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"

import nbformat  # noqa: E402

from nncourse.authoring import completed_notebook  # noqa: E402
from nncourse.notebook import cells_by_id  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(command, cwd):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def make_course(assignment, students, root=ROOT):
    course = Path(tempfile.mkdtemp(prefix="nncourse-bench-"))
    for name in ("nbgrader_config.py",):
        shutil.copy(root / name, course)
    for folder in ("source", "release", "autograder"):
        shutil.copytree(root / folder, course / folder)
    run([sys.executable, "-m", "nbgrader", "db", "assignment", "add", assignment], course)
    run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"], course)
    stub = cells_by_id(nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4))
    graded = [cid for cid, cell in stub.items() if cell.metadata["nbgrader"].get("solution") and cid != "toolbox"]
    for i in range(students):
        # Every fourth student left one function unfinished, as honest students do.
        overrides = {graded[i % len(graded)]: stub[graded[i % len(graded)]].source} if i % 4 == 3 else {}
        folder = course / "submitted" / f"student{i:02d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(completed_notebook(root, assignment, overrides), folder / f"{assignment}.ipynb")
    return course


def nbgrader_totals(course):
    out = course / "export.csv"
    run([sys.executable, "-m", "nbgrader", "export", "--to", str(out)], course)
    return {r["student_id"]: float(r["score"]) for r in csv.DictReader(out.open())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="01_forward")
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--course", type=Path, default=ROOT, help="the course to grade with (default: this one)")
    parser.add_argument("--no-nbgrader", action="store_true", help="skip the nbgrader autograde comparison")
    args = parser.parse_args()
    course = make_course(args.assignment, args.students, args.course.resolve())
    try:
        nn_1 = run([sys.executable, "-m", "nncourse.cli", "grade", args.assignment, "--jobs", "1", "--no-gradebook"], course)
        nn_n = run([sys.executable, "-m", "nncourse.cli", "grade", args.assignment, "--jobs", str(args.jobs), "--force"], course)
        nn_totals = {r["student_id"]: float(r["score"]) for r in csv.DictReader((course / "graded" / args.assignment / "grades.csv").open())}
        if not args.no_nbgrader:
            nb = run([sys.executable, "-m", "nbgrader", "autograde", args.assignment, "--force"], course)
            nb_totals = nbgrader_totals(course)
    finally:
        shutil.rmtree(course)
    n = args.students
    print(f"{args.assignment}, {n} submissions, one BLAS thread, course {args.course}")
    print(f"  nncourse grade --jobs 1:      {nn_1:7.1f} s  ({nn_1 / n:.2f} s per submission)")
    print(f"  nncourse grade --jobs {args.jobs}:      {nn_n:7.1f} s  ({nn_n / n:.2f} s per submission)")
    if args.no_nbgrader:
        return
    print(f"  nbgrader autograde:           {nb:7.1f} s  ({nb / n:.2f} s per submission)")
    print(f"  speed-up, same machine, same run: {nb / nn_1:.1f}x with one job, {nb / nn_n:.1f}x with {args.jobs}")
    differ = {s: (nn_totals.get(s), nb_totals.get(s)) for s in nn_totals if nn_totals.get(s) != nb_totals.get(s)}
    print(f"  totals agree for {n - len(differ)} of {n} students" + (f"; differ: {differ}" if differ else ""))


if __name__ == "__main__":
    main()
