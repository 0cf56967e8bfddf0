"""Public checks for 05_mnist: preprocess and train_mnist.

The grading rules of the capstone live here too, and only here: the time
budget and the accuracy thresholds with their points. The public checks, the
hidden threshold checks (one per entry of ACCURACY_POINTS), `timed_run`, the
demo, and the numbers of the notebook's prose and the README (which
`nncourse build` fills in from `prose_values`) all read them from this file.
"""

import numpy as np

from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.mistakes import mistake

TIME_BUDGET_SECONDS = 45  # train_mnist on the 60,000 training images, one CPU core
# How long the grader waits for a train_mnist call before stopping it. The budget above is CPU time;
# this wall-clock limit only stops runaway code, leaving room for a busy grading machine.
WALL_TIMEOUT = 4 * TIME_BUDGET_SECONDS
EASY_TIMEOUT = 30  # seconds for train_mnist on the easy problem: a recipe within budget takes a second or two
ACCURACY_POINTS = {0.90: 2, 0.95: 2, 0.97: 2}  # test-accuracy threshold -> points earned on reaching it
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
EASY_ACCURACY = 0.9  # what every check of train_mnist asks on fresh samples of separable_digits


def threshold_text(threshold):
    """Return an accuracy threshold as the course writes it: "0.90", "0.97", "0.975"."""
    return f"{threshold:.2f}" if round(threshold, 2) == threshold else f"{threshold:g}"


def accuracy_table():
    """Return the Markdown table of the test-accuracy thresholds and the points each adds."""
    rows = ["| test accuracy | points |", "|---|---|"]
    for i, (threshold, points) in enumerate(sorted(ACCURACY_POINTS.items())):
        more = " more" if i else ""
        full = " (full marks)" if i == len(ACCURACY_POINTS) - 1 else ""
        rows.append(f"| at least {threshold_text(threshold)} | {points:g}{more}{full} |")
    return "\n".join(rows)


def prose_values():
    """Return {placeholder: text}: the numbers of these rules that the 05 notebook's prose states.

    `nncourse build` writes them where the source notebook's Markdown says `{{budget_seconds}}` and so on.
    """
    return {
        "budget_seconds": f"{TIME_BUDGET_SECONDS:g}",
        "full_marks_accuracy": threshold_text(max(ACCURACY_POINTS)),
        "accuracy_table": accuracy_table(),
        "easy_accuracy": f"{EASY_ACCURACY:.0%}",
    }


# ---------------------------------------------------------------- preprocess

def sample_images():
    """Return two uint8 images (2, 28, 28) with a few known pixel values."""
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images[0, 0, :4] = [0, 51, 102, 255]
    images[1, 27, 24:] = [255, 204, 153, 1]
    return images


# the first and last four values of each row of preprocess(sample_images())
SAMPLE_ROWS_START = np.array([[0.0, 0.2, 0.4, 1.0], [0.0, 0.0, 0.0, 0.0]])
SAMPLE_ROWS_END = np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 0.8, 0.6, 1 / 255]])


def check_preprocessed(got, shown):
    """Fail with a message naming the mistake unless `got` is preprocess(sample_images())."""
    if not isinstance(got, np.ndarray):
        raise CheckFailure("preprocess must return a numpy array.", input=shown, got=got)
    if got.shape == (2, 28, 28):
        raise mistake("preprocess-square").failure(
            "The network wants each image as one row of 784 numbers.",
            input=shown, expected="shape (2, 784)", got=f"shape {got.shape}")
    if got.shape != (2, 784):
        raise CheckFailure("preprocess returns the wrong shape.", input=shown, expected="shape (2, 784)",
                           got=f"shape {got.shape}", hint="One row of 784 pixel values per image: reshape(len(images), 784).")
    if np.issubdtype(got.dtype, np.floating) and got.max() > 2:
        raise mistake("preprocess-unscaled").failure(
            input=shown, expected="255 becomes 1.0", got=f"largest value {got.max():g}")
    if got.dtype != np.float32:
        raise mistake("preprocess-not-float32").failure(input=shown, expected="dtype float32", got=f"dtype {got.dtype}")
    values = np.concatenate([got[:, :4], got[:, -4:]], axis=1)
    expected = np.concatenate([SAMPLE_ROWS_START, SAMPLE_ROWS_END], axis=1)
    if np.allclose(values, expected * 255 / 256, atol=1e-6):
        raise mistake("preprocess-divides-by-256").failure(input=shown, expected=expected, got=values)
    if not np.allclose(values, expected, atol=1e-6) or np.count_nonzero(got) != 7:
        raise CheckFailure(
            "preprocess returns the wrong values: pixel p should become p / 255.",
            input=shown, expected=expected, got=values,
            hint="Convert to float before dividing, and keep the pixel order: images.reshape(len(images), 784).",
        )


