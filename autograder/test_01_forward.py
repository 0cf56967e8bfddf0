"""Hidden checks for 01_forward: every public check, plus stricter ones."""

import numpy as np

from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.forward import *  # noqa: F403 (every public check also grades)
from nncourse.checks.forward import (
    as_array, call_init, expect_close, expect_float32_like_reference, expect_float_dtype, expect_unchanged, unpack_forward,
)
from nncourse.checks.mistakes import mistake

# Float32 inputs spanning the extremes the contract names (|z| up to 1e4), with exact zeros.
Z32 = np.array([[-1e4, -300.0, -30.0, -1.0, -1e-3, 0.0], [0.0, 1e-3, 0.5, 3.0, 300.0, 1e4]], dtype=np.float32)


def random_z(seed, shape=(2, 3, 4), scale=8.0):
    """Return a float64 array of `shape` with some exact zeros, drawn from a seeded generator."""
    z = np.random.default_rng(seed).normal(0.0, scale, size=shape)
    z.flat[::5] = 0.0
    return z


def check_float32(student, reference, function, **kwargs):
    """Check that float32 input gives float32 output matching the reference, with no warnings."""
    expect_float32_like_reference(student, reference, function, Z32.copy(), **kwargs)


def check_any_shape(student, reference, function, seed, **kwargs):
    """Check a 3-D input against the reference and that the input is left unchanged."""
    z = random_z(seed)
    before = z.copy()
    got = getattr(student, function)(z, **kwargs)
    expect_unchanged(function, before, z)
    expect_close(function, got, getattr(reference, function)(before, **kwargs), before)


# --- elementwise activations and derivatives ---


@graded("sigmoid", "float32 in gives float32 out, stable at |z| = 1e4")
def test_sigmoid_float32(student, reference):
    check_float32(student, reference, "sigmoid")


@graded("sigmoid", "works on any shape and leaves its input unchanged")
def test_sigmoid_any_shape(student, reference):
    check_any_shape(student, reference, "sigmoid", seed=1)


@graded("sigmoid_prime", "float32 in gives float32 out, stable at |z| = 1e4")
def test_sigmoid_prime_float32(student, reference):
    check_float32(student, reference, "sigmoid_prime")


@graded("sigmoid_prime", "works on any shape and leaves its input unchanged")
def test_sigmoid_prime_any_shape(student, reference):
    check_any_shape(student, reference, "sigmoid_prime", seed=2)


@graded("tanh", "float32 in gives float32 out, stable at |z| = 1e4")
def test_tanh_float32(student, reference):
    check_float32(student, reference, "tanh")


@graded("tanh", "works on any shape and leaves its input unchanged")
def test_tanh_any_shape(student, reference):
    check_any_shape(student, reference, "tanh", seed=3)


@graded("tanh_prime", "float32 in gives float32 out, stable at |z| = 1e4")
def test_tanh_prime_float32(student, reference):
    check_float32(student, reference, "tanh_prime")


@graded("tanh_prime", "works on any shape and leaves its input unchanged")
def test_tanh_prime_any_shape(student, reference):
    check_any_shape(student, reference, "tanh_prime", seed=4)


@graded("relu", "float32 in gives float32 out, stable at |z| = 1e4")
def test_relu_float32(student, reference):
    check_float32(student, reference, "relu")


@graded("relu", "works on any shape")
def test_relu_any_shape(student, reference):
    check_any_shape(student, reference, "relu", seed=5)


@graded("relu_prime", "float32 in gives float32 out, stable at |z| = 1e4")
def test_relu_prime_float32(student, reference):
    check_float32(student, reference, "relu_prime")


@graded("relu_prime", "works on any shape and leaves its input unchanged")
def test_relu_prime_any_shape(student, reference):
    check_any_shape(student, reference, "relu_prime", seed=6)


@graded("leaky_relu", "float32 in gives float32 out, stable at |z| = 1e4")
def test_leaky_relu_float32(student, reference):
    check_float32(student, reference, "leaky_relu", alpha=0.1)


@graded("leaky_relu", "works on any shape and leaves its input unchanged")
def test_leaky_relu_any_shape(student, reference):
    check_any_shape(student, reference, "leaky_relu", seed=7, alpha=0.3)


@graded("leaky_relu_prime", "float32 in gives float32 out, stable at |z| = 1e4")
def test_leaky_relu_prime_float32(student, reference):
    check_float32(student, reference, "leaky_relu_prime", alpha=0.1)


