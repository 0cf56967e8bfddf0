"""Tests of the `nncourse` command line: exit codes, messages, help for everything, one line for every user error."""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from nncourse.build import copy_course
from nncourse.cli import parser

NNCOURSE = Path(sys.executable).parent / "nncourse"  # the installed executable, as users run it


def nncourse(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nncourse.cli", *args], capture_output=True, text=True, cwd=cwd)


def summary_line(output):
    """Return the summary line of `nncourse check` on 01_forward."""
    return next(line for line in output.splitlines() if line.startswith("01_forward: "))


def test_check_exits_0_and_summarises_when_solution_is_checked():
    done = nncourse("check", str(ROOT / "source/01_forward/01_forward.ipynb"))
    assert done.returncode == 0, done.stdout
    assert "all public checks pass" in summary_line(done.stdout)


def test_check_exits_1_and_names_stub_when_release_is_checked():
    done = nncourse("check", str(ROOT / "release/01_forward/01_forward.ipynb"))
    assert done.returncode == 1
    assert "`softmax` is not written yet" in done.stdout
    assert "some public checks fail" in summary_line(done.stdout)


@pytest.mark.parametrize(
    ("content", "message"),
    [pytest.param("{not json", "not valid notebook JSON", id="bad-json"), pytest.param(None, "no notebook at", id="missing")],
)
def test_check_exits_2_with_reason_when_notebook_is_unreadable(tmp_path, content, message):
    path = tmp_path / "01_forward" / "01_forward.ipynb"
    path.parent.mkdir()
    if content is not None:
        path.write_text(content)
    done = nncourse("check", str(path))
    assert done.returncode == 2
    assert message in done.stderr


def test_check_exits_1_and_explains_when_student_code_exits_the_process(tmp_path):
    nb = nbformat.read(ROOT / "release/01_forward/01_forward.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "sigmoid")
    cell.source = "import os\nos._exit(3)"
    path = tmp_path / "01_forward" / "01_forward.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    done = nncourse("check", str(path))
    assert done.returncode == 1
    assert "stopped the checker (exit code 3)" in done.stdout


STUDENT_COMMANDS = ["check", "toolbox", "mnist"]
INSTRUCTOR_COMMANDS = ["build", "grade", "grade-notebook", "gradescope", "export", "verify", "student-kit", "demo"]
SUBCOMMANDS = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)).choices


def test_help_lists_student_commands_first_then_marks_instructor_commands():
    text = nncourse("--help").stdout
    students, instructors = text.index("for students:"), text.index("for instructors:")
    assert students < instructors
    assert all(f"\n  {command} " in text[students:instructors] for command in STUDENT_COMMANDS)
    assert all(f"\n  {command} " in text[instructors:] for command in INSTRUCTOR_COMMANDS)


