"""Public checks for 01_forward: activations, softmax, dense layers, initialisation, the forward pass.

Expected values are literals computed once by hand or offline; where a common
mistake gives a different literal, the check recognises it and names it.
"""

import contextlib

import numpy as np

from nncourse.checks.core import CheckFailure, StudentError, graded
from nncourse.checks.mistakes import mistake

# --- helpers shared by the checks (names do not start with test_, so pytest skips them) ---

# Value tolerances: loose enough for the usual guards (`+ 1e-8` in a denominator, np.clip), which
# change a result by far less than 1e-5 of itself; float32 keeps about 7 digits.
RTOL, ATOL = 1e-5, 1e-8
FLOAT32_RTOL, FLOAT32_ATOL = 1e-4, 1e-6


def as_array(function, got, shape, input=None):
    """Return `got` after making sure it is a numpy array of `shape`."""
    if not isinstance(got, np.ndarray):
        raise CheckFailure(
            f"`{function}` returned a value of type {type(got).__name__}, not a numpy array.",
            input=input, expected=f"an array of shape {shape}", got=got,
            hint="Build the result with numpy operations on whole arrays; they return arrays.",
        )
    if got.shape != shape:
        raise CheckFailure(
            f"`{function}` returned an array of shape {got.shape}; expected shape {shape}.",
            input=input, got=got,
            hint="Compare with the shapes in the docstring. A reduction over the wrong axis, or a "
            "missing or extra keepdims, is the usual cause.",
        )
    return got


def expect_values(function, got, expected, input, problem=None, hint=None, rtol=RTOL, atol=ATOL):
    """Raise CheckFailure unless `got` is a finite array shaped like `expected` and close to it."""
    expected = np.asarray(expected, dtype=float)
    got = as_array(function, got, expected.shape, input)
    if not np.all(np.isfinite(got)):
        raise CheckFailure(
            f"`{function}` returned inf or nan.", input=input, expected=expected, got=got,
            hint=hint or "Look for an overflow (exp of a large number) or a 0/0.",
        )
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise CheckFailure(problem or f"`{function}` returned wrong values.", input=input, expected=expected, got=got, hint=hint)


def expect_float32(student, function, z, expected, name="z", float64_mistake=None, overflow=None, **kwargs):
    """Fail unless function(float32 z) leaves z alone and returns float32 values close to `expected`.

    float64_mistake: the catalogue entry that explains right values of dtype float64, if there is a usual one.
    overflow: the catalogue entry that explains a numpy warning, if there is a usual one.
    """
    z = np.array(z, dtype=np.float32)  # a copy: a function that writes into z must not spoil a shared input
    before = z.copy()
    shown = {name: z, **kwargs} if kwargs else z
    with overflow.catches("numpy warning", input=shown) if overflow else contextlib.nullcontext():
        got = getattr(student, function)(z, **kwargs)
    expect_unchanged(function, before, z, name)
    expect_values(function, got, expected, shown, rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)
    if float64_mistake is not None and got.dtype == np.float64:
        raise float64_mistake.failure("For float32 input it returned float64.", input=shown, got=got)
    expect_float_dtype(function, got, np.float32, shown, name=name)
    return got


def expect_stable(student, function, overflow, z, expected):
    """Fail unless function(z) gives `expected` on extreme z with no numpy warning (reported as `overflow`)."""
    with overflow.catches("numpy warning", input=z):
        got = getattr(student, function)(z)
    expect_values(function, got, expected, z, hint=overflow.hint)


def matches(got, values, tol=1e-6):
    """Return True when `got` has the shape of `values` and is close to it."""
    values = np.asarray(values, dtype=float)
    return isinstance(got, np.ndarray) and got.shape == values.shape and np.allclose(got, values, rtol=tol, atol=tol)


@contextlib.contextmanager
def explain(text, when):
    """Add `text` to the hint of a StudentError whose problem mentions `when`."""
    try:
        yield
    except StudentError as failure:
        if when in failure.problem:
            failure.hint = f"{failure.hint} {text}" if failure.hint else text
        raise


def describe(value):
    """Return a short description of a container, for messages about structure."""
    if isinstance(value, (list, tuple)):
        kinds = ", ".join(type(item).__name__ for item in value)
        return f"a {type(value).__name__} of {len(value)} items ({kinds})"
    return f"a {type(value).__name__}"


def expect_unchanged(function, before, after, name="z"):
    """Raise CheckFailure when the student's function changed its input array `name`."""
    if not np.array_equal(before, after):
        raise CheckFailure(
            f"`{function}` changed the array `{name}` that was passed in.",
            expected=before, got=after,
            hint=f"Lines like `{name}[{name} < 0] = 0` or `{name} -= m` modify the caller's array. "
            f"Compute a new array instead (`{name} - m`, np.maximum, np.where, ...).",
        )


