"""Public checks of 02_loss: loss functions, their gradients, and accuracy.

Expected values are literals computed once by hand or offline. Where a usual
mistake gives a predictable wrong answer on the same input, the check names
that mistake.
"""

import numpy as np

from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.mistakes import mistake, raise_if_known


def require_number(name, got, input):
    """Fail unless `got` is a single number (a Python float or a 0-d array)."""
    if isinstance(got, (int, float)) and not isinstance(got, bool):
        return float(got)
    if isinstance(got, np.ndarray) and got.shape == ():
        return float(got)
    if isinstance(got, np.ndarray) and got.ndim >= 1:
        raise CheckFailure(
            f"`{name}` returned an array of shape {got.shape}, but a loss is a single number.",
            input=input, expected="one number (a Python float)", got=got,
            hint="Average over every sample with np.mean(...) and return float(...) of it.",
        )
    raise CheckFailure(
        f"`{name}` returned {type(got).__name__}, but a loss is a single number.",
        input=input, expected="one number (a Python float)", got=got,
        hint="Return float(np.mean(...)).",
    )


def require_array(name, got, shape, input):
    """Fail unless `got` is a numpy array of the given shape."""
    if not isinstance(got, np.ndarray):
        raise CheckFailure(
            f"`{name}` returned {type(got).__name__}, not a numpy array.",
            input=input, expected=f"an array of shape {shape}", got=got,
        )
    if got.shape != shape:
        raise CheckFailure(
            f"`{name}` returned shape {got.shape}, expected {shape}.",
            input=input, expected=f"shape {shape}", got=got,
        )


def constant_ratio(got, expected):
    """Return c when got == c * expected on every nonzero entry, else None."""
    nonzero = expected != 0
    if not np.all(np.isfinite(got)) or not nonzero.any() or np.any(got[~nonzero] != 0):
        return None
    ratios = got[nonzero] / expected[nonzero]
    return float(ratios[0]) if np.allclose(ratios, ratios[0]) else None


# ---------------------------------------------------------------- one_hot

