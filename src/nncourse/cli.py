"""The `nncourse` command: for students, check, toolbox and mnist; for instructors, build, grade and the rest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nncourse.grading.report import VISIBILITIES


class UserError(Exception):
    """A mistake in what the user asked for (a name, a path): main() says it in one line and exits 2."""


def find_course(given=None):
    """Return the course folder: `given`, or the nearest at or above the current folder.

    A `given` folder needs only what grading reads (a Gradescope bundle's course has no nbgrader_config.py).
    """
    from nncourse.build import course_root

    if given is not None:
        if not ((Path(given) / "source").is_dir() and (Path(given) / "autograder").is_dir()):
            raise UserError(f"{given} is not a course folder (it needs source/ and autograder/)")
        return Path(given)
    try:
        return course_root()
    except FileNotFoundError as error:
        raise UserError(f"{error}: run this in your course folder") from None


def known_assignment(root, name):
    """Return `name` if it is an assignment of the course at `root`, else raise UserError listing them."""
    from nncourse.build import assignments

    if name not in assignments(root):
        raise UserError(f"unknown assignment {name!r}; known: {', '.join(assignments(root))}")
    return name


def positive(kind):
    """Return an argparse type: a number of `kind` above 0."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text} is not above 0")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def cmd_build(args):
    from nncourse.build import build
    from nncourse.settings import SettingsError

    root = find_course()
    for name in args.assignments:
        known_assignment(root, name)
    try:
        build(root, args.assignments or None)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"built release/ and solutions/ in {root}")
    return 0


def cmd_verify(args):
    from nncourse.verify import verify

    root = find_course()
    for name in args.assignments:
        known_assignment(root, name)
    return 1 if verify(root, args.assignments or None, quick=args.quick) else 0


def cmd_check(args):
    from nncourse.checks import ASSIGNMENTS
    from nncourse.notebook import NotebookError, read_notebook
    from nncourse.selfcheck import guess_assignment, run_in_child

    try:
        nb = read_notebook(args.notebook)
        assignment = args.assignment or guess_assignment(args.notebook)
    except NotebookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if assignment not in ASSIGNMENTS:
        raise UserError(f"unknown assignment {assignment!r}; known: {', '.join(ASSIGNMENTS)}")
    check_belongs(nb, Path(args.notebook).name, assignment)
    return run_in_child(args.notebook, assignment)


def check_belongs(nb, name, assignment):
    """Raise UserError when the notebook has none of the assignment's graded cells, naming the one it is of."""
    from nncourse.checks import ASSIGNMENTS
    from nncourse.notebook import cells_by_id
    from nncourse.toolbox import functions_of

    ids = set(cells_by_id(nb))
    if ids & set(functions_of(assignment)):
        return
    others = [other for other in ASSIGNMENTS if ids & set(functions_of(other))]
    guess = f"it looks like {others[0]}'s (pass --assignment {others[0]})" if others else "check that it is the right file"
    raise UserError(f"{name} has none of {assignment}'s graded cells: {guess}")


def cmd_mnist(args):
    from nncourse.data import MNISTError, default_cache_dir, load_mnist

    if args.idx_dir and not Path(args.idx_dir).is_dir():
        raise UserError(f"no folder at {args.idx_dir}")
    try:
        data = load_mnist(args.idx_dir, args.cache_dir)
    except MNISTError as error:
        print(error, file=sys.stderr)
        return 1
    where = args.cache_dir or default_cache_dir()
    print(f"MNIST ready: {len(data.x_train)} training and {len(data.x_test)} test images, verified, cached in {where}")
    return 0


