"""Tests of `nncourse grade` on a class of real notebooks made from the release.

One class is graded once (module fixture): a correct notebook, the stubs, a
common bug, hostile code of each kind, looping code and broken files. Each
test then asserts the exact points one student got. The hostile and looping
code all sits in `sigmoid_prime`, which no other 01_forward function calls, so
each of them must cost exactly that function's points and nothing else.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from conftest import ROOT, hidden_check_count, hidden_points, total_points
from nncourse.authoring import completed_notebook
from nncourse.notebook import cells_by_id

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_forward"
FULL = total_points(ASSIGNMENT)  # from the hidden checks, the one place points are set
WITHOUT_SIGMOID_PRIME = FULL - hidden_points(ASSIGNMENT)["sigmoid_prime"]
TIME_SCALE = "0.3"  # looping code is stopped after 1.5 s instead of 5 s
SIGMOID_PRIME = 'def sigmoid_prime(z):\n    s = sigmoid(z)\n    {}\n    return s * (1 - s)\n'

# Hostile code that stops, hangs or escapes: it must cost exactly sigmoid_prime's points.
HOSTILE = {
    "loops": "def sigmoid_prime(z):\n    while True:\n        pass\n",
    "memory_bomb": "def sigmoid_prime(z):\n    hoard = []\n    while True:\n        hoard.append(np.empty(10**8))\n",
    "os_exit": "def sigmoid_prime(z):\n    import os\n    os._exit(0)\n",
    "system_exit": "def sigmoid_prime(z):\n    raise SystemExit(0)\n",
    "fork_loop": "def sigmoid_prime(z):\n    import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n",
    "kills_parent": "def sigmoid_prime(z):\n    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    "patches_builtins": "import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.len = lambda x: 0\n"
                        "def sigmoid_prime(z):\n    return np.zeros_like(z)\n",
    "steals_solution": "import json\nsolution = json.load(open({path!r}))\n"
                       "exec(''.join(c['source'] for c in solution['cells'] if c.get('metadata', {{}}).get('nbgrader', {{}}).get('grade_id') == 'sigmoid_prime').replace('### BEGIN SOLUTION', '').replace('### END SOLUTION', ''))\n",
}
# Wrong answers dressed up to fool a comparison: each must earn exactly what the plain wrong answer earns.
PLAIN_WRONG = "def sigmoid_prime(z):\n    return np.zeros_like(z)\n"
FOOLING = {
    "patches_numpy": "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
                     "np.testing.assert_allclose = lambda *a, **k: None\n" + PLAIN_WRONG,
    "always_equal": "class Yes(np.float64):\n    def __eq__(self, other):\n        return True\n    __hash__ = float.__hash__\n"
                    "def sigmoid_prime(z):\n    return np.zeros_like(z) + Yes(0.0)\n",
    "sneaky_array": "class Sneaky(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(np.shape(self), bool)\n"
                    "    def __array_finalize__(self, obj):\n        pass\n"
                    "def sigmoid_prime(z):\n    return np.zeros_like(z).view(Sneaky)\n",
}
HARMLESS = {
    "floods_output": SIGMOID_PRIME.format("print('x' * 10**7)"),
    "warns_and_stderr": SIGMOID_PRIME.format("import sys, warnings\n    warnings.warn('just a note')\n    print('debug', file=sys.stderr)"),
}


def write(folder, nb=None, text=None, name=f"{ASSIGNMENT}.ipynb"):
    folder.mkdir(parents=True, exist_ok=True)
    if nb is not None:
        nbformat.write(nb, folder / name)
    if text is not None:
        (folder / name).write_text(text)


def make_class(submitted):
    """Write one submission per scenario; return {student: scenario kind}."""
    release = nbformat.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    here = lambda student: submitted / student / ASSIGNMENT  # noqa: E731
    write(here("correct"), completed_notebook(ROOT, ASSIGNMENT))
    write(here("stubs"), release)
    write(here("softmax_axis0"), completed_notebook(ROOT, ASSIGNMENT, {
        "softmax": "def softmax(z):\n    e = np.exp(z - z.max(axis=0, keepdims=True))\n    return e / e.sum(axis=0, keepdims=True)\n"}))
    solution_path = str(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    for kind, code in {**HOSTILE, **FOOLING, **HARMLESS, "plain_wrong": PLAIN_WRONG}.items():
        write(here(kind), completed_notebook(ROOT, ASSIGNMENT, {"sigmoid_prime": code.format(path=solution_path)}))
    top_level_loop = completed_notebook(ROOT, ASSIGNMENT, {"sigmoid_prime": SIGMOID_PRIME.format("") + "while True:\n    pass\n"})
    write(here("loops_at_top_level"), top_level_loop)
    write(here("bad_json"), text="{ this is not json")
    (submitted / "nothing_submitted").mkdir(parents=True)
    deleted = completed_notebook(ROOT, ASSIGNMENT)
    deleted.cells = [c for c in deleted.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "sigmoid_prime"]
    write(here("deleted_cell"), deleted)
    duplicated = completed_notebook(ROOT, ASSIGNMENT)
    cell = cells_by_id(duplicated)["sigmoid_prime"]
    wrong = nbformat.from_dict(json.loads(json.dumps(cell)))
    wrong.source = "def sigmoid_prime(z):\n    return z\n"
    wrong.id = "second-sigmoid-prime"
    duplicated.cells.append(wrong)
    write(here("duplicated_cell"), duplicated)
    retyped = completed_notebook(ROOT, ASSIGNMENT)
    cells_by_id(retyped)["sigmoid_prime"].cell_type = "markdown"
    write(here("retyped_cell"), retyped)
    write(here("renamed_file"), completed_notebook(ROOT, ASSIGNMENT), name="my forward pass.ipynb")
    write(here("extra_files"), completed_notebook(ROOT, ASSIGNMENT))
    write(here("extra_files"), completed_notebook(ROOT, ASSIGNMENT, {"softmax": "def softmax(z):\n    return z\n"}), name="old_try.ipynb")
    (here("extra_files") / "notes.txt").write_text("my notes")
    edited_locked = completed_notebook(ROOT, ASSIGNMENT)
    cells_by_id(edited_locked)["imports"].source = "np = None\n"
    write(here("edited_locked_cell"), edited_locked)


def read_csv(path):
    return list(csv.DictReader(path.read_text().splitlines()))


def nncourse(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "nncourse.cli", *args], capture_output=True, text=True, cwd=ROOT, **kwargs)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    top = tmp_path_factory.mktemp("class")
    make_class(top / "submitted")
    done = nncourse("grade", ASSIGNMENT, "--submitted", str(top / "submitted"), "--out", str(top / "graded"),
                    "--jobs", "2", "--time-scale", TIME_SCALE, "--no-gradebook")
    assert done.returncode == 0, done.stdout + done.stderr
    return top


def results(graded, student):
    return json.loads((graded / "graded" / ASSIGNMENT / student / "results.json").read_text())


def points_of(report, function):
    return sum(t["max_score"] for t in report["tests"] if t["name"].startswith(function + ": "))


@pytest.fixture(scope="module")
def total(graded):
    return sum(t["max_score"] for t in results(graded, "correct")["tests"])


@pytest.fixture(scope="module")
def sigmoid_prime_points(graded):
    return points_of(results(graded, "correct"), "sigmoid_prime")


def test_grade_gives_full_marks_when_submission_is_correct(graded, total):
    report = results(graded, "correct")
    assert total == FULL and report["score"] == total and report["output"] == ""


def test_grade_gives_zero_when_submission_is_the_release_stub(graded):
    report = results(graded, "stubs")
    assert report["score"] == 0
    assert all("not written yet" in t["output"] for t in report["tests"] if t["name"].startswith("softmax: "))


def test_grade_costs_only_softmax_points_when_softmax_uses_wrong_axis(graded, total):
    report = results(graded, "softmax_axis0")
    lost = [t["name"] for t in report["tests"] if t["score"] < t["max_score"]]
    assert total - points_of(report, "softmax") <= report["score"] < total
    assert lost and all(name.startswith("softmax: ") for name in lost)


@pytest.mark.parametrize("student", sorted(HOSTILE) + ["loops_at_top_level"])
def test_grade_costs_exactly_the_hostile_functions_points(graded, total, sigmoid_prime_points, student):
    """Does hostile or looping code cost its own function's points, and no more, and earn none?"""
    report = results(graded, student)
    assert sigmoid_prime_points == hidden_points(ASSIGNMENT)["sigmoid_prime"] > 0
    assert report["score"] == total - sigmoid_prime_points
    failed = {t["name"].split(": ")[0] for t in report["tests"] if t["score"] < t["max_score"]}
    assert failed == {"sigmoid_prime"}