@graded("one_hot", "marks the label's column in each row", points=1, rules=("values", "shape", "unchanged"))
def test_one_hot_values(student):
    labels = np.array([2, 0, 2])
    got = student.one_hot(labels, 4)
    inputs = {"labels": labels, "num_classes": 4}
    if isinstance(got, np.ndarray) and got.shape == (4, 3):
        raise mistake("one_hot-transposed").failure(
            input=inputs, expected="shape (3, 4): n rows, num_classes columns", got=got)
    if isinstance(got, np.ndarray) and got.shape == (3, 3):
        raise mistake("one_hot-ignores-num_classes").failure(
            "It made one column per label it saw (0 to 2), not 4.", input=inputs, expected="shape (3, 4)", got=got)
    require_array("one_hot", got, (3, 4), inputs)
    expected = np.array([[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    if not np.array_equal(got, expected):
        raise CheckFailure(
            "`one_hot` put the ones in the wrong places.",
            input=inputs, expected=expected, got=got,
            hint="Row i gets a single 1, in column labels[i]; every other entry is 0.",
        )
    if not np.array_equal(labels, [2, 0, 2]):
        raise CheckFailure("`one_hot` changed its input `labels`.", got=labels,
                           hint="Build a new array; do not write into labels.")


@graded("one_hot", "returns floats", points=1, rules=("dtype", "values", "shape"))
def test_one_hot_float_dtype(student):
    labels = np.array([1, 0], dtype=np.int32)
    inputs = {"labels": labels, "num_classes": 3}
    got = student.one_hot(labels, 3)
    require_array("one_hot", got, (2, 3), inputs)
    if not np.issubdtype(got.dtype, np.floating):
        raise mistake("one_hot-integers").failure(
            f"It returned an array of {got.dtype}.", input=inputs, expected="a float array (float64)", got=got)
    expected = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    if not np.array_equal(got, expected):
        raise CheckFailure(
            "`one_hot` put the ones in the wrong places for int32 labels.", input=inputs, expected=expected, got=got,
            hint="Row i gets a single 1, in column labels[i]; every other entry is 0.",
        )


# ---------------------------------------------------------------- mse

MSE_PRED = np.array([[1.0, 2.0, 3.0, 0.0], [0.0, -1.0, 2.0, 1.0], [4.0, 0.0, 1.0, 2.0]])
MSE_TRUE = np.array([[0.0, 2.0, 5.0, -0.5], [0.0, -4.0, 2.0, 2.0], [2.0, 0.0, 1.0, 1.0]])
MSE_VALUE = 1.6875  # squares add up to 20.25, over 12 elements
MSE_GRAD = np.array([
    [1 / 6, 0.0, -1 / 3, 1 / 12],
    [0.0, 1 / 2, 0.0, -1 / 6],
    [1 / 3, 0.0, 0.0, 1 / 6],
])  # 2 * (y_pred - y_true) / 12

MSE_MISTAKES = {  # wrong value -> what produces it, on MSE_PRED and MSE_TRUE
    20.25: mistake("mse-sum"),
    6.75: mistake("mse-divided-by-rows"),
    np.sqrt(1.6875): mistake("mse-root"),
}


@graded("mse", "mean of the squared errors", points=1, rules=("values", "shape"))
def test_mse_values(student):
    pred, true = MSE_PRED.copy(), MSE_TRUE.copy()
    inputs = {"y_pred": pred, "y_true": true}
    got = require_number("mse", student.mse(pred, true), inputs)
    if np.isclose(got, MSE_VALUE):
        return
    raise_if_known(got, MSE_MISTAKES, input=inputs, expected=MSE_VALUE, got=got)
    raise CheckFailure(
        "`mse` returned a wrong value.", input=inputs, expected=MSE_VALUE, got=got,
        hint="Average the squared difference over every element: np.mean((y_pred - y_true) ** 2).",
    )


@graded("mse", "0 for a perfect prediction, right for float32 values up to 1e4, inputs unchanged", points=1,
        rules=("values", "stability", "shape", "unchanged"))
def test_mse_perfect_prediction_and_large_values(student):
    pred = np.array([[0.5], [-2.0], [3.0]])
    true = pred.copy()
    got = require_number("mse", student.mse(pred, true), {"y_pred": pred, "y_true": true})
    if got != 0.0:
        raise CheckFailure("`mse` is not 0 when y_pred equals y_true.",
                           input={"y_pred": pred, "y_true": true}, expected=0.0, got=got)
    large_pred = np.array([1e4, -1e4, 0.5], dtype=np.float32)
    large_true = np.array([-1e4, 1e4, 0.5], dtype=np.float32)
    inputs = {"y_pred": large_pred, "y_true": large_true}
    got = require_number("mse", student.mse(large_pred, large_true), inputs)
    expected = 8e8 / 3  # squares 4e8, 4e8 and 0, over 3 elements
    if not np.isclose(got, expected):
        raise CheckFailure("`mse` is wrong for float32 values up to 1e4.", input=inputs, expected=expected, got=got,
                           hint="Average the squared difference over every element: np.mean((y_pred - y_true) ** 2). "
                           "Squares up to 4e8 fit easily in float32.")
    if not (np.array_equal(pred, [[0.5], [-2.0], [3.0]]) and np.array_equal(true, pred)
            and np.array_equal(large_pred, [1e4, -1e4, 0.5]) and np.array_equal(large_true, [-1e4, 1e4, 0.5])):
        raise CheckFailure("`mse` changed one of its inputs.", hint="Compute a new array; never write into y_pred or y_true.")


# ---------------------------------------------------------------- mse_grad

MSE_GRAD_MISTAKES = {  # got / expected -> the mistake, for a (3, 4) input
    0.5: mistake("mse_grad-no-factor-2"),
    12.0: mistake("mse_grad-not-averaged"),
    6.0: mistake("mse_grad-bare-error"),
    4.0: mistake("mse_grad-divided-by-rows"),
    2.0: mistake("mse_grad-rows-no-factor-2"),
    3.0: mistake("mse_grad-divided-by-columns"),
    -1.0: mistake("mse_grad-sign-flipped"),
}


@graded("mse_grad", "equals 2 (y_pred - y_true) / number of elements", points=1, rules=("values", "shape"))
def test_mse_grad_values(student):
    pred, true = MSE_PRED.copy(), MSE_TRUE.copy()
    inputs = {"y_pred": pred, "y_true": true}
    got = student.mse_grad(pred, true)
    require_array("mse_grad", got, (3, 4), inputs)
    if np.allclose(got, MSE_GRAD):
        return
    ratio = constant_ratio(got, MSE_GRAD)
    for c, known in MSE_GRAD_MISTAKES.items():
        if ratio is not None and np.isclose(ratio, c):
            raise known.failure(f"The result is {c:g} times the expected gradient.", input=inputs, expected=MSE_GRAD, got=got)
    raise CheckFailure(
        "`mse_grad` is wrong.", input=inputs, expected=MSE_GRAD, got=got,
        hint="mse = mean((y_pred - y_true)**2) over all N elements, so its derivative in each "
        "y_pred entry is 2 * (y_pred - y_true) / N, with N = y_pred.size.",
    )


@graded("mse_grad", "keeps float32 and leaves inputs alone", points=1, rules=("dtype", "values", "shape", "unchanged"))
def test_mse_grad_float32(student):
    pred = np.array([[1.0, 0.0], [2.0, -1.0]], dtype=np.float32)
    true = np.array([[0.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    got = student.mse_grad(pred, true)
    inputs = {"y_pred": pred, "y_true": true}
    require_array("mse_grad", got, (2, 2), inputs)
    if got.dtype != np.float32:
        raise CheckFailure(
            f"`mse_grad` turned float32 input into {got.dtype}.",
            input=inputs, expected="a float32 array", got=got,
            hint="Let numpy keep the input's dtype: avoid np.array(..., dtype=float) and float64 helper arrays.",
        )
    if not np.allclose(got, [[0.5, 0.0], [0.5, -1.0]]):
        raise CheckFailure("`mse_grad` is wrong on a float32 input.", input=inputs,
                           expected=np.array([[0.5, 0.0], [0.5, -1.0]], dtype=np.float32), got=got)
    if not np.array_equal(pred, [[1.0, 0.0], [2.0, -1.0]]) or not np.array_equal(true, [[0.0, 0.0], [1.0, 1.0]]):
        raise CheckFailure("`mse_grad` changed one of its inputs.", hint="Compute a new array; never write into y_pred or y_true.")


# ---------------------------------------------------------------- binary_cross_entropy

def finite_loss(key, call, inputs, detail):
    """Return the loss `call()` computes; if it warns or is not finite, report the mistake `key`, saying `detail`."""
    known = mistake(key)
    with known.catches("numpy warning", input=inputs, expected="a finite number"):
        got = call()
    got = require_number(known.function, got, inputs)
    if not np.isfinite(got):
        raise known.failure(detail, input=inputs, expected="a finite number", got=got)
    return got


BCE_P = np.array([0.9, 0.2, 0.6, 0.5])
BCE_Y = np.array([1.0, 0.0, 0.0, 1.0])
BCE_VALUE = 0.484485494851534  # -(log .9 + log .8 + log .4 + log .5) / 4
BCE_MISTAKES = {  # wrong value -> what produces it, on BCE_P and BCE_Y of any shape
    0.19962692405444288: mistake("binary_cross_entropy-missing-term"),
    1.937941979406136: mistake("binary_cross_entropy-sum"),
    -0.484485494851534: mistake("binary_cross_entropy-no-minus"),
}


@graded("binary_cross_entropy", "mean of -(y log p + (1-y) log(1-p)), for (n,) and (n, k); inputs unchanged", points=1,
        rules=("values", "shape", "unchanged"))
def test_binary_cross_entropy_values(student):
    for shape in [(4,), (2, 2)]:
        p, y = BCE_P.reshape(shape).copy(), BCE_Y.reshape(shape).copy()
        inputs = {"p": p, "y": y}
        got = require_number("binary_cross_entropy", student.binary_cross_entropy(p, y), inputs)
        if not np.isclose(got, BCE_VALUE):
            known = dict(BCE_MISTAKES)
            if shape == (2, 2):  # len(p) is 2 here, but the mean runs over p.size = 4 elements
                known[2 * BCE_VALUE] = mistake("binary_cross_entropy-divided-by-rows")
            raise_if_known(got, known, input=inputs, expected=BCE_VALUE, got=got)
            raise CheckFailure(
                f"`binary_cross_entropy` returned a wrong value for an input of shape {shape}.",
                input=inputs, expected=BCE_VALUE, got=got,
                hint="Average -(y * log(p) + (1 - y) * log(1 - p)) over every element.",
            )
        if not np.array_equal(p, BCE_P.reshape(shape)) or not np.array_equal(y, BCE_Y.reshape(shape)):
            raise CheckFailure("`binary_cross_entropy` changed one of its inputs.",
                               hint="np.maximum(p, EPS) makes a new array; np.clip(p, ..., out=p) or p[p == 0] = EPS would not.")


@graded("binary_cross_entropy", "finite when p is exactly 0 or 1", points=1, rules=("stability", "values", "shape"))
def test_binary_cross_entropy_certain(student):
    p, y = np.array([1.0, 0.0]), np.array([1.0, 0.0])
    got = finite_loss("binary_cross_entropy-log-of-zero", lambda: student.binary_cross_entropy(p, y), {"p": p, "y": y},
                      "For a perfect prediction (p = 1 with y = 1) the unused log(1 - p) is log 0, and 0 * -inf is nan.")
    if not abs(got) < 1e-6:
        raise CheckFailure("`binary_cross_entropy` of perfect, certain predictions should be 0.",
                           input={"p": p, "y": y}, expected=0.0, got=got)
    p_wrong = np.array([0.0, 1.0])
    got = finite_loss("binary_cross_entropy-log-of-zero", lambda: student.binary_cross_entropy(p_wrong, y),
                      {"p": p_wrong, "y": y}, "A certain but wrong prediction took log(0).")
    if not 5 < got < 1000:
        raise CheckFailure(
            "`binary_cross_entropy` should be large when the model is certain and wrong.",
            input={"p": p_wrong, "y": y}, expected="about -log(1e-12) = 27.6", got=got,
            hint="Clamp with a tiny EPS such as 1e-12, so that the loss stays finite but large.",
        )


@graded("binary_cross_entropy", "finite for float32 p of exactly 0 and 1", points=1, rules=("stability", "values", "shape"))
def test_binary_cross_entropy_float32_certain(student):
    p = np.array([1.0, 0.0, 1.0, 0.0], dtype=np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0], dtype=np.float32)
    inputs = {"p": p, "y": y}
    # Only the float32 input trips a clip to 1 - EPS; a loss that fails in float64 too takes log(0) outright.
    try:
        student.binary_cross_entropy(p.astype(np.float64), y.astype(np.float64))
        key = "binary_cross_entropy-float32-clip"
    except CheckFailure:
        key = "binary_cross_entropy-log-of-zero"
    got = finite_loss(key, lambda: student.binary_cross_entropy(p, y), inputs,
                      "It took log(0) on float32 input.")
    if not 5 < got < 1000:
        raise CheckFailure(
            "`binary_cross_entropy` is wrong for certain float32 predictions: two are right, two certain and wrong.",
            input=inputs, expected="about (0 + 0 + 27.6 + 27.6) / 4 = 13.8, with EPS = 1e-12", got=got,
            hint="Clamp the argument of each log to at least EPS, so a certain mistake costs about -log(EPS).",
        )


# ---------------------------------------------------------------- cross_entropy

@graded("cross_entropy", "mean of -log of the true class's probability", points=1, rules=("values", "shape"))
def test_cross_entropy_values(student):
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4], [0.25, 0.25, 0.5]])
    labels = np.array([0, 2, 2])
    inputs = {"probs": probs, "labels": labels}
    got = require_number("cross_entropy", student.cross_entropy(probs, labels), inputs)
    expected = 0.6553709521242777  # -(log .7 + log .4 + log .5) / 3
    if np.isclose(got, expected):
        return
    known = {
        1.3188444898787735: mistake("cross_entropy-block-indexing"),
        1.966112856372833: mistake("cross_entropy-sum"),
        -0.6553709521242777: mistake("cross_entropy-no-minus"),
    }
    raise_if_known(got, known, input=inputs, expected=expected, got=got)
    raise CheckFailure(
        "`cross_entropy` returned a wrong value.", input=inputs, expected=expected, got=got,
        hint="Pick one probability per row with probs[np.arange(n), labels], then average -log of them.",
    )


@graded("cross_entropy", "finite when the true class has probability 0", points=1,
        rules=("stability", "values", "shape", "unchanged"))
def test_cross_entropy_zero_probability(student):
    probs = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    labels = np.array([0, 1])
    inputs = {"probs": probs, "labels": labels}
    got = finite_loss("cross_entropy-log-of-zero", lambda: student.cross_entropy(probs, labels), inputs,
                      "The true class of the first row has probability 0.")
    if not 5 < got < 1000:
        raise CheckFailure(
            "`cross_entropy` should be large when the true class gets probability 0.",
            input=inputs, expected="about (-log(1e-12) - log(0.5)) / 2 = 14.2", got=got,
            hint="Clamp the picked probabilities to at least a tiny EPS such as 1e-12.",
        )
    if not np.array_equal(probs, [[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]]):
        raise CheckFailure("`cross_entropy` changed its input `probs`.", got=probs,
                           hint="np.maximum(picked, EPS) makes a new array; np.clip(..., out=probs) would not.")


# ---------------------------------------------------------------- softmax_cross_entropy

SCE_LOGITS = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0], [-1.0, 3.0, 1.0]])
SCE_LABELS = np.array([0, 2, 1])