def cmd_demo(args):
    """Show a student's day (a failing stub, a passing solution), then train the reference on MNIST."""
    from nncourse.capstone import timed_run
    from nncourse.data import load_mnist
    from nncourse.notebook import load_functions
    from nncourse.selfcheck import run_in_child

    root = find_course()
    print("== A student runs `nncourse check` on the untouched 01_forward release ==")
    run_in_child(root / "release/01_forward/01_forward.ipynb", "01_forward", quiet_passes=True)
    print("\n== ... and on a finished notebook (the published solution) ==")
    run_in_child(root / "solutions/01_forward/01_forward.ipynb", "01_forward", quiet_passes=True)

    print("\n== The reference network, built only from the course's own functions, learns MNIST ==")
    print("(timed and tested as the notebook and the grader do: one BLAS thread, CPU seconds, the grader's forward pass)")
    data = load_mnist()
    solution, errors = load_functions(root / "solutions/05_mnist/05_mnist.ipynb")
    if errors:
        print(f"the 05_mnist solution did not load: {errors}", file=sys.stderr)
        return 1
    preprocess = solution["preprocess"]
    run = timed_run(solution["train_mnist"], preprocess(data.x_train), data.y_train, 0,
                    x_test=preprocess(data.x_test), y_test=data.y_test, forward=solution["forward"])
    return 0 if run.problem is None else 1


def asked_isolation(args):
    """Return the isolation mode the instructor named, or None for the strongest the probe finds."""
    return "unsafe-same-user" if args.unsafe_same_user else args.isolation


def add_isolation_options(command):
    command.add_argument("--isolation", choices=["bwrap", "user"],
                         help="how student code is isolated: bwrap (bubblewrap's sandbox) or user (a separate "
                              "unprivileged user, when root); default: the strongest that works here, probed first")
    command.add_argument("--unsafe-same-user", action="store_true",
                         help="run student code as your own user with only resource limits: for trusted code only")
    command.add_argument("--time-scale", type=positive(float), default=1.0,
                         help="multiply every check's timeout (default 1)")


def course_gradebook(root, assignment):
    """Return the course's nbgrader gradebook for `assignment`, or raise UserError when nbgrader is not installed."""
    try:
        from nncourse.grading.gradebook import CourseGradebook
    except ImportError as error:
        raise UserError(f"nbgrader is not installed ({error}): install the kit with its [course] extra, "
                        "or pass --no-gradebook") from None
    return CourseGradebook(root, assignment)