@graded("leaky_relu_prime", "works on any shape and leaves its input unchanged")
def test_leaky_relu_prime_any_shape(student, reference):
    check_any_shape(student, reference, "leaky_relu_prime", seed=8, alpha=0.3)


# --- softmax ---


@graded("softmax", "float32 in gives float32 out")
def test_softmax_float32(student, reference):
    z = np.array([[1e4, 0.0, -1e4], [3.0, 2.5, -1.0]], dtype=np.float32)
    got = as_array("softmax", student.softmax(z), z.shape, z)
    expect_float_dtype("softmax", got, np.float32, z)
    expect_close("softmax", got, reference.softmax(z.astype(np.float64)), z, tol=1e-6)


@graded("softmax", "works on a single 1-D vector of logits")
def test_softmax_vector(student, reference):
    z = np.array([2.0, -1.0, 0.5, 0.0])
    expect_close(
        "softmax", student.softmax(z), reference.softmax(z), z,
        hint="Use axis=-1 (the last axis), which for a vector is its only axis.",
    )


@graded("softmax", "works on a 3-D batch, over the last axis")
def test_softmax_three_dimensional(student, reference):
    z = random_z(9, shape=(2, 3, 5), scale=3.0)
    expect_close("softmax", student.softmax(z), reference.softmax(z), z, hint="Use axis=-1 with keepdims=True.")


@graded("softmax", "stable for logits of +-1e4 in one row")
def test_softmax_extreme_mixed(student):
    z = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
    no_shift = mistake("softmax-no-max-shift")
    with no_shift.catches("numpy warning", input=z):
        got = student.softmax(z)
    expect_close("softmax", got, np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]]), z,
                 hint=no_shift.hint)


@graded("softmax", "matches the reference on random logits")
def test_softmax_random(student, reference):
    z = random_z(10, shape=(50, 10), scale=20.0)
    expect_close("softmax", student.softmax(z), reference.softmax(z), z)


# --- dense_forward ---


def random_layer(seed, n, d_in, d_out, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(size=shape).astype(dtype) for shape in ((n, d_in), (d_in, d_out), (d_out,)))


@graded("dense_forward", "float32 in gives float32 out")
def test_dense_forward_float32(student, reference):
    x, W, b = random_layer(11, 4, 6, 3, np.float32)
    shown = {"x": x, "W": W, "b": b}
    got = as_array("dense_forward", student.dense_forward(x, W, b), (4, 3), shown)
    expect_float_dtype("dense_forward", got, np.float32, shown, name="x")
    expect_close("dense_forward", got, reference.dense_forward(x.astype(np.float64), W, b), shown, tol=1e-4)


@graded("dense_forward", "leaves x, W and b unchanged")
def test_dense_forward_inputs_unchanged(student):
    x, W, b = random_layer(12, 5, 4, 3)
    copies = [a.copy() for a in (x, W, b)]
    student.dense_forward(x, W, b)
    for name, before, after in zip("xWb", copies, (x, W, b)):
        expect_unchanged("dense_forward", before, after, name)


@graded("dense_forward", "matches the reference for one sample and for a batch")
def test_dense_forward_random(student, reference):
    for n in (1, 33):
        x, W, b = random_layer(13 + n, n, 20, 7)
        expect_close("dense_forward", student.dense_forward(x, W, b), reference.dense_forward(x, W, b), {"x": x})


# --- init_params ---


@graded("init_params", "every layer of a deep net has mean 0 and std sqrt(2 / d_in)", points=2)
def test_init_params_every_layer(student):
    sizes = [400, 300, 200, 50]
    params = call_init(student, sizes, seed=21)
    for (d_in, d_out), (W, b) in zip(zip(sizes[:-1], sizes[1:]), params):
        as_array("init_params", W, (d_in, d_out), {"layer_sizes": sizes})
        as_array("init_params", b, (d_out,), {"layer_sizes": sizes})
        std, mean, he = float(W.std()), float(W.mean()), np.sqrt(2 / d_in)
        if abs(std / he - 1) > 0.05 or abs(mean) > 0.1 * he:
            raise CheckFailure(
                f"The layer from {d_in} to {d_out} units has weights with mean {mean:.4f} and std {std:.4f}.",
                input={"layer_sizes": sizes}, expected=f"mean about 0, std about sqrt(2 / {d_in}) = {he:.4f}",
                hint="Scale every layer by its own d_in: rng.normal(0.0, np.sqrt(2 / d_in), size=(d_in, d_out)).",
            )


