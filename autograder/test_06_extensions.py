"""Hidden checks of 06_extensions: every public check, plus stricter ones.

`reference` holds the instructor's solution from source/, so random inputs can
be compared against it.
"""

import numpy as np

from nncourse.checks import CheckFailure, graded
from nncourse.checks.extensions import *  # noqa: F403 (every public check also grades)
from nncourse.checks.extensions import describe_layers, expect_layers, flat, momentum_result

EXTREMES = [-1e4, -700.0, -100.0, -1e-3, 0.0, 1e-3, 88.0, 100.0, 710.0, 1e4]


def random_z(shape, scale=3.0, dtype=np.float64):
    return (np.random.default_rng(0).standard_normal(shape) * scale).astype(dtype)


def expect_like_reference(got, want, name, z, dtype=None):
    """Fail unless `got` has z's shape (and `dtype`), is finite, and matches the reference's `want`."""
    if not isinstance(got, np.ndarray) or got.shape != z.shape:
        raise CheckFailure(f"`{name}` did not return an array of the input's shape {z.shape}.", input=z, got=got)
    if dtype is not None and got.dtype != dtype:
        raise CheckFailure(f"`{name}` turned {np.dtype(dtype)} input into {got.dtype}.", input=z, got=got)
    if not np.all(np.isfinite(got)):
        raise CheckFailure(f"`{name}` returned inf or nan.", input=z, got=got)
    # atol 1e-7: float32 exp(z) - 1 near z = 0 is that far from expm1, and both are sound
    if not np.allclose(got, want, rtol=1e-5, atol=1e-7):
        raise CheckFailure(f"`{name}` returned wrong values.", input=z, expected=want, got=got)


# ---------------------------------------------------------------- elu

@graded("elu", "matches the solution on random 2-D input", points=1, rules=("values", "shape", "dtype"))
def test_elu_random(student, reference):
    z = random_z((7, 5))
    expect_like_reference(student.elu(z, alpha=0.7), reference.elu(z, alpha=0.7), "elu", z, dtype=np.float64)


@graded("elu", "float32 extremes without warnings", points=1, rules=("stability", "dtype", "values", "shape"))
def test_elu_float32_extremes(student, reference):
    z = np.array(EXTREMES, dtype=np.float32)
    expect_like_reference(student.elu(z, alpha=2.0), reference.elu(z, alpha=2.0), "elu", z, dtype=np.float32)


@graded("elu", "3-D and single-element input", points=1, rules=("values", "shape"))
def test_elu_odd_shapes(student, reference):
    for z in (random_z((2, 3, 4)), np.array([-0.25])):
        expect_like_reference(student.elu(z), reference.elu(z), "elu", z)


# ---------------------------------------------------------------- elu_prime

@graded("elu_prime", "matches the solution on random 3-D input", points=1, rules=("values", "shape", "dtype"))
def test_elu_prime_random(student, reference):
    z = random_z((3, 4, 5))
    expect_like_reference(student.elu_prime(z, alpha=0.3), reference.elu_prime(z, alpha=0.3), "elu_prime", z,
                          dtype=np.float64)


@graded("elu_prime", "float32 extremes without warnings", points=1, rules=("stability", "dtype", "values", "shape"))
def test_elu_prime_float32_extremes(student, reference):
    z = np.array(EXTREMES, dtype=np.float32)
    expect_like_reference(student.elu_prime(z, alpha=2.0), reference.elu_prime(z, alpha=2.0), "elu_prime", z,
                          dtype=np.float32)


# ---------------------------------------------------------------- arctan

@graded("arctan", "matches the solution on random 3-D input", points=1, rules=("values", "shape", "dtype"))
def test_arctan_random(student, reference):
    z = random_z((3, 4, 5), scale=5.0)
    expect_like_reference(student.arctan(z), reference.arctan(z), "arctan", z, dtype=np.float64)


@graded("arctan", "float32 extremes stay within (-pi/2, pi/2)", points=1, rules=("stability", "dtype", "values", "shape"))
def test_arctan_float32_extremes(student, reference):
    z = np.array(EXTREMES, dtype=np.float32)
    got = student.arctan(z)
    expect_like_reference(got, reference.arctan(z), "arctan", z, dtype=np.float32)
    if np.any(np.abs(got) > np.float32(np.pi / 2)):
        raise CheckFailure("`arctan` went beyond pi/2.", input=z, got=got)


# ---------------------------------------------------------------- arctan_prime

@graded("arctan_prime", "matches the solution on random 3-D input", points=1, rules=("values", "shape", "dtype"))
def test_arctan_prime_random(student, reference):
    z = random_z((3, 4, 5), scale=5.0)
    expect_like_reference(student.arctan_prime(z), reference.arctan_prime(z), "arctan_prime", z, dtype=np.float64)


@graded("arctan_prime", "float32 extremes: positive, at most 1, no warnings", points=1, rules=("stability", "dtype", "values", "shape"))
def test_arctan_prime_float32_extremes(student, reference):
    z = np.array(EXTREMES, dtype=np.float32)
    got = student.arctan_prime(z)
    expect_like_reference(got, reference.arctan_prime(z), "arctan_prime", z, dtype=np.float32)
    if np.any(got <= 0) or np.any(got > 1):
        raise CheckFailure("`arctan_prime` left the range (0, 1].", input=z, got=got)


# ---------------------------------------------------------------- sgd_momentum_step