def expect_float_dtype(function, got, dtype, input, name="z"):
    """Raise CheckFailure unless `got` has the floating dtype `dtype` (that of the input `name`)."""
    if got.dtype == dtype:
        return
    if got.dtype == bool:
        problem = f"`{function}` returned booleans (True/False); it must return numbers of dtype {np.dtype(dtype)}."
        hint = f"Comparisons like `{name} > 0` give booleans. Convert them with `.astype({name}.dtype)`."
    else:
        problem = f"`{function}` returned dtype {got.dtype}; for {np.dtype(dtype)} input it must return {np.dtype(dtype)}."
        hint = (
            "numpy keeps float32 when every array involved is float32, but np.where(..., 1, alpha), "
            f"`* 1.0` on booleans or .astype(float) make float64. Convert with `.astype({name}.dtype)`."
        )
    raise CheckFailure(problem, input=input, got=got, hint=hint)


# A float32 batch with the extremes the course names (|z| up to 1e4) and exact zeros.
Z32 = np.array([[-1e4, -30.0, -1.0, 0.0], [0.0, 0.5, 3.0, 1e4]], dtype=np.float32)


# --- sigmoid ---


@graded("sigmoid", "matches hand-computed values", rules=("values",))
def test_sigmoid_values(student):
    z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    with explain(mistake("sigmoid-overflow").hint, when="numpy warning"):
        got = student.sigmoid(z)
    expect_values(
        "sigmoid", got, [0.11920292202211755, 0.2689414213699951, 0.5, 0.7310585786300049, 0.8807970779778823], z,
        hint="sigmoid(z) = 1 / (1 + exp(-z)); sigmoid(0) is 0.5.",
    )


@graded("sigmoid", "no overflow for |z| up to 1e4", rules=("stability", "values"))
def test_sigmoid_extreme_inputs(student):
    expect_stable(student, "sigmoid", mistake("sigmoid-overflow"), np.array([-1e4, -40.0, 0.0, 40.0, 1e4]),
                  [0.0, 4.248354255291589e-18, 0.5, 1.0, 1.0])


@graded("sigmoid", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "shape", "values"))
def test_sigmoid_float32(student):
    expect_float32(student, "sigmoid", Z32, [[0.0, 9.3576229688393e-14, 0.2689414213699951, 0.5],
                                             [0.5, 0.6224593312018546, 0.9525741268224334, 1.0]],
                   overflow=mistake("sigmoid-overflow"))


# --- sigmoid_prime ---


@graded("sigmoid_prime", "matches hand-computed values", rules=("values",))
def test_sigmoid_prime_values(student):
    z = np.array([-2.0, 0.0, 2.0])
    got = student.sigmoid_prime(z)
    as_array("sigmoid_prime", got, z.shape, z)
    if matches(got, [-6.0, 0.0, -2.0]):
        raise mistake("sigmoid_prime-of-output").failure(
            "It returned z * (1 - z): the formula s * (1 - s) was applied to z itself.",
            input=z, expected=np.array([0.1049935854035065, 0.25, 0.10499358540350662]), got=got)
    expect_values(
        "sigmoid_prime", got, [0.1049935854035065, 0.25, 0.10499358540350662], z,
        hint="sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z)); its largest value is 0.25, at z = 0.",
    )


@graded("sigmoid_prime", "no overflow for |z| up to 1e4", rules=("stability", "values"))
def test_sigmoid_prime_extreme_inputs(student):
    expect_stable(student, "sigmoid_prime", mistake("sigmoid_prime-overflow"), np.array([-1e4, -40.0, 0.0, 40.0, 1e4]),
                  [0.0, 4.248354255291589e-18, 0.25, 4.248354255291589e-18, 0.0])


@graded("sigmoid_prime", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "shape", "values"))
def test_sigmoid_prime_float32(student):
    expect_float32(student, "sigmoid_prime", Z32, [[0.0, 9.357622968838424e-14, 0.19661193324148185, 0.25],
                                                   [0.25, 0.2350037122015945, 0.045176659730912, 0.0]],
                   overflow=mistake("sigmoid_prime-overflow"))


# --- tanh ---


@graded("tanh", "matches hand-computed values", rules=("values",))
def test_tanh_values(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = student.tanh(z)
    expect_values(
        "tanh", got,
        [-0.9640275800758169, -0.46211715726000974, 0.0, 0.46211715726000974, 0.9640275800758169], z,
        hint="tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z)); numpy has it as np.tanh.",
    )


@graded("tanh", "no overflow for |z| up to 1e4", rules=("stability", "values"))
def test_tanh_extreme_inputs(student):
    expect_stable(student, "tanh", mistake("tanh-overflow"), np.array([-1e4, -1.0, 0.0, 1.0, 1e4]),
                  [-1.0, -0.7615941559557649, 0.0, 0.7615941559557649, 1.0])


@graded("tanh", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "shape", "values"))
def test_tanh_float32(student):
    expect_float32(student, "tanh", Z32, [[-1.0, -1.0, -0.7615941559557649, 0.0],
                                          [0.0, 0.46211715726000974, 0.9950547536867305, 1.0]],
                   overflow=mistake("tanh-overflow"))


