"""Tests of the student kit (`nncourse student-kit`) and of what a stale install of the public checks says."""

import json
import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from nncourse import __version__
from nncourse.authoring import completed_notebook
from nncourse.build import build_fresh, record_public_checks
from nncourse.checks import UPDATE_COMMAND, checks_record
from nncourse.notebook import grade_id
from nncourse.studentkit import hidden_check_names, leaks, secret_lines, write_kit

LAUNCH_LINK = re.compile(r"https://mybinder\.org/v2/gh/[^\s)]+\?urlpath=lab/tree/release\b")


def nncourse(*args, cwd=None, command=(sys.executable, "-m", "nncourse.cli")):
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """The student kit of this repository's course, written once (building the wheel takes seconds)."""
    return write_kit(ROOT, tmp_path_factory.mktemp("kit") / "nncourse-student")


def wheel_of(kit):
    (wheel,) = (kit / "wheels").glob("nncourse-*.whl")
    return wheel


# --- What the kit holds ---


def test_kit_holds_the_release_a_wheel_the_guide_requirements_and_binder(kit):
    assert sorted(p.relative_to(kit) for p in kit.glob("release/*/*.ipynb")) == sorted(
        p.relative_to(ROOT) for p in ROOT.glob("release/*/*.ipynb"))
    assert (kit / "README.md").read_text() == (ROOT / "docs/students.md").read_text()
    pictures = re.findall(r"\]\((img/[^)]+)\)", (kit / "README.md").read_text())
    assert pictures and all((kit / p).is_file() for p in pictures)
    assert {p.name for p in (kit / "binder").iterdir()} == {"postBuild", "requirements.txt", "runtime.txt"}
    assert not [p for p in kit.rglob("*") if p.name in ("source", "solutions", "autograder")]


def test_kit_wheel_holds_only_the_nncourse_package(kit):
    with zipfile.ZipFile(wheel_of(kit)) as wheel:
        names = wheel.namelist()
    assert "nncourse/checks/forward.py" in names
    assert [n for n in names if not re.match(r"nncourse/|nncourse-[^/]+\.dist-info/", n)] == []


def test_kit_requirements_install_the_kits_own_wheel_from_the_kit_folder(kit):
    """Does pip, run in the kit's folder, find the wheel that requirements.txt names by a relative path?"""
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index",
                           "--disable-pip-version-check", "-r", "requirements.txt"],
                          capture_output=True, text=True, cwd=kit)
    assert done.returncode == 0, done.stderr
    assert f"Would install nncourse-{__version__}" in done.stdout
    assert re.search(r"^\./wheels/nncourse-\S+\.whl\[course\]$", (kit / "requirements.txt").read_text(), re.M)


def test_kit_binder_installs_the_wheel_and_opens_release(kit):
    post_build = (kit / "binder/postBuild").read_text()
    assert os.access(kit / "binder/postBuild", os.X_OK)
    assert f"python -m pip install --no-cache-dir wheels/{wheel_of(kit).name}" in post_build
    assert "-e ." not in post_build
    assert LAUNCH_LINK.search(post_build) and LAUNCH_LINK.search((kit / "README.md").read_text())
    course = [line for line in (ROOT / "binder/requirements.txt").read_text().splitlines() if not line.startswith("#")]
    assert (kit / "binder/requirements.txt").read_text().splitlines() == course
    assert subprocess.run(["bash", "-n", str(kit / "binder/postBuild")]).returncode == 0


# --- The scan for instructor material ---


def test_kit_holds_no_solution_line_hidden_check_or_mistake_example(kit):
    assert leaks(kit, ROOT) == []


def test_scan_knows_the_instructor_material_it_looks_for():
    secret = secret_lines(ROOT)
    assert any(where.startswith("a solution line of 01_forward") for where in secret.values())
    assert any(where == "a line of mistake_examples.py" for where in secret.values())
    assert any(where == "a line of hidden_math.py" for where in secret.values())
    assert "test_sigmoid_any_shape" in hidden_check_names(ROOT)


