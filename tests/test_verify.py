"""Does each setting live in one place, with `nncourse build` deriving the rest and `nncourse verify` catching disagreements?"""

import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT, hidden_points, the_course
from nncourse import settings, verify
from nncourse.checks import mnist

SOFTMAX_CHECK = '@graded("softmax", "works on a 3-D batch, over the last axis", '


def read(path):
    return nbformat.read(path, as_version=4)


def cell_of(nb, grade_id):
    [cell] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def readme_row(assignment, points):
    """Return the settings table's row of `assignment`, were its hidden checks worth `points` in all."""
    functions = settings.graded_functions(ROOT, assignment, hidden_points(assignment))
    return f"| `{assignment}` | {len(functions)} | {points:g} |"


def nncourse(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "nncourse.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env)


# ---------------------------------------------------------------- settings, each in one place

def test_hidden_threshold_checks_follow_accuracy_points():
    """Is there one hidden check per threshold of ACCURACY_POINTS, named after it and worth its points?"""
    found = {c["name"]: c["points"] for c in the_course().hidden if "test accuracy at least" in c["name"]}
    expected = {f"05_mnist: test accuracy at least {mnist.threshold_text(t)}": p for t, p in mnist.ACCURACY_POINTS.items()}
    assert found == expected


def test_accuracy_table_lists_every_threshold_with_its_points(monkeypatch):
    monkeypatch.setattr(mnist, "ACCURACY_POINTS", {0.9: 1, 0.975: 4})
    assert mnist.accuracy_table().splitlines()[2:] == ["| at least 0.90 | 1 |", "| at least 0.975 | 4 more (full marks) |"]


def test_filled_indents_a_table_like_its_placeholder():
    text = "* graded by accuracy:\n\n  {{accuracy_table}}\n\nand {{budget_seconds}} s."
    done = settings.filled(text, {"accuracy_table": "| a |\n|---|", "budget_seconds": "45"})
    assert done == "* graded by accuracy:\n\n  | a |\n  |---|\n\nand 45 s."


def test_filled_raises_when_a_placeholder_is_unknown():
    with pytest.raises(KeyError, match="budget_minutes"):
        settings.filled("within {{budget_minutes}} minutes", {"budget_seconds": "45"})


@pytest.mark.parametrize(("text", "found"), [
    pytest.param("finish within 45 seconds", [("45", "budget_seconds")], id="typed-budget"),
    pytest.param("full marks at 0.97.", [("0.97", "full_marks_accuracy")], id="typed-threshold"),
    pytest.param("finish within {{budget_seconds}} seconds", [], id="placeholder"),
    pytest.param("about 450 images, a rate of 0.45, or 0.975", [], id="other-numbers"),
    pytest.param("45,000 images and 1,45 in a decimal comma", [], id="thousands-separator"),
])
def test_typed_in_finds_a_settings_number_outside_placeholders(text, found):
    values = {"budget_seconds": "45", "full_marks_accuracy": "0.97", "points.softmax": "8"}
    assert settings.typed_in(text, values) == found


def test_settings_problems_name_mnist_py_when_full_marks_need_less_than_the_contract(monkeypatch):
    monkeypatch.setattr(mnist, "ACCURACY_POINTS", {0.90: 2, 0.95: 2})
    [problem] = verify.settings_problems(the_course())
    assert "checks/mnist.py, ACCURACY_POINTS: full marks need 0.95" in problem and "0.97" in problem


# ---------------------------------------------------------------- derived values, written by the build

@pytest.fixture
def scratch_source(tmp_path):
    """A copy of source/ and autograder/ of the course, to stamp points into."""
    for folder in ("source", "autograder"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_stamp_points_writes_hidden_totals_into_check_cells(scratch_source):
    """Does a check cell edited by hand get named, then its hidden checks' total written back?"""
    path = scratch_source / "source" / "01_forward" / "01_forward.ipynb"
    nb = read(path)
    cell_of(nb, "check_softmax").metadata.nbgrader.points = 99
    nbformat.write(nb, path)
    totals = hidden_points("01_forward")
    [problem] = settings.points_problems(scratch_source, "01_forward", totals)
    assert problem.startswith("source/01_forward/01_forward.ipynb, cell check_softmax: 99 points")
    assert settings.stamp_points(scratch_source, "01_forward", totals)
    assert settings.points_problems(scratch_source, "01_forward", totals) == []
    assert not settings.stamp_points(scratch_source, "01_forward", totals)  # nothing left to write


def test_stamp_points_refuses_a_check_cell_without_hidden_checks(scratch_source):
    totals = dict(hidden_points("01_forward"))
    del totals["softmax"]
    with pytest.raises(settings.SettingsError, match="cell check_softmax: autograder/test_01_forward.py has no checks"):
        settings.stamp_points(scratch_source, "01_forward", totals)


def test_readme_table_is_written_between_its_markers_and_checked(tmp_path):
    course = the_course()
    shutil.copytree(ROOT / "source", tmp_path / "source")
    (tmp_path / "README.md").write_text(f"# A course\n\n{settings.README_BEGIN}\nold\n{settings.README_END}\n\nThe end.\n")
    assert settings.readme_problems(tmp_path, course.points) == [
        "README.md, settings table: out of date (run `nncourse build`, which writes it)"]
    assert settings.write_readme(tmp_path, course.points)
    text = (tmp_path / "README.md").read_text()
    assert text.startswith("# A course\n\n") and text.endswith("\n\nThe end.\n")
    assert readme_row("01_forward", sum(hidden_points("01_forward").values())) in text
    assert settings.readme_problems(tmp_path, course.points) == []


def test_fill_prose_names_the_cell_of_an_unknown_placeholder(tmp_path):
    for top in ("release", "solutions"):
        (tmp_path / top / "05_mnist").mkdir(parents=True)
        nb = read(ROOT / top / "05_mnist" / "05_mnist.ipynb")
        nb.cells[0].source += "\n\nTrain for {{budget_minutes}} minutes."
        nbformat.write(nb, tmp_path / top / "05_mnist" / "05_mnist.ipynb")
    unknown = r"05_mnist.ipynb, Markdown cell 0: unknown placeholder \{\{budget_minutes"
    with pytest.raises(settings.SettingsError, match=unknown):
        settings.fill_prose(tmp_path, "05_mnist", hidden_points("05_mnist"))


def report(tests, score=None):
    return {"score": sum(t["score"] for t in tests) if score is None else score, "tests": tests}


def test_graded_problems_name_lost_points_earning_stubs_and_checks_the_grader_did_not_run():
    course = the_course()
    hidden = [c for c in course.hidden if c["assignment"] == "01_forward"]
    full = [{"name": c["name"], "score": c["points"], "max_score": c["points"], "output": ""} for c in hidden]
    assert verify.graded_problems(course, "01_forward", {"solution": report(full), "release": report([], 0)}) == []
    lost = [dict(full[0], score=0, output="wrong values\n  got: 3")] + full[1:-1]
    earned = [dict(full[0], max_score=full[0]["score"])]
    problems = verify.graded_problems(course, "01_forward", {"solution": report(lost), "release": report(earned)})
    first = full[0]
    assert problems[0] == f"solutions/01_forward/01_forward.ipynb loses {first['max_score']:g} points in '{first['name']}': wrong values"
    assert problems[1].startswith(f"grading 01_forward: the grader ran {len(full) - 1} checks, not the {len(full)} hidden")
    assert problems[2].startswith("release/01_forward/01_forward.ipynb: untouched, it earns")


def test_verify_rejects_an_unknown_assignment_in_one_line():
    done = nncourse("verify", "07_nothing")
    assert done.returncode == 2 and done.stderr.startswith("error: unknown assignment '07_nothing'")
    assert len(done.stderr.strip().splitlines()) == 1


def test_verify_quick_passes_on_the_course():
    done = nncourse("verify", "--quick", "01_forward")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" not in done.stdout and re.search(r"every check passes, in \d+ s$", done.stdout.strip())


# ---------------------------------------------------------------- an instructor's edits, end to end

def scratch_course(top):
    """Copy the course (and the package, whose mnist.py holds the capstone's settings) to `top`."""
    for folder in ("source", "autograder", "release", "solutions"):
        shutil.copytree(ROOT / folder, top / folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copytree(ROOT / "src" / "nncourse", top / "src" / "nncourse", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("nbgrader_config.py", "README.md"):
        shutil.copy2(ROOT / name, top)
    return top


def edit(path, old, new):
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def markdown(path):
    return "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")


@pytest.mark.slow
def test_verify_passes_after_settings_change_in_their_one_place_and_fails_on_a_hand_edit(tmp_path):
    """Change a threshold and a function's points where they are set, rebuild: green. Then edit by hand: red."""
    course = scratch_course(tmp_path)
    # The course's own package first: the grader's processes read its settings too.
    env = dict(os.environ, PYTHONPATH=str(course / "src"))
    edit(course / "src" / "nncourse" / "checks" / "mnist.py",
         "ACCURACY_POINTS = {0.90: 2, 0.95: 2, 0.97: 2}", "ACCURACY_POINTS = {0.90: 2, 0.94: 2, 0.97: 2}")
    edit(course / "autograder" / "test_01_forward.py", SOFTMAX_CHECK, SOFTMAX_CHECK + "points=3, ")
    softmax = hidden_points("01_forward")["softmax"] + 2
    total = sum(hidden_points("01_forward").values()) + 2

    built = nncourse("build", "01_forward", "05_mnist", cwd=course, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    source = course / "source" / "01_forward" / "01_forward.ipynb"
    assert cell_of(read(source), "check_softmax").metadata.nbgrader.points == softmax
    for top in ("release", "solutions"):
        prose = markdown(course / top / "05_mnist" / "05_mnist.ipynb")
        assert "| at least 0.94 | 2 more |" in prose and "0.95" not in prose and "{{" not in prose
    assert readme_row("01_forward", total) in (course / "README.md").read_text()

    green = nncourse("verify", "01_forward", "05_mnist", cwd=course, env=env)
    assert green.returncode == 0, green.stdout + green.stderr
    assert "FAIL" not in green.stdout and "every check passes" in green.stdout

    nb = read(source)
    cell_of(nb, "check_softmax").metadata.nbgrader.points = int(softmax) + 1  # edited by hand
    nbformat.write(nb, source)
    edit(course / "source" / "05_mnist" / "05_mnist.ipynb", "within **{{budget_seconds}} seconds", "within **45 seconds")
    red = nncourse("verify", "--quick", "01_forward", "05_mnist", cwd=course, env=env)
    assert red.returncode == 1
    failures = [line for line in red.stdout.splitlines() if line.startswith("FAIL")]
    points = (f"FAIL  points: source/01_forward/01_forward.ipynb, cell check_softmax: {softmax + 1:g} points, but the "
              f"hidden checks of `softmax` in autograder/test_01_forward.py total {softmax:g} (run `nncourse build`, "
              "which writes them)")
    prose = ("FAIL  prose: source/05_mnist/05_mnist.ipynb, Markdown cell 0: '45' is typed in; write {{budget_seconds}}, "
             "which `nncourse build` fills in")
    assert failures == [points, prose]



# ---------------------------------------------------------------- the authoring guide matches the repo

def named_paths(text):
    """Return the repo paths a Markdown text names in backticks (patterns such as NN_slug or <module> left out)."""
    quoted = re.findall(r"`([^`\s]+)`", text)
    paths = [q for q in quoted if "/" in q or q.endswith((".py", ".md", ".ipynb", ".toml"))]
    return sorted({p for p in paths if not re.search(r"NN_|<|\.\.|\{|\*|^-|^https?:", p)})


def test_authoring_guide_names_only_paths_that_exist():
    paths = named_paths((ROOT / "docs" / "authoring.md").read_text())
    assert "src/nncourse/checks/mnist.py" in paths
    assert [p for p in paths if not (ROOT / p).exists()] == []


def test_named_paths_finds_a_path_that_is_not_there():
    assert named_paths("see `CONTRACT.md` and `src/nope.py`, not `autograder/test_NN_slug.py`") == [
        "CONTRACT.md", "src/nope.py"]