# --- tanh_prime ---


@graded("tanh_prime", "matches hand-computed values", rules=("values",))
def test_tanh_prime_values(student):
    z = np.array([-2.0, 0.0, 2.0])
    got = student.tanh_prime(z)
    as_array("tanh_prime", got, z.shape, z)
    if matches(got, [-3.0, 1.0, -3.0]):
        raise mistake("tanh_prime-of-output").failure(
            "It returned 1 - z**2: the formula 1 - a**2 was applied to z itself.",
            input=z, expected=np.array([0.07065082485316443, 1.0, 0.07065082485316443]), got=got)
    expect_values(
        "tanh_prime", got, [0.07065082485316443, 1.0, 0.07065082485316443], z,
        hint="tanh'(z) = 1 - tanh(z)**2; it is 1 at z = 0.",
    )


@graded("tanh_prime", "no overflow for |z| up to 1e4", rules=("stability", "values"))
def test_tanh_prime_extreme_inputs(student):
    expect_stable(student, "tanh_prime", mistake("tanh_prime-overflow"), np.array([-1e4, -1.0, 0.0, 1.0, 1e4]),
                  [0.0, 0.41997434161402614, 1.0, 0.41997434161402614, 0.0])


@graded("tanh_prime", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "shape", "values"))
def test_tanh_prime_float32(student):
    expect_float32(student, "tanh_prime", Z32, [[0.0, 0.0, 0.41997434161402614, 1.0],
                                                [1.0, 0.7864477329659274, 0.009866037165440211, 0.0]],
                   overflow=mistake("tanh_prime-overflow"))


# --- relu ---


@graded("relu", "matches hand-computed values", rules=("values",))
def test_relu_values(student):
    z = np.array([[-2.0, -0.5, 0.0], [0.5, 2.0, -3.0]])
    got = student.relu(z)
    expect_values("relu", got, [[0.0, 0.0, 0.0], [0.5, 2.0, 0.0]], z, hint="relu(z) = max(z, 0) elementwise: np.maximum(z, 0).")


@graded("relu", "leaves its input unchanged", rules=("unchanged", "values"))
def test_relu_input_unchanged(student):
    z = np.array([-1.0, 0.0, 3.0, -4.0])
    before = z.copy()
    got = student.relu(z)
    if not np.array_equal(before, z):
        raise mistake("relu-in-place").failure("The array z passed in has changed.", expected=before, got=z)
    expect_values("relu", got, [0.0, 0.0, 3.0, 0.0], z, hint="relu(z) = max(z, 0) elementwise: np.maximum(z, 0).")


@graded("relu", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "shape", "values"))
def test_relu_float32(student):
    expect_float32(student, "relu", Z32, [[0.0, 0.0, 0.0, 0.0], [0.0, 0.5, 3.0, 1e4]])


# --- relu_prime ---


@graded("relu_prime", "is 0 for z <= 0 and 1 for z > 0", rules=("values",))
def test_relu_prime_values(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = as_array("relu_prime", student.relu_prime(z), z.shape, z)
    if matches(got, [0.0, 0.0, 1.0, 1.0, 1.0]):
        raise mistake("relu_prime-one-at-zero").failure(input=z, expected=np.array([0.0, 0.0, 0.0, 1.0, 1.0]), got=got)
    expect_values("relu_prime", got, [0.0, 0.0, 0.0, 1.0, 1.0], z, hint="relu'(z) is 1 where z > 0 and 0 elsewhere.")


@graded("relu_prime", "returns floats, not booleans", rules=("dtype", "values"))
def test_relu_prime_dtype(student):
    z = np.array([-1.0, 0.0, 1.0])
    expected = np.array([0.0, 0.0, 1.0])
    got = as_array("relu_prime", student.relu_prime(z), z.shape, z)
    if got.dtype == bool and matches(got, expected):
        raise mistake("relu_prime-booleans").failure(input=z, expected=expected, got=got)
    expect_values("relu_prime", got, expected, z, hint="relu'(z) is 1 where z > 0 and 0 elsewhere, also 0 at z == 0.")
    expect_float_dtype("relu_prime", got, np.float64, z)


@graded("relu_prime", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "shape", "values"))
def test_relu_prime_float32(student):
    expect_float32(student, "relu_prime", Z32, [[0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 1.0]],
                   float64_mistake=mistake("relu_prime-float64"))


# --- leaky_relu ---