@graded("softmax_cross_entropy", "matches cross-entropy of the softmax", points=1, rules=("values", "shape", "unchanged"))
def test_softmax_cross_entropy_values(student):
    logits, labels = SCE_LOGITS.copy(), SCE_LABELS.copy()
    inputs = {"logits": logits, "labels": labels}
    got = require_number("softmax_cross_entropy", student.softmax_cross_entropy(logits, labels), inputs)
    expected = 0.54971662720413
    if not np.isclose(got, expected):
        raise CheckFailure(
            "`softmax_cross_entropy` returned a wrong value.",
            input=inputs, expected=expected, got=got,
            hint="For each row, the loss is log(sum_j exp(z_j)) - z_label; average over the rows.",
        )
    if not np.array_equal(logits, SCE_LOGITS):
        raise CheckFailure("`softmax_cross_entropy` changed its input `logits`.", got=logits,
                           hint="`logits - logits.max(...)` makes a new array; `logits -= ...` overwrites the caller's.")


@graded("softmax_cross_entropy", "stable for large logits", points=1, rules=("stability", "values", "shape"))
def test_softmax_cross_entropy_large_logits(student):
    logits, labels = np.array([[1000.0, 0.0], [-5.0, 5.0]]), np.array([1, 1])
    inputs = {"logits": logits, "labels": labels}
    expected = 500.00002269944963  # (1000 + log(1 + e^-1000) + log(1 + e^-10)) / 2
    naive = mistake("softmax_cross_entropy-naive-log-softmax")
    got = finite_loss(naive.key, lambda: student.softmax_cross_entropy(logits, labels), inputs,
                      "exp(1000) overflows to inf, and inf / inf is nan.")
    if np.isclose(got, 13.815533257413882, rtol=1e-3):
        raise mistake("softmax_cross_entropy-clipped-log").failure(
            "The true class of the first row has probability e^-1000, which rounds to 0, so its loss came out "
            "as -log(EPS) instead of about 1000.", input=inputs, expected=expected, got=got)
    if not np.isclose(got, expected):
        raise CheckFailure("`softmax_cross_entropy` is wrong for large logits.",
                           input=inputs, expected=expected, got=got, hint=naive.hint)