def solution_line(assignment):
    return next(line for line, where in sorted(secret_lines(ROOT).items()) if where == f"a solution line of {assignment}.ipynb")


def plant_in_notebook(kit):
    path = kit / "release/02_loss/02_loss.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if grade_id(c) == "softmax_cross_entropy")
    cell.source += "\n    " + solution_line("02_loss")
    nbformat.write(nb, path)


def plant_in_wheel(kit):
    """Rewrite the wheel with a solution line added to one of its modules."""
    wheel = wheel_of(kit)
    with zipfile.ZipFile(wheel) as original:
        members = {name: original.read(name) for name in original.namelist()}
    members["nncourse/toy.py"] += f"\n    {solution_line('01_forward')}\n".encode()
    with zipfile.ZipFile(wheel, "w") as rewritten:
        for name, data in members.items():
            rewritten.writestr(name, data)


def plant_hidden_check_name(kit):
    (kit / "README.md").write_text((kit / "README.md").read_text() + "\nSee test_sigmoid_any_shape.\n")


def plant_mistake_example(kit):
    line = next(line for line, where in sorted(secret_lines(ROOT).items()) if where == "a line of mistake_examples.py")
    (kit / "notes.py").write_text(f"{line}\n")


def plant_autograder_file(kit):
    shutil.copy(ROOT / "autograder/hidden_math.py", kit / "release/hidden_math.py")


def plant_solutions_folder(kit):
    (kit / "solutions").mkdir()
    (kit / "solutions/readme.txt").write_text("nothing to see\n")


def plant_marker(kit):
    path = kit / "release/01_forward/01_forward.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].source += "\n### BEGIN HIDDEN TESTS\n"
    nbformat.write(nb, path)


@pytest.mark.parametrize(
    ("plant", "found"),
    [
        pytest.param(plant_in_notebook, "release/02_loss/02_loss.ipynb: a solution line of 02_loss", id="notebook"),
        pytest.param(plant_in_wheel, "/nncourse/toy.py: a solution line of 01_forward", id="wheel"),
        pytest.param(plant_hidden_check_name, "README.md: the hidden check test_sigmoid_any_shape", id="hidden-check"),
        pytest.param(plant_mistake_example, "notes.py: a line of mistake_examples.py", id="mistake-example"),
        pytest.param(plant_autograder_file, "release/hidden_math.py: an instructor file", id="autograder-file"),
        pytest.param(plant_solutions_folder, "solutions/readme.txt: an instructor file", id="solutions-folder"),
        pytest.param(plant_marker, "the marker '### BEGIN HIDDEN TESTS'", id="marker"),
    ],
)
def test_scan_finds_instructor_material_planted_in_a_copy_of_the_kit(kit, tmp_path, plant, found):
    """Can the scan fail? Each kind of instructor material planted in a copy must be reported."""
    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    plant(copy)
    assert [line for line in leaks(copy, ROOT) if found in line], leaks(copy, ROOT)


# --- The command ---


def scratch_course(tmp_path, with_release):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source", course / "source")
    if with_release:
        shutil.copytree(ROOT / "release", course / "release")
    return course


def test_student_kit_without_release_says_so_in_one_line(tmp_path):
    done = nncourse("student-kit", str(tmp_path / "kit"), cwd=scratch_course(tmp_path, with_release=False))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no release notebooks" in done.stderr and "nncourse build" in done.stderr
    assert not (tmp_path / "kit").exists()