@graded("leaky_relu", "matches hand-computed values", rules=("values", "defaults"))
def test_leaky_relu_values(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = student.leaky_relu(z)
    expect_values(
        "leaky_relu", got, [-0.02, -0.005, 0.0, 0.5, 2.0], z,
        hint="leaky_relu(z) is z where z > 0 and alpha * z elsewhere (alpha = 0.01 by default): try np.where.",
    )


@graded("leaky_relu", "uses the alpha argument", rules=("values",))
def test_leaky_relu_alpha(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = as_array("leaky_relu", student.leaky_relu(z, alpha=0.2), z.shape, {"z": z, "alpha": 0.2})
    if matches(got, [-0.02, -0.005, 0.0, 0.5, 2.0]):
        raise mistake("leaky_relu-ignores-alpha").failure(
            "leaky_relu(z, alpha=0.2) gave the same result as alpha=0.01.",
            input={"z": z, "alpha": 0.2}, expected=np.array([-0.4, -0.1, 0.0, 0.5, 2.0]), got=got)
    expect_values("leaky_relu", got, [-0.4, -0.1, 0.0, 0.5, 2.0], {"z": z, "alpha": 0.2})


@graded("leaky_relu", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "shape", "values"))
def test_leaky_relu_float32(student):
    expect_float32(student, "leaky_relu", Z32, [[-1000.0, -3.0, -0.1, 0.0], [0.0, 0.5, 3.0, 1e4]], alpha=0.1)


# --- leaky_relu_prime ---


@graded("leaky_relu_prime", "is alpha for z <= 0 and 1 for z > 0", rules=("values", "defaults", "dtype"))
def test_leaky_relu_prime_values(student):
    z = np.array([-2.0, 0.0, 2.0])
    got = as_array("leaky_relu_prime", student.leaky_relu_prime(z), z.shape, z)
    if matches(got, [0.01, 1.0, 1.0]):
        raise mistake("leaky_relu_prime-one-at-zero").failure(input=z, expected=np.array([0.01, 0.01, 1.0]), got=got)
    if matches(got, [0.0, 0.0, 1.0]):
        raise mistake("leaky_relu_prime-zero-left").failure(input=z, expected=np.array([0.01, 0.01, 1.0]), got=got)
    expect_values("leaky_relu_prime", got, [0.01, 0.01, 1.0], z)
    expect_float_dtype("leaky_relu_prime", got, np.float64, z)


@graded("leaky_relu_prime", "uses the alpha argument", rules=("values",))
def test_leaky_relu_prime_alpha(student):
    z = np.array([-2.0, 0.0, 2.0])
    shown = {"z": z, "alpha": 0.2}
    got = as_array("leaky_relu_prime", student.leaky_relu_prime(z, alpha=0.2), z.shape, shown)
    if matches(got, [0.01, 0.01, 1.0]):
        raise mistake("leaky_relu_prime-ignores-alpha").failure(
            "leaky_relu_prime(z, alpha=0.2) gave the same result as alpha=0.01.",
            input=shown, expected=np.array([0.2, 0.2, 1.0]), got=got)
    expect_values("leaky_relu_prime", got, [0.2, 0.2, 1.0], shown)


@graded("leaky_relu_prime", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "shape", "values"))
def test_leaky_relu_prime_float32(student):
    expect_float32(student, "leaky_relu_prime", Z32, [[0.1, 0.1, 0.1, 0.1], [0.1, 1.0, 1.0, 1.0]],
                   float64_mistake=mistake("leaky_relu_prime-float64"), alpha=0.1)


# --- softmax ---

SOFTMAX_Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
SOFTMAX_OF_Z = np.array([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [1 / 3, 1 / 3, 1 / 3]])


@graded("softmax", "each row is a probability vector", rules=("values",))
def test_softmax_values(student):
    z = SOFTMAX_Z.copy()
    with mistake("softmax-no-keepdims").catches("broadcast", input=z, expected=SOFTMAX_OF_Z):
        got = student.softmax(z)
    as_array("softmax", got, z.shape, z)
    if matches(got, [[0.7310585786300049, 0.8807970779778824, 0.9525741268224333],
                     [0.2689414213699951, 0.11920292202211755, 0.04742587317756678]]):
        raise mistake("softmax-wrong-axis").failure(
            "It normalised over axis 0: the columns sum to 1 instead of the rows.", input=z, expected=SOFTMAX_OF_Z, got=got)
    expect_values(
        "softmax", got, SOFTMAX_OF_Z, z,
        hint="softmax(z)[i, j] = exp(z[i, j]) / sum over k of exp(z[i, k]); each row must sum to 1.",
    )