def random_net(sizes=(5, 4, 3, 2), dtype=np.float64, seed=0):
    """Return (params, grads): random arrays shaped like a dense net with these layer sizes."""
    rng = np.random.default_rng(seed)

    def layers():
        return [(rng.standard_normal((i, o)).astype(dtype), rng.standard_normal(o).astype(dtype))
                for i, o in zip(sizes[:-1], sizes[1:])]

    return layers(), layers()


@graded("sgd_momentum_step", "matches the solution over three steps", points=1, rules=("values", "shape"))
def test_sgd_momentum_step_three_steps(student, reference):
    params, grads = random_net()
    mine, theirs = (params, None), (params, None)
    for step in range(3):
        scaled = [(dW * (step + 1), db * (step + 1)) for dW, db in grads]
        mine = momentum_result(student.sgd_momentum_step(mine[0], scaled, mine[1], 0.05, momentum=0.8), params)
        theirs = reference.sgd_momentum_step(theirs[0], scaled, theirs[1], 0.05, momentum=0.8)
        expect_layers(mine[0], theirs[0], f"new_params after step {step + 1} (velocity fed back each step)")
        expect_layers(mine[1], theirs[1], f"new_velocity after step {step + 1}")


@graded("sgd_momentum_step", "momentum = 0 is a plain SGD step", points=1, rules=("values", "shape"))
def test_sgd_momentum_step_zero_momentum(student):
    params, grads = random_net(seed=1)
    velocity, _ = random_net(seed=2)
    new_params, _ = momentum_result(student.sgd_momentum_step(params, grads, velocity, 0.1, momentum=0.0), params)
    expect_layers(new_params, [(W - 0.1 * dW, b - 0.1 * db) for (W, b), (dW, db) in zip(params, grads)], "new_params")


@graded("sgd_momentum_step", "does not rewrite the caller's lists", points=1, rules=("unchanged", "values"))
def test_sgd_momentum_step_leaves_lists(student, reference):
    params, grads = random_net(seed=3)
    velocity, _ = random_net(seed=4)
    for given_velocity in (None, velocity):
        inputs = {"params": params, "grads": grads, "velocity": given_velocity or []}
        layers_before = {name: list(value) for name, value in inputs.items()}
        values_before = {name: [(W.copy(), b.copy()) for W, b in value] for name, value in inputs.items()}
        want = reference.sgd_momentum_step(values_before["params"], values_before["grads"],
                                           given_velocity and values_before["velocity"], 0.1, momentum=0.9)
        got = momentum_result(student.sgd_momentum_step(params, grads, given_velocity, 0.1, momentum=0.9), params)
        expect_layers(got[0], want[0], "new_params (3-layer net, momentum 0.9)")
        expect_layers(got[1], want[1], "new_velocity (3-layer net, momentum 0.9)")
        for name, value in inputs.items():
            same_objects = len(value) == len(layers_before[name]) and all(
                a is b for a, b in zip(value, layers_before[name]))
            if not same_objects or (value and not np.array_equal(flat(value), flat(values_before[name]))):
                raise CheckFailure(f"`sgd_momentum_step` changed the {name} list it was given.",
                                   expected=describe_layers(values_before[name]), got=describe_layers(value),
                                   hint="Build and return new lists; `params[i] = ...` or `W -= ...` "
                                   "changes the caller's network behind its back.")


# ---------------------------------------------------------------- teacher_labels

def random_teacher(sizes=(6, 12, 8, 4), seed=5):
    rng = np.random.default_rng(seed)
    params = [(rng.standard_normal((i, o)) * 2.0, rng.standard_normal(o)) for i, o in zip(sizes[:-1], sizes[1:])]
    x = rng.standard_normal((300, sizes[0]))
    return params, x


@graded("teacher_labels", "matches the solution for every activation", points=1, rules=("values", "shape"))
def test_teacher_labels_every_activation(student, reference):
    params, x = random_teacher()
    for activation in ("sigmoid", "tanh", "relu", "leaky_relu"):
        got = student.teacher_labels(params, x, activation=activation)
        want = reference.teacher_labels(params, x, activation=activation)
        if not (isinstance(got, np.ndarray) and got.shape == want.shape and np.array_equal(got, want)):
            raise CheckFailure(f"`teacher_labels` gave wrong labels for a 3-layer teacher with {activation}.",
                               expected=want, got=got)


@graded("teacher_labels", "float32 input", points=1, rules=("values", "shape"))
def test_teacher_labels_float32(student, reference):
    params, x = random_teacher(seed=6)
    params32 = [(W.astype(np.float32), b.astype(np.float32)) for W, b in params]
    got = student.teacher_labels(params32, x.astype(np.float32))
    want = reference.teacher_labels(params32, x.astype(np.float32))
    if not (isinstance(got, np.ndarray) and got.dtype.kind in "iu" and np.array_equal(got, want)):
        raise CheckFailure("`teacher_labels` is wrong for float32 teachers and inputs.", expected=want, got=got)


@graded("teacher_labels", "one sample gives shape (1,)", points=1, rules=("values", "shape"))
def test_teacher_labels_one_sample(student, reference):
    params, x = random_teacher(seed=7)
    got = student.teacher_labels(params, x[:1])
    want = reference.teacher_labels(params, x[:1])
    if not (isinstance(got, np.ndarray) and got.shape == (1,) and np.array_equal(got, want)):
        raise CheckFailure("`teacher_labels` on one sample should return one label, shape (1,).",
                           input=x[:1], expected=want, got=got)

