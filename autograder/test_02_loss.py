"""Hidden checks of 02_loss: every public check, plus dtypes, edge cases and stability."""

import numpy as np

from hidden_math import central_differences
from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.loss import *  # noqa: F403 (every public check also grades)
from nncourse.checks.loss import require_array, require_number
from nncourse.checks.mistakes import mistake

LABEL_DTYPES = (np.int64, np.uint8, np.int16, np.int32)  # int64 first: the other dtypes are judged against it

# Values on ordinary inputs: loose enough for the usual guards (np.log(p + 1e-7), np.clip(p, 1e-12, 1)),
# tight enough for every mistake in the catalogue. The extreme-input checks judge the guards.
VALUE_RTOL, VALUE_ATOL = 1e-5, 1e-8


def random_logits(rng, n, k, scale=3.0, dtype=np.float64):
    return (scale * rng.standard_normal((n, k))).astype(dtype)


def seeded(seed):
    """Return a generator with a fixed seed: every hidden check sees the same numbers."""
    return np.random.default_rng(seed)


def require_unchanged(name, arrays):
    """Fail if any (label, array, copy) triple shows an input was modified."""
    for label, array, before in arrays:
        if not np.array_equal(array, before):
            raise CheckFailure(f"`{name}` changed its input `{label}`.",
                               hint=f"Compute new arrays; never write into `{label}` (no `-=`, `+=` or `[...] =` on it).")


def require_close(name, got, expected, input, rtol=VALUE_RTOL, atol=VALUE_ATOL, what="is wrong"):
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise CheckFailure(f"`{name}` {what}.", input=input, expected=expected, got=got)


def require_dtype(name, got, dtype, input):
    if got.dtype != dtype:
        raise CheckFailure(f"`{name}` turned {np.dtype(dtype).name} input into {got.dtype}.",
                           input=input, expected=f"a {np.dtype(dtype).name} array", got=got,
                           hint="Do not build float64 helper arrays that upcast the result; keep the input's dtype.")


def require_right_for_every_label_dtype(name, compute, labels, expected, inputs, what):
    """Fail unless compute(labels) is close to `expected` with `labels` cast to each of LABEL_DTYPES.

    A label dtype is blamed only when int64 labels give the right answer and that dtype does not;
    a wrong answer for int64 labels is a wrong formula, reported as `what`.
    """
    for dtype in LABEL_DTYPES:
        cast = labels.astype(dtype)
        shown = {**inputs, "labels": cast}
        got = compute(cast)
        if np.allclose(got, expected, rtol=VALUE_RTOL, atol=VALUE_ATOL):
            continue
        if dtype == np.int64:
            raise CheckFailure(f"`{name}` {what}.", input=shown, expected=expected, got=got)
        raise CheckFailure(
            f"`{name}` is right for int64 labels but wrong for {np.dtype(dtype).name} labels.",
            input=shown, expected=expected, got=got,
            hint="Use the labels only as indices, such as probs[np.arange(n), labels]: arithmetic on a small "
            "integer dtype wraps around (np.uint8(0) - 1 is 255).",
        )


# ---------------------------------------------------------------- one_hot

@graded("one_hot", "any integer label dtype, and n = 1", points=1, rules=("values", "shape"))
def test_one_hot_label_dtypes(student):
    def encoded(labels):
        got = student.one_hot(labels, 5)
        require_array("one_hot", got, (4, 5), {"labels": labels, "num_classes": 5})
        return got

    require_right_for_every_label_dtype("one_hot", encoded, np.array([3, 0, 4, 3]), np.eye(5)[[3, 0, 4, 3]],
                                        {"num_classes": 5}, what="is wrong for four labels and 5 classes")
    labels = np.array([2])
    got = student.one_hot(labels, 3)
    require_array("one_hot", got, (1, 3), {"labels": labels, "num_classes": 3})
    require_close("one_hot", got, [[0.0, 0.0, 1.0]], {"labels": labels}, what="is wrong for a single label")


@graded("one_hot", "matches the reference on a batch; labels unchanged; floats", points=1,
        rules=("values", "shape", "dtype", "unchanged"))
def test_one_hot_random_batch(student, reference):
    labels = seeded(0).integers(0, 10, size=57)
    before = labels.copy()
    got = student.one_hot(labels, 10)
    require_array("one_hot", got, (57, 10), {"labels": labels})
    require_close("one_hot", got, reference.one_hot(labels, 10), {"labels": labels})
    if not np.issubdtype(got.dtype, np.floating):
        raise CheckFailure(f"`one_hot` returned {got.dtype}, not floats.", got=got)
    require_unchanged("one_hot", [("labels", labels, before)])


# ---------------------------------------------------------------- mse