@graded("softmax", "stable for large logits", rules=("stability", "values"))
def test_softmax_large_logits(student):
    z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    expected = np.array([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [0.0, 0.0, 1.0]])
    no_shift = mistake("softmax-no-max-shift")
    with no_shift.catches("numpy warning", input=z, expected=expected), \
            mistake("softmax-no-keepdims").catches("broadcast", input=z, expected=expected):
        got = student.softmax(z)
    expect_values("softmax", got, expected, z, hint=no_shift.hint)


@graded("softmax", "leaves its input unchanged", rules=("unchanged", "values"))
def test_softmax_input_unchanged(student):
    z = np.array([[3.0, 1.0, -1.0], [0.5, 0.5, 2.0]])
    before = z.copy()
    with mistake("softmax-no-keepdims").catches("broadcast", input=z):
        got = student.softmax(z)
    if not np.array_equal(before, z):
        raise mistake("softmax-in-place").failure("The logits z passed in have changed.", expected=before, got=z)
    expect_values("softmax", got, [[0.8668133321973347, 0.11731042782619835, 0.015876239976466762],
                                   [0.1542807729818862, 0.1542807729818862, 0.6914384540362276]], z)


@graded("softmax", "a float32 batch: float32 out, stable at |z| = 1e4, z unchanged",
        rules=("dtype", "stability", "unchanged", "values"))
def test_softmax_float32(student):
    z = np.array([[1e4, 0.0, -1e4], [3.0, 2.5, -1.0]])
    expect_float32(student, "softmax", z, [[1.0, 0.0, 0.0], [0.61544282733744, 0.3732849440803858, 0.01127222858217413]],
                   overflow=mistake("softmax-no-max-shift"))


@graded("softmax", "works on a single 1-D vector of logits", rules=("values", "shape"))
def test_softmax_vector(student):
    z = np.array([2.0, -1.0, 0.5, 0.0])
    expect_values(
        "softmax", student.softmax(z), [0.7100999228861743, 0.03535379340874887, 0.15844470951497971, 0.09610157419009724],
        z, hint="Use axis=-1 (the last axis), which for a vector is its only axis.",
    )


# --- dense_forward ---

DENSE_X = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 2.0]])
DENSE_W = np.array([[1.0, 0.0, -1.0, 2.0], [0.5, 1.0, 0.0, -1.0], [0.0, 2.0, 1.0, 0.5]])
DENSE_B = np.array([0.1, 0.2, 0.3, 0.4])
DENSE_Z = np.array([[2.1, 8.2, 2.3, 1.9], [-0.9, 4.2, 3.3, -0.6]])


def dense_layer(dtype=np.float64):
    """Return copies of the hand-made layer's x, W and b in `dtype`, and how to show them in a message."""
    x, W, b = (a.astype(dtype) for a in (DENSE_X, DENSE_W, DENSE_B))
    return x, W, b, {"x": x, "W": W, "b": b}


@graded("dense_forward", "computes x @ W + b", rules=("values", "shape"))
def test_dense_forward_values(student):
    x, W, b, shown = dense_layer()
    hint = "W has shape (d_in, d_out) and samples are rows, so x @ W has shape (n, d_out) with no transpose."
    with explain(hint, when="raised"):
        got = student.dense_forward(x, W, b)
    if isinstance(got, np.ndarray) and got.shape == (4, 2):
        raise mistake("dense_forward-samples-as-columns").failure(
            "Samples must stay rows.", input=shown, expected="shape (n, d_out) = (2, 4)", got=got)
    as_array("dense_forward", got, (2, 4), shown)
    if matches(got, [[2.0, 8.0, 2.0, 1.5], [-1.0, 4.0, 3.0, -1.0]]):
        raise mistake("dense_forward-no-bias").failure(input=shown, expected=DENSE_Z, got=got)
    expect_values("dense_forward", got, DENSE_Z, shown, hint="Compute x @ W + b.")


@graded("dense_forward", "does not transpose W", rules=("values",))
def test_dense_forward_square_weights(student):
    x = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    W = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [3.0, 0.0, 1.0]])
    b = np.array([0.5, 0.0, -0.5])
    shown = {"x": x, "W": W, "b": b}
    got = as_array("dense_forward", student.dense_forward(x, W, b), (2, 3), shown)
    expected = np.array([[1.5, 4.0, -2.5], [9.5, -1.0, 3.5]])
    if matches(got, [[5.5, 2.0, 2.5], [-1.5, -4.0, 2.5]]):
        raise mistake("dense_forward-transposed-W").failure(
            "With a square W the shapes fit, but the numbers are wrong.", input=shown, expected=expected, got=got)
    expect_values("dense_forward", got, expected, shown, hint="Compute x @ W + b.")


@graded("dense_forward", "float32 in gives float32 out", rules=("dtype", "values"))
def test_dense_forward_float32(student):
    x, W, b, shown = dense_layer(np.float32)
    got = student.dense_forward(x, W, b)
    expect_values("dense_forward", got, DENSE_Z, shown, rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL, hint="Compute x @ W + b.")
    expect_float_dtype("dense_forward", got, np.float32, shown, name="x")