# ---------------------------------------------------------------- softmax_cross_entropy_grad

SCE_GRAD = np.array([
    [-0.1115863480750594, 0.08157615701826589, 0.03001019105679349],
    [0.1111111111111111, 0.1111111111111111, -0.22222222222222224],
    [0.005292079992155588, -0.044395555934221766, 0.03910347594206612],
])  # (softmax(SCE_LOGITS) - one_hot(SCE_LABELS)) / 3


@graded("softmax_cross_entropy_grad", "equals (softmax - one_hot) / n", points=1, rules=("values", "shape", "unchanged"))
def test_softmax_cross_entropy_grad_values(student):
    logits, labels = SCE_LOGITS.copy(), SCE_LABELS.copy()
    inputs = {"logits": logits, "labels": labels}
    got = student.softmax_cross_entropy_grad(logits, labels)
    require_array("softmax_cross_entropy_grad", got, (3, 3), inputs)
    if not np.array_equal(logits, SCE_LOGITS):
        raise CheckFailure("`softmax_cross_entropy_grad` changed its input `logits`.", got=logits,
                           hint="Compute the softmax into a new array before subtracting the one-hot targets.")
    if np.allclose(got, SCE_GRAD):
        return
    name_grad_mistake(got, SCE_GRAD, inputs)
    raise CheckFailure("`softmax_cross_entropy_grad` is wrong.", input=inputs, expected=SCE_GRAD, got=got,
                       hint="The gradient is (softmax(logits) - one_hot(labels, k)) / n, with n rows.")


