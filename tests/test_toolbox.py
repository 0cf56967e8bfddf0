"""Tests of the toolbox that fills itself: `nncourse toolbox`, `fill_toolbox()` and `check_toolbox()`.

A class folder is laid out as a student's: finished 01_forward, 02_loss and 03_backprop
notebooks made from the release, some functions written independently of the solutions,
next to a finished 04_training whose toolbox cell still holds the release's `fill_toolbox()` call.
"""

import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT
from nncourse import toolbox
from nncourse.authoring import completed_notebook, notebook_path, pasted_toolbox
from nncourse.checks import ChecksFailed
from nncourse.notebook import cells_by_id

EARLIER = ["01_forward", "02_loss", "03_backprop"]
ASSIGNMENT = "04_training"
STUDENT = "ada"

# Correct functions written apart from the solutions, as a student would.
INDEPENDENT = {
    "01_forward": {
        "relu": "def relu(z):\n    return np.maximum(z, 0)\n",
        "softmax": "def softmax(z):\n    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
                   "    exps = np.exp(shifted)\n    return exps / np.sum(exps, axis=-1, keepdims=True)\n",
        "dense_forward": "def dense_forward(x, W, b):\n    return np.dot(x, W) + b\n",
    },
    "02_loss": {
        "accuracy": "def accuracy(scores, labels):\n    return float(np.mean(np.argmax(scores, axis=1) == labels))\n",
    },
    "03_backprop": {
        "dense_backward": "def dense_backward(dz, x, W):\n    return dz @ W.T, x.T @ dz, np.sum(dz, axis=0)\n",
        "relative_error": "def relative_error(a, b):\n    top = np.max(np.abs(a - b))\n"
                          "    return float(top / max(np.max(np.abs(a) + np.abs(b)), 1e-12))\n",
    },
}
SOFTMAX_OVER_COLUMNS = "def softmax(z):\n    e = np.exp(z - z.max(axis=0, keepdims=True))\n    return e / e.sum(axis=0, keepdims=True)\n"
INSTRUCTOR_ONLY = ("### BEGIN SOLUTION", "### END SOLUTION", "HIDDEN TESTS", "use_functions_from", "grade_in_notebook")


def release_cell(assignment, cell_id):
    return cells_by_id(nbformat.read(notebook_path(ROOT, "release", assignment), as_version=4))[cell_id].source


def completed_source(assignment, function):
    return cells_by_id(completed_notebook(ROOT, assignment))[function].source


def make_class(top, overrides=None):
    """Write a student's finished 01-04 notebooks into `top`; return the path of the 04 notebook.

    overrides: {assignment: {grade_id: source}} on top of the independent functions.
    """
    for assignment in EARLIER:
        cells = {**INDEPENDENT[assignment], **(overrides or {}).get(assignment, {})}
        write(top, assignment, completed_notebook(ROOT, assignment, cells))
    later = completed_notebook(ROOT, ASSIGNMENT, {"toolbox": release_cell(ASSIGNMENT, "toolbox")})
    return write(top, ASSIGNMENT, later)


def write(top, assignment, nb):
    path = top / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def nncourse(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "nncourse.cli", *args], capture_output=True, text=True, cwd=cwd)


def code_of(text):
    """Return the lines of `text` that are code, not comments."""
    return [line.strip() for line in text.splitlines() if not line.lstrip().startswith("#")]


def toolbox_source(path):
    return cells_by_id(nbformat.read(path, as_version=4))["toolbox"].source


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """Return (the run of `nncourse toolbox` on a finished class's 04 notebook, that notebook's path)."""
    path = make_class(tmp_path_factory.mktemp("class"))
    return nncourse("toolbox", str(path)), path


def test_toolbox_command_exits_0_and_reports_every_function_when_all_are_finished(filled):
    done, _ = filled
    assert done.returncode == 0, done.stdout + done.stderr
    for assignment in EARLIER:
        assert f"took from ../{assignment}/{assignment}.ipynb" in done.stdout
    assert "Toolbox ready: all 25 functions from 01_forward, 02_loss and 03_backprop pass" in done.stdout
    assert "[MISSING]" not in done.stdout and "[FAIL]" not in done.stdout
    assert done.stderr == ""


def test_toolbox_command_writes_the_students_own_code_and_nothing_of_the_instructors(filled):
    _, path = filled
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    written = cells_by_id(nb)["toolbox"].source
    assert "fill_toolbox()" not in code_of(written)
    for assignment, functions in INDEPENDENT.items():
        assert f"# From {assignment}" in written
        assert all(code.strip() in written for code in functions.values())
    assert not [marker for marker in INSTRUCTOR_ONLY if marker in written]


