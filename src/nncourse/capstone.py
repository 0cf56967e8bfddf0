"""Train a capstone network at home exactly as the grader times and tests it.

    report = timed_run(train_mnist, x_train, y_train, 0, x_test=x_test, y_test=y_test, forward=forward)

runs `train_mnist(x_train, y_train, 0)` on one BLAS thread, counts its CPU time
the way the grader does, tests the network it returns with the grader's own
forward pass, and prints one summary next to the budget:

    test accuracy 0.9812 (full marks need 0.97); 24.1 s of CPU time of the 45 s budget

then a warning for each thing that would make the graded run slower or worse
than this one: float64 parameters or activations, a run close to the budget,
numpy warnings (which stop a graded run).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from nncourse.checks.core import cpu_seconds
from nncourse.checks.mnist import ACCURACY_POINTS, TIME_BUDGET_SECONDS, grader_predict, network_problem

# Above this share of the budget, a slower grading machine could push the run over it.
MARGIN_SHARE = 0.7
FORWARD_SAMPLE_ROWS = 8  # how many test images the dtype check of the activations runs on


def pin_threads():
    """Limit BLAS (numpy's matrix products) to one thread from now on, as the grader does.

    Every thread's CPU time counts towards the budget, and for products as small as a minibatch's,
    more threads cost more time than they save.
    """
    threadpool_limits(1)


@dataclass
class CapstoneRun:
    """What one timed training run produced, and how the grading rules judge it."""

    params: object
    activation: object
    cpu_seconds: float
    budget: float
    accuracy: float | None  # None when the network cannot be tested (see `problem`)
    problem: str | None = None
    warnings: list[str] = field(default_factory=list)
    points_by_threshold: dict | None = None
    accuracy_name: str = "test accuracy"

    def within_budget(self):
        """Return whether the run used at most the budget's CPU time."""
        return self.cpu_seconds <= self.budget

    def reached(self, threshold):
        """Return whether this run's accuracy would count for `threshold` in grading."""
        return self.accuracy is not None and self.within_budget() and self.accuracy >= threshold

    def points(self):
        """Return the accuracy points this run would earn in grading."""
        return sum(p for threshold, p in (self.points_by_threshold or {}).items() if self.reached(threshold))

    def points_table(self):
        """Return one line per accuracy threshold: its points, and whether this run reaches them."""
        return "\n".join(
            f"  {self.accuracy_name} at least {threshold:.2f}: {points} points  "
            f"{'reached' if self.reached(threshold) else 'not yet'}"
            for threshold, points in (self.points_by_threshold or {}).items())

    def summary(self):
        """Return the one-line result: accuracy, and CPU time next to the budget."""
        if self.accuracy is None:
            result = f"no {self.accuracy_name}: {self.problem}"
        else:
            result = f"{self.accuracy_name} {self.accuracy:.4f}"
            if self.points_by_threshold:
                result += f" (full marks need {max(self.points_by_threshold):.2f})"
        return f"{result}; {self.cpu_seconds:.1f} s of CPU time of the {self.budget:g} s budget"


def timed_run(train, x_train, y_train, seed, *, x_test, y_test, forward=None, budget=TIME_BUDGET_SECONDS,
              points=ACCURACY_POINTS, predict=grader_predict, accuracy_name="test accuracy"):
    """Return a CapstoneRun of train(x_train, y_train, seed), timed and tested as in grading; print its summary.

    x_test (m, 784), y_test (m,): the images the network is tested on, with `predict(params, activation, x)`,
    the grader's own forward pass unless another is given. forward: the student's forward(x, params,
    activation), run on a few float32 test images to see whether the activations stay float32. points:
    {accuracy threshold: points}, or None when no points are at stake.
    """
    pin_threads()
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", invalid="warn", divide="warn"):
        # As in grading: numpy's RuntimeWarnings count, every other warning is ignored.
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", RuntimeWarning)
        start = cpu_seconds()
        result = train(x_train, y_train, seed)
        seconds = cpu_seconds() - start
    params, activation = result if isinstance(result, tuple) and len(result) == 2 else (None, None)
    accuracy, problem = measure_accuracy(result, predict, x_test, y_test)
    run = CapstoneRun(params, activation, seconds, budget, accuracy, problem, points_by_threshold=points,
                      accuracy_name=accuracy_name)
    run.warnings = diagnose(run, x_train, x_test, forward, caught)
    print(run.summary())
    for warning in run.warnings:
        print(f"Warning: {warning}")
    return run


def measure_accuracy(result, predict, x_test, y_test):
    """Return (accuracy, problem): the share of x_test that `result`'s network labels as y_test, or why it cannot.

    With the grader's predict the network is first validated as the grader does; another predict
    (a leaderboard's, which knows more activations) is trusted to reject what it cannot run.
    """
    if predict is grader_predict:
        problem = network_problem(result)
        if problem:
            return None, problem
    elif not (isinstance(result, tuple) and len(result) == 2):
        return None, "training must return a tuple (params, activation)."
    try:
        with np.errstate(all="ignore"):
            return float(np.mean(predict(*result, x_test) == y_test)), None
    except Exception as error:  # noqa: BLE001 (any broken network becomes a message)
        return None, f"testing the network raised {type(error).__name__}: {error}"


def diagnose(run, x_train, x_test, forward, caught):
    """Return a warning for each way the graded run of this training would fare worse than `run`."""
    found = [numpy_warning(caught)] if any(issubclass(w.category, RuntimeWarning) for w in caught) else []
    if isinstance(x_train, np.ndarray) and x_train.dtype != np.float32:
        found.append(f"x_train is {x_train.dtype}, but the grader trains on float32 images, so this run and the "
                     "graded one differ. Train on the output of your preprocess, which must be float32.")
    found += [message for message in (float64_params(run.params), float64_activations(run, x_test, forward)) if message]
    share = run.cpu_seconds / run.budget
    if share > 1:
        found.append(f"this run used more than the {run.budget:g} s budget, so in grading its accuracy would "
                     "earn no points. Use fewer epochs or a smaller hidden layer, and keep every array float32.")
    elif share > MARGIN_SHARE:
        found.append(f"this run used {share:.0%} of the {run.budget:g} s budget. The grading machine may be "
                     "slower than yours: leave a margin, with fewer epochs or a smaller hidden layer.")
    return found


def numpy_warning(caught):
    """Return the warning about the RuntimeWarnings numpy raised during training."""
    messages = list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)))
    return (f"numpy warned during training ({'; '.join(messages[:3])}). In grading, a numpy warning stops "
            "the training and its accuracy earns no points: make the computation that warns stable.")