def name_grad_mistake(got, expected, inputs):
    """Raise the usual mistake of softmax_cross_entropy_grad that turns `expected` into `got`, if there is one."""
    n = len(expected)
    ratio = constant_ratio(got, expected)
    shown = {"input": inputs, "expected": expected, "got": got}
    if ratio is not None and np.isclose(ratio, n):
        raise mistake("softmax_cross_entropy_grad-not-divided").failure(f"It is {n} times too large, with n = {n}.", **shown)
    if ratio is not None and np.isclose(ratio, -1.0):
        raise mistake("softmax_cross_entropy_grad-sign-flipped").failure(**shown)
    if np.allclose(got.sum(axis=1), 1 / n) or np.allclose(got.sum(axis=1), 1.0):
        raise mistake("softmax_cross_entropy_grad-no-one-hot").failure("Its rows sum to 1/n or 1, not 0.", **shown)


@graded("softmax_cross_entropy_grad", "stable for large logits; rows sum to 0", points=1,
        rules=("stability", "values", "shape"))
def test_softmax_cross_entropy_grad_large_logits(student):
    logits, labels = np.array([[1000.0, 0.0], [0.0, -1000.0]]), np.array([1, 0])
    inputs = {"logits": logits, "labels": labels}
    expected = np.array([[0.5, -0.5], [0.0, 0.0]])
    overflow = mistake("softmax_cross_entropy_grad-overflow")
    with overflow.catches("numpy warning", input=inputs, expected=expected):
        got = student.softmax_cross_entropy_grad(logits, labels)
    require_array("softmax_cross_entropy_grad", got, (2, 2), inputs)
    if not np.all(np.isfinite(got)):
        raise overflow.failure("It returned inf or nan on large logits.", input=inputs, expected=expected, got=got)
    if not np.allclose(got, expected):
        name_grad_mistake(got, expected, inputs)
    if not np.allclose(got.sum(axis=1), 0.0):
        raise CheckFailure(
            "The rows of `softmax_cross_entropy_grad` should each sum to 0.",
            input=inputs, expected=expected, got=got,
            hint="softmax rows sum to 1 and one-hot rows sum to 1, so their difference sums to 0.",
        )
    if not np.allclose(got, expected):
        raise CheckFailure("`softmax_cross_entropy_grad` is wrong for large logits.",
                           input=inputs, expected=expected, got=got)