@graded("dense_forward", "leaves x, W and b unchanged", rules=("unchanged", "values"))
def test_dense_forward_inputs_unchanged(student):
    x, W, b, shown = dense_layer()
    got = student.dense_forward(x, W, b)
    for name, before, after in zip("xWb", (DENSE_X, DENSE_W, DENSE_B), (x, W, b)):
        expect_unchanged("dense_forward", before, after, name)
    expect_values("dense_forward", got, DENSE_Z, shown, hint="Compute x @ W + b.")


# --- init_params ---


def call_init(student, sizes, seed=0, rng=None):
    """Return the student's init_params(sizes, rng) after checking it is a list of (W, b) pairs.

    The generator is `rng` when given, else a new one seeded with `seed`.
    """
    rng = np.random.default_rng(seed) if rng is None else rng
    params = student.init_params(list(sizes), rng)
    if not isinstance(params, (list, tuple)) or len(params) != len(sizes) - 1:
        raise CheckFailure(
            f"`init_params({list(sizes)}, rng)` must return a list of {len(sizes) - 1} (W, b) pairs, one per layer.",
            input={"layer_sizes": list(sizes)}, got=describe(params),
            hint="Loop over consecutive sizes: zip(layer_sizes[:-1], layer_sizes[1:]) gives (d_in, d_out) pairs.",
        )
    for layer in params:
        if not (isinstance(layer, (list, tuple)) and len(layer) == 2 and all(isinstance(p, np.ndarray) for p in layer)):
            raise CheckFailure(
                "Each entry of the list `init_params` returns must be a tuple (W, b) of two numpy arrays.",
                input={"layer_sizes": list(sizes)}, got=describe(layer),
            )
    return params


def expect_layer_shapes(W, b, d_in, d_out, shown):
    """Fail unless W is (d_in, d_out) and b is (d_out,)."""
    if W.shape == (d_out, d_in) and d_in != d_out:
        raise mistake("init_params-transposed-W").failure(
            f"A weight matrix has shape {W.shape}; the course uses (d_in, d_out) = {(d_in, d_out)}.", input=shown, got=W)
    if W.shape != (d_in, d_out) or b.shape != (d_out,):
        raise CheckFailure(
            f"The layer from {d_in} to {d_out} units has W of shape {W.shape} and b of shape {b.shape}.",
            input=shown, expected=f"W {(d_in, d_out)}, b {(d_out,)}", got=f"W {W.shape}, b {b.shape}",
        )


def expect_he_scaled(W, d_in, d_out, shown):
    """Fail unless W has mean about 0 and std within 5% of sqrt(2 / d_in); name the usual wrong scalings.

    The layers the checks use have thousands of weights, so a right std lands within 1% or 2% of He's.
    """
    std, mean, he = float(W.std()), float(W.mean()), np.sqrt(2 / d_in)
    if abs(std / he - 1) < 0.05 and abs(mean) < 0.1 * he:
        return
    known = [
        (1.0, mistake("init_params-unscaled")),
        (np.sqrt(1 / d_in), mistake("init_params-lecun-scale")),
        (np.sqrt(2 / (d_in + d_out)), mistake("init_params-glorot-scale")),
        (np.sqrt(2 / d_out), mistake("init_params-d_out-scale")),
        (2 / d_in, mistake("init_params-variance-as-std")),
    ]
    detail = (f"The layer from {d_in} to {d_out} units: the standard deviation of its weights (got) "
              f"against sqrt(2 / {d_in}) (expected).")
    for value, scaling in known:
        if abs(std / value - 1) < 0.05:
            raise scaling.failure(detail, input=shown, expected=he, got=std)
    raise CheckFailure(
        f"The layer from {d_in} to {d_out} units has weights with mean {mean:.4g} and standard deviation {std:.4g}; "
        f"they must have mean 0 and standard deviation sqrt(2 / {d_in}) (shown below).",
        input=shown, expected=he, got=std,
        hint="Draw every layer's W = rng.normal(0.0, np.sqrt(2 / d_in), size=(d_in, d_out)), with that layer's d_in.",
    )


def expect_he_init(params, sizes):
    """Fail unless every layer of `params` has the right shapes, zero biases and He-scaled weights."""
    shown = {"layer_sizes": list(sizes)}
    for (d_in, d_out), (W, b) in zip(zip(sizes[:-1], sizes[1:]), params):
        expect_layer_shapes(W, b, d_in, d_out, shown)
        if not np.all(b == 0):
            raise mistake("init_params-random-biases").failure("The biases must start at exactly zero.", input=shown, got=b)
        expect_he_scaled(W, d_in, d_out, shown)