@graded("preprocess", "turns (n, 28, 28) uint8 images into float32 rows in [0, 1]", points=2,
        rules=("values", "shape", "dtype"))
def test_preprocess_square_images(student):
    got = student.preprocess(sample_images())
    check_preprocessed(got, "2 uint8 images of shape (28, 28), pixels 0, 51, 102, 255, ...")


@graded("preprocess", "accepts images already flattened to (n, 784)", points=1, rules=("values", "shape", "dtype"))
def test_preprocess_flat_images(student):
    got = student.preprocess(sample_images().reshape(2, 784))
    check_preprocessed(got, "2 uint8 images already flattened to shape (2, 784)")


@graded("preprocess", "leaves the images untouched", points=1, rules=("unchanged", "values"))
def test_preprocess_leaves_images_untouched(student):
    images = sample_images()
    check_preprocessed(student.preprocess(images), "2 uint8 images of shape (28, 28), pixels 0, 51, 102, 255, ...")
    if images.dtype != np.uint8 or not np.array_equal(images, sample_images()):
        raise CheckFailure("preprocess modified the images you passed in.",
                           hint="Build a new array (astype makes a copy) instead of changing `images`.")


# ---------------------------------------------------------------- train_mnist

def separable_digits(n, rng):
    """Return MNIST-shaped data that is easy to learn: x (n, 784) float32 in [0, 1], y (n,) int64.

    Three classes (labels 1, 4 and 7), each lighting up its own band of rows, with noise everywhere.
    """
    y = rng.choice(np.array([1, 4, 7]), size=n)
    images = rng.uniform(0, 0.4, size=(n, 28, 28))
    for label, rows in ((1, slice(2, 8)), (4, slice(11, 17)), (7, slice(20, 26))):
        images[y == label, rows, :] += 0.6
    return images.reshape(n, 784).astype(np.float32), y.astype(np.int64)