@graded("softmax_cross_entropy_grad", "keeps float32", points=1, rules=("dtype", "values", "shape"))
def test_softmax_cross_entropy_grad_float32(student):
    logits = np.array([[0.0, np.log(3.0)], [1.0, 1.0]], dtype=np.float32)
    labels = np.array([1, 0])
    inputs = {"logits": logits, "labels": labels}
    expected = np.array([[0.125, -0.125], [-0.25, 0.25]], dtype=np.float32)  # softmax rows [1/4, 3/4] and [1/2, 1/2]
    got = student.softmax_cross_entropy_grad(logits, labels)
    require_array("softmax_cross_entropy_grad", got, (2, 2), inputs)
    if not np.allclose(got, expected):
        name_grad_mistake(got, expected, inputs)
        raise CheckFailure("`softmax_cross_entropy_grad` is wrong on float32 logits.", input=inputs, expected=expected, got=got,
                           hint="The gradient is (softmax(logits) - one_hot(labels, k)) / n, with n rows.")
    if got.dtype != np.float32:
        raise mistake("softmax_cross_entropy_grad-float64-result").failure(
            f"float32 logits gave a {got.dtype} gradient.", input=inputs, expected=expected, got=got)


# ---------------------------------------------------------------- accuracy

ACCURACY_PROBS = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
ACCURACY_LABELS = np.array([1, 0, 1, 1])


