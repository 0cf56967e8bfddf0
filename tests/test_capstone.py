"""Does the capstone helper time, test and warn as grading does, on tiny networks and in the 05_mnist notebook?"""

import contextlib
import io
import re

import nbformat
import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from conftest import ROOT
from nncourse.capstone import timed_run
from nncourse.checks.core import cpu_seconds
from nncourse.checks.mnist import ACCURACY_POINTS, TIME_BUDGET_SECONDS, grader_predict

SUMMARY = re.compile(
    rf"test accuracy (?P<accuracy>\d\.\d{{4}}) \(full marks need {max(ACCURACY_POINTS):.2f}\); "
    rf"(?P<seconds>\d+\.\d) s of CPU time of the {TIME_BUDGET_SECONDS:g} s budget")


# ---------------------------------------------------------------- tiny fake networks

def tiny_network(dtype=np.float32, b_dtype=None):
    """Return (params, x, y): a 784 -> 10 network and 50 images it labels y, by the grader's forward pass."""
    rng = np.random.default_rng(0)
    params = [(rng.standard_normal((784, 10)).astype(dtype), np.zeros(10, dtype=b_dtype or dtype))]
    x = rng.uniform(0, 1, (50, 784)).astype(np.float32)
    return params, x, grader_predict(params, "relu", x)


def trainer(params, spend=0.0, activation="relu", overflow=False):
    """Return a train function that uses `spend` seconds of CPU time and returns (params, activation)."""

    def train(x_train, y_train, seed):
        start = cpu_seconds()
        while cpu_seconds() - start < spend:
            pass
        if overflow:
            np.exp(np.float32(1e4))
        return params, activation

    return train


def forward_in(dtype):
    """Return a one-layer forward(x, params, activation) whose pre-activation is computed in `dtype`."""

    def forward(x, params, activation="relu"):
        (W, b), = params
        z = (x @ W + b).astype(dtype)
        return z, [(x, z)]

    return forward


def run_tiny(capsys, params, spend=0.0, budget=TIME_BUDGET_SECONDS, forward=None, overflow=False):
    """Return (report, printed) of timed_run on the tiny problem."""
    _, x, y = tiny_network()
    report = timed_run(trainer(params, spend, overflow=overflow), x, y, 0, x_test=x, y_test=y, forward=forward,
                       budget=budget)
    return report, capsys.readouterr().out


def test_timed_run_prints_accuracy_next_to_budget_when_all_is_well(capsys):
    """Does a clean run print its accuracy and CPU time next to the budget, and no warning?"""
    params, _, _ = tiny_network()
    report, printed = run_tiny(capsys, params, forward=forward_in(np.float32))
    assert SUMMARY.search(printed) and float(SUMMARY.search(printed)["accuracy"]) == 1.0
    assert "Warning" not in printed
    assert report.points() == sum(ACCURACY_POINTS.values())


@pytest.mark.parametrize("W_dtype, b_dtype", [
    pytest.param(np.float64, np.float64, id="W-and-b"),
    pytest.param(np.float32, np.float64, id="b-only"),
])
def test_timed_run_warns_when_params_are_float64(capsys, W_dtype, b_dtype):
    """Is a network whose returned params hold float64 arrays told so, with the learning rate as a likely cause?"""
    params, _, _ = tiny_network(W_dtype, b_dtype)
    _, printed = run_tiny(capsys, params, forward=forward_in(np.float32))
    assert "Warning: the parameters of layer 0 are float64" in printed
    assert "learning rate" in printed


def test_timed_run_warns_when_forward_turns_float32_into_float64(capsys):
    """With float32 params, is a forward that computes in float64 named?"""
    params, _, _ = tiny_network()
    _, printed = run_tiny(capsys, params, forward=forward_in(np.float64))
    assert "Warning: with float32 parameters and float32 images, layer 0's pre-activation z is float64" in printed


def test_timed_run_says_so_when_forward_cannot_run(capsys):
    """Is a forward that raises reported instead of stopping the run?"""
    params, _, _ = tiny_network()

    def broken_forward(x, params, activation="relu"):
        raise ValueError("unknown activation")

    report, printed = run_tiny(capsys, params, forward=broken_forward)
    assert "could not check that your forward keeps float32" in printed and "ValueError" in printed
    assert report.accuracy == 1.0


@pytest.mark.parametrize("spend, budget, expected", [
    pytest.param(0.15, 0.2, "% of the 0.2 s budget", id="over-70-percent"),
    pytest.param(0.05, 0.01, "more than the 0.01 s budget", id="over-budget"),
])
def test_timed_run_warns_when_run_uses_most_of_budget(capsys, spend, budget, expected):
    """Is a run that used more than 70% of its budget, or all of it, warned about?"""
    params, _, _ = tiny_network()
    report, printed = run_tiny(capsys, params, spend=spend, budget=budget)
    assert report.cpu_seconds >= spend
    assert expected in printed