@graded("init_params", "W is (d_in, d_out) and b is (d_out,) for every layer", rules=("shape", "values"))
def test_init_params_shapes(student):
    sizes = [100, 300, 200]
    expect_he_init(call_init(student, sizes), sizes)


@graded("init_params", "biases start at zero", rules=("values",))
def test_init_params_zero_biases(student):
    sizes = [300, 100, 40]
    expect_he_init(call_init(student, sizes, seed=1), sizes)


@graded("init_params", "He scaling: W has std sqrt(2 / d_in)", rules=("values",))
def test_init_params_he_scale(student):
    sizes = [500, 100]
    expect_he_init(call_init(student, sizes), sizes)


@graded("init_params", "draws from the rng it is given", rules=("rng", "values"))
def test_init_params_uses_rng(student):
    sizes = [200, 100, 50]
    first = call_init(student, sizes, seed=7)
    again = call_init(student, sizes, seed=7)
    other = call_init(student, sizes, seed=8)
    if not all(np.array_equal(W1, W2) for (W1, _), (W2, _) in zip(first, again)):
        raise mistake("init_params-global-random").failure(
            "Two calls with generators made from the same seed gave different weights.",
            input=f"init_params({sizes}, np.random.default_rng(7)), twice")
    if all(np.array_equal(W1, W2) for (W1, _), (W2, _) in zip(first, other)):
        raise mistake("init_params-own-generator").failure(
            "Generators with different seeds gave the same weights.", input=f"init_params({sizes}, rng) with seeds 7 and 8")
    expect_he_init(first, sizes)


# --- forward ---

NET_X = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, -1.0]])
NET_PARAMS = [
    (np.array([[0.5, -1.0, 0.2, 0.0], [0.3, 0.4, -0.5, 1.0], [-1.0, 0.6, 0.8, -0.3]]), np.array([0.1, -0.2, 0.0, 0.3])),
    (np.array([[1.0, -0.5], [-0.7, 0.2], [0.4, 0.9], [-1.2, 0.6]]), np.array([0.05, -0.1])),
]
NET_Z1 = np.array([[-0.5, -1.7, 1.6, -1.85], [1.4, -0.4, -1.3, 1.6]])
NET_A1_RELU = np.array([[0.0, 0.0, 1.6, 0.0], [1.4, 0.0, 0.0, 1.6]])
NET_A1_TANH = np.array([[-0.46211715726000974, -0.935409070603099, 0.9216685544064713, -0.9517459571646616],
                        [0.8853516482022624, -0.3799489622552249, -0.8617231593133063, 0.9216685544064713]])
NET_LOGITS_RELU = np.array([[0.69, 1.34], [-0.47, 0.16]])
NET_LOGITS_TANH = np.array([[1.7534317625223421, 0.20243088917641236], [-0.24937560723216828, -0.8412153272902692]])
# What the usual mistakes of forward return as logits of the small network.
NET_LOGITS_THROUGH_ACTIVATION = {  # the activation applied to the last layer's z too
    "relu": np.array([[0.69, 1.34], [0.0, 0.16]]),
    "tanh": np.array([[0.9417648553348175, 0.19971038425284235], [-0.24433163423520565, -0.6864522432919449]]),
}
NET_LOGITS_LINEAR = np.array([[3.6, 0.14], [-0.71, -1.09]])  # no activation on the hidden layer


def fresh_network(dtype=np.float64):
    """Return copies of the small test network's x and params, so a student's changes cannot leak."""
    return NET_X.astype(dtype), [(W.astype(dtype), b.astype(dtype)) for W, b in NET_PARAMS]


def unpack_forward(result, n_layers, shown):
    """Return (logits, cache) after checking forward returned that pair."""
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise CheckFailure(
            "`forward` must return a pair (logits, cache).", input=shown, got=describe(result),
            hint="End with `return a, cache`.",
        )
    logits, cache = result
    if not isinstance(cache, (list, tuple)) or len(cache) != n_layers:
        raise CheckFailure(
            f"The cache must be a list with one (a_prev, z) pair per layer: {n_layers} here.",
            input=shown, got=describe(cache), hint="Append (a_prev, z) to the cache once inside the loop over layers.",
        )
    for entry in cache:
        if not (isinstance(entry, (list, tuple)) and len(entry) == 2 and all(isinstance(a, np.ndarray) for a in entry)):
            raise CheckFailure(
                "Each cache entry must be a pair (a_prev, z) of numpy arrays.", input=shown, got=describe(entry),
                hint="Append the tuple (a_prev, z): the layer's input and its pre-activation.",
            )
    return logits, cache


