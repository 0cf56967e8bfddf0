"""Public checks for 01_forward: activations, softmax, dense layers, initialisation, the forward pass.

Expected values are literals computed once by hand or offline; where a common
mistake gives a different literal, the check recognises it and names it.
"""

import contextlib

import numpy as np

from nncourse.checks.core import CheckFailure, StudentError, graded
from nncourse.checks.mistakes import mistake

# --- helpers shared by the checks (names do not start with test_, so pytest skips them) ---


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


def expect_close(function, got, want, input, tol=1e-9, hint=None):
    """Raise CheckFailure unless `got` is a finite array shaped and valued like `want`."""
    got = as_array(function, got, want.shape, input)
    if not np.all(np.isfinite(got)):
        raise CheckFailure(f"`{function}` returned inf or nan.", input=input, expected=want, got=got, hint=hint)
    if not np.allclose(got, want, rtol=tol, atol=tol):
        raise CheckFailure(f"`{function}` returned wrong values.", input=input, expected=want, got=got, hint=hint)


def expect_float32_like_reference(student, reference, function, x, name="z", **kwargs):
    """Fail unless float32 `x` gives a float32 result close to the reference's answer for float64 `x`."""
    got = as_array(function, getattr(student, function)(x, **kwargs), x.shape, x)
    expect_float_dtype(function, got, np.float32, x, name=name)
    expect_close(function, got, getattr(reference, function)(x.astype(np.float64), **kwargs), x, tol=1e-5)


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


def expect_values(function, got, expected, input, problem=None, hint=None):
    """Raise CheckFailure unless `got` is an array close to `expected`."""
    expected = np.asarray(expected, dtype=float)
    got = as_array(function, got, expected.shape, input)
    if not np.all(np.isfinite(got)):
        raise CheckFailure(
            f"`{function}` returned inf or nan.", input=input, expected=expected, got=got,
            hint=hint or "Look for an overflow (exp of a large number) or a 0/0.",
        )
    if not np.allclose(got, expected, rtol=1e-6, atol=1e-8):
        raise CheckFailure(problem or f"`{function}` returned wrong values.", input=input, expected=expected, got=got, hint=hint)


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


# --- sigmoid ---


@graded("sigmoid", "matches hand-computed values")
def test_sigmoid_values(student):
    z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    with explain(mistake("sigmoid-overflow").hint, when="numpy warning"):
        got = student.sigmoid(z)
    expect_values(
        "sigmoid", got, [0.11920292202211755, 0.2689414213699951, 0.5, 0.7310585786300049, 0.8807970779778823], z,
        hint="sigmoid(z) = 1 / (1 + exp(-z)); sigmoid(0) is 0.5.",
    )


@graded("sigmoid", "no overflow for |z| up to 1e4")
def test_sigmoid_extreme_inputs(student):
    expect_stable(student, "sigmoid", mistake("sigmoid-overflow"), np.array([-1e4, -40.0, 0.0, 40.0, 1e4]),
                  [0.0, 4.248354255291589e-18, 0.5, 1.0, 1.0])


# --- sigmoid_prime ---


@graded("sigmoid_prime", "matches hand-computed values")
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


@graded("sigmoid_prime", "no overflow for |z| up to 1e4")
def test_sigmoid_prime_extreme_inputs(student):
    expect_stable(student, "sigmoid_prime", mistake("sigmoid_prime-overflow"), np.array([-1e4, 1e4]), [0.0, 0.0])


# --- tanh ---