# The grader's own forward pass: a network is judged by what its weights compute, never by the
# student's code.
GRADER_ACTIVATIONS = {
    "sigmoid": lambda z: 0.5 * (1 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
}


def grader_predict(params, activation, x):
    """Return the labels the network (params, activation) gives the rows of x, computed in float64."""
    a = x.astype(np.float64)
    with np.errstate(all="ignore"):
        for i, (W, b) in enumerate(params):
            z = a @ W.astype(np.float64) + b.astype(np.float64)
            a = z if i == len(params) - 1 else GRADER_ACTIVATIONS[activation](z)
    return np.argmax(np.nan_to_num(a, nan=-np.inf), axis=1)


def network_problem(result):
    """Return what is wrong with `result` as the (params, activation) of a 784 -> ... -> 10 network, or None."""
    if not (isinstance(result, tuple) and len(result) == 2):
        return "train_mnist must return a tuple (params, activation)."
    params, activation = result
    if activation not in ACTIVATIONS:
        return f"The activation train_mnist returns must be one of {', '.join(map(repr, ACTIVATIONS))}; got {activation!r}."
    if not isinstance(params, list) or not params:
        return "The params train_mnist returns must be a non-empty list of (W, b) tuples."
    width = 784
    for i, layer in enumerate(params):
        if not (isinstance(layer, tuple) and len(layer) == 2 and all(isinstance(a, np.ndarray) for a in layer)):
            return f"Layer {i} of the params is not a (W, b) tuple of numpy arrays."
        W, b = layer
        if W.ndim != 2 or W.shape[0] != width or b.shape != (W.shape[1],):
            return (f"Layer {i} has W {W.shape} and b {b.shape}; the layers must chain from 784 inputs: "
                    f"W (d_in, d_out) with d_in equal to the previous layer's d_out ({width}), and b (d_out,).")
        if not (np.issubdtype(W.dtype, np.floating) and np.issubdtype(b.dtype, np.floating)):
            return f"Layer {i} holds {W.dtype} and {b.dtype} arrays; weights must be floats."
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            return f"Layer {i} holds inf or nan: training diverged (try a smaller learning rate)."
        width = W.shape[1]
    if width != 10:
        return f"The last layer has {width} outputs; MNIST has 10 classes."
    return None


def easy_accuracy(params, activation):
    """Return the fraction of 500 fresh samples of separable_digits that the network labels right."""
    x_new, y_new = separable_digits(500, np.random.default_rng(99))
    return float(np.mean(grader_predict(params, activation, x_new) == y_new))


def expect_trained(result, trained_on):
    """Fail unless `result` is (params, activation) of a network that learned the easy problem `trained_on` describes."""
    problem = network_problem(result)
    if problem:
        raise CheckFailure(
            problem, input=trained_on,
            expected="(params, activation): params a list of (W, b) tuples chaining 784 -> ... -> 10",
            hint="Build the network with init_params([784, ..., 10], rng), train it with train_epoch, "
            "and return params, activation.",
        )
    accuracy = easy_accuracy(*result)
    if accuracy < EASY_ACCURACY:
        raise CheckFailure(
            "The network train_mnist returns has not learned three easy, well-separated classes.",
            input=trained_on, expected=f"accuracy of at least {EASY_ACCURACY} on 500 new samples", got=accuracy,
            hint="Train the network you return on the x_train and y_train you are given (several epochs of "
            "train_epoch, with a learning rate such as 0.1), not on data loaded inside the function.",
        )


def easy_problem(n, seed):
    """Return (x, y, words): n samples of separable_digits and how a message names them."""
    x, y = separable_digits(n, np.random.default_rng(seed))
    return x, y, f"{n:,} MNIST-shaped samples of 3 easy classes, each lighting up its own band of rows"


@graded("train_mnist", "returns (params, activation) for a 784 -> ... -> 10 network", points=2, timeout=EASY_TIMEOUT,
        rules=("shape", "values"), pipeline=True)
def test_train_mnist_returns_network(student):
    x, y, words = easy_problem(2000, 0)
    expect_trained(student.train_mnist(x, y, 0), f"{words}; seed 0")


@graded("train_mnist", "leaves x_train and y_train untouched", points=1, timeout=EASY_TIMEOUT,
        rules=("unchanged", "values"), pipeline=True)
def test_train_mnist_leaves_data_untouched(student):
    x, y, words = easy_problem(1000, 1)
    kept_x, kept_y = x.copy(), y.copy()
    expect_trained(student.train_mnist(x, y, 0), f"{words}; seed 0")
    if not (np.array_equal(x, kept_x) and np.array_equal(y, kept_y)):
        raise CheckFailure("train_mnist modified the training data you passed in.",
                           hint="Shuffle with minibatches, which indexes with a permutation, never in place.")


@graded("train_mnist", "the same seed gives the same network", points=1, timeout=EASY_TIMEOUT,
        rules=("rng", "values"), pipeline=True)
def test_train_mnist_reproducible(student):
    x, y, words = easy_problem(1000, 2)
    first = student.train_mnist(x, y, 3)
    expect_trained(first, f"{words}; seed 3")
    again = student.train_mnist(x, y, 3)
    if network_problem(again):
        raise CheckFailure(network_problem(again), input=f"{words}; seed 3, a second time")
    same = len(first[0]) == len(again[0]) and first[1] == again[1] and all(
        a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-7)
        for la, lb in zip(first[0], again[0]) for a, b in zip(la, lb))
    if not same:
        raise CheckFailure(
            "Two runs of train_mnist with the same seed trained different networks.",
            input=f"{words}; seed 3, twice",
            hint="Make one generator, rng = np.random.default_rng(seed), and use it for init_params and every epoch.",
        )


# ---------------------------------------------------------------- the whole pipeline

# Worth 0 points: it previews, on a small problem, the two rules the graded MNIST run (hidden,
# 60,000 images) applies, so that no student meets them first in a hidden check.
@graded("05_mnist", "learns an easy problem within the time budget (a 0-point preview of the MNIST run)",
        points=0, timeout=WALL_TIMEOUT, rules=("values", "budget"))
def test_mnist_preview_within_budget(student):
    x, y, words = easy_problem(2000, 6)
    result = student.train_mnist(x, y, 0)
    seconds = student.last_cpu_seconds
    expect_trained(result, f"{words}; seed 0")
    if seconds > TIME_BUDGET_SECONDS:
        raise CheckFailure(
            f"train_mnist used {seconds:.1f} s of CPU time on only 2,000 samples, more than the "
            f"{TIME_BUDGET_SECONDS:g} s budget for all 60,000 MNIST training images, so its accuracy cannot count.",
            hint="Use fewer epochs or a smaller hidden layer, keep every array float32, and run with one BLAS "
            "thread (OPENBLAS_NUM_THREADS=1).",
        )