@graded("mse", "float32 and float64, any shape, returns one number", points=1, rules=("values", "shape", "unchanged"))
def test_mse_dtypes_and_shapes(student, reference):
    rng = seeded(0)
    for shape in [(7,), (5, 3), (1, 1), (2, 3, 4)]:
        for dtype in (np.float64, np.float32):
            pred, true = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
            copies = (pred.copy(), true.copy())
            inputs = {"y_pred": pred, "y_true": true}
            got = require_number("mse", student.mse(pred, true), inputs)
            require_close("mse", got, reference.mse(pred, true), inputs,
                          what=f"is wrong for {np.dtype(dtype).name} input of shape {shape}")
            require_unchanged("mse", [("y_pred", pred, copies[0]), ("y_true", true, copies[1])])


@graded("mse", "no overflow for values up to 1e4", points=1, rules=("stability", "values", "shape"))
def test_mse_extreme_values(student, reference):
    rng = seeded(1)
    for dtype in (np.float32, np.float64):
        pred = rng.uniform(-1e4, 1e4, size=(20, 3)).astype(dtype)
        true = rng.uniform(-1e4, 1e4, size=(20, 3)).astype(dtype)
        got = require_number("mse", student.mse(pred, true), {"y_pred": pred, "y_true": true})
        if not np.isfinite(got):
            raise CheckFailure("`mse` is not finite for values up to 1e4.", input={"y_pred": pred}, got=got)
        require_close("mse", got, reference.mse(pred, true), {"y_pred": pred, "y_true": true}, rtol=1e-4,
                      what=f"is wrong for {np.dtype(dtype).name} values up to 1e4")


# ---------------------------------------------------------------- mse_grad

@graded("mse_grad", "matches a numerical gradient of mse", points=1, rules=("values", "shape"))
def test_mse_grad_numerical(student, reference):
    rng = seeded(2)
    pred, true = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    got = student.mse_grad(pred, true)
    require_array("mse_grad", got, (5, 3), {"y_pred": pred, "y_true": true})
    expected = central_differences(lambda p: reference.mse(p, true), pred.copy())
    require_close("mse_grad", got, expected, {"y_pred": pred, "y_true": true},
                  what="does not match a numerical gradient of mse")


@graded("mse_grad", "1-D, 2-D and 3-D shapes, keeps float32 and float64, inputs unchanged", points=1,
        rules=("values", "shape", "dtype", "unchanged"))
def test_mse_grad_shapes_and_dtypes(student, reference):
    rng = seeded(3)
    for shape in [(6,), (1, 1), (4, 3), (2, 3, 2)]:
        for dtype in (np.float32, np.float64):
            pred, true = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
            copies = (pred.copy(), true.copy())
            inputs = {"y_pred": pred, "y_true": true}
            got = student.mse_grad(pred, true)
            require_array("mse_grad", got, shape, inputs)
            require_close("mse_grad", got, reference.mse_grad(pred, true), inputs,
                          what=f"is wrong for {np.dtype(dtype).name} input of shape {shape}")
            require_dtype("mse_grad", got, dtype, inputs)
            require_unchanged("mse_grad", [("y_pred", pred, copies[0]), ("y_true", true, copies[1])])


# ---------------------------------------------------------------- binary_cross_entropy

@graded("binary_cross_entropy", "matches the reference for (n,), (n, 1) and (n, k), both dtypes; inputs unchanged",
        points=1, rules=("values", "shape", "unchanged"))
def test_binary_cross_entropy_random(student, reference):
    rng = seeded(4)
    for shape in [(9,), (9, 1), (3, 4), (1,)]:
        for dtype in (np.float64, np.float32):
            p = rng.uniform(0.05, 0.95, size=shape).astype(dtype)
            y = rng.integers(0, 2, size=shape).astype(dtype)
            copies = (p.copy(), y.copy())
            inputs = {"p": p, "y": y}
            got = require_number("binary_cross_entropy", student.binary_cross_entropy(p, y), inputs)
            require_close("binary_cross_entropy", got, reference.binary_cross_entropy(p, y), inputs,
                          what=f"is wrong for {np.dtype(dtype).name} input of shape {shape}")
            require_unchanged("binary_cross_entropy", [("p", p, copies[0]), ("y", y, copies[1])])


# ---------------------------------------------------------------- cross_entropy

