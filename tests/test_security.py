"""Is the grader a security boundary: does hostile code learn, keep or change nothing it should not?

Attacks run through the real `nncourse grade` in each isolation mode that can
run here: bubblewrap as root, bubblewrap as an ordinary user (a user
namespace, no cgroups), and the separate-user mode root falls back to where
bubblewrap cannot run. Each attack sits in `sigmoid_prime`, which no other
01_forward function calls: each may cost exactly sigmoid_prime's points, and
the honest student graded in the same run keeps full marks. The second and
third modes need a Python that other users can run; a venv of the system's
Python, in a folder open to all, is made once for them. Lower-level attacks
(CPU time, reply size, scratch space, misreported arguments) run against one
Sandbox directly. The probe's failures run with a `bwrap` on PATH that always
fails.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import nbformat
import numpy as np
import pytest

from conftest import ROOT
from nncourse.authoring import completed_notebook
from nncourse.build import copy_course
from nncourse.checks.core import StudentError
from nncourse.grading.isolation import bwrap_usable, claim_uid
from nncourse.grading.sandbox import Isolation, Limits, Sandbox

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_forward"
MARKER = f"nncourse-daemon-{uuid.uuid4().hex[:8]}"
RIGHT = "    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n"
ATTACKS = {
    # Each is right only if the attack works: it then computes the correct answer.
    "reads_another_copy_of_the_course": "def sigmoid_prime(z):\n    open({clone!r}).read()\n" + RIGHT,
    "reads_etc_shadow": "def sigmoid_prime(z):\n    open('/etc/shadow').read()\n" + RIGHT,
    "reads_a_classmates_submission": "def sigmoid_prime(z):\n    open({classmate!r}).read()\n" + RIGHT,
    "reads_the_graders_environment": "def sigmoid_prime(z):\n    import os\n    open(f'/proc/{{os.getppid()}}/environ').read()\n"
                                     "    assert 'OPENBLAS' not in open('/proc/1/environ').read() or os.getppid() > 1\n" + RIGHT,
    "leaves_a_daemon": (
        "def sigmoid_prime(z):\n    import os, sys\n    if os.fork() == 0:\n        os.setsid()\n"
        "        if os.fork() == 0:\n            os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(120)', {marker!r}])\n"
        "        os._exit(0)\n    return np.zeros_like(z)\n"),
    "zeroes_its_input_in_place": "def sigmoid_prime(z):\n    z[...] = 0\n    return np.full_like(z, 0.25)\n",
}
PLAIN_WRONG = "def sigmoid_prime(z):\n    return np.full_like(z, 0.25)\n"


def nncourse(*args, env=None, cwd=ROOT, python=sys.executable, user=None):
    """Run the real CLI; `user` (a uid) runs it as that unprivileged user."""
    command = [python, "-m", "nncourse.cli", *args]
    if user is not None:
        command = ["setpriv", "--reuid", str(user), "--regid", str(user), "--clear-groups", *command]
        env = dict(env or os.environ, HOME=str(cwd))
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env)


GRADER_UID = 65432  # the ordinary user that grades in the unprivileged mode


def open_to_all(path):
    """Return whether every folder on the way to `path` lets other users through."""
    return all(not folder.is_dir() or folder.stat().st_mode & stat.S_IXOTH for folder in (path, *path.parents))


def system_python():
    """Return a Python 3.11 that other users can run, or None."""
    for candidate in ("/usr/bin/python3.11", shutil.which("python3.11"), shutil.which("python3")):
        if candidate and Path(candidate).is_file() and open_to_all(Path(candidate).resolve().parent):
            version = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
                                     capture_output=True, text=True)
            if version.stdout.strip() == "True":
                return candidate
    return None


@pytest.fixture(scope="module")
def shared_python():
    """The kit installed (not editable) in a venv any user can run, as a course machine or Gradescope has it."""
    python = system_python()
    if python is None or os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root, setpriv and a Python 3.11 that other users can run")
    top = Path(tempfile.mkdtemp(prefix="nncourse-shared-python-"))
    top.chmod(0o755)
    subprocess.run([python, "-m", "venv", str(top / "venv")], check=True)
    pip = subprocess.run([top / "venv/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          str(ROOT)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-3000:]
    yield top / "venv/bin/python"
    shutil.rmtree(top)


def write(submitted, student, nb):
    folder = submitted / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return folder / f"{ASSIGNMENT}.ipynb"


MODES = ["bwrap", "user", "bwrap-unprivileged"]


@pytest.fixture(scope="module", params=MODES)
def graded(request):
    """Grade the attacks, the honest student and a plainly wrong one in one run of `nncourse grade` in a mode.

    The course and its submissions sit in a folder only the grader's user can
    read. Another copy of the course elsewhere on the machine, as a backup
    would be, is open to all where bubblewrap hides it anyway; in the
    separate-user mode, which relies on file permissions, it is the
    instructor's private copy.
    """
    mode = request.param
    if mode == "bwrap" and not bwrap_usable():
        pytest.skip("bubblewrap is not installed")
    python, user, options = sys.executable, None, []
    if mode != "bwrap":
        python = request.getfixturevalue("shared_python")
    if mode == "user":
        options = ["--isolation", "user"]
    if mode == "bwrap-unprivileged":
        if not bwrap_usable():
            pytest.skip("bubblewrap is not installed")
        user = GRADER_UID
    top = Path(tempfile.mkdtemp(prefix=f"nncourse-security-{mode}-"))  # 0700: the grader's own
    clone = Path(tempfile.mkdtemp(prefix=f"{MARKER}-clone-"))
    shutil.copytree(ROOT / "source" / ASSIGNMENT, clone / ASSIGNMENT)
    for path in (clone, *clone.rglob("*")):
        open_mode = 0o755 if path.is_dir() else 0o644
        path.chmod(0o700 if path == clone and mode == "user" else open_mode)
    course = copy_course(ROOT, top / "course")
    submitted = course / "submitted"
    classmate = write(submitted, "honest", completed_notebook(ROOT, ASSIGNMENT))
    write(submitted, "plain_wrong", completed_notebook(ROOT, ASSIGNMENT, {"sigmoid_prime": PLAIN_WRONG}))
    for kind, code in ATTACKS.items():
        code = code.format(clone=str(clone / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), classmate=str(classmate),
                           marker=MARKER)
        write(submitted, kind, completed_notebook(ROOT, ASSIGNMENT, {"sigmoid_prime": code}))
    if user is not None:
        for path in (top, *top.rglob("*")):
            os.chown(path, user, user)
    done = nncourse("grade", ASSIGNMENT, "--jobs", "2", "--no-gradebook", "--time-scale", "0.5", *options,
                    cwd=course, python=python, user=user)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stderr  # graded in the mode asked for, not a fallback
    yield course
    shutil.rmtree(top)
    shutil.rmtree(clone)


def report(graded, student):
    return json.loads((graded / "graded" / ASSIGNMENT / student / "results.json").read_text())


def points_of(result, function):
    return sum(t["score"] for t in result["tests"] if t["name"].startswith(function + ": "))


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_costs_exactly_sigmoid_prime_and_leaves_others_alone(graded, attack):
    """Does each attack earn nothing in sigmoid_prime, keep every other function's points, and spare the honest student?"""
    honest, attacker = report(graded, "honest"), report(graded, attack)
    assert honest["score"] == sum(t["max_score"] for t in honest["tests"])
    assert points_of(attacker, "sigmoid_prime") <= points_of(report(graded, "plain_wrong"), "sigmoid_prime")
    assert attacker["score"] == honest["score"] - points_of(honest, "sigmoid_prime") + points_of(attacker, "sigmoid_prime")