def cmd_grade(args):
    from nncourse.grading.grader import GradingSetupError, UnknownStudentError, grade_class

    root = find_course()
    submitted = Path(args.submitted) if args.submitted else root / "submitted"
    out = Path(args.out) if args.out else root / "graded"
    gradebook = None if args.no_gradebook else course_gradebook(root, args.assignment)
    try:
        rows = grade_class(args.assignment, submitted, out, root / "autograder", root / "source",
                           jobs=args.jobs, force=args.force, time_scale=args.time_scale, isolation=asked_isolation(args),
                           hidden_visibility=args.hidden_visibility, published=args.publish_feedback,
                           students=args.student or (), gradebook=gradebook)
    except (FileNotFoundError, UnknownStudentError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except GradingSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    print(f"wrote {out / args.assignment / 'grades.csv'} ({len(rows)} students)")
    return 0


def cmd_grade_notebook(args):
    """Grade one notebook (or a folder holding it); print Gradescope's results.json on stdout."""
    import json
    import shutil
    import tempfile

    from nncourse.grading.grader import GradingSetupError, preflight
    from nncourse.grading.hidden import run_hidden
    from nncourse.grading.isolation import IsolationError, choose_mode, claim_uid
    from nncourse.grading.report import results_json

    root = find_course(args.course)
    given = Path(args.path).resolve()
    if not (given.exists() or given.is_symlink()):
        raise UserError(f"no notebook or folder at {args.path}")
    with tempfile.TemporaryDirectory() as tmp:
        # The grader reads a folder laid out as nbgrader's: <assignment>/<assignment>.ipynb.
        folder = Path(tmp) / args.assignment
        # Links are copied as links (never followed), and the grader refuses them.
        if given.is_dir():
            shutil.copytree(given, folder, symlinks=True, ignore=shutil.ignore_patterns(".*"))
        else:
            folder.mkdir()
            if given.is_file() or given.is_symlink():
                shutil.copy(given, folder / given.name, follow_symlinks=False)
        try:
            preflight(args.assignment, root / "autograder", root / "source")
            mode = choose_mode(asked_isolation(args), claim_uid(), [root / "source", root / "autograder", given, tmp],
                               log=lambda line: print(line, file=sys.stderr))
        except (GradingSetupError, IsolationError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 3
        extra = ["--source-dir", str(root / "source"), "--isolation", mode, "--time-scale", str(args.time_scale)]
        results, problems = run_hidden(args.assignment, submission=folder, autograder=root / "autograder", extra_args=extra)
    print(json.dumps(results_json(results, problems, args.hidden_visibility), indent=1))
    return 0


def cmd_gradescope(args):
    from nncourse.grading.gradescope import build_bundle

    root = find_course()
    out = Path(args.out) if args.out else root / "gradescope" / f"{args.assignment}.zip"
    try:
        build_bundle(root, args.assignment, out)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {out}: upload it as the Gradescope autograder of {args.assignment}")
    return 0


def cmd_export(args):
    from nncourse.grading.export import ExportError, UnmappedStudents, export_assignment

    root = find_course()
    try:
        out, warnings = export_assignment(root, args.assignment, args.format, graded=args.graded, roster=args.roster,
                                          out=args.out, column=args.column, allow_unmapped=args.allow_unmapped)
    except UnmappedStudents as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in warnings:
        print(line, file=sys.stderr)
    print(f"wrote {out} for {args.format}")
    return 0


def cmd_student_kit(args):
    from nncourse.build import course_root
    from nncourse.studentkit import StudentKitError, write_kit

    try:
        kit = write_kit(course_root(), args.out)
    except (FileNotFoundError, StudentKitError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote the student kit in {kit}: push it as the students' repository, or zip it")
    return 0


def cmd_toolbox(args):
    from nncourse.toolbox import fill_in_child

    return fill_in_child(args.notebook)


def add_build(command):
    command.add_argument("assignments", nargs="*", help="assignment names, such as 01_forward (default: all)")


def add_verify(command):
    command.add_argument("assignments", nargs="*", help="assignment names, such as 01_forward (default: all)")
    command.add_argument("--quick", action="store_true",
                         help="only the checks that take seconds: no fresh build, no grading of the solutions")


def add_check(command):
    command.add_argument("notebook", help="the saved notebook to check, such as 01_forward/01_forward.ipynb")
    command.add_argument("--assignment", help="assignment name, if the notebook's folder does not say")


def add_toolbox(command):
    command.add_argument("notebook", help="the saved notebook whose toolbox cell to fill, "
                                          "such as 04_training/04_training.ipynb")


def add_mnist(command):
    command.add_argument("--idx-dir", help="a folder with the four standard MNIST IDX files")
    command.add_argument("--cache-dir", help="where to cache (default: $NNCOURSE_DATA or ~/.cache/nncourse)")


def add_grade(command):
    command.add_argument("assignment", help="the assignment to grade, such as 01_forward")
    command.add_argument("--submitted", help="nbgrader's submitted/ folder (default: <course>/submitted)")
    command.add_argument("--out", help="where results go (default: <course>/graded)")
    command.add_argument("--jobs", type=positive(int), default=1, help="students graded at once (default 1)")
    command.add_argument("--student", action="append", metavar="ID",
                         help="grade only this student (repeat for more); the others keep their results")
    command.add_argument("--force", action="store_true", help="regrade students already graded")
    command.add_argument("--no-gradebook", action="store_true",
                         help="grade the checks alone: no roster, due date, late penalty or manual grades from "
                              "nbgrader's gradebook, and nothing written to it, autograded/ or feedback/")
    command.add_argument("--publish-feedback", action="store_true",
                         help="write the hidden checks' details into feedback.md (once grades are released); "
                              "before that, feedback names hidden checks and their points only")
    add_visibility_option(command)
    add_isolation_options(command)


def add_visibility_option(command):
    command.add_argument("--hidden-visibility", choices=VISIBILITIES, default="after_published",
                         help="Gradescope visibility of hidden checks in results.json (default: after_published)")


def add_grade_notebook(command):
    command.add_argument("path", help="a notebook, or the folder holding it")
    command.add_argument("--assignment", required=True, help="the assignment it is a submission of, such as 01_forward")
    command.add_argument("--course", help="the course folder with source/ and autograder/ (default: found from here)")
    add_visibility_option(command)
    add_isolation_options(command)


def add_student_kit(command):
    command.add_argument("out", help="the folder to write: new, empty, or an earlier kit (its kit files are replaced)")


def add_gradescope(command):
    command.add_argument("assignment", help="the assignment to bundle, such as 05_mnist")
    command.add_argument("--out", help="zip path (default: <course>/gradescope/<assignment>.zip)")


def add_export(command):
    from nncourse.grading.export import FORMATS

    command.add_argument("assignment", help="the graded assignment, such as 01_forward")
    command.add_argument("--format", required=True, choices=FORMATS,
                         help="canvas: Canvas's gradebook import CSV; moodle: Moodle's CSV grade import; "
                              "csv: student_id,lms_id,name,email,score,max_score")
    command.add_argument("--out", help="the file to write (default: <graded>/<assignment>/<assignment>-<format>.csv)")
    command.add_argument("--graded", help="the folder nncourse grade wrote into (default: <course>/graded)")
    command.add_argument("--roster", help="a CSV of student_id and LMS identities (first_name, last_name, email, "
                                          "lms_user_id, sis_user_id, sis_login_id, section); its cells override "
                                          "nbgrader's gradebook")
    command.add_argument("--column", help="the LMS gradebook column's title (default: the assignment name)")
    command.add_argument("--allow-unmapped", action="store_true",
                         help="write students with no LMS identity by name and warn, instead of stopping with exit 1")


# name -> (one-line summary, what adds its arguments, what runs it), in the order --help lists them
STUDENT_COMMANDS = {
    "check": ("run a notebook's public checks without Jupyter; exit 0 when all pass", add_check, cmd_check),
    "toolbox": ("copy your functions from your earlier notebooks into this notebook's toolbox cell", add_toolbox,
                cmd_toolbox),
    "mnist": ("fetch, verify and cache MNIST", add_mnist, cmd_mnist),
}
INSTRUCTOR_COMMANDS = {
    "build": ("build release/ and solutions/ from source/ with nbgrader", add_build, cmd_build),
    "verify": ("check the course after editing it: a fresh build equals release/, no leaks, stubs fail, solutions "
               "pass, points and settings agree", add_verify, cmd_verify),
    "grade": ("grade an assignment's class with the hidden checks; fill nbgrader's gradebook and feedback", add_grade,
              cmd_grade),
    "grade-notebook": ("grade one notebook (or the folder holding it); print Gradescope JSON", add_grade_notebook,
                       cmd_grade_notebook),
    "gradescope": ("build a Gradescope autograder zip for an assignment", add_gradescope, cmd_gradescope),
    "student-kit": ("write what students get: release notebooks, the public checks as a wheel, a README, Binder "
                    "configuration", add_student_kit, cmd_student_kit),
    "export": ("write an assignment's grades as a Canvas, Moodle or plain CSV gradebook file", add_export, cmd_export),
    "demo": ("show self-checks and train the reference network on MNIST", None, cmd_demo),
}


def command_list():
    """Return the commands for --help, student commands first, each with its summary."""
    lines = []
    for heading, commands in (("for students", STUDENT_COMMANDS), ("for instructors", INSTRUCTOR_COMMANDS)):
        lines += ["", f"{heading}:"] + [f"  {name:<16}{summary}" for name, (summary, _, _) in commands.items()]
    return "\n".join(lines)


def package_version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nncourse")
    except PackageNotFoundError:
        return "unknown (not installed)"


def parser():
    p = argparse.ArgumentParser(
        prog="nncourse",
        description="Build a neural network from scratch in numpy, and grade it.\n" + command_list(),
        epilog="Run `nncourse COMMAND --help` for a command's arguments.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"nncourse {package_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", help="one of the commands above")
    for name, (summary, add_arguments, run) in {**STUDENT_COMMANDS, **INSTRUCTOR_COMMANDS}.items():
        # No help= here: argparse would list every command again, ungrouped.
        command = sub.add_parser(name, description=summary)
        if add_arguments:
            add_arguments(command)
        command.set_defaults(run=run)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