@graded("cross_entropy", "float32, n = 1 and any integer label dtype", points=1, rules=("values", "shape", "stability"))
def test_cross_entropy_dtypes(student):
    probs = np.array([[0.2, 0.5, 0.3]], dtype=np.float32)

    def loss(labels):
        return require_number("cross_entropy", student.cross_entropy(probs, labels), {"probs": probs, "labels": labels})

    require_right_for_every_label_dtype("cross_entropy", loss, np.array([1]), -np.log(0.5), {"probs": probs},
                                        what="is wrong for one float32 row")
    zero = np.array([[0.0, 1.0]], dtype=np.float32)
    finite_loss("cross_entropy-log-of-zero", lambda: student.cross_entropy(zero, np.array([0])), {"probs": zero},
                "It took log(0) on float32 input.")


@graded("cross_entropy", "matches the reference on random probabilities; inputs unchanged", points=1,
        rules=("values", "shape", "unchanged", "stability"))
def test_cross_entropy_random(student, reference):
    rng = seeded(5)
    raw = rng.uniform(0, 1, size=(11, 4))
    probs = raw / raw.sum(axis=1, keepdims=True)
    probs[0, :] = [0.0, 0.0, 1.0, 0.0]
    labels = rng.integers(0, 4, size=11)
    labels[0] = 1
    copies = (probs.copy(), labels.copy())
    inputs = {"probs": probs, "labels": labels}
    got = require_number("cross_entropy", student.cross_entropy(probs, labels), inputs)
    require_unchanged("cross_entropy", [("probs", probs, copies[0]), ("labels", labels, copies[1])])
    expected = reference.cross_entropy(probs, labels)
    # The row with probability 0 adds -log(EPS) / 11; any tiny EPS up to 1e-7 is accepted.
    if not (np.isfinite(got) and abs(got - expected) < 1.5):
        raise CheckFailure("`cross_entropy` is wrong on random probabilities with one probability 0.",
                           input=inputs, expected=expected, got=got)
    probs[0, :] = [0.1, 0.2, 0.3, 0.4]
    require_close("cross_entropy", student.cross_entropy(probs, labels), reference.cross_entropy(probs, labels),
                  inputs, what="is wrong on random probabilities")


# ---------------------------------------------------------------- softmax_cross_entropy

@graded("softmax_cross_entropy", "stable for |z| up to 1e4, float32 and float64", points=2,
        rules=("stability", "values", "shape"))
def test_softmax_cross_entropy_extreme(student, reference):
    rng = seeded(6)
    for dtype, rtol in [(np.float64, VALUE_RTOL), (np.float32, 1e-4)]:
        logits = rng.uniform(-1e4, 1e4, size=(8, 5)).astype(dtype)
        logits[0] = [1e4, -1e4, 0.0, 5.0, -5.0]
        labels = rng.integers(0, 5, size=8)
        labels[0] = 1  # the true class is 2e4 below the best: a loss of 2e4
        inputs = {"logits": logits, "labels": labels}
        got = finite_loss("softmax_cross_entropy-naive-log-softmax",
                          lambda: student.softmax_cross_entropy(logits, labels), inputs,
                          "It overflowed or took log(0) for logits up to 1e4.")
        require_close("softmax_cross_entropy", got, reference.softmax_cross_entropy(logits, labels), inputs,
                      rtol=rtol, what=f"is wrong for {np.dtype(dtype).name} logits up to 1e4")


@graded("softmax_cross_entropy", "n = 1 and any integer label dtype", points=1, rules=("values", "shape"))
def test_softmax_cross_entropy_single_row(student):
    logits = np.array([[0.0, 2.0, -1.0, 1.0]])
    expected = 3.4401896985611953  # log(1 + e^2 + e^-1 + e) - (-1): log-sum-exp minus the label's logit

    def loss(labels):
        return require_number("softmax_cross_entropy", student.softmax_cross_entropy(logits, labels),
                              {"logits": logits, "labels": labels})

    require_right_for_every_label_dtype("softmax_cross_entropy", loss, np.array([2]), expected, {"logits": logits},
                                        what="is wrong for one row")


@graded("softmax_cross_entropy", "matches the reference on random logits; inputs unchanged", points=1,
        rules=("values", "shape", "unchanged"))
def test_softmax_cross_entropy_random(student, reference):
    rng = seeded(7)
    for dtype in (np.float64, np.float32):
        logits = random_logits(rng, 13, 7, dtype=dtype)
        labels = rng.integers(0, 7, size=13)
        copies = (logits.copy(), labels.copy())
        inputs = {"logits": logits, "labels": labels}
        got = require_number("softmax_cross_entropy", student.softmax_cross_entropy(logits, labels), inputs)
        require_close("softmax_cross_entropy", got, reference.softmax_cross_entropy(logits, labels), inputs,
                      what=f"is wrong on random {np.dtype(dtype).name} logits")
        require_unchanged("softmax_cross_entropy", [("logits", logits, copies[0]), ("labels", labels, copies[1])])


# ---------------------------------------------------------------- softmax_cross_entropy_grad