@graded("accuracy", "fraction of rows whose argmax is the label", points=1, rules=("values", "shape", "unchanged"))
def test_accuracy_values(student):
    probs, labels = ACCURACY_PROBS.copy(), ACCURACY_LABELS.copy()
    inputs = {"scores": probs, "labels": labels}
    got = student.accuracy(probs, labels)
    expected = 0.75  # predictions 1, 0, 2, 1: three of four are right
    if isinstance(got, (int, float)) and got == 3:
        raise mistake("accuracy-count").failure(
            "It returned the number of correct rows (3), not the fraction (0.75).", input=inputs, expected=expected, got=got)
    got = require_number("accuracy", got, inputs)
    if not np.isclose(got, expected):
        raise CheckFailure(
            "`accuracy` returned a wrong value. It should compare each row's predicted class "
            "(the index of its largest score) with the label, not the scores themselves.",
            input=inputs, expected=expected, got=got,
            hint="predictions = np.argmax(scores, axis=1); then average predictions == labels.",
        )
    if not np.array_equal(probs, ACCURACY_PROBS) or not np.array_equal(labels, ACCURACY_LABELS):
        raise CheckFailure("`accuracy` changed one of its inputs.", hint="Compare into a new array; never write into scores or labels.")


@graded("accuracy", "works on raw scores and returns a fraction in [0, 1]", points=1, rules=("values", "shape"))
def test_accuracy_raw_scores(student):
    logits = np.array([[-3.0, 5.0], [12.0, -1.0], [0.5, 2.5], [-7.0, -9.0], [1.0, 4.0]])
    cases = [(np.array([1, 0, 1, 0, 1], dtype=np.int32), 1.0), (np.array([0, 1, 0, 1, 0], dtype=np.int32), 0.0)]
    for labels, expected in cases:
        inputs = {"scores": logits, "labels": labels}
        got = student.accuracy(logits, labels)
        if isinstance(got, (int, float)) and got == 5 * expected and expected:
            raise mistake("accuracy-count").failure(input=inputs, expected=expected, got=got)
        got = require_number("accuracy", got, inputs)
        if not np.isclose(got, expected):
            raise CheckFailure(
                "`accuracy` is wrong on raw scores (logits can be negative or larger than 1).",
                input=inputs, expected=expected, got=got,
                hint="Only the position of each row's largest score matters: np.argmax(scores, axis=1).",
            )