def test_no_process_of_a_student_outlives_the_grading(graded):
    """Is the double-forked, setsid daemon gone once grading ends?"""
    alive = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and MARKER in Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace"):
                alive.append(entry)
        except OSError:
            pass
    assert alive == []


# ---------------------------------------------------------------- one sandbox, directly

CELLS = [
    ("imports", "import numpy as np\nimport os"),
    ("attacks", '''
def hidden_trainer():
    # Train in a grandchild that is never waited for, with the kit's CPU clock patched to say 0.
    import nncourse.checks.core as core
    core.cpu_seconds = lambda: 0.0
    read, write = os.pipe()
    if os.fork() == 0:
        if os.fork() == 0:
            total = 0.0
            for i in range(30_000_000):
                total += i
            os.write(write, b"x")
            os._exit(0)
        os._exit(0)
    os.read(read, 1)
    return 1.0

def huge_reply():
    return np.zeros(20_000_000)

def fill_scratch():
    written = 0
    try:
        with open("/tmp/fill", "wb") as f:
            for _ in range(1000):
                f.write(b"0" * (1 << 20))
                written += 1 << 20
    except OSError:
        pass
    return written
'''),
]


@pytest.fixture
def sandbox():
    with Sandbox(CELLS, Limits(), Isolation("bwrap", claim_uid())) as box:
        box.start()
        yield box