@graded("tanh", "matches hand-computed values")
def test_tanh_values(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = student.tanh(z)
    expect_values(
        "tanh", got,
        [-0.9640275800758169, -0.46211715726000974, 0.0, 0.46211715726000974, 0.9640275800758169], z,
        hint="tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z)); numpy has it as np.tanh.",
    )


@graded("tanh", "no overflow for |z| up to 1e4")
def test_tanh_extreme_inputs(student):
    expect_stable(student, "tanh", mistake("tanh-overflow"), np.array([-1e4, 1e4]), [-1.0, 1.0])


# --- tanh_prime ---


@graded("tanh_prime", "matches hand-computed values")
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


@graded("tanh_prime", "no overflow for |z| up to 1e4")
def test_tanh_prime_extreme_inputs(student):
    expect_stable(student, "tanh_prime", mistake("tanh_prime-overflow"), np.array([-1e4, 1e4]), [0.0, 0.0])


# --- relu ---


@graded("relu", "matches hand-computed values")
def test_relu_values(student):
    z = np.array([[-2.0, -0.5, 0.0], [0.5, 2.0, -3.0]])
    got = student.relu(z)
    expect_values("relu", got, [[0.0, 0.0, 0.0], [0.5, 2.0, 0.0]], z, hint="relu(z) = max(z, 0) elementwise: np.maximum(z, 0).")


@graded("relu", "leaves its input unchanged")
def test_relu_input_unchanged(student):
    z = np.array([-1.0, 0.0, 3.0, -4.0])
    before = z.copy()
    student.relu(z)
    if not np.array_equal(before, z):
        raise mistake("relu-in-place").failure("The array z passed in has changed.", expected=before, got=z)


# --- relu_prime ---


@graded("relu_prime", "is 0 for z <= 0 and 1 for z > 0")
def test_relu_prime_values(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = as_array("relu_prime", student.relu_prime(z), z.shape, z)
    if matches(got, [0.0, 0.0, 1.0, 1.0, 1.0]):
        raise mistake("relu_prime-one-at-zero").failure(input=z, expected=np.array([0.0, 0.0, 0.0, 1.0, 1.0]), got=got)
    expect_values("relu_prime", got, [0.0, 0.0, 0.0, 1.0, 1.0], z, hint="relu'(z) is 1 where z > 0 and 0 elsewhere.")


@graded("relu_prime", "returns floats, not booleans")
def test_relu_prime_dtype(student):
    z = np.array([-1.0, 0.0, 1.0])
    got = as_array("relu_prime", student.relu_prime(z), z.shape, z)
    if got.dtype == bool:
        raise mistake("relu_prime-booleans").failure(input=z, expected=np.array([0.0, 0.0, 1.0]), got=got)
    expect_float_dtype("relu_prime", got, np.float64, z)


# --- leaky_relu ---


@graded("leaky_relu", "matches hand-computed values")
def test_leaky_relu_values(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = student.leaky_relu(z)
    expect_values(
        "leaky_relu", got, [-0.02, -0.005, 0.0, 0.5, 2.0], z,
        hint="leaky_relu(z) is z where z > 0 and alpha * z elsewhere (alpha = 0.01 by default): try np.where.",
    )


@graded("leaky_relu", "uses the alpha argument")
def test_leaky_relu_alpha(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = as_array("leaky_relu", student.leaky_relu(z, alpha=0.2), z.shape, {"z": z, "alpha": 0.2})
    if matches(got, [-0.02, -0.005, 0.0, 0.5, 2.0]):
        raise mistake("leaky_relu-ignores-alpha").failure(
            "leaky_relu(z, alpha=0.2) gave the same result as alpha=0.01.",
            input={"z": z, "alpha": 0.2}, expected=np.array([-0.4, -0.1, 0.0, 0.5, 2.0]), got=got)
    expect_values("leaky_relu", got, [-0.4, -0.1, 0.0, 0.5, 2.0], {"z": z, "alpha": 0.2})


# --- leaky_relu_prime ---


@graded("leaky_relu_prime", "is alpha for z <= 0 and 1 for z > 0")
def test_leaky_relu_prime_values(student):
    z = np.array([-2.0, 0.0, 2.0])
    got = as_array("leaky_relu_prime", student.leaky_relu_prime(z), z.shape, z)
    if matches(got, [0.01, 1.0, 1.0]):
        raise mistake("leaky_relu_prime-one-at-zero").failure(input=z, expected=np.array([0.01, 0.01, 1.0]), got=got)
    if matches(got, [0.0, 0.0, 1.0]):
        raise mistake("leaky_relu_prime-zero-left").failure(input=z, expected=np.array([0.01, 0.01, 1.0]), got=got)
    expect_values("leaky_relu_prime", got, [0.01, 0.01, 1.0], z)
    expect_float_dtype("leaky_relu_prime", got, np.float64, z)


@graded("leaky_relu_prime", "uses the alpha argument")
def test_leaky_relu_prime_alpha(student):
    z = np.array([-2.0, 0.0, 2.0])
    shown = {"z": z, "alpha": 0.2}
    got = as_array("leaky_relu_prime", student.leaky_relu_prime(z, alpha=0.2), z.shape, shown)
    if matches(got, [0.01, 0.01, 1.0]):
        raise mistake("leaky_relu_prime-ignores-alpha").failure(
            "leaky_relu_prime(z, alpha=0.2) gave the same result as alpha=0.01.",
            input=shown, expected=np.array([0.2, 0.2, 1.0]), got=got)
    expect_values("leaky_relu_prime", got, [0.2, 0.2, 1.0], shown)


# --- softmax ---

@graded("softmax", "each row is a probability vector")
def test_softmax_values(student):
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    expected = np.array([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [1 / 3, 1 / 3, 1 / 3]])
    with mistake("softmax-no-keepdims").catches("broadcast", input=z, expected=expected):
        got = student.softmax(z)
    as_array("softmax", got, z.shape, z)
    if matches(got, [[0.7310585786300049, 0.8807970779778824, 0.9525741268224333],
                     [0.2689414213699951, 0.11920292202211755, 0.04742587317756678]]):
        raise mistake("softmax-wrong-axis").failure(
            "It normalised over axis 0: the columns sum to 1 instead of the rows.", input=z, expected=expected, got=got)
    expect_values(
        "softmax", got, expected, z,
        hint="softmax(z)[i, j] = exp(z[i, j]) / sum over k of exp(z[i, k]); each row must sum to 1.",
    )


@graded("softmax", "stable for large logits")
def test_softmax_large_logits(student):
    z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    expected = np.array([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [0.0, 0.0, 1.0]])
    no_shift = mistake("softmax-no-max-shift")
    with no_shift.catches("numpy warning", input=z, expected=expected), \
            mistake("softmax-no-keepdims").catches("broadcast", input=z, expected=expected):
        got = student.softmax(z)
    expect_values("softmax", got, expected, z, hint=no_shift.hint)


@graded("softmax", "leaves its input unchanged")
def test_softmax_input_unchanged(student):
    z = np.array([[3.0, 1.0, -1.0], [0.5, 0.5, 2.0]])
    before = z.copy()
    with mistake("softmax-no-keepdims").catches("broadcast", input=z):
        student.softmax(z)
    if not np.array_equal(before, z):
        raise mistake("softmax-in-place").failure("The logits z passed in have changed.", expected=before, got=z)


# --- dense_forward ---

DENSE_X = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 2.0]])
DENSE_W = np.array([[1.0, 0.0, -1.0, 2.0], [0.5, 1.0, 0.0, -1.0], [0.0, 2.0, 1.0, 0.5]])
DENSE_B = np.array([0.1, 0.2, 0.3, 0.4])


@graded("dense_forward", "computes x @ W + b")
def test_dense_forward_values(student):
    x, W, b = DENSE_X.copy(), DENSE_W.copy(), DENSE_B.copy()
    shown = {"x": x, "W": W, "b": b}
    hint = "W has shape (d_in, d_out) and samples are rows, so x @ W has shape (n, d_out) with no transpose."
    with explain(hint, when="raised"):
        got = student.dense_forward(x, W, b)
    if isinstance(got, np.ndarray) and got.shape == (4, 2):
        raise mistake("dense_forward-samples-as-columns").failure(
            "Samples must stay rows.", input=shown, expected="shape (n, d_out) = (2, 4)", got=got)
    as_array("dense_forward", got, (2, 4), shown)
    if matches(got, [[2.0, 8.0, 2.0, 1.5], [-1.0, 4.0, 3.0, -1.0]]):
        raise mistake("dense_forward-no-bias").failure(
            input=shown, expected=np.array([[2.1, 8.2, 2.3, 1.9], [-0.9, 4.2, 3.3, -0.6]]), got=got)
    expect_values("dense_forward", got, [[2.1, 8.2, 2.3, 1.9], [-0.9, 4.2, 3.3, -0.6]], shown, hint="Compute x @ W + b.")


@graded("dense_forward", "does not transpose W")
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


@graded("init_params", "W is (d_in, d_out) and b is (d_out,) for every layer")
def test_init_params_shapes(student):
    sizes = [4, 3, 2]
    params = call_init(student, sizes)
    for (d_in, d_out), (W, b) in zip(zip(sizes[:-1], sizes[1:]), params):
        if W.shape == (d_out, d_in):
            raise mistake("init_params-transposed-W").failure(
                f"A weight matrix has shape {W.shape}; the course uses (d_in, d_out) = {(d_in, d_out)}.",
                input={"layer_sizes": sizes}, got=W)
        if W.shape != (d_in, d_out) or b.shape != (d_out,):
            raise CheckFailure(
                f"The layer from {d_in} to {d_out} units has W of shape {W.shape} and b of shape {b.shape}.",
                input={"layer_sizes": sizes}, expected=f"W {(d_in, d_out)}, b {(d_out,)}",
                got=f"W {W.shape}, b {b.shape}",
            )


@graded("init_params", "biases start at zero")
def test_init_params_zero_biases(student):
    params = call_init(student, [4, 3, 2])
    for W, b in params:
        if not np.all(b == 0):
            raise mistake("init_params-random-biases").failure(
                "The biases must start at exactly zero.", input={"layer_sizes": [4, 3, 2]}, got=b)


@graded("init_params", "He scaling: W has std sqrt(2 / d_in)")
def test_init_params_he_scale(student):
    d_in, d_out = 500, 100
    (W, _), = call_init(student, [d_in, d_out])
    std = float(W.std())
    he = np.sqrt(2 / d_in)
    known = [
        (1.0, mistake("init_params-unscaled")),
        (np.sqrt(1 / d_in), mistake("init_params-lecun-scale")),
        (np.sqrt(2 / (d_in + d_out)), mistake("init_params-glorot-scale")),
        (np.sqrt(2 / d_out), mistake("init_params-d_out-scale")),
        (2 / d_in, mistake("init_params-variance-as-std")),
    ]
    if abs(std / he - 1) < 0.05 and abs(float(W.mean())) < 0.01:
        return
    for value, scaling in known:
        if abs(std / value - 1) < 0.05:
            raise scaling.failure(input={"layer_sizes": [d_in, d_out]},
                                  expected=f"std about {he:.4f} = sqrt(2 / {d_in})", got=f"std {std:.4f}")
    raise CheckFailure(
        "The weights do not have mean 0 and standard deviation sqrt(2 / d_in).", input={"layer_sizes": [d_in, d_out]},
        expected=f"mean about 0, std about {he:.4f}", got=f"mean {float(W.mean()):.4f}, std {std:.4f}",
        hint="Draw W = rng.normal(0.0, np.sqrt(2 / d_in), size=(d_in, d_out)).",
    )


@graded("init_params", "draws from the rng it is given")
def test_init_params_uses_rng(student):
    first = call_init(student, [5, 4, 3], seed=7)
    again = call_init(student, [5, 4, 3], seed=7)
    other = call_init(student, [5, 4, 3], seed=8)
    if not all(np.array_equal(W1, W2) for (W1, _), (W2, _) in zip(first, again)):
        raise mistake("init_params-global-random").failure(
            "Two calls with generators made from the same seed gave different weights.",
            input="init_params([5, 4, 3], np.random.default_rng(7)), twice")
    if all(np.array_equal(W1, W2) for (W1, _), (W2, _) in zip(first, other)):
        raise mistake("init_params-own-generator").failure(
            "Generators with different seeds gave the same weights.", input="init_params([5, 4, 3], rng) with seeds 7 and 8")


# --- forward ---

NET_X = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, -1.0]])
NET_PARAMS = [
    (np.array([[0.5, -1.0, 0.2, 0.0], [0.3, 0.4, -0.5, 1.0], [-1.0, 0.6, 0.8, -0.3]]), np.array([0.1, -0.2, 0.0, 0.3])),
    (np.array([[1.0, -0.5], [-0.7, 0.2], [0.4, 0.9], [-1.2, 0.6]]), np.array([0.05, -0.1])),
]
NET_Z1 = np.array([[-0.5, -1.7, 1.6, -1.85], [1.4, -0.4, -1.3, 1.6]])
NET_A1_RELU = np.array([[0.0, 0.0, 1.6, 0.0], [1.4, 0.0, 0.0, 1.6]])
NET_LOGITS_RELU = np.array([[0.69, 1.34], [-0.47, 0.16]])
NET_LOGITS_TANH = np.array([[1.75343176, 0.20243089], [-0.24937561, -0.84121533]])


