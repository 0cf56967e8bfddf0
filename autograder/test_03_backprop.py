"""Hidden checks of 03_backprop: every public check, plus numerical gradient checks of the backward pass.

The public checks grade float32 output, default arguments and extreme inputs on hand-made
literals; the checks here grade values on random inputs of other shapes.
"""

import numpy as np

from nncourse.checks.backprop import *  # noqa: F403 (every public check also grades)
from nncourse.checks.backprop import require_array, require_number, require_unchanged
from hidden_math import central_differences
from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.functions import Expression
from nncourse.checks.mistakes import mistake

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


def seeded(seed):
    """Return a generator with a fixed seed: every hidden check sees the same numbers."""
    return np.random.default_rng(seed)


def relative_gap(a, b):
    """Return max|a - b| / max(max(|a| + |b|), 1e-12), the contract's relative error."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-12))


def require_close(name, label, got, expected, input, tolerance=1e-5):
    error = relative_gap(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64))
    if not error < tolerance:
        raise CheckFailure(f"`{name}` returned a wrong {label} (relative error {error:.1e}).",
                           input=input, expected=np.asarray(expected), got=got)


# ---------------------------------------------------------------- numerical_gradient

@graded("numerical_gradient", "non-contiguous and 3-D arrays", points=2, rules=("values", "shape", "unchanged"))
def test_numerical_gradient_views(student):
    rng = seeded(0)
    base = rng.standard_normal((4, 6))
    cases = {
        "every other column of a (4, 6) array": base[:, ::2],
        "a transposed (6, 4) array": base.T,
        "a (2, 3, 2) array": rng.standard_normal((2, 3, 2)),
    }
    for label, x in cases.items():
        w = rng.standard_normal(x.shape)
        before = x.copy()
        base_before = base.copy()
        got = student.numerical_gradient(Expression("np.sum(w * np.sin(x))", w=w), x)
        inputs = {"f": "f(x) = sum(w * sin(x))", "x": label}
        require_array("numerical_gradient", got, x.shape, inputs)
        require_unchanged("numerical_gradient", x, before, 1e-6)
        require_unchanged("numerical_gradient", base, base_before, 1e-6)
        expected = w * np.cos(before)
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-8):
            raise CheckFailure(
                f"`numerical_gradient` is wrong for {label}.", input=inputs, expected=expected, got=got,
                hint="x.ravel() and x.reshape(-1) can return copies, so writing into them does not change x. "
                "Index x itself: for i in np.ndindex(x.shape): x[i] = ...",
            )


@graded("numerical_gradient", "single-entry and column arrays", points=1, rules=("values", "shape", "unchanged"))
def test_numerical_gradient_small_shapes(student):
    for x in (np.array([0.7]), np.array([[1.0], [-2.0], [0.5]])):
        before = x.copy()
        got = student.numerical_gradient(Expression("np.sum(x ** 2)"), x)
        inputs = {"f": "f(x) = sum(x**2)", "x": before}
        require_array("numerical_gradient", got, x.shape, inputs)
        require_unchanged("numerical_gradient", x, before, 1e-6)
        if not np.allclose(got, 2 * before, rtol=1e-7, atol=1e-9):
            raise CheckFailure("`numerical_gradient` of sum(x**2) should be 2 x.", input=inputs,
                               expected=2 * before, got=got)


# ---------------------------------------------------------------- relative_error

@graded("relative_error", "the 1e-12 floor for tiny values", points=1, rules=("values",))
def test_relative_error_floor(student):
    a, b = np.array([1e-13, 0.0]), np.zeros(2)
    got = require_number("relative_error", student.relative_error(a, b), {"a": a, "b": b})
    if np.isclose(got, 1 / 11):
        raise mistake("relative_error-floor-added").failure(
            input={"a": a, "b": b}, expected="1e-13 / max(1e-13, 1e-12) = 0.1", got=got)
    if not np.isclose(got, 0.1):
        raise CheckFailure(
            "`relative_error` does not use the floor as the contract says.", input={"a": a, "b": b},
            expected="1e-13 / max(1e-13, 1e-12) = 0.1", got=got,
            hint="The denominator is max(np.max(abs(a) + abs(b)), 1e-12): a maximum with the floor, not a sum.",
        )


@graded("relative_error", "symmetric, 0 for equal arrays, 1 for opposite ones", points=1, rules=("values",))
def test_relative_error_properties(student):
    rng = seeded(1)
    a = rng.standard_normal((3, 4))
    b = a + 1e-3 * rng.standard_normal((3, 4))
    inputs = {"a": a, "b": b}
    ab = require_number("relative_error", student.relative_error(a, b), inputs)
    ba = require_number("relative_error", student.relative_error(b, a), inputs)
    if not np.isclose(ab, relative_gap(a, b)) or ab != ba:
        raise CheckFailure("`relative_error` is wrong or not symmetric on (3, 4) arrays.", input=inputs,
                           expected=relative_gap(a, b), got=f"{ab} for (a, b) and {ba} for (b, a)")
    for other, expected in ((a.copy(), 0.0), (-a, 1.0)):
        got = require_number("relative_error", student.relative_error(a, other), {"a": a, "b": other})
        if not np.isclose(got, expected, rtol=1e-5, atol=1e-12):
            raise CheckFailure("`relative_error` is wrong for equal or opposite arrays.", input={"a": a, "b": other},
                               expected=expected, got=got)


@graded("relative_error", "float32 and 1-D inputs; inputs unchanged", points=1, rules=("values", "unchanged"))
def test_relative_error_float32(student):
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    b = np.array([1.0, 2.5, 3.0], dtype=np.float32)
    copies = (a.copy(), b.copy())
    got = require_number("relative_error", student.relative_error(a, b), {"a": a, "b": b})
    if not np.isclose(got, 0.5 / 6.0, rtol=1e-5):  # largest |a| + |b| is 3 + 3
        raise CheckFailure("`relative_error` is wrong for float32 input.", input={"a": a, "b": b},
                           expected=0.5 / 6.0, got=got)
    if not (np.array_equal(a, copies[0]) and np.array_equal(b, copies[1])):
        raise CheckFailure("`relative_error` changed its inputs.", input={"a": copies[0], "b": copies[1]},
                           got={"a": a, "b": b}, hint="Compute new arrays; never write into a or b.")


# ---------------------------------------------------------------- dense_backward

@graded("dense_backward", "matches numerical gradients for odd sizes and n = 1", points=2, rules=("values", "shape"))
def test_dense_backward_numerical(student):
    rng = seeded(2)
    for n, d_in, d_out in [(5, 3, 7), (1, 4, 2), (3, 1, 1)]:
        x, W, b = rng.standard_normal((n, d_in)), rng.standard_normal((d_in, d_out)), rng.standard_normal(d_out)
        dz = rng.standard_normal((n, d_out))  # L = sum(dz * z) has dL/dz = dz
        inputs = {"n": n, "d_in": d_in, "d_out": d_out}
        dx, dW, db = call_dense_backward(student, dz, x, W)
        for label, got, shape in (("dx", dx, x.shape), ("dW", dW, W.shape), ("db", db, b.shape)):
            require_array("dense_backward", got, shape, inputs, label)
        loss = lambda: np.sum(dz * (x @ W + b))  # noqa: E731
        require_close("dense_backward", "dx", dx, central_differences(lambda _: loss(), x), inputs)
        require_close("dense_backward", "dW", dW, central_differences(lambda _: loss(), W), inputs)
        require_close("dense_backward", "db", db, central_differences(lambda _: loss(), b), inputs)


# ---------------------------------------------------------------- activation_backward

@graded("activation_backward", "every activation, any shape, float32 and float64, z == 0 included", points=1,
        rules=("values", "shape", "unchanged"))
def test_activation_backward_reference(student, reference):
    rng = seeded(4)
    for activation in ACTIVATIONS:
        for shape, dtype in [((4, 5), np.float64), ((2, 3, 2), np.float64), ((7,), np.float32)]:
            z = (3 * rng.standard_normal(shape)).astype(dtype)
            z.flat[::3] = 0.0  # on the kink: relu's slope is 0 there, leaky_relu's alpha
            da = rng.standard_normal(shape).astype(dtype)
            copies = (da.copy(), z.copy())
            inputs = {"activation": activation, "shape": shape, "dtype": np.dtype(dtype).name, "z": z}
            got = student.activation_backward(da, z, activation)
            require_array("activation_backward", got, shape, inputs)
            # the dtype itself is graded by the public float32 check, so it costs one point only
            require_close("activation_backward", "dz", got, reference.activation_backward(da, z, activation), inputs)
            if not (np.array_equal(da, copies[0]) and np.array_equal(z, copies[1])):
                raise CheckFailure("`activation_backward` changed da or z.", input=inputs,
                                   hint="Return da * derivative(z) as a new array; do not write into da or z.")


# ---------------------------------------------------------------- backward

def gradient_check(student, reference, activation, sizes=(3, 5, 4, 2), n=6, seed=5):
    """Compare the student's backward with numerical gradients of the reference loss."""
    rng = seeded(seed)
    x = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    params = [(rng.normal(0, np.sqrt(2 / d_in), (d_in, d_out)), 0.1 * rng.standard_normal(d_out))
              for d_in, d_out in zip(sizes[:-1], sizes[1:])]
    logits, cache = reference.forward(x, params, activation)
    dlogits = reference.softmax_cross_entropy_grad(logits, y)
    got = student.backward(dlogits, cache, params, activation)
    inputs = {"activation": activation, "layer sizes": list(sizes), "n": n}
    if not isinstance(got, (list, tuple)) or len(got) != len(params):
        raise CheckFailure(f"`backward` must return {len(params)} (dW, db) pairs, one per layer.", input=inputs, got=got)

    def loss(_):
        return reference.softmax_cross_entropy(reference.forward(x, params, activation)[0], y)

    for layer, ((W, b), pair) in enumerate(zip(params, got), start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise CheckFailure(f"`backward` gave layer {layer} something other than a (dW, db) pair.", input=inputs, got=pair)
        dW, db = pair
        require_array("backward", dW, W.shape, inputs, f"dW of layer {layer}")
        require_array("backward", db, b.shape, inputs, f"db of layer {layer}")
        require_close("backward", f"dW of layer {layer}", dW, central_differences(loss, W), inputs, tolerance=1e-5)
        require_close("backward", f"db of layer {layer}", db, central_differences(loss, b), inputs, tolerance=1e-5)


@graded("backward", "matches numerical gradients: sigmoid, sizes [3, 5, 4, 2]", points=1, rules=("values", "shape"))
def test_backward_numerical_sigmoid(student, reference):
    gradient_check(student, reference, "sigmoid")


@graded("backward", "matches numerical gradients: tanh, sizes [3, 5, 4, 2]", points=1, rules=("values", "shape"))
def test_backward_numerical_tanh(student, reference):
    gradient_check(student, reference, "tanh")


@graded("backward", "matches numerical gradients: relu, sizes [3, 5, 4, 2]", points=1, rules=("values", "shape"))
def test_backward_numerical_relu(student, reference):
    gradient_check(student, reference, "relu")


@graded("backward", "matches numerical gradients: leaky_relu, sizes [3, 5, 4, 2]", points=1, rules=("values", "shape"))
def test_backward_numerical_leaky_relu(student, reference):
    gradient_check(student, reference, "leaky_relu")


@graded("backward", "one layer, deep and narrow networks, n = 1", points=1, rules=("values", "shape"))
def test_backward_other_shapes(student, reference):
    gradient_check(student, reference, "tanh", sizes=(4, 3), n=5, seed=6)
    gradient_check(student, reference, "leaky_relu", sizes=(2, 3, 1, 3, 2), n=1, seed=7)