@pytest.mark.skipif(not bwrap_usable() or os.geteuid() != 0, reason="CPU time is counted by a cgroup, which needs root")
def test_cpu_time_counts_a_grandchild_never_waited_for(sandbox):
    """Is CPU time spent in an unreaped grandchild counted, whatever the child does to its own clock?"""
    sandbox.call("hidden_trainer", (), timeout=60)
    assert sandbox.last_cpu_seconds > 0.5


def test_cpu_time_of_an_unprivileged_grader_counts_a_grandchild_never_waited_for(shared_python):
    """Without root (no cgroups), is the same hidden trainer's CPU time still counted from outside the child?"""
    if not bwrap_usable():
        pytest.skip("bubblewrap is not installed")
    script = (
        "from nncourse.grading.isolation import claim_uid\n"
        "from nncourse.grading.sandbox import Isolation, Limits, Sandbox\n"
        f"with Sandbox({CELLS!r}, Limits(), Isolation('bwrap', claim_uid())) as box:\n"
        "    box.start()\n"
        "    box.call('hidden_trainer', (), timeout=60)\n"
        "    print(box.last_cpu_seconds)\n")
    home = Path(tempfile.mkdtemp(prefix="nncourse-cpu-"))
    os.chown(home, GRADER_UID, GRADER_UID)
    done = subprocess.run(["setpriv", "--reuid", str(GRADER_UID), "--regid", str(GRADER_UID), "--clear-groups",
                           shared_python, "-c", script], capture_output=True, text=True, cwd=home,
                          env=dict(os.environ, HOME=str(home), TMPDIR=str(home)))
    shutil.rmtree(home)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 0.5