def fresh_network():
    """Return copies of the small test network's x and params, so a student's changes cannot leak."""
    return NET_X.copy(), [(W.copy(), b.copy()) for W, b in NET_PARAMS]


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


@graded("forward", "logits of a small ReLU network (default activation)")
def test_forward_relu_logits(student):
    x, params = fresh_network()
    shown = {"x": x}
    logits, _ = unpack_forward(student.forward(x, params), 2, shown)
    as_array("forward", logits, (2, 2), shown)
    if matches(logits, [[0.69, 1.34], [0.0, 0.16]]):
        raise mistake("forward-activation-on-logits").failure(
            "The last layer must return raw z, not relu(z).", input=shown, expected=NET_LOGITS_RELU, got=logits)
    if matches(logits, [[3.6, 0.14], [-0.71, -1.09]]):
        raise mistake("forward-no-hidden-activation").failure(input=shown, expected=NET_LOGITS_RELU, got=logits)
    expect_values("forward", logits, NET_LOGITS_RELU, shown, hint="Hidden layers: a = relu(a_prev @ W + b). Last layer: logits = a_prev @ W + b.")


@graded("forward", "cache holds (a_prev, z) for every layer")
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


@graded("forward", "uses the activation argument")
def test_forward_activation_argument(student):
    x, params = fresh_network()
    shown = {"x": x, "activation": "tanh"}
    logits, _ = unpack_forward(student.forward(x, params, activation="tanh"), 2, shown)
    as_array("forward", logits, (2, 2), shown)
    if matches(logits, NET_LOGITS_RELU):
        raise mistake("forward-ignores-activation").failure(
            "forward(x, params, activation=\"tanh\") gave the ReLU network's logits.",
            input=shown, expected=NET_LOGITS_TANH, got=logits)
    expect_values("forward", logits, NET_LOGITS_TANH, shown)