@graded("init_params", "weights are normally distributed")
def test_init_params_normal(student):
    (W, _), = call_init(student, [600, 200], seed=22)
    z = W / np.sqrt(2 / 600)
    within_one_std = float(np.mean(np.abs(z) < 1))  # 0.683 for a normal, 0.577 for a uniform of the same std
    if abs(within_one_std - 0.683) > 0.02:
        problem = (f"{within_one_std:.1%} of the weights lie within one standard deviation of 0; "
                   "for normally distributed weights it is 68.3%.")
        uniform = mistake("init_params-uniform")
        if abs(within_one_std - 0.577) < 0.02:
            raise uniform.failure(problem, input={"layer_sizes": [600, 200]})
        raise CheckFailure(problem, input={"layer_sizes": [600, 200]}, hint=uniform.hint)


@graded("init_params", "a single layer network")
def test_init_params_single_layer(student):
    params = call_init(student, [3, 1], seed=23)
    (W, b), = params
    as_array("init_params", W, (3, 1), {"layer_sizes": [3, 1]})
    as_array("init_params", b, (1,), {"layer_sizes": [3, 1]})
    if not np.all(b == 0) or np.unique(W).size != 3:
        raise CheckFailure(
            "For layer_sizes [3, 1] the weights must be 3 different random numbers and the bias 0.",
            input={"layer_sizes": [3, 1]}, got={"W": W, "b": b},
        )


# --- forward ---


def random_network(seed, sizes, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(7, sizes[0])).astype(dtype)
    params = [
        (rng.normal(0.0, 1.0, size=(d_in, d_out)).astype(dtype), rng.normal(0.0, 0.5, size=d_out).astype(dtype))
        for d_in, d_out in zip(sizes[:-1], sizes[1:])
    ]
    return x, params


def compare_forward(student, reference, x, params, activation, tol=1e-9):
    """Check logits and every cache entry against the reference."""
    shown = {"x": x, "activation": activation, "layer_sizes": [x.shape[1]] + [b.shape[0] for _, b in params]}
    logits, cache = unpack_forward(student.forward(x, params, activation=activation), len(params), shown)
    want_logits, want_cache = reference.forward(x.astype(np.float64), params, activation=activation)
    expect_close("forward", logits, want_logits, shown, tol=tol)
    for layer, ((a_prev, z), (want_a, want_z)) in enumerate(zip(cache, want_cache)):
        hint = f"Layer {layer}: cache[{layer}] must be (a_prev, z), that layer's input and pre-activation."
        expect_close("forward", a_prev, want_a, shown, tol=tol, hint=hint)
        expect_close("forward", z, want_z, shown, tol=tol, hint=hint)
    return logits, cache


@graded("forward", "every activation, on a three-layer network, logits and cache", points=2)
def test_forward_all_activations(student, reference):
    x, params = random_network(31, [5, 8, 6, 3])
    for activation in ("sigmoid", "tanh", "relu", "leaky_relu"):
        compare_forward(student, reference, x, params, activation)


@graded("forward", "a one-layer network returns raw x @ W + b")
def test_forward_single_layer(student, reference):
    x, params = random_network(32, [4, 3])
    compare_forward(student, reference, x, params, "sigmoid")


@graded("forward", "float32 in gives float32 logits and cache")
def test_forward_float32(student, reference):
    x, params = random_network(33, [6, 5, 4], np.float32)
    logits, cache = compare_forward(student, reference, x, params, "tanh", tol=1e-4)
    for array in (logits, *(a for entry in cache for a in entry)):
        expect_float_dtype("forward", array, np.float32, {"x": x}, name="x")


@graded("forward", "leaves x and params unchanged")
def test_forward_inputs_unchanged(student):
    x, params = random_network(34, [4, 6, 2])
    x_before = x.copy()
    params_before = [(W.copy(), b.copy()) for W, b in params]
    student.forward(x, params, activation="relu")
    expect_unchanged("forward", x_before, x, "x")
    for (W0, b0), (W, b) in zip(params_before, params):
        expect_unchanged("forward", W0, W, "W")
        expect_unchanged("forward", b0, b, "b")