def test_student_kit_refuses_a_folder_that_is_not_a_kit(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/thesis.tex").write_text("keep me\n")
    done = nncourse("student-kit", str(tmp_path / "mine"), cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is not empty and is not a student kit" in done.stderr
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["thesis.tex"]


def test_student_kit_refuses_a_file(tmp_path):
    (tmp_path / "kit.zip").write_text("not a folder\n")
    done = nncourse("student-kit", str(tmp_path / "kit.zip"), cwd=ROOT)
    assert done.returncode == 2 and done.stderr == f"error: {tmp_path / 'kit.zip'} is a file: name a folder\n"


def test_student_kit_refuses_to_write_into_the_course(tmp_path):
    done = nncourse("student-kit", ".", cwd=ROOT)
    assert done.returncode == 2 and "holds the course itself" in done.stderr


@pytest.mark.slow
def test_student_kit_refreshes_an_earlier_kit_and_keeps_its_git_folder(kit, tmp_path):
    again = tmp_path / "kit"
    shutil.copytree(kit, again)
    (again / ".git").mkdir()
    (again / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (again / "release/07_gone").mkdir()
    done = nncourse("student-kit", str(again), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert (again / ".git/HEAD").is_file() and not (again / "release/07_gone").exists()
    assert len(list((again / "wheels").glob("*.whl"))) == 1


@pytest.mark.slow
def test_kit_wheel_in_a_fresh_venv_checks_a_release_and_a_finished_notebook(kit, tmp_path):
    """Does a student's install from the kit alone run `nncourse check` on the kit's notebooks?"""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    done = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel_of(kit))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    where = subprocess.run([python, "-c", "import nncourse.checks; print(nncourse.checks.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path).stdout
    assert where.startswith(str(env_dir)), where  # the wheel's copy, not the instructor's source

    installed = [str(env_dir / "bin" / "nncourse")]
    stub = nncourse("check", "release/01_forward/01_forward.ipynb", cwd=kit, command=installed)
    assert stub.returncode == 1, stub.stdout + stub.stderr
    assert "`softmax` is not written yet" in stub.stdout
    assert "01_forward: 0/" in stub.stdout and "some public checks fail" in stub.stdout
    assert "Traceback" not in stub.stdout + stub.stderr

    finished = tmp_path / "work" / "01_forward" / "01_forward.ipynb"
    finished.parent.mkdir(parents=True)
    nbformat.write(completed_notebook(ROOT, "01_forward"), finished)
    solved = nncourse("check", str(finished), command=installed)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert "all public checks pass" in solved.stdout

    # The update command that a stale install prints, and the student guide gives, run in the kit's folder.
    update = subprocess.run([python, *UPDATE_COMMAND.split()[1:], "--quiet", "--disable-pip-version-check"],
                            capture_output=True, text=True, cwd=kit)
    assert update.returncode == 0, update.stderr


# --- A stale install says so ---


def stamped(tmp_path, finished=True, **changes):
    """Write a copy of 01_forward (finished, or the release) whose checks record has `changes`; return its path.

    It is written as <assignment>/<assignment>.ipynb, for the assignment its record names.
    """
    nb = completed_notebook(ROOT, "01_forward") if finished else nbformat.read(
        ROOT / "release/01_forward/01_forward.ipynb", as_version=4)
    record = {**checks_record("01_forward"), **changes}
    nb.metadata.setdefault("nncourse", {})["checks"] = record
    folder = record["assignment"]
    path = tmp_path / folder / f"{folder}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


def with_softplus():
    return checks_record("01_forward")["functions"] + ["softplus"]


def test_check_says_installed_checks_are_older_when_the_notebook_grades_a_function_they_lack(tmp_path):
    """A finished notebook that grades `softplus`, which these checks do not know: never a silent pass."""
    done = nncourse("check", str(stamped(tmp_path, functions=with_softplus())))
    assert done.returncode == 1, done.stdout
    assert "older than this notebook: they have no checks for `softplus`" in done.stdout
    assert UPDATE_COMMAND.split("python", 1)[1] in done.stdout
    assert "1 function(s) not checked (softplus)" in done.stdout
    assert "all public checks pass" not in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_check_says_installed_checks_are_older_than_a_notebook_built_with_a_newer_version(tmp_path):
    done = nncourse("check", str(stamped(tmp_path, version="99.0")))
    assert f"older than this notebook (installed: nncourse {__version__}; notebook built with 99.0)" in done.stdout
    assert "--find-links wheels nncourse" in done.stdout
    assert done.returncode == 0  # every function is checked, and passes


def test_check_says_installed_checks_are_newer_than_a_notebook_built_with_an_older_version(tmp_path):
    functions = [f for f in checks_record("01_forward")["functions"] if f != "forward"]
    done = nncourse("check", str(stamped(tmp_path, version="0.0.1", functions=functions)))
    assert "newer than this notebook" in done.stdout and "they also check `forward`" in done.stdout


def test_check_is_quiet_about_versions_when_the_notebook_matches_the_installed_checks(tmp_path):
    done = nncourse("check", str(stamped(tmp_path)))
    assert done.returncode == 0 and "older" not in done.stdout and "newer" not in done.stdout


def test_check_of_an_assignment_the_installed_checks_do_not_know_says_they_are_older(tmp_path):
    path = stamped(tmp_path, finished=False, assignment="07_conv", functions=["conv_forward"])
    done = nncourse("check", str(path))
    assert done.returncode == 2
    assert "is 07_conv, which the public checks installed here do not know" in done.stderr
    assert "they have no checks for `conv_forward`" in done.stderr and "Traceback" not in done.stderr


def run_in_kernel(path):
    """Execute the notebook at `path` in a real kernel started in its folder; return the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def outputs(cell):
    return "".join(o.get("text", "") + "\n".join(o.get("traceback", [])) for o in cell.outputs)


def small_notebook(tmp_path, record, code):
    nb = nbformat.v4.new_notebook()
    nb.metadata["nncourse"] = {"checks": record}
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nfrom nncourse.checks import check"),
                nbformat.v4.new_code_cell(code)]
    path = tmp_path / "01_forward" / "01_forward.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


def test_check_in_the_notebook_says_checks_are_older_instead_of_a_key_error(tmp_path):
    record = {**checks_record("01_forward"), "functions": with_softplus()}
    path = small_notebook(tmp_path, record, "def softplus(z):\n    return np.logaddexp(0, z)\n\ncheck(softplus)")
    cell = run_in_kernel(path).cells[-1]
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    assert error.ename == "ChecksFailed" and "KeyError" not in outputs(cell)
    assert len(error.traceback) == 1  # the one-line rendering, not a traceback of the kit's internals
    assert "older than this notebook" in outputs(cell) and "they have no checks for `softplus`" in outputs(cell)


def test_check_in_the_notebook_says_once_that_checks_are_newer_and_still_checks(tmp_path):
    record = {**checks_record("01_forward"), "version": "0.0.1"}
    code = "def relu(z):\n    return np.maximum(z, 0)\n\ncheck(relu)\ncheck(relu)"
    cell = run_in_kernel(small_notebook(tmp_path, record, code)).cells[-1]
    text = outputs(cell)
    assert text.count("newer than this notebook") == 1
    assert text.count("public checks of `relu` passed") == 2


def recorded(course, assignment):
    return json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text())["metadata"]["nncourse"]["checks"]


def test_record_public_checks_stamps_the_version_and_graded_functions(tmp_path):
    shutil.copytree(ROOT / "release/02_loss", tmp_path / "release/02_loss")
    record_public_checks(tmp_path, "02_loss")
    assert recorded(tmp_path, "02_loss") == {"assignment": "02_loss", "version": __version__,
                                             "functions": checks_record("02_loss")["functions"]}
    assert "softmax_cross_entropy" in recorded(tmp_path, "02_loss")["functions"]


@pytest.mark.slow
def test_build_stamps_each_release_notebook():
    """Does `nncourse build` record in the release notebook the public checks it was built with?"""
    course = build_fresh(ROOT, ["01_forward"])
    try:
        assert recorded(course, "01_forward") == checks_record("01_forward")
    finally:
        shutil.rmtree(course)


def test_student_guide_gives_the_update_command_and_no_instructor_install():
    guide = (ROOT / "docs/students.md").read_text()
    assert UPDATE_COMMAND in guide
    assert "pip install -e" not in guide
    students = ROOT.joinpath("README.md").read_text().split("## For students", 1)[1].split("\n## ", 1)[0]
    assert "pip install -e" not in students and "mybinder.org" not in students