def test_version_prints_the_installed_package_version():
    from importlib.metadata import version

    done = nncourse("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"nncourse {version('nncourse')}"


@pytest.mark.parametrize("command", [pytest.param(c, id=c) for c in SUBCOMMANDS])
def test_every_command_has_a_description_and_help_for_every_argument(command):
    assert SUBCOMMANDS[command].description
    assert [a.dest for a in SUBCOMMANDS[command]._actions if not a.help] == []


@pytest.mark.parametrize("command", [pytest.param(c, id=c) for c in SUBCOMMANDS])
def test_every_option_with_a_default_shows_it_in_its_help(command):
    shown = [a for a in SUBCOMMANDS[command]._actions
             if a.default not in (None, False, argparse.SUPPRESS) and not a.required and a.option_strings]
    assert [a.dest for a in shown if "default" not in a.help] == []


def test_parser_is_walked_whole_so_a_new_command_cannot_escape_the_help_tests():
    assert set(STUDENT_COMMANDS + INSTRUCTOR_COMMANDS) <= set(SUBCOMMANDS) and "--version" in parser().format_help()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """Return a folder with a scratch course in `course/`, wrong notebooks in `wrong/`, and nothing else."""
    top = tmp_path_factory.mktemp("cli")
    copy_course(ROOT, top / "course")
    wrong = top / "wrong"
    (wrong / "01_forward").mkdir(parents=True)
    (wrong / "not_json.ipynb").write_text("{not json")
    (wrong / "not_a_notebook.ipynb").write_text('{"cells": 3}')
    # A 02_loss notebook saved where 01_forward's belongs
    shutil.copy(ROOT / "release/02_loss/02_loss.ipynb", wrong / "01_forward" / "01_forward.ipynb")
    # A notebook with a toolbox, in a folder not named after an assignment
    shutil.copy(ROOT / "release/04_training/04_training.ipynb", wrong / "mine.ipynb")
    return top


# (arguments, where it runs: the scratch "course" or its parent "outside", what the message says)
USER_ERRORS = {
    "check-missing": (["check", "wrong/nowhere.ipynb"], "outside", "no notebook at"),
    "check-not-json": (["check", "wrong/not_json.ipynb"], "outside", "not valid notebook JSON"),
    "check-not-a-notebook": (["check", "wrong/not_a_notebook.ipynb"], "outside", "not a notebook"),
    "check-unknown-assignment": (["check", "wrong/01_forward/01_forward.ipynb", "--assignment", "99_x"], "outside",
                                 "unknown assignment '99_x'"),
    "check-other-assignment": (["check", "wrong/01_forward/01_forward.ipynb"], "outside", "looks like 02_loss's"),
    "toolbox-missing": (["toolbox", "wrong/nowhere.ipynb"], "outside", "no notebook at"),
    "toolbox-not-json": (["toolbox", "wrong/not_json.ipynb"], "outside", "not valid notebook JSON"),
    "toolbox-not-a-notebook": (["toolbox", "wrong/not_a_notebook.ipynb"], "outside", "not a notebook"),
    "toolbox-other-assignment": (["toolbox", "wrong/01_forward/01_forward.ipynb"], "outside", "has no toolbox cell"),
    "toolbox-unnamed-folder": (["toolbox", "wrong/mine.ipynb"], "outside", "cannot tell which assignment"),
    "mnist-missing-folder": (["mnist", "--idx-dir", "nowhere"], "outside", "no folder at nowhere"),
    "build-outside-course": (["build"], "outside", "no course folder"),
    "build-unknown-assignment": (["build", "99_x"], "course", "unknown assignment '99_x'"),
    "grade-outside-course": (["grade", "01_forward"], "outside", "no course folder"),
    "grade-unknown-assignment": (["grade", "99_x"], "course", "unknown assignment '99_x'"),
    "grade-missing-submissions": (["grade", "01_forward", "--submitted", "nowhere"], "course", "nowhere"),
    "grade-notebook-missing": (["grade-notebook", "nowhere.ipynb", "--assignment", "01_forward"], "course",
                               "no notebook or folder at nowhere.ipynb"),
    "grade-notebook-unknown-assignment": (["grade-notebook", "../wrong/not_json.ipynb", "--assignment", "99_x"],
                                          "course", "unknown assignment '99_x'"),
    "grade-notebook-not-a-course": (["grade-notebook", "wrong/not_json.ipynb", "--assignment", "01_forward",
                                     "--course", "wrong"], "outside", "wrong is not a course folder"),
    "gradescope-outside-course": (["gradescope", "01_forward"], "outside", "no course folder"),
    "gradescope-unknown-assignment": (["gradescope", "99_x"], "course", "99_x"),
    "export-outside-course": (["export", "01_forward", "--format", "csv"], "outside", "no course folder"),
    "export-unknown-assignment": (["export", "99_x", "--format", "csv"], "course", "unknown assignment '99_x'"),
    "export-not-graded": (["export", "01_forward", "--format", "canvas"], "course", "grade 01_forward first"),
    "demo-outside-course": (["demo"], "outside", "no course folder"),
    "student-kit-outside-course": (["student-kit", "kit"], "outside", "no course folder"),
    "verify-outside-course": (["verify"], "outside", "no course folder"),
    "verify-unknown-assignment": (["verify", "99_x"], "course", "unknown assignment '99_x'"),
}


@pytest.mark.parametrize(("args", "where", "message"),
                         [pytest.param(*case, id=name) for name, case in USER_ERRORS.items()])
def test_user_error_is_one_line_and_nonzero_exit_never_a_traceback(scratch, args, where, message):
    cwd = scratch / "course" if where == "course" else scratch
    done = subprocess.run([str(NNCOURSE), *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr


def test_every_command_is_audited_for_user_errors():
    assert {args[0] for args, _, _ in USER_ERRORS.values()} >= set(STUDENT_COMMANDS + INSTRUCTOR_COMMANDS)


@pytest.mark.parametrize("value", [pytest.param("0", id="zero"), pytest.param("-2", id="negative"),
                                   pytest.param("two", id="not-a-number")])
def test_grade_refuses_jobs_below_one(value, capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["grade", "01_forward", "--jobs", value])
    assert "argument --jobs: " in capsys.readouterr().err