def test_user_mode_scratch_is_bounded_and_nothing_written_survives(shared_python):
    """In the separate-user mode: is the scratch folder size-limited, and is every file the child wrote gone after?"""
    cells = [("cell", '''
import os

def fill(n):
    written = 0
    try:
        with open("fill", "wb") as f:  # the scratch folder, its working directory
            for _ in range(n):
                f.write(b"0" * (1 << 20))
                written += 1 << 20
    except OSError:
        pass
    for i in range(3):
        try:
            with open(f"/tmp/{MARKER}-left-{i}", "wb") as f:
                f.write(b"0" * 1000)
        except OSError:
            pass
    os.makedirs(f"/tmp/{MARKER}-dir/inner", exist_ok=True)
    os.chmod(f"/tmp/{MARKER}-dir", 0)
    return written
'''.replace("{MARKER}", MARKER))]
    script = (
        "from nncourse.grading.isolation import claim_uid\n"
        "from nncourse.grading.sandbox import Isolation, Limits, Sandbox\n"
        f"with Sandbox({cells!r}, Limits(), Isolation('user', claim_uid())) as box:\n"
        "    box.start()\n"
        "    print(box.call('fill', (200,), timeout=60), box.scratch_mounted)\n")
    done = subprocess.run([shared_python, "-c", script], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr
    written, mounted = done.stdout.split()
    assert int(written) <= Limits().file_size_mb << 20
    assert not [*Path("/tmp").glob(f"{MARKER}-left-*"), *Path("/tmp").glob(f"{MARKER}-dir")]


def test_closing_a_sandbox_spares_the_callers_own_children():
    """Does the grader kill only the student's processes, not a process its caller started meanwhile?"""
    if not bwrap_usable():
        pytest.skip("bubblewrap is not installed")
    with Sandbox([("cell", "x = 1")], Limits(), Isolation("bwrap", claim_uid())) as box:
        box.start()
        own = subprocess.Popen(["sleep", "30"])
    try:
        assert own.poll() is None
    finally:
        own.kill()
        own.wait()


def test_arguments_left_out_of_the_reply_count_as_changed():
    """A child that patches the worker to send back no arguments: does the grader still see its input changed?"""
    if not bwrap_usable():
        pytest.skip("bubblewrap is not installed")
    cells = [("imports", "import numpy as np"), ("forger", '''
import nncourse.grading.worker as worker

def say_nothing_changed(call, name, function, args, kwargs, return_arguments):
    return call(name, function, args, kwargs), {}, {}

worker.call_and_return_arguments = say_nothing_changed

def sigmoid_prime(z):
    s = 1 / (1 + np.exp(-z))
    z[...] = 0
    return s * (1 - s)
''')]
    z = np.array([0.0, 1.0, -2.0])
    with Sandbox(cells, Limits(), Isolation("bwrap", claim_uid())) as box:
        box.start()
        box.call("sigmoid_prime", (z,), timeout=30, apply_changes=True)
        assert box.changed_inputs == ["0"]
        box.call("sigmoid_prime", (z,), timeout=30, apply_changes=False)
        assert box.changed_inputs == []


def test_an_honest_in_place_change_is_seen_and_copied_back(sandbox):
    """Does the grader find an in-place change by comparing the arguments itself, and apply it to its own copy?"""
    cells = [("cell", "def halve(x):\n    x /= 2\n    return 0.0\n\ndef look(params):\n    return len(params)\n")]
    with Sandbox(cells, Limits(),
                 Isolation("bwrap", claim_uid())) as box:
        box.start()
        x = np.array([2.0, 4.0])
        box.call("halve", (x,), timeout=30, apply_changes=True)
        assert box.changed_inputs == ["0"] and x.tolist() == [1.0, 2.0]
        unchanged = np.array([2.0, np.nan])
        box.call("look", ([(unchanged, 3)],), timeout=30, apply_changes=True)  # NaN stays NaN: no change
        assert box.changed_inputs == []


@pytest.mark.skipif(not bwrap_usable(), reason="bubblewrap is not installed")
def test_too_large_reply_fails_that_call_and_the_grader_stays_small(sandbox):
    """Does a 160 MB reply fail its own call only, without the grader holding it?"""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(StudentError, match="more than the 64 MB"):
        sandbox.call("huge_reply", (), timeout=60)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 2048
    assert sandbox.call("fill_scratch", (), timeout=60) <= 64 << 20  # and the child works again after it


# ---------------------------------------------------------------- the probe

@pytest.fixture
def failing_bwrap(tmp_path):
    """A PATH whose `bwrap` is present but always fails, as in a container without user namespaces."""
    folder = tmp_path / "bin"
    folder.mkdir()
    fake = folder / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return dict(os.environ, PATH=f"{folder}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def course(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    write(course / "submitted", "honest", completed_notebook(ROOT, ASSIGNMENT))
    return course


def interpreter_reachable_by_others():
    """Return whether a user other than the grader's could run this Python (every folder on the way open to others)."""
    for path in {Path(sys.executable).resolve(), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}:
        for folder in (path, *path.parents):
            if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH:
                return False
    return True


def test_unusable_bubblewrap_stops_the_run_with_the_probes_message(course, failing_bwrap):
    """With bubblewrap asked for but unusable, does grading stop, say why, exit non-zero and write nothing?"""
    done = nncourse("grade", ASSIGNMENT, "--isolation", "bwrap", "--no-gradebook", env=failing_bwrap, cwd=course)
    assert done.returncode == 3
    assert "No permissions to create new namespace" in done.stderr and "--unsafe-same-user" in done.stderr
    assert not (course / "graded").exists()


@pytest.mark.skipif(os.geteuid() != 0 or interpreter_reachable_by_others(),
                    reason="needs root and a Python that other users cannot reach")
def test_hidden_interpreter_stops_the_run_instead_of_zeroing_the_class(course, failing_bwrap):
    """Where bubblewrap fails and the separate user cannot reach the interpreter, does the probe stop the run?"""
    done = nncourse("grade", ASSIGNMENT, "--no-gradebook", env=failing_bwrap, cwd=course)
    assert done.returncode == 3
    assert "bwrap:" in done.stderr and "user:" in done.stderr and "could not start" in done.stderr
    assert not (course / "graded").exists()


@pytest.mark.skipif(os.geteuid() != 0 or interpreter_reachable_by_others(),
                    reason="needs root and a Python that other users cannot reach")
def test_gradescope_run_reports_an_environment_failure_as_its_own(course, failing_bwrap, tmp_path):
    """Run as root like Gradescope with no usable bubblewrap: does run_autograder fail without a 0 for the student?"""
    from nncourse.grading.gradescope import build_bundle, unpack_like_gradescope

    root = unpack_like_gradescope(build_bundle(course, ASSIGNMENT, tmp_path / "b.zip"), tmp_path / "autograder")
    shutil.copy(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root / "submission")
    env = dict(failing_bwrap, AUTOGRADER_ROOT=str(root), NNCOURSE=str(Path(sys.executable).parent / "nncourse"))
    done = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "cannot be isolated" in done.stderr
    assert not (root / "results" / "results.json").exists()


def test_gradescope_layout_without_bubblewrap_keeps_the_bundle_secret(course, failing_bwrap, shared_python):
    """Gradescope's layout, run as root with no usable bubblewrap: the separate user reads and rewrites nothing."""
    from nncourse.grading.gradescope import build_bundle, unpack_like_gradescope

    top = Path(tempfile.mkdtemp(prefix="nncourse-gradescope-"))
    top.chmod(0o755)  # as /autograder is: open to all but for what run_autograder makes private
    root = unpack_like_gradescope(build_bundle(course, ASSIGNMENT, top / "b.zip"), top / "autograder")
    secret = root / "source" / "course" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    script = root / "run_autograder"
    attack = ("def sigmoid_prime(z):\n"
              f"    open({str(secret)!r}).read()\n"
              f"    open({str(script)!r}, 'a').write('\\necho forged')\n" + RIGHT)
    nbformat.write(completed_notebook(ROOT, ASSIGNMENT, {"sigmoid_prime": attack}), root / "submission" / "a.ipynb")
    before = script.read_bytes()
    env = dict(failing_bwrap, AUTOGRADER_ROOT=str(root), NNCOURSE=str(Path(shared_python).parent / "nncourse"))
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    try:
        assert done.returncode == 0, done.stderr
        result = json.loads((root / "results" / "results.json").read_text())
        full = sum(t["max_score"] for t in result["tests"])
        assert points_of(result, "sigmoid_prime") == 0
        assert result["score"] == full - sum(t["max_score"] for t in result["tests"]
                                             if t["name"].startswith("sigmoid_prime: "))
        assert script.read_bytes() == before
    finally:
        shutil.rmtree(top)


def test_numpy_is_in_the_sandbox():
    """Does the deny-by-default sandbox still give student code numpy (a probe that always passes would hide this)?"""
    if not bwrap_usable():
        pytest.skip("bubblewrap is not installed")
    with Sandbox([("cell", "import numpy as np\ndef total(x):\n    return float(np.sum(x))\n")], Limits(),
                 Isolation("bwrap", claim_uid())) as box:
        box.start()
        assert box.call("total", (np.arange(4.0),), timeout=30) == 6.0


# ---------------------------------------------------------------- the capstone learns from its data

def pretrained_network():
    """Return (params, activation, accuracy): a small network trained on plain MNIST ahead of time, as an attacker would."""
    from nncourse.capstone import pin_threads
    from nncourse.checks.mnist import grader_predict
    from nncourse.data import load_mnist
    from nncourse.notebook import load_functions

    pin_threads()
    solution, _ = load_functions(ROOT / "solutions" / "05_mnist" / "05_mnist.ipynb")
    data = load_mnist()
    x = data.x_train.reshape(-1, 784).astype(np.float32) / 255
    rng = np.random.default_rng(0)
    params = [(W.astype(np.float32), b.astype(np.float32)) for W, b in solution["init_params"]([784, 64, 10], rng)]
    params, _ = solution["train_epoch"](params, x, data.y_train, 0.1, 32, rng, "relu")
    accuracy = np.mean(grader_predict(params, "relu", data.x_test.reshape(-1, 784).astype(np.float32) / 255) == data.y_test)
    return params, "relu", float(accuracy)


def test_weights_prepared_in_advance_earn_no_capstone_points(tmp_path):
    """Does a train_mnist that returns weights trained offline on MNIST fail every accuracy threshold?"""
    import base64
    import io

    params, activation, plain_accuracy = pretrained_network()
    assert plain_accuracy > 0.9  # on unshuffled MNIST the attack would pass the first threshold
    buffer = io.BytesIO()
    np.savez(buffer, *[a for pair in params for a in pair])
    blob = base64.b64encode(buffer.getvalue()).decode()
    cheat = ("def train_mnist(x_train, y_train, seed):\n    import base64, io\n"
             f"    arrays = np.load(io.BytesIO(base64.b64decode({blob!r})))\n"
             "    a = [arrays[f'arr_{i}'] for i in range(4)]\n"
             f"    return [(a[0], a[1]), (a[2], a[3])], {activation!r}\n")
    submitted = tmp_path / "submitted"
    folder = submitted / "mallory" / "05_mnist"
    folder.mkdir(parents=True)
    nbformat.write(completed_notebook(ROOT, "05_mnist", {"train_mnist": cheat}), folder / "05_mnist.ipynb")
    done = nncourse("grade", "05_mnist", "--submitted", str(submitted), "--out", str(tmp_path / "graded"), "--no-gradebook")
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "graded" / "05_mnist" / "mallory" / "results.json").read_text())
    thresholds = [t for t in result["tests"] if t["name"].startswith("05_mnist: test accuracy")]
    assert thresholds and all(t["score"] == 0 for t in thresholds)


@pytest.mark.skipif(not bwrap_usable(), reason="bubblewrap is not installed")
def test_cells_that_sleep_just_under_the_limit_cannot_hold_the_grader():
    """Do many cells that each sleep just under the per-cell limit stop being loaded once the total is spent?"""
    import time

    cells = [(f"cell{i}", "import time\ntime.sleep(0.9)\n") for i in range(8)] + [("last", "def f():\n    return 1\n")]
    began = time.monotonic()
    with Sandbox(cells, Limits(load_seconds=1.0, total_load_seconds=3.0), Isolation("bwrap", claim_uid())) as box:
        box.start()
        assert time.monotonic() - began < 8
        assert "took over 3 s in all" in box.load_errors["last"]