def test_timed_run_earns_no_points_when_over_budget(capsys):
    """Does a run over its budget earn no accuracy points, as in grading?"""
    params, _, _ = tiny_network()
    report, _ = run_tiny(capsys, params, spend=0.05, budget=0.01)
    assert report.accuracy == 1.0 and report.points() == 0
    assert "not yet" in report.points_table() and "reached" not in report.points_table()


def test_timed_run_warns_when_numpy_warns_during_training(capsys):
    """Is an overflow during training reported, since it would stop the graded run?"""
    params, _, _ = tiny_network()
    _, printed = run_tiny(capsys, params, overflow=True)
    assert "Warning: numpy warned during training (overflow" in printed


def test_timed_run_explains_when_network_is_malformed(capsys):
    """Does a network of the wrong shape get the grader's message instead of an accuracy?"""
    params = [(np.zeros((784, 9), np.float32), np.zeros(9, np.float32))]
    report, printed = run_tiny(capsys, params)
    assert report.accuracy is None and report.points() == 0
    assert "no test accuracy: The last layer has 9 outputs" in printed


def test_timed_run_trains_on_one_blas_thread():
    """Does training run on one BLAS thread, even when more were allowed before?"""
    params, x, y = tiny_network()
    seen = []

    def train(x_train, y_train, seed):
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return params, "relu"

    with threadpool_limits(2, user_api="blas"), contextlib.redirect_stdout(io.StringIO()):
        timed_run(train, x, y, 0, x_test=x, y_test=y)
    assert seen and set(seen) == {1}


# ---------------------------------------------------------------- the 05_mnist notebook

HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)
# Cells the capstone does not need: figures, the toolbox's own check, and the public checks of
# train_mnist (four more trainings, on small problems).
SKIPPED_CELLS = {"check_toolbox", "check_train_mnist"}


def capstone_cells():
    """Return the code of 05_mnist's source cells up to check_05_mnist, as the notebook runs them, figures left out."""
    nb = nbformat.read(ROOT / "source" / "05_mnist" / "05_mnist.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or grade_id in SKIPPED_CELLS or "plt." in cell.source or "matplotlib" in cell.source:
            continue
        cells.append(HIDDEN_TESTS.sub("", cell.source))
        if grade_id == "check_05_mnist":
            return cells
    raise AssertionError("05_mnist has no check_05_mnist cell")


def run_capstone(before_timed_run=lambda namespace: None):
    """Run the capstone cells in one namespace; return what they printed.

    before_timed_run(namespace) may change the namespace just before the cell that times train_mnist.
    """
    cells = capstone_cells()
    timed = [i for i, source in enumerate(cells) if "timed_run(train_mnist" in source]
    assert timed, "05_mnist no longer times train_mnist with timed_run"
    namespace, printed = {"__name__": "__main__"}, io.StringIO()
    with contextlib.chdir(ROOT / "source" / "05_mnist"), contextlib.redirect_stdout(printed):
        for i, source in enumerate(cells):
            if i == timed[0]:
                before_timed_run(namespace)
            exec(compile(source, f"<05_mnist cell {i}>", "exec"), namespace)  # noqa: S102 (the course's own notebook)
    return printed.getvalue()


def with_float64_learning_rate(namespace):
    """Train on 2,000 images only, with every learning rate passed to train_epoch as a NumPy float64."""
    train_epoch = namespace["train_epoch"]

    def train_epoch_float64(params, x, y, learning_rate, *args, **kwargs):
        return train_epoch(params, x, y, np.float64(learning_rate), *args, **kwargs)

    namespace["train_epoch"] = train_epoch_float64
    namespace["x_train"], namespace["y_train"] = namespace["x_train"][:2000], namespace["y_train"][:2000]


@pytest.mark.slow
def test_capstone_warns_when_learning_rate_is_float64():
    """Does the 05_mnist capstone warn when a float64 learning rate turned the parameters into float64?"""
    printed = run_capstone(with_float64_learning_rate)
    assert SUMMARY.search(printed), printed[-2000:]
    assert "Warning: the parameters of layers 0, 1 are float64" in printed


@pytest.mark.slow
def test_capstone_reports_accuracy_and_cpu_time_when_recipe_is_the_reference():
    """Does the reference recipe, run as the notebook runs it, print its accuracy and CPU time next to the budget?"""
    printed = run_capstone()
    summary = SUMMARY.search(printed)
    assert summary, printed[-2000:]
    assert float(summary["accuracy"]) >= max(ACCURACY_POINTS)
    assert float(summary["seconds"]) <= TIME_BUDGET_SECONDS
    assert "float64" not in printed
    assert f"at least {max(ACCURACY_POINTS):.2f}: {ACCURACY_POINTS[max(ACCURACY_POINTS)]} points  reached" in printed
