"""Hidden checks for 01_forward: every public check, plus stricter ones."""

import numpy as np

from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.forward import *  # noqa: F403 (every public check also grades)
from nncourse.checks.forward import as_array, call_init, expect_he_init, expect_unchanged, expect_values, unpack_forward
from nncourse.checks.mistakes import mistake


def random_z(seed, shape=(2, 3, 4), scale=8.0):
    """Return a float64 array of `shape` with some exact zeros, drawn from a seeded generator."""
    z = np.random.default_rng(seed).normal(0.0, scale, size=shape)
    z.flat[::5] = 0.0
    return z


def check_any_shape(student, reference, function, seed, **kwargs):
    """Check a 3-D input against the reference and that the input is left unchanged."""
    z = random_z(seed)
    before = z.copy()
    got = getattr(student, function)(z, **kwargs)
    expect_unchanged(function, before, z)
    expect_values(function, got, getattr(reference, function)(before, **kwargs), before)


# --- elementwise activations and derivatives ---


@graded("sigmoid", "works on any shape and leaves its input unchanged", rules=("values", "shape", "unchanged"))
def test_sigmoid_any_shape(student, reference):
    check_any_shape(student, reference, "sigmoid", seed=1)


@graded("sigmoid_prime", "works on any shape and leaves its input unchanged", rules=("values", "shape", "unchanged"))
def test_sigmoid_prime_any_shape(student, reference):
    check_any_shape(student, reference, "sigmoid_prime", seed=2)


@graded("tanh", "works on any shape and leaves its input unchanged", rules=("values", "shape", "unchanged"))
def test_tanh_any_shape(student, reference):
    check_any_shape(student, reference, "tanh", seed=3)


@graded("tanh_prime", "works on any shape and leaves its input unchanged", rules=("values", "shape", "unchanged"))
def test_tanh_prime_any_shape(student, reference):
    check_any_shape(student, reference, "tanh_prime", seed=4)


@graded("relu", "works on any shape", rules=("values", "shape", "unchanged"))
def test_relu_any_shape(student, reference):
    check_any_shape(student, reference, "relu", seed=5)


@graded("relu_prime", "works on any shape and leaves its input unchanged", rules=("values", "shape", "unchanged"))
def test_relu_prime_any_shape(student, reference):
    check_any_shape(student, reference, "relu_prime", seed=6)


@graded("leaky_relu", "works on any shape and leaves its input unchanged", rules=("values", "shape", "unchanged"))
def test_leaky_relu_any_shape(student, reference):
    check_any_shape(student, reference, "leaky_relu", seed=7, alpha=0.3)


@graded("leaky_relu_prime", "works on any shape and leaves its input unchanged", rules=("values", "shape", "unchanged"))
def test_leaky_relu_prime_any_shape(student, reference):
    check_any_shape(student, reference, "leaky_relu_prime", seed=8, alpha=0.3)


# --- softmax ---


@graded("softmax", "works on a 3-D batch, over the last axis", rules=("values", "shape"))
def test_softmax_three_dimensional(student, reference):
    z = random_z(9, shape=(2, 3, 5), scale=3.0)
    expect_values("softmax", student.softmax(z), reference.softmax(z), z, hint="Use axis=-1 with keepdims=True.")


@graded("softmax", "stable for logits of +-1e4 in one row", rules=("stability", "values"))
def test_softmax_extreme_mixed(student):
    z = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
    no_shift = mistake("softmax-no-max-shift")
    with no_shift.catches("numpy warning", input=z):
        got = student.softmax(z)
    expect_values("softmax", got, np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]]), z,
                  hint=no_shift.hint)


@graded("softmax", "matches the reference on random logits", rules=("values",))
def test_softmax_random(student, reference):
    z = random_z(10, shape=(50, 10), scale=20.0)
    expect_values("softmax", student.softmax(z), reference.softmax(z), z)


# --- dense_forward ---


def random_layer(seed, n, d_in, d_out):
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(size=shape) for shape in ((n, d_in), (d_in, d_out), (d_out,)))


@graded("dense_forward", "matches the reference for one sample and for a batch", rules=("values", "shape"))
def test_dense_forward_random(student, reference):
    for n in (1, 33):
        x, W, b = random_layer(13 + n, n, 20, 7)
        expect_values("dense_forward", student.dense_forward(x, W, b), reference.dense_forward(x, W, b), {"x": x})


# --- init_params ---


@graded("init_params", "every layer of a deep net has mean 0 and std sqrt(2 / d_in)", points=2, rules=("values", "shape"))
def test_init_params_every_layer(student):
    sizes = [400, 300, 200, 50]
    expect_he_init(call_init(student, sizes, seed=21), sizes)


@graded("init_params", "weights are normally distributed", rules=("values",))
def test_init_params_normal(student):
    (W, b), = call_init(student, [600, 200], seed=22)
    expect_he_init([(W, b)], [600, 200])
    z = W / np.sqrt(2 / 600)
    within_one_std = float(np.mean(np.abs(z) < 1))  # 0.683 for a normal, 0.577 for a uniform of the same std
    if abs(within_one_std - 0.683) > 0.02:
        problem = (f"{within_one_std:.1%} of the weights lie within one standard deviation of 0; "
                   "for normally distributed weights it is 68.3%.")
        uniform = mistake("init_params-uniform")
        if abs(within_one_std - 0.577) < 0.02:
            raise uniform.failure(problem, input={"layer_sizes": [600, 200]})
        raise CheckFailure(problem, input={"layer_sizes": [600, 200]}, hint=uniform.hint)


@graded("init_params", "a single layer network", rules=("values", "shape"))
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


def random_network(seed, sizes):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(7, sizes[0]))
    params = [
        (rng.normal(0.0, 1.0, size=(d_in, d_out)), rng.normal(0.0, 0.5, size=d_out))
        for d_in, d_out in zip(sizes[:-1], sizes[1:])
    ]
    return x, params


def compare_forward(student, reference, x, params, activation):
    """Check logits and every cache entry against the reference."""
    shown = {"x": x, "activation": activation, "layer_sizes": [x.shape[1]] + [b.shape[0] for _, b in params]}
    logits, cache = unpack_forward(student.forward(x, params, activation=activation), len(params), shown)
    want_logits, want_cache = reference.forward(x, params, activation=activation)
    expect_values("forward", logits, want_logits, shown)
    for layer, ((a_prev, z), (want_a, want_z)) in enumerate(zip(cache, want_cache)):
        hint = f"Layer {layer}: cache[{layer}] must be (a_prev, z), that layer's input and pre-activation."
        expect_values("forward", a_prev, want_a, shown, hint=hint)
        expect_values("forward", z, want_z, shown, hint=hint)


@graded("forward", "every activation, on a three-layer network, logits and cache", points=2, rules=("values", "shape"))
def test_forward_all_activations(student, reference):
    x, params = random_network(31, [5, 8, 6, 3])
    for activation in ("sigmoid", "tanh", "relu", "leaky_relu"):
        compare_forward(student, reference, x, params, activation)


@graded("forward", "a one-layer network returns raw x @ W + b", rules=("values", "shape"))
def test_forward_single_layer(student, reference):
    x, params = random_network(32, [4, 3])
    compare_forward(student, reference, x, params, "sigmoid")