def name_logits_mistake(logits, activation, shown, tol=1e-6):
    """Raise the usual mistake whose logits of the small network with `activation` are `logits`, if there is one."""
    expected = {"relu": NET_LOGITS_RELU, "tanh": NET_LOGITS_TANH}[activation]
    report = {"input": shown, "expected": expected, "got": logits}
    if activation != "relu" and matches(logits, NET_LOGITS_RELU, tol):
        raise mistake("forward-ignores-activation").failure(
            f"forward(x, params, activation=\"{activation}\") gave the ReLU network's logits.", **report)
    if matches(logits, NET_LOGITS_THROUGH_ACTIVATION[activation], tol):
        raise mistake("forward-activation-on-logits").failure(
            f"The last layer must return raw z, not {activation}(z).", **report)
    if matches(logits, NET_LOGITS_LINEAR, tol):
        raise mistake("forward-no-hidden-activation").failure(**report)


@graded("forward", "logits of a small ReLU network (default activation)", rules=("values", "defaults", "shape"))
def test_forward_relu_logits(student):
    x, params = fresh_network()
    shown = {"x": x}
    logits, _ = unpack_forward(student.forward(x, params), 2, shown)
    as_array("forward", logits, (2, 2), shown)
    name_logits_mistake(logits, "relu", shown)
    expect_values("forward", logits, NET_LOGITS_RELU, shown, hint="Hidden layers: a = relu(a_prev @ W + b). Last layer: logits = a_prev @ W + b.")


@graded("forward", "cache holds (a_prev, z) for every layer", rules=("values", "shape"))
def test_forward_cache(student):
    x, params = fresh_network()
    shown = {"x": x}
    _, cache = unpack_forward(student.forward(x, params, activation="relu"), 2, shown)
    (a0, z1), (a1, z2) = cache
    if matches(a0, NET_Z1) and matches(z1, NET_X):
        raise mistake("forward-cache-order").failure(input=shown, got={"cache[0][0]": a0, "cache[0][1]": z1})
    if matches(a0, NET_A1_RELU):
        raise mistake("forward-cache-output").failure(
            "The first cache entry holds relu(z); it must hold the layer's input a_prev (for layer 1, x).",
            input=shown, expected=NET_X, got=a0)
    expect_values("forward", a0, NET_X, shown, "cache[0][0] must be the network's input x.")
    expect_values("forward", z1, NET_Z1, shown, "cache[0][1] must be the first layer's pre-activation z = x @ W + b.")
    expect_values("forward", a1, NET_A1_RELU, shown, "cache[1][0] must be the second layer's input relu(z) of the first layer.")
    expect_values("forward", z2, NET_LOGITS_RELU, shown, "cache[1][1] must be the last layer's z, which equals the logits.")


@graded("forward", "uses the activation argument", rules=("values",))
def test_forward_activation_argument(student):
    x, params = fresh_network()
    shown = {"x": x, "activation": "tanh"}
    logits, _ = unpack_forward(student.forward(x, params, activation="tanh"), 2, shown)
    as_array("forward", logits, (2, 2), shown)
    name_logits_mistake(logits, "tanh", shown)
    expect_values("forward", logits, NET_LOGITS_TANH, shown)


@graded("forward", "float32 in gives float32 logits and cache", rules=("dtype", "values"))
def test_forward_float32(student):
    x, params = fresh_network(np.float32)
    shown = {"x": x, "activation": "tanh"}
    logits, cache = unpack_forward(student.forward(x, params, activation="tanh"), 2, shown)
    as_array("forward", logits, (2, 2), shown)
    name_logits_mistake(logits, "tanh", shown, tol=FLOAT32_RTOL)
    expected = {
        "logits": (logits, NET_LOGITS_TANH),
        "cache[0][0]": (cache[0][0], NET_X), "cache[0][1]": (cache[0][1], NET_Z1),
        "cache[1][0]": (cache[1][0], NET_A1_TANH), "cache[1][1]": (cache[1][1], NET_LOGITS_TANH),
    }
    for name, (got, want) in expected.items():
        expect_values("forward", got, want, shown, f"`forward` returned wrong values in {name}.",
                      rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)
    for got, _ in expected.values():
        expect_float_dtype("forward", got, np.float32, shown, name="x")


@graded("forward", "leaves x and params unchanged", rules=("unchanged", "values"))
def test_forward_inputs_unchanged(student):
    x, params = fresh_network()
    logits, _ = unpack_forward(student.forward(x, params, activation="relu"), 2, {"x": x})
    expect_unchanged("forward", NET_X, x, "x")
    for (W0, b0), (W, b) in zip(NET_PARAMS, params):
        expect_unchanged("forward", W0, W, "W")
        expect_unchanged("forward", b0, b, "b")
    as_array("forward", logits, (2, 2), {"x": x})
    name_logits_mistake(logits, "relu", {"x": x})
    expect_values("forward", logits, NET_LOGITS_RELU, {"x": x})
