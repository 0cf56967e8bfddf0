"""Tests of the `nncourse` command line: check's exit codes and messages."""

import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT


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
INSTRUCTOR_COMMANDS = ["build", "grade", "grade-notebook", "gradescope", "demo"]


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


@pytest.mark.parametrize("command", [pytest.param(c, id=c) for c in STUDENT_COMMANDS + INSTRUCTOR_COMMANDS])
def test_every_command_has_a_description_and_help_for_every_argument(command):
    import argparse

    from nncourse.cli import parser

    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert commands[command].description
    assert [a.dest for a in commands[command]._actions if not a.help] == []