@graded("softmax_cross_entropy_grad", "matches a numerical gradient", points=1, rules=("values", "shape"))
def test_softmax_cross_entropy_grad_numerical(student, reference):
    rng = seeded(8)
    for n, k in [(6, 4), (1, 3)]:
        logits = random_logits(rng, n, k)
        labels = rng.integers(0, k, size=n)
        got = student.softmax_cross_entropy_grad(logits, labels)
        inputs = {"logits": logits, "labels": labels}
        require_array("softmax_cross_entropy_grad", got, (n, k), inputs)
        expected = central_differences(lambda z: reference.softmax_cross_entropy(z, labels), logits.copy())
        require_close("softmax_cross_entropy_grad", got, expected, inputs,
                      what=f"does not match a numerical gradient of softmax_cross_entropy (n = {n})")


@graded("softmax_cross_entropy_grad", "stable for |z| up to 1e4; keeps float32 and float64", points=1,
        rules=("stability", "dtype", "values", "shape"))
def test_softmax_cross_entropy_grad_extreme(student, reference):
    rng = seeded(9)
    for dtype in (np.float64, np.float32):
        logits = rng.uniform(-1e4, 1e4, size=(8, 5)).astype(dtype)
        labels = rng.integers(0, 5, size=8)
        inputs = {"logits": logits, "labels": labels}
        overflow = mistake("softmax_cross_entropy_grad-overflow")
        with overflow.catches("numpy warning", input=inputs):
            got = student.softmax_cross_entropy_grad(logits, labels)
        require_array("softmax_cross_entropy_grad", got, (8, 5), inputs)
        if not np.all(np.isfinite(got)):
            raise overflow.failure("It returned inf or nan for logits up to 1e4.", input=inputs, got=got)
        require_close("softmax_cross_entropy_grad", got, reference.softmax_cross_entropy_grad(logits, labels),
                      inputs, rtol=1e-4, atol=1e-7, what=f"is wrong for {np.dtype(dtype).name} logits up to 1e4")
        require_dtype("softmax_cross_entropy_grad", got, dtype, inputs)


@graded("softmax_cross_entropy_grad", "n = 1, any integer label dtype, inputs unchanged", points=1,
        rules=("values", "shape", "unchanged"))
def test_softmax_cross_entropy_grad_labels(student):
    logits = np.array([[0.0, np.log(3.0)]])
    expected = np.array([[0.25, -0.25]])  # softmax is [1/4, 3/4]; label 1

    def gradient(labels):
        got = student.softmax_cross_entropy_grad(logits, labels)
        require_array("softmax_cross_entropy_grad", got, (1, 2), {"logits": logits, "labels": labels})
        return got

    require_right_for_every_label_dtype("softmax_cross_entropy_grad", gradient, np.array([1]), expected,
                                        {"logits": logits}, what="is wrong for one row")
    require_unchanged("softmax_cross_entropy_grad", [("logits", logits, np.array([[0.0, np.log(3.0)]]))])


# ---------------------------------------------------------------- accuracy

@graded("accuracy", "any integer label dtype, n = 1, returns one number", points=1, rules=("values", "shape"))
def test_accuracy_label_dtypes(student):
    scores = np.array([[0.2, 0.8], [0.9, 0.1], [0.4, 0.6]], dtype=np.float32)

    def fraction(labels):
        return require_number("accuracy", student.accuracy(scores, labels), {"scores": scores, "labels": labels})

    require_right_for_every_label_dtype("accuracy", fraction, np.array([1, 1, 1]), 2 / 3, {"scores": scores},
                                        what="is wrong for three float32 rows")
    for labels, expected in [(np.array([0]), 0.0), (np.array([1]), 1.0)]:
        got = require_number("accuracy", student.accuracy(scores[:1], labels), {"scores": scores[:1], "labels": labels})
        require_close("accuracy", got, expected, {"scores": scores[:1], "labels": labels}, what="is wrong for one row")


@graded("accuracy", "matches the reference on a random batch; inputs unchanged", points=1,
        rules=("values", "shape", "unchanged"))
def test_accuracy_random(student, reference):
    rng = seeded(10)
    scores = random_logits(rng, 200, 10)
    labels = rng.integers(0, 10, size=200)
    labels[:60] = np.argmax(scores[:60], axis=1)  # at least 30% right
    copies = (scores.copy(), labels.copy())
    inputs = {"scores": scores, "labels": labels}
    got = require_number("accuracy", student.accuracy(scores, labels), inputs)
    require_close("accuracy", got, reference.accuracy(scores, labels), inputs, what="is wrong on a random batch")
    require_unchanged("accuracy", [("scores", scores, copies[0]), ("labels", labels, copies[1])])