@pytest.mark.parametrize("student", sorted(FOOLING))
def test_grade_earns_nothing_extra_when_code_tries_to_fool_the_comparison(graded, total, student):
    plain = results(graded, "plain_wrong")["score"]
    assert plain < total
    assert results(graded, student)["score"] == plain


@pytest.mark.parametrize(("student", "words"), [
    pytest.param("loops", "did not finish within 1.5 s", id="loops"),
    pytest.param("os_exit", "stopped the process running your code (exit code 0)", id="os-exit"),
    pytest.param("system_exit", "called exit(0)", id="system-exit"),
    pytest.param("memory_bomb", "MemoryError", id="memory-bomb"),
])
def test_grade_explains_what_happened_when_code_is_hostile(graded, student, words):
    outputs = [t["output"] for t in results(graded, student)["tests"] if t["name"].startswith("sigmoid_prime: ")]
    assert any(words in output for output in outputs), outputs


@pytest.mark.parametrize("student", sorted(HARMLESS))
def test_grade_gives_full_marks_when_correct_code_prints_or_warns(graded, total, student):
    assert results(graded, student)["score"] == total


@pytest.mark.parametrize(("student", "score", "note"), [
    pytest.param("bad_json", 0, "is not valid notebook JSON", id="bad-json"),
    pytest.param("nothing_submitted", 0, "nothing was submitted", id="missing"),
    pytest.param("deleted_cell", WITHOUT_SIGMOID_PRIME, "the cell `sigmoid_prime` is missing", id="deleted-cell"),
    pytest.param("duplicated_cell", FULL, "appears more than once", id="duplicated-cell"),
    pytest.param("retyped_cell", WITHOUT_SIGMOID_PRIME, "was changed to markdown", id="retyped-cell"),
    pytest.param("renamed_file", FULL, "renamed to my forward pass.ipynb", id="renamed-file"),
    pytest.param("extra_files", FULL, "", id="extra-files"),
    pytest.param("edited_locked_cell", FULL, "", id="edited-locked-cell"),
    pytest.param("loops_at_top_level", WITHOUT_SIGMOID_PRIME, "the cell was skipped", id="top-level-loop"),
])
def test_grade_scores_and_explains_when_submission_is_broken(graded, student, score, note):
    report = results(graded, student)
    assert report["score"] == score
    assert note in report["output"]
    assert (graded / "graded" / ASSIGNMENT / student / "feedback.md").is_file()