def float64_params(params):
    """Return a warning if any of the returned parameters is float64, else None."""
    if not isinstance(params, list):
        return None
    layers = [i for i, layer in enumerate(params) if isinstance(layer, tuple)
              and any(isinstance(a, np.ndarray) and a.dtype == np.float64 for a in layer)]
    if not layers:
        return None
    return (f"the parameters of layer{'s' if len(layers) > 1 else ''} {', '.join(map(str, layers))} are float64, so "
            "every matrix product ran in float64 and training took about twice as long as it would in float32. "
            "Convert init_params' arrays with .astype(np.float32), and keep every number you mix in a plain "
            "Python float: a NumPy float64 (a learning rate computed with np.cos, for example) turns float32 "
            "arrays into float64. float(...) makes it a Python float.")


def float64_activations(run, x_test, forward):
    """Return a warning if forward, on a few float32 images with float32 params, computes in float64, else None."""
    if forward is None or run.problem or float64_params(run.params):
        return None
    x = np.asarray(x_test[:FORWARD_SAMPLE_ROWS], dtype=np.float32)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logits, cache = forward(x, run.params, run.activation)
        where = first_float64(cache, logits)
    except Exception as error:  # noqa: BLE001 (a forward that cannot run this network is worth a word too)
        return (f"could not check that your forward keeps float32: forward(x, params, {run.activation!r}) "
                f"raised {type(error).__name__}: {error}")
    if where is None:
        return None
    return (f"with float32 parameters and float32 images, {where} is float64 in your forward, so training "
            "computes in float64 and takes about twice as long. Look for a NumPy float64 number (such as "
            "np.float64(0.01)) or a new array made without dtype= in the activation and in forward.")


def first_float64(cache, logits):
    """Return which array of a forward pass is float64 first (in the words of 01_forward), or None."""
    for i, (a_prev, z) in enumerate(cache):
        if i > 0 and np.asarray(a_prev).dtype == np.float64:
            return f"layer {i - 1}'s activation (the a_prev of layer {i})"
        if np.asarray(z).dtype == np.float64:
            return f"layer {i}'s pre-activation z"
    return "the logits" if np.asarray(logits).dtype == np.float64 else None
