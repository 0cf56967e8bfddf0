"""Hidden checks for 05_mnist: every public check, stricter ones, and the test-accuracy thresholds."""

from dataclasses import dataclass

import numpy as np
import pytest

from nncourse.checks import CheckFailure, graded
from nncourse.checks.mnist import *  # noqa: F403 (every public check grades too)
from nncourse.checks.mnist import (
    ACCURACY_POINTS,
    EASY_TIMEOUT,
    TIME_BUDGET_SECONDS,
    WALL_TIMEOUT,
    easy_problem,
    expect_trained,
    grader_predict,
    network_problem,
    threshold_text,
)
from nncourse.data import load_mnist


def grader_preprocess(images):
    """Return uint8 images (n, 28, 28) as float32 rows (n, 784) in [0, 1], whatever the student's preprocess does."""
    rows = images.reshape(len(images), 784)
    return rows.astype(np.float32) / 255


# ---------------------------------------------------------------- preprocess

@graded("preprocess", "matches pixel / 255 for every pixel value", points=1, rules=("values", "shape", "dtype"))
def test_preprocess_every_pixel_value(student):
    images = np.random.default_rng(0).integers(0, 256, size=(300, 28, 28), dtype=np.uint8)
    images[0].flat[:256] = np.arange(256)
    got = student.preprocess(images.copy())
    expected = images.reshape(300, 784).astype(np.float32) / 255
    if not (isinstance(got, np.ndarray) and got.shape == expected.shape and got.dtype == np.float32
            and np.allclose(got, expected, rtol=0, atol=1e-6)):
        raise CheckFailure("preprocess gives wrong values on 300 random images holding every pixel value 0..255.",
                           expected=expected, got=got, hint="Return images.reshape(len(images), 784) as float32, divided by 255.")


@graded("preprocess", "works for a single image", points=1, rules=("values", "shape"))
def test_preprocess_single_image(student):
    image = np.random.default_rng(1).integers(0, 256, size=(1, 28, 28), dtype=np.uint8)
    got = student.preprocess(image.copy())
    expected = image.reshape(1, 784).astype(np.float32) / 255
    if not (isinstance(got, np.ndarray) and got.shape == (1, 784) and np.allclose(got, expected, atol=1e-6)):
        raise CheckFailure("preprocess mishandles a batch of one image.", input="shape (1, 28, 28)",
                           expected="shape (1, 784)", got=got,
                           hint="reshape(len(images), 784) keeps the batch axis; np.squeeze or ravel would drop it.")


# ---------------------------------------------------------------- train_mnist

@graded("train_mnist", "learns an easy 3-class problem", points=1, timeout=EASY_TIMEOUT, rules=("values",),
        pipeline=True)
def test_train_mnist_learns_easy_problem(student):
    x, y, words = easy_problem(2000, 4)
    expect_trained(student.train_mnist(x, y, 0), f"{words}; seed 0")


# ---------------------------------------------------------------- the whole pipeline on MNIST

@dataclass(frozen=True)
class MNISTRun:
    problem: str | None = None
    seconds: float = 0.0
    accuracy: float = 0.0


# A secret shuffle of the 784 pixels and of the 10 labels, applied to the training and the test
# images alike. A fully connected network trained from scratch learns the shuffled digits exactly
# as well as the plain ones; weights prepared in advance (say, trained offline on MNIST's training
# and test sets and pasted into the notebook) meet inputs and labels they have never seen.
# Change the seed each term; students never see this file.
SHUFFLE_SEED = 2026_12


def shuffled_mnist():
    """Return MNIST with the grader's secret pixel and label shuffle: (x_train, y_train, x_test, y_test)."""
    data = load_mnist()
    rng = np.random.default_rng(SHUFFLE_SEED)
    pixels, labels = rng.permutation(784), rng.permutation(10)
    x_train, x_test = (grader_preprocess(x)[:, pixels] for x in (data.x_train, data.x_test))
    return x_train, labels[data.y_train], x_test, labels[data.y_test]


@pytest.fixture(scope="module")
def mnist_run(student):
    """Train the student's network once on the 60,000 (shuffled) training images; test it on the 10,000 others."""
    x_train, y_train, x_test, y_test = shuffled_mnist()
    # The budget is CPU time, not wall-clock time: "so many seconds on one core" should not depend on what
    # else the grading machine is busy with, and a network trained on several threads pays for each of them.
    try:
        result = student.train_mnist(x_train, y_train, 0)
    except CheckFailure as failure:
        return MNISTRun(problem=f"train_mnist failed on the MNIST training set:\n{failure}")
    seconds = student.last_cpu_seconds
    problem = network_problem(result)
    if problem:
        return MNISTRun(problem=problem, seconds=seconds)
    params, activation = result
    accuracy = float(np.mean(grader_predict(params, activation, x_test) == y_test))
    return MNISTRun(seconds=seconds, accuracy=accuracy)


def require_accuracy(run, threshold):
    if run.problem:
        raise CheckFailure(run.problem)
    if run.seconds > TIME_BUDGET_SECONDS:
        raise CheckFailure(
            f"train_mnist used {run.seconds:.1f} s of CPU time, more than the {TIME_BUDGET_SECONDS:g} s budget, "
            "so its accuracy cannot count.",
            hint="Use fewer epochs or a smaller hidden layer, and keep every array float32.",
        )
    if run.accuracy < threshold:
        raise CheckFailure(
            f"Test accuracy {run.accuracy:.4f} is below {threshold_text(threshold)} "
            f"(training used {run.seconds:.1f} s of CPU time; the budget is {TIME_BUDGET_SECONDS:g} s).",
            hint="Try more epochs (within the budget), a wider hidden layer, or another learning rate.",
        )


def threshold_check(threshold, points):
    """Return the check that awards `points` when the network's test accuracy reaches `threshold`."""

    @graded("05_mnist", f"test accuracy at least {threshold_text(threshold)}", points=points, timeout=WALL_TIMEOUT,
            rules=("values", "budget"))
    def check(mnist_run):
        require_accuracy(mnist_run, threshold)

    check.__name__ = f"test_mnist_accuracy_at_least_{threshold_text(threshold).replace('.', '_')}"
    return check


# One check per threshold of ACCURACY_POINTS, the one place the thresholds and their points are set.
for _threshold, _points in sorted(ACCURACY_POINTS.items()):
    _check = threshold_check(_threshold, _points)
    globals()[_check.__name__] = _check
del _threshold, _points, _check