def test_grades_csv_has_a_row_per_student_with_exact_scores(graded):
    rows = read_csv(graded / "graded" / ASSIGNMENT / "grades.csv")
    students = sorted(p.name for p in (graded / "submitted").iterdir())
    assert [r["student_id"] for r in rows] == students
    for row in rows:
        assert float(row["score"]) == results(graded, row["student_id"])["score"]
        assert float(row["max_score"]) == FULL


def test_feedback_never_shows_hidden_check_code(graded):
    hidden = {line.strip() for line in (ROOT / "autograder" / f"test_{ASSIGNMENT}.py").read_text().splitlines()}
    hidden = {line for line in hidden if len(line) >= 25 and not line.startswith(("#", "import ", "from ", '"""', "@graded"))}
    for student in ("stubs", "softmax_axis0", "always_equal"):
        text = (graded / "graded" / ASSIGNMENT / student / "feedback.md").read_text()
        text += json.dumps(results(graded, student))
        shown = [line for line in hidden if line in text]
        assert shown == [], student


def test_results_follow_gradescope_format_and_contract_names(graded):
    report = results(graded, "softmax_axis0")
    assert set(report) >= {"score", "tests"}
    for t in report["tests"]:
        assert set(t) >= {"name", "score", "max_score", "output", "visibility"}
        function, _, what = t["name"].partition(": ")
        assert function and what


def test_grade_resumes_without_regrading_when_run_again(graded):
    before = {p.parent.name: p.stat().st_mtime_ns for p in (graded / "graded" / ASSIGNMENT).glob("*/results.json")}
    done = nncourse("grade", ASSIGNMENT, "--submitted", str(graded / "submitted"), "--out", str(graded / "graded"), "--no-gradebook")
    assert done.returncode == 0
    assert f"{len(before)} students already graded" in done.stdout
    after = {p.parent.name: p.stat().st_mtime_ns for p in (graded / "graded" / ASSIGNMENT).glob("*/results.json")}
    assert after == before


