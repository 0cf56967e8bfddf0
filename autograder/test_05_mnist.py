"""Hidden checks for 05_mnist: every public check, stricter ones, and the test-accuracy thresholds."""

from dataclasses import dataclass

import numpy as np
import pytest

from nncourse.checks import CheckFailure, graded
from nncourse.checks.mnist import *  # noqa: F403 (every public check grades too)
from nncourse.checks.mnist import ACCURACY_POINTS, TIME_BUDGET_SECONDS, WALL_TIMEOUT, network_problem, separable_digits
from nncourse.data import load_mnist

# The grader's own forward pass: a student's network is judged by what its weights compute,
# never by the student's code.
GRADER_ACTIVATIONS = {
    "sigmoid": lambda z: 0.5 * (1 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
}


def grader_preprocess(images):
    """Return uint8 images (n, 28, 28) as float32 rows (n, 784) in [0, 1], whatever the student's preprocess does."""
    rows = images.reshape(len(images), 784)
    return rows.astype(np.float32) / 255


def grader_predict(params, activation, x):
    """Return the labels the network (params, activation) gives the rows of x, computed in float64."""
    a = x.astype(np.float64)
    with np.errstate(all="ignore"):
        for i, (W, b) in enumerate(params):
            z = a @ W.astype(np.float64) + b.astype(np.float64)
            a = z if i == len(params) - 1 else GRADER_ACTIVATIONS[activation](z)
    return np.argmax(np.nan_to_num(a, nan=-np.inf), axis=1)


# ---------------------------------------------------------------- preprocess

@graded("preprocess", "matches pixel / 255 for every pixel value", points=1)
def test_preprocess_every_pixel_value(student):
    images = np.random.default_rng(0).integers(0, 256, size=(300, 28, 28), dtype=np.uint8)
    images[0].flat[:256] = np.arange(256)
    got = student.preprocess(images.copy())
    expected = images.reshape(300, 784).astype(np.float32) / 255
    if not (isinstance(got, np.ndarray) and got.shape == expected.shape and got.dtype == np.float32
            and np.allclose(got, expected, rtol=0, atol=1e-6)):
        raise CheckFailure("preprocess gives wrong values on 300 random images holding every pixel value 0..255.",
                           expected=expected, got=got, hint="Return images.reshape(len(images), 784) as float32, divided by 255.")


@graded("preprocess", "works for a single image", points=1)
def test_preprocess_single_image(student):
    image = np.random.default_rng(1).integers(0, 256, size=(1, 28, 28), dtype=np.uint8)
    got = student.preprocess(image.copy())
    expected = image.reshape(1, 784).astype(np.float32) / 255
    if not (isinstance(got, np.ndarray) and got.shape == (1, 784) and np.allclose(got, expected, atol=1e-6)):
        raise CheckFailure("preprocess mishandles a batch of one image.", input="shape (1, 28, 28)",
                           expected="shape (1, 784)", got=got,
                           hint="reshape(len(images), 784) keeps the batch axis; np.squeeze or ravel would drop it.")


# ---------------------------------------------------------------- train_mnist

@graded("train_mnist", "the same seed gives the same network", points=1, timeout=WALL_TIMEOUT)
def test_train_mnist_reproducible(student):
    x, y = separable_digits(1000, np.random.default_rng(2))
    first, again = (student.train_mnist(x, y, 3) for _ in range(2))
    for result in (first, again):
        if network_problem(result):
            raise CheckFailure(network_problem(result))
    same = len(first[0]) == len(again[0]) and all(
        np.allclose(a, b, rtol=1e-5, atol=1e-7) for la, lb in zip(first[0], again[0]) for a, b in zip(la, lb))
    if not same:
        raise CheckFailure(
            "Two runs of train_mnist with the same seed trained different networks.",
            input="1,000 MNIST-shaped samples, seed 3, twice",
            hint="Make one generator, rng = np.random.default_rng(seed), and use it for init_params and every epoch.",
        )


@graded("train_mnist", "learns an easy 3-class problem", points=1, timeout=WALL_TIMEOUT)
def test_train_mnist_learns_easy_problem(student):
    x, y = separable_digits(2000, np.random.default_rng(4))
    x_new, y_new = separable_digits(500, np.random.default_rng(5))
    result = student.train_mnist(x, y, 0)
    problem = network_problem(result)
    if problem:
        raise CheckFailure(problem)
    accuracy = float(np.mean(grader_predict(*result, x_new) == y_new))
    if accuracy < 0.9:
        raise CheckFailure(
            "train_mnist did not learn three easy, well-separated classes.",
            input="2,000 MNIST-shaped samples of 3 classes, each lighting up its own band of rows",
            expected="accuracy of at least 0.9 on 500 new samples", got=f"accuracy {accuracy:.3f}",
            hint="Train on the x_train and y_train you are given, not on data loaded inside the function.",
        )


# ---------------------------------------------------------------- the whole pipeline on MNIST

@dataclass(frozen=True)
class MNISTRun:
    problem: str | None = None
    seconds: float = 0.0
    accuracy: float = 0.0


@pytest.fixture(scope="module")
def mnist_run(student):
    """Train the student's network once on the 60,000 training images; test it on the 10,000 others."""
    data = load_mnist()
    x_train = grader_preprocess(data.x_train)
    # The budget is CPU time, not wall-clock time: "45 s on one core" should not depend on what else the
    # grading machine is busy with, and a network trained on several threads pays for each of them.
    try:
        result = student.train_mnist(x_train, data.y_train.copy(), 0)
    except CheckFailure as failure:
        return MNISTRun(problem=f"train_mnist failed on the MNIST training set:\n{failure}")
    seconds = student.last_cpu_seconds
    problem = network_problem(result)
    if problem:
        return MNISTRun(problem=problem, seconds=seconds)
    params, activation = result
    accuracy = float(np.mean(grader_predict(params, activation, grader_preprocess(data.x_test)) == data.y_test))
    return MNISTRun(seconds=seconds, accuracy=accuracy)


def require_accuracy(run, threshold):
    if run.problem:
        raise CheckFailure(run.problem)
    if run.seconds > TIME_BUDGET_SECONDS:
        raise CheckFailure(
            f"train_mnist used {run.seconds:.1f} s of CPU time, more than the {TIME_BUDGET_SECONDS} s budget, "
            "so its accuracy cannot count.",
            hint="Use fewer epochs or a smaller hidden layer, and keep every array float32.",
        )
    if run.accuracy < threshold:
        raise CheckFailure(
            f"Test accuracy {run.accuracy:.4f} is below {threshold:.2f} "
            f"(training used {run.seconds:.1f} s of CPU time; the budget is {TIME_BUDGET_SECONDS} s).",
            hint="Try more epochs (within the budget), a wider hidden layer, or another learning rate.",
        )


@graded("05_mnist", "test accuracy at least 0.90", points=ACCURACY_POINTS[0.90], timeout=WALL_TIMEOUT)
def test_mnist_accuracy_at_least_90(mnist_run):
    require_accuracy(mnist_run, 0.90)


@graded("05_mnist", "test accuracy at least 0.95", points=ACCURACY_POINTS[0.95], timeout=WALL_TIMEOUT)
def test_mnist_accuracy_at_least_95(mnist_run):
    require_accuracy(mnist_run, 0.95)


@graded("05_mnist", "test accuracy at least 0.97", points=ACCURACY_POINTS[0.97], timeout=WALL_TIMEOUT)
def test_mnist_accuracy_at_least_97(mnist_run):
    require_accuracy(mnist_run, 0.97)