def test_toolbox_command_keeps_the_toolbox_cells_metadata(filled):
    _, path = filled
    written = cells_by_id(nbformat.read(path, as_version=4))["toolbox"]
    release = cells_by_id(nbformat.read(notebook_path(ROOT, "release", ASSIGNMENT), as_version=4))["toolbox"]
    assert written.metadata == release.metadata
    assert written.metadata["nncourse"]["builds_on"] == EARLIER


@pytest.mark.slow
def test_grade_gives_full_marks_when_the_toolbox_was_filled_by_the_command(filled, tmp_path):
    """Does a notebook whose toolbox `nncourse toolbox` wrote stand alone and earn full marks?"""
    _, path = filled
    submitted = tmp_path / "submitted" / STUDENT / ASSIGNMENT
    submitted.mkdir(parents=True)
    shutil.copy2(path, submitted)
    done = nncourse("grade", ASSIGNMENT, "--submitted", str(tmp_path / "submitted"), "--out", str(tmp_path / "graded"),
                    "--no-gradebook")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "graded" / ASSIGNMENT / STUDENT / "results.json").read_text())
    lost = [(t["name"], t["output"]) for t in report["tests"] if t["score"] != t["max_score"]]
    assert report["tests"] and lost == []
    assert report["score"] == sum(t["max_score"] for t in report["tests"])


