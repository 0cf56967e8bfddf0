"""Does nbgrader's Validate give the same verdict as `nncourse check` on the same notebook?"""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nncourse.authoring import completed_notebook, notebook_path
from nncourse.notebook import grade_id, is_answer
from test_browser import ASSIGNMENT

SOFTMAX_OVER_AXIS_0 = '''def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
'''


def student_notebook(course, kind):
    if kind == "stubs":
        return nbformat.read(notebook_path(course, "release", ASSIGNMENT), as_version=4)
    overrides = {"softmax": SOFTMAX_OVER_AXIS_0} if kind == "softmax-over-axis-0" else None
    return completed_notebook(course, ASSIGNMENT, overrides)


def every_function(course):
    return {grade_id(c) for c in student_notebook(course, "stubs").cells if is_answer(c)}


# Each kind of student notebook, and the functions whose checks should fail in it.
NOTEBOOKS = [
    pytest.param("stubs", every_function, id="stubs"),
    pytest.param("finished", lambda course: set(), id="finished"),
    pytest.param("softmax-over-axis-0", lambda course: {"softmax"}, id="softmax-over-axis-0"),
]


def run(*args, cwd):
    # nbgrader starts kernels and `jupyter` tools by name: this environment's must come first.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def validate_failures(path, cwd):
    """Return the functions whose check cells `nbgrader validate` reports as failed (none after its "Success!")."""
    done = run("nbgrader", "validate", str(path), cwd=cwd)
    output = done.stdout + done.stderr
    failed = set(re.findall(r"The following cell failed:\s+check\((\w+)\)", output))
    passed = "Success! Your notebook passes all the tests." in output
    assert done.returncode == 0 and passed != bool(failed), f"nbgrader validate gave no clear verdict (exit {done.returncode}):\n{output}"
    return failed


def check_failures(path, cwd):
    """Return `nncourse check`'s exit code and the functions it reports as failing."""
    done = run("nncourse.cli", "check", str(path), cwd=cwd)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return done.returncode, set(re.findall(r"public checks of `(\w+)` failed", done.stdout))


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "expected_failures"), NOTEBOOKS)
def test_validate_agrees_with_check_when_notebook_is(course, tmp_path, kind, expected_failures):  # noqa: F811
    path = tmp_path / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir()
    nbformat.write(student_notebook(course, kind), path)

    exit_code, checked = check_failures(path, cwd=tmp_path)
    validated = validate_failures(path, cwd=tmp_path)

    assert (exit_code != 0) == bool(checked)
    assert validated == checked == expected_failures(course)