def test_grade_gives_identical_results_when_regraded(tmp_path):
    submitted = tmp_path / "submitted"
    write(submitted / "a" / ASSIGNMENT, completed_notebook(ROOT, ASSIGNMENT, {
        "softmax": "def softmax(z):\n    e = np.exp(z - z.max(axis=0, keepdims=True))\n    return e / e.sum(axis=0, keepdims=True)\n"}))
    texts = []
    for _ in range(2):
        done = nncourse("grade", ASSIGNMENT, "--submitted", str(submitted), "--out", str(tmp_path / "out"), "--force", "--no-gradebook")
        assert done.returncode == 0
        texts.append((tmp_path / "out" / ASSIGNMENT / "a" / "results.json").read_text())
    assert texts[0] == texts[1]


def test_grade_resumes_and_loses_nothing_when_killed_half_way(tmp_path):
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    for i in range(6):
        write(submitted / f"s{i}" / ASSIGNMENT, completed_notebook(ROOT, ASSIGNMENT))
    command = [sys.executable, "-m", "nncourse.cli", "grade", ASSIGNMENT, "--submitted", str(submitted), "--out", str(out), "--no-gradebook"]
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(out.glob(f"{ASSIGNMENT}/*/results.json"))) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.1)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    finished = len(list(out.glob(f"{ASSIGNMENT}/*/.fingerprint")))
    assert 1 <= finished < 6
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0
    assert f"{finished} students already graded" in done.stdout
    rows = read_csv(out / ASSIGNMENT / "grades.csv")
    assert [(r["student_id"], float(r["score"])) for r in rows] == [(f"s{i}", FULL) for i in range(6)]
    forced = subprocess.run(command + ["--force"], cwd=ROOT, capture_output=True, text=True)
    assert "already graded" not in forced.stdout and forced.stdout.count(f": {FULL:g} / {FULL:g}") == 6


def test_grade_notebook_prints_results_json_without_a_course_database(tmp_path):
    path = tmp_path / "mine.ipynb"
    nbformat.write(completed_notebook(ROOT, ASSIGNMENT), path)
    done = nncourse("grade-notebook", str(path), "--assignment", ASSIGNMENT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["score"] == FULL and len(report["tests"]) == hidden_check_count(ASSIGNMENT)


def test_a_student_whose_results_cannot_be_written_stops_nobody_else(tmp_path):
    """A folder that cannot be written (here a file in its way; a full disk behaves alike): do the others go on?"""
    submitted = tmp_path / "submitted"
    for student in ("a", "blocked", "c"):
        write(submitted / student / ASSIGNMENT, completed_notebook(ROOT, ASSIGNMENT))
    out = tmp_path / "out"
    (out / ASSIGNMENT).mkdir(parents=True)
    (out / ASSIGNMENT / "blocked").write_text("in the way")
    done = nncourse("grade", ASSIGNMENT, "--submitted", str(submitted), "--out", str(out), "--no-gradebook",
                    "--jobs", "2")
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "blocked" in done.stderr and "could not be written" in done.stderr
    with open(out / ASSIGNMENT / "grades.csv", newline="") as f:
        rows = {row["student_id"]: row["score"] for row in csv.DictReader(f)}
    assert rows == {"a": f"{FULL:g}", "blocked": "0", "c": f"{FULL:g}"}
    assert json.loads((out / ASSIGNMENT / "c" / "results.json").read_text())["score"] == FULL


@pytest.fixture
def full_disk(tmp_path):
    """A folder on a tiny tmpfs that is already full (root only)."""
    import ctypes

    folder = tmp_path / "full"
    folder.mkdir()
    libc = ctypes.CDLL(None, use_errno=True)
    if os.geteuid() != 0 or libc.mount(b"tmpfs", str(folder).encode(), b"tmpfs", 0, b"size=64k") != 0:
        pytest.skip("needs root and the right to mount a tmpfs")
    try:
        with open(folder / "filler", "wb") as f:
            f.write(b"0" * (1 << 20))
    except OSError:
        pass
    yield folder
    libc.umount2(str(folder).encode(), 2)


def test_a_full_disk_stops_the_run_with_a_clear_message(tmp_path, full_disk):
    """With no space for any result: a clear message and a non-zero exit, never a traceback or a silent success."""
    submitted = tmp_path / "submitted"
    write(submitted / "a" / ASSIGNMENT, completed_notebook(ROOT, ASSIGNMENT))
    done = nncourse("grade", ASSIGNMENT, "--submitted", str(submitted), "--out", str(full_disk), "--no-gradebook")
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "No space left on device" in done.stderr and "grades.csv" in done.stderr