@pytest.mark.parametrize(("overrides", "expected"), [
    pytest.param({"01_forward": {"sigmoid_prime": release_cell("01_forward", "sigmoid_prime")}},
                 ["[MISSING] sigmoid_prime: not written yet", "[FAIL] activation_backward: it calls `sigmoid_prime`"],
                 id="stub-left"),
    pytest.param({"02_loss": {"accuracy": "def accuracy(scores, labels):\n    return 0.5\n"}},
                 ["[FAIL] accuracy: accuracy: "], id="wrong-accuracy"),
    pytest.param({"01_forward": {"softmax": SOFTMAX_OVER_COLUMNS}}, ["[FAIL] softmax: softmax: "], id="softmax-over-columns"),
    pytest.param({"03_backprop": {"backward": "def backward(dlogits, cache, params, activation='relu'):\n    return [][0]\n"}},
                 ["[FAIL] backward: backward: ", "IndexError"], id="backward-raises"),
    pytest.param({"01_forward": {"tanh": "def tanh(z):\n    return np.tanh(z)\nprint(undefined_name)\n"}},
                 ["[FAIL] tanh: its cell in ../01_forward/01_forward.ipynb raised NameError"], id="cell-raises"),
])
def test_toolbox_command_exits_1_and_names_the_function_when_one_is_missing_or_wrong(tmp_path, overrides, expected):
    path = make_class(tmp_path, overrides)
    done = nncourse("toolbox", str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert all(line in done.stdout for line in expected), done.stdout
    assert "are missing or fail their public checks" in done.stdout
    assert "fill_toolbox()" not in code_of(toolbox_source(path))


def test_toolbox_command_leaves_out_a_cell_that_raises_so_the_toolbox_still_runs(tmp_path):
    path = make_class(tmp_path, {"01_forward": {"tanh": "def tanh(z):\n    return np.tanh(z)\nprint(undefined_name)\n"}})
    nncourse("toolbox", str(path))
    namespace = {}
    exec(compile(toolbox_source(path), "<toolbox>", "exec"), namespace)  # noqa: S102
    assert "tanh" not in namespace and callable(namespace["backward"])


@pytest.mark.parametrize("kind", ["source", "solutions"])
def test_toolbox_command_refuses_an_instructors_notebook(tmp_path, kind):
    """Is a sibling from source/ (with its solution markers) or under a solutions/ folder refused?"""
    top = tmp_path / ("solutions" if kind == "solutions" else "course")
    path = make_class(top)
    shutil.copy2(notebook_path(ROOT, kind, "02_loss"), top / "02_loss" / "02_loss.ipynb")
    done = nncourse("toolbox", str(path))
    assert done.returncode == 1
    reason = "holds `### BEGIN SOLUTION`" if kind == "source" else "lies in the instructor's solutions/ folder"
    assert f"nothing taken from ../02_loss/02_loss.ipynb: it {reason}" in done.stdout
    if kind == "solutions":
        assert "nothing taken from ../01_forward/01_forward.ipynb" in done.stdout
    written = toolbox_source(path)
    assert "# From 02_loss" not in written
    assert not [marker for marker in INSTRUCTOR_ONLY if marker in written]


def test_toolbox_command_names_a_missing_earlier_notebook(tmp_path):
    path = make_class(tmp_path)
    (tmp_path / "03_backprop" / "03_backprop.ipynb").unlink()
    done = nncourse("toolbox", str(path))
    assert done.returncode == 1
    assert "nothing taken from ../03_backprop/03_backprop.ipynb: there is no such notebook" in done.stdout
    assert "[MISSING] backward" in done.stdout


def test_toolbox_command_leaves_the_notebook_alone_when_nothing_is_found(tmp_path):
    path = write(tmp_path, ASSIGNMENT, nbformat.read(notebook_path(ROOT, "release", ASSIGNMENT), as_version=4))
    before = path.read_text()
    done = nncourse("toolbox", str(path))
    assert done.returncode == 1
    assert "was left as it was" in done.stdout
    assert path.read_text() == before


@pytest.mark.parametrize(("setup", "message"), [
    pytest.param(lambda top: top / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", "no notebook at", id="missing"),
    pytest.param(lambda top: write(top, "01_forward", completed_notebook(ROOT, "01_forward")), "has no toolbox cell",
                 id="no-toolbox"),
    pytest.param(lambda top: (top / "x.ipynb", (top / "x.ipynb").write_text("{not json"))[0], "not valid notebook JSON",
                 id="bad-json"),
])
def test_toolbox_command_exits_2_with_one_line_when_there_is_no_toolbox_to_fill(tmp_path, setup, message):
    done = nncourse("toolbox", str(setup(tmp_path)))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_toolbox_command_exits_1_when_earlier_code_exits_the_process(tmp_path):
    """Can a student's os._exit(0) in an earlier notebook pass for success? It must not."""
    path = make_class(tmp_path, {"01_forward": {"relu": "import os\nos._exit(0)\n"}})
    done = nncourse("toolbox", str(path))
    assert done.returncode == 1
    assert "stopped the toolbox command (exit code 0)" in done.stdout


@pytest.fixture
def in_folder(tmp_path, monkeypatch):
    """Work from a folder laid out as 04_training's, holding its release notebook, as Jupyter does."""
    folder = tmp_path / ASSIGNMENT
    write(tmp_path, ASSIGNMENT, nbformat.read(notebook_path(ROOT, "release", ASSIGNMENT), as_version=4))
    monkeypatch.chdir(folder)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return folder


def finished_toolbox():
    namespace = {}
    exec(compile(pasted_toolbox(ROOT, ASSIGNMENT), "<toolbox>", "exec"), namespace)  # noqa: S102
    return namespace


def test_check_toolbox_passes_when_every_earlier_function_is_right(in_folder, capsys):
    toolbox.check_toolbox(finished_toolbox())
    out = capsys.readouterr().out
    assert "Toolbox ready: all 25 functions from 01_forward, 02_loss and 03_backprop pass" in out


@pytest.mark.parametrize(("change", "line"), [
    pytest.param(lambda ns: ns.pop("sigmoid_prime"), "[MISSING] sigmoid_prime: not defined", id="missing"),
    pytest.param(lambda ns: exec(SOFTMAX_OVER_COLUMNS, ns), "[FAIL] softmax: softmax: ", id="failing"),  # noqa: S102
])
def test_check_toolbox_raises_and_names_the_function_when_one_is_missing_or_failing(in_folder, capsys, change, line):
    namespace = finished_toolbox()
    change(namespace)
    with pytest.raises(ChecksFailed):
        toolbox.check_toolbox(namespace)
    assert line in capsys.readouterr().out


def test_check_toolbox_only_prints_when_nbgrader_autogrades(in_folder, capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    namespace = finished_toolbox()
    namespace.pop("backward")
    toolbox.check_toolbox(namespace)
    assert "[MISSING] backward" in capsys.readouterr().out


def test_check_toolbox_checks_every_earlier_assignment_when_the_notebook_records_none(tmp_path, monkeypatch, capsys):
    """Without a notebook file to read, does it fall back to every earlier assignment from 01 on?"""
    (tmp_path / ASSIGNMENT).mkdir()
    monkeypatch.chdir(tmp_path / ASSIGNMENT)
    toolbox.check_toolbox(finished_toolbox())
    assert "the functions of 01_forward, 02_loss and 03_backprop" in capsys.readouterr().out


def test_check_toolbox_reads_use_functions_from_in_an_instructors_notebook(monkeypatch, capsys):
    monkeypatch.chdir(ROOT / "source" / "03_backprop")
    toolbox.check_toolbox(finished_toolbox())
    assert "(the functions of 01_forward and 02_loss)" in capsys.readouterr().out


def test_fill_toolbox_says_what_to_do_when_run_outside_ipython(in_folder, capsys, monkeypatch):
    monkeypatch.setattr(toolbox, "ipython_shell", lambda: None)
    toolbox.fill_toolbox()
    out = capsys.readouterr().out
    assert "works only in Jupyter" in out and "nncourse toolbox NOTEBOOK" in out


class FakeShell:
    """Stands in for IPython's shell: a namespace, and the cell text it was asked to put in."""

    def __init__(self):
        self.user_ns = {}
        self.next_input = None

    def set_next_input(self, text, replace=False):
        self.next_input = (text, replace)


def test_fill_toolbox_replaces_its_cell_and_defines_the_functions_when_run_in_jupyter(tmp_path, monkeypatch, capsys):
    path = make_class(tmp_path)
    monkeypatch.chdir(path.parent)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    shell = FakeShell()
    monkeypatch.setattr(toolbox, "ipython_shell", lambda: shell)
    toolbox.fill_toolbox()
    text, replace = shell.next_input
    assert replace and "def dense_forward(x, W, b):\n    return np.dot(x, W) + b" in text
    assert callable(shell.user_ns["backward"]) and callable(shell.user_ns["sigmoid"])
    assert "Toolbox ready" in capsys.readouterr().out
    toolbox.check_toolbox(shell.user_ns)


def test_fill_toolbox_refuses_to_run_while_nbgrader_validates(in_folder, monkeypatch):
    """A toolbox that still calls fill_toolbox() does not stand alone: does Validate say so?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(toolbox.ToolboxError, match="still calls fill_toolbox"):
        toolbox.fill_toolbox()


def test_check_toolbox_cell_follows_the_toolbox_in_every_release_notebook_that_has_one():
    for assignment in ["03_backprop", ASSIGNMENT]:
        cells = nbformat.read(notebook_path(ROOT, "release", assignment), as_version=4).cells
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
        after = cells[ids.index("toolbox") + 1]
        assert after.source == toolbox.CHECK_CALL and after.metadata["nbgrader"]["locked"], assignment
        assert release_cell(assignment, "toolbox").endswith(toolbox.FILL_CALL), assignment


@pytest.mark.slow
def test_fill_toolbox_in_a_kernel_asks_jupyter_to_replace_its_cell_and_check_toolbox_then_passes(tmp_path, monkeypatch):
    """In a real IPython kernel, is the cell's text replaced with the code, and are the functions defined?"""
    from jupyter_client.manager import start_new_kernel

    path = make_class(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
    outputs = []
    keep = lambda message: outputs.append(message["content"].get("text", ""))  # noqa: E731
    try:
        filled = client.execute_interactive(toolbox.FILL_CALL, timeout=120, output_hook=keep)
        checked = client.execute_interactive(toolbox.CHECK_CALL, timeout=120, output_hook=keep)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    [payload] = [p for p in filled["content"]["payload"] if p["source"] == "set_next_input"]
    assert payload["replace"] and "def dense_forward(x, W, b):\n    return np.dot(x, W) + b" in payload["text"]
    assert filled["content"]["status"] == checked["content"]["status"] == "ok", outputs
    assert "Toolbox ready: all 25 functions" in "".join(outputs)


def test_check_toolbox_raises_with_a_clear_message_when_the_folder_names_no_assignment(tmp_path, monkeypatch, capsys):
    (tmp_path / "Downloads").mkdir()
    monkeypatch.chdir(tmp_path / "Downloads")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    with pytest.raises(ChecksFailed):
        toolbox.check_toolbox(finished_toolbox())
    assert "cannot tell which assignment this is: the folder `Downloads`" in capsys.readouterr().out


def test_check_points_at_the_toolbox_when_a_callee_from_an_earlier_notebook_is_missing(capsys, monkeypatch):
    """Does `check(activation_backward)` without `sigmoid_prime` name it and send the student to the toolbox?"""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    namespace = finished_toolbox()
    exec(completed_source("03_backprop", "activation_backward"), namespace)  # noqa: S102
    del namespace["sigmoid_prime"]
    with pytest.raises(ChecksFailed):
        exec("check(activation_backward)", namespace)  # noqa: S102
    first = capsys.readouterr().out.splitlines()[0]
    assert "`sigmoid_prime` is not defined" in first and "Fill the toolbox (see the cell at the top)" in first
