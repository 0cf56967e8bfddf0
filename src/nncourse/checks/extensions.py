"""Public checks of 06_extensions: ELU and arctan, momentum, a teacher's labels.

Expected values are literal numbers worked out once by hand (or offline), so
this file never holds a working version of the functions it checks. Where a
wrong answer has a known cause, its numbers are written down too, so the
message can name the mistake.
"""

from __future__ import annotations

import numpy as np

CHALLENGE_SECONDS = 60  # the leaderboard's limit for train_challenge: CPU seconds on one thread, timed as in 05


def prose_values():
    """Return {placeholder: text}: the leaderboard's limit, which the 06 notebook's prose states."""
    return {"challenge_seconds": f"{CHALLENGE_SECONDS:g}"}

from nncourse.checks.core import CheckFailure, StudentError, graded
from nncourse.checks.mistakes import mistake


# ---------------------------------------------------------------- helpers

# Tolerances of the value checks: loose enough for any sound way of computing the formulas
# (exp(z) - 1 or expm1, float32 rounding), far tighter than any mistake.
RTOL, ATOL = 1e-5, 1e-8


def same(got, expected, rtol=RTOL, atol=ATOL):
    """Return True when `got` is an array with the shape and values of `expected`."""
    got = np.asarray(got)
    return got.shape == np.shape(expected) and np.allclose(got, expected, rtol=rtol, atol=atol)


def array_result(got, name, z):
    """Return `got` if it is a numpy array shaped like `z`, else fail saying so."""
    if not isinstance(got, np.ndarray):
        raise CheckFailure(
            f"`{name}` returned a {type(got).__name__}, not a numpy array.",
            input=z, got=got,
            hint="Build the result with numpy operations (np.where, np.exp, ...), which return arrays.",
        )
    if got.shape != z.shape:
        raise CheckFailure(
            f"`{name}` changed the shape of its input.",
            input=z, expected=f"shape {z.shape}", got=got,
            hint="An elementwise function returns one number per input number, in the same layout.",
        )
    return got


def expect_values(got, expected, name, input, mistakes=(), atol=ATOL):
    """Fail unless `got` matches `expected`; `mistakes` lists (wrong values, Mistake) to name when `got` matches one."""
    if same(got, expected, atol=atol):
        return
    for wrong, known in mistakes:
        if same(got, wrong, atol=atol):
            raise known.failure(input=input, expected=np.array(expected), got=got)
    raise CheckFailure(f"`{name}` returned wrong values.", input=input, expected=np.array(expected), got=got)


def call_without_overflow(function, z, name, hint):
    """Return function(z); a numpy warning becomes a failure that explains the overflow."""
    try:
        return function(z)
    except StudentError as error:
        if "numpy warning" not in error.problem:
            raise
        raise CheckFailure(
            f"`{name}` overflowed on large inputs: {error.problem.split(': ', 1)[-1]}",
            input=z, expected="finite values and no warning", got="a numpy warning", hint=hint,
        ) from None


def expect_float32(function, name, z, expected):
    """Fail unless function(z) keeps z's float32 dtype and still has the right values."""
    got = array_result(function(z), name, z)
    if got.dtype != np.float32:
        raise CheckFailure(
            f"`{name}` turned float32 input into {got.dtype}.",
            input=z, expected="a float32 array", got=got,
            hint="float64 creeps in through np.array(..., dtype=float), np.zeros(shape) or .astype(float). "
            "A float32 array combined with plain Python numbers such as 1.0 stays float32.",
        )
    expect_values(got, np.asarray(expected, dtype=np.float32), name, z)


def expect_input_unchanged(function, name, z, expected, in_place=None):
    """Fail unless function(z) has the right values and leaves z as it was.

    in_place: the Mistake to name when z now holds the result itself.
    """
    before = z.copy()
    got = array_result(function(z), name, z)
    expect_values(got, expected, name, before)
    if np.array_equal(z, before):
        return
    if in_place is not None and same(z, expected):
        raise in_place.failure(input=before, expected=before, got=z)
    raise CheckFailure(f"`{name}` changed the array it was given.", input=before, expected=before, got=z,
                       hint="Compute a new array; avoid in-place operations such as `z[z < 0] = ...`.")


# ---------------------------------------------------------------- elu

@graded("elu", "values for alpha = 1", points=1, rules=("values", "shape", "defaults"))
def test_elu_values(student):
    z = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 2.0])
    got = array_result(student.elu(z), "elu", z)
    expected = [-0.950212931632136, -0.6321205588285577, -0.3934693402873666, 0.0, 0.5, 2.0]
    mistakes = [
        ([-0.950212931632136, -0.6321205588285577, -0.3934693402873666, 0.0, 0.6487212707001282, 6.38905609893065],
         mistake("elu-exp-for-positive")),
        ([0.0, 0.0, 0.0, 0.0, 0.5, 2.0], mistake("elu-zero-left")),
        ([0.049787068367863944, 0.36787944117144233, 0.6065306597126334, 1.0, 0.5, 2.0], mistake("elu-missing-minus-one")),
    ]
    expect_values(got, expected, "elu", z, mistakes)


@graded("elu", "uses alpha", points=1, rules=("values", "shape"))
def test_elu_uses_alpha(student):
    z = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 2.0])
    got = array_result(student.elu(z, alpha=0.5), "elu", z)
    expected = [-0.475106465816068, -0.31606027941427883, -0.1967346701436833, 0.0, 0.5, 2.0]
    mistakes = [
        ([-0.950212931632136, -0.6321205588285577, -0.3934693402873666, 0.0, 0.5, 2.0], mistake("elu-ignores-alpha")),
        ([-0.475106465816068, -0.31606027941427883, -0.1967346701436833, 0.0, 0.25, 1.0], mistake("elu-alpha-on-positive")),
    ]
    expect_values(got, expected, "elu", {"z": z, "alpha": 0.5}, mistakes)


@graded("elu", "no overflow for large |z|", points=1, rules=("stability", "values", "shape"))
def test_elu_large_inputs(student):
    z = np.array([-1e4, -50.0, 50.0, 1e4])
    with mistake("elu-overflow").catches("numpy warning", input=z, expected="finite values and no warning"):
        got = student.elu(z)
    expect_values(array_result(got, "elu", z), [-1.0, -1.0, 50.0, 1e4], "elu", z)


@graded("elu", "keeps float32", points=1, rules=("dtype", "values", "shape"))
def test_elu_keeps_float32(student):
    z = np.array([-3.0, -0.5, 0.0, 0.5, 2.0], dtype=np.float32)
    expect_float32(student.elu, "elu", z, [-0.950212931632136, -0.3934693402873666, 0.0, 0.5, 2.0])


@graded("elu", "leaves its input unchanged", points=1, rules=("unchanged", "values"))
def test_elu_leaves_input(student):
    z = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    expect_input_unchanged(student.elu, "elu", z, [[-0.8646647167633873, -0.3934693402873666, 0.0], [0.5, 1.0, 3.0]],
                           in_place=mistake("elu-in-place"))


# ---------------------------------------------------------------- elu_prime

@graded("elu_prime", "values for alpha = 1", points=1, rules=("values", "shape", "defaults"))
def test_elu_prime_values(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    got = array_result(student.elu_prime(z), "elu_prime", z)
    expected = [0.1353352832366127, 0.6065306597126334, 1.0, 1.0, 1.0]
    mistakes = [
        ([-0.8646647167633873, -0.3934693402873666, 0.0, 1.0, 1.0], mistake("elu_prime-returns-elu")),
        ([0.0, 0.0, 0.0, 1.0, 1.0], mistake("elu_prime-zero-left")),
        ([1.0, 1.0, 1.0, 1.0, 1.0], mistake("elu_prime-constant-alpha")),
    ]
    expect_values(got, expected, "elu_prime", z, mistakes)


@graded("elu_prime", "uses alpha, including at z = 0", points=1, rules=("values", "shape"))
def test_elu_prime_uses_alpha(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    got = array_result(student.elu_prime(z, alpha=0.5), "elu_prime", z)
    expected = [0.06766764161830635, 0.3032653298563167, 0.5, 1.0, 1.0]
    mistakes = [
        ([0.5, 0.5, 0.5, 1.0, 1.0], mistake("elu_prime-constant-alpha")),
        ([0.1353352832366127, 0.6065306597126334, 1.0, 1.0, 1.0], mistake("elu_prime-ignores-alpha")),
        ([0.06766764161830635, 0.3032653298563167, 1.0, 1.0, 1.0], mistake("elu_prime-one-at-zero")),
        ([-0.43233235838169365, -0.1967346701436833, 0.0, 1.0, 1.0], mistake("elu_prime-returns-elu")),
        ([0.0, 0.0, 0.0, 1.0, 1.0], mistake("elu_prime-zero-left")),
    ]
    expect_values(got, expected, "elu_prime", {"z": z, "alpha": 0.5}, mistakes)


@graded("elu_prime", "no overflow for large |z|", points=1, rules=("stability", "values", "shape"))
def test_elu_prime_large_inputs(student):
    z = np.array([-1e4, -50.0, 50.0, 1e4])
    with mistake("elu_prime-overflow").catches("numpy warning", input=z, expected="finite values and no warning"):
        got = student.elu_prime(z)
    expect_values(array_result(got, "elu_prime", z), [0.0, 1.9287498479639178e-22, 1.0, 1.0], "elu_prime", z)


@graded("elu_prime", "keeps float32", points=1, rules=("dtype", "values", "shape"))
def test_elu_prime_keeps_float32(student):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0], dtype=np.float32)
    expect_float32(student.elu_prime, "elu_prime", z, [0.1353352832366127, 0.6065306597126334, 1.0, 1.0, 1.0])


@graded("elu_prime", "leaves its input unchanged", points=1, rules=("unchanged", "values"))
def test_elu_prime_leaves_input(student):
    z = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    expect_input_unchanged(student.elu_prime, "elu_prime", z, [[0.1353352832366127, 0.6065306597126334, 1.0], [1.0, 1.0, 1.0]])


# ---------------------------------------------------------------- arctan

@graded("arctan", "values", points=1, rules=("values", "shape"))
def test_arctan_values(student):
    z = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    got = array_result(student.arctan(z), "arctan", z)
    expected = [-1.1071487177940904, -0.4636476090008061, 0.0, 0.7853981633974483, 1.2490457723982544]
    mistakes = [
        ([-0.9640275800758169, -0.46211715726000974, 0.0, 0.7615941559557649, 0.9950547536867305], mistake("arctan-tanh")),
    ]
    expect_values(got, expected, "arctan", z, mistakes)


@graded("arctan", "bounded by pi/2 for large |z|", points=1, rules=("stability", "values", "shape"))
def test_arctan_large_inputs(student):
    z = np.array([-1e4, 1e4])
    got = array_result(student.arctan(z), "arctan", z)
    expect_values(got, [-1.5706963267952299, 1.5706963267952299], "arctan", z)


@graded("arctan", "keeps float32", points=1, rules=("dtype", "values", "shape"))
def test_arctan_keeps_float32(student):
    z = np.array([-2.0, -0.5, 0.0, 1.0, 3.0], dtype=np.float32)
    expect_float32(student.arctan, "arctan", z,
                   [-1.1071487177940904, -0.4636476090008061, 0.0, 0.7853981633974483, 1.2490457723982544])


@graded("arctan", "leaves its input unchanged", points=1, rules=("unchanged", "values"))
def test_arctan_leaves_input(student):
    z = np.array([[-2.0, -0.5, 0.0], [1.0, 3.0, 10.0]])
    expect_input_unchanged(student.arctan, "arctan", z, [[-1.1071487177940904, -0.4636476090008061, 0.0],
                                                         [0.7853981633974483, 1.2490457723982544, 1.4711276743037347]])


# ---------------------------------------------------------------- arctan_prime

@graded("arctan_prime", "values", points=1, rules=("values", "shape"))
def test_arctan_prime_values(student):
    z = np.array([-2.0, 0.0, 0.5, 3.0])
    got = array_result(student.arctan_prime(z), "arctan_prime", z)
    mistakes = [
        ([-1.0, 1.0, 0.6666666666666666, 0.25], mistake("arctan_prime-no-square")),
        ([1.0, 1.0, 0.4444444444444444, 0.0625], mistake("arctan_prime-square-outside")),
    ]
    expect_values(got, [0.2, 1.0, 0.8, 0.1], "arctan_prime", z, mistakes)


@graded("arctan_prime", "small but positive for large |z|", points=1, rules=("stability", "values", "shape"))
def test_arctan_prime_large_inputs(student):
    z = np.array([-1e4, 1e4])
    got = call_without_overflow(student.arctan_prime, z, "arctan_prime",
                                "Compute 1 / (1 + z * z) directly; for |z| up to 1e4 nothing overflows.")
    got = array_result(got, "arctan_prime", z)
    if np.any(got <= 0):
        raise CheckFailure("`arctan_prime` is not positive for large |z|.", input=z,
                           expected="about 1e-8 each", got=got,
                           hint="arctan only ever increases, so its slope 1 / (1 + z**2) is always above 0.")
    # the values are about 1e-8, so the absolute tolerance must be far below them
    expect_values(got, [9.99999990000000e-09, 9.99999990000000e-09], "arctan_prime", z, atol=1e-15)


@graded("arctan_prime", "keeps float32", points=1, rules=("dtype", "values", "shape"))
def test_arctan_prime_keeps_float32(student):
    z = np.array([-2.0, 0.0, 0.5, 3.0], dtype=np.float32)
    expect_float32(student.arctan_prime, "arctan_prime", z, [0.2, 1.0, 0.8, 0.1])


@graded("arctan_prime", "leaves its input unchanged", points=1, rules=("unchanged", "values"))
def test_arctan_prime_leaves_input(student):
    z = np.array([[-2.0, -0.5, 0.0], [1.0, 3.0, 10.0]])
    expect_input_unchanged(student.arctan_prime, "arctan_prime", z, [[0.2, 0.8, 1.0], [0.5, 0.1, 0.009900990099009901]])


# ---------------------------------------------------------------- sgd_momentum_step

def small_net(dtype=np.float64):
    """Return (params, grads, velocity): a hand-made 2-input, 2-hidden, 1-output net."""
    params = pairs([([[0.5, -1.0], [2.0, 0.0]], [0.1, -0.2]), ([[1.0], [-0.5]], [0.3])], dtype)
    grads = pairs([([[1.0, -2.0], [0.5, 0.0]], [0.2, -0.4]), ([[-1.0], [3.0]], [0.5])], dtype)
    velocity = pairs([([[0.2, 0.0], [-0.1, 0.4]], [0.0, 0.1]), ([[0.5], [0.0]], [-0.2])], dtype)
    return params, grads, velocity


def pairs(values, dtype=np.float64):
    """Return [(W, b), ...] as float arrays from nested lists."""
    return [(np.array(W, dtype=dtype), np.array(b, dtype=dtype)) for W, b in values]


# What sgd_momentum_step(*small_net(), 0.1) returns: from rest (velocity None), and carrying
# small_net's velocity with momentum 0.9.
FROM_REST_PARAMS = pairs([([[0.4, -0.8], [1.95, 0.0]], [0.08, -0.16]), ([[1.1], [-0.8]], [0.25])])
FROM_REST_VELOCITY = pairs([([[-0.1, 0.2], [-0.05, 0.0]], [-0.02, 0.04]), ([[0.1], [-0.3]], [-0.05])])
CARRIED_PARAMS = pairs([([[0.58, -0.8], [1.86, 0.36]], [0.08, -0.07]), ([[1.55], [-0.8]], [0.07])])
CARRIED_VELOCITY = pairs([([[0.08, 0.2], [-0.14, 0.36]], [-0.02, 0.13]), ([[0.55], [-0.3]], [-0.23])])


def flat(layers):
    return np.concatenate([np.ravel(a) for layer in layers for a in layer])


def describe_layers(layers):
    """Return a few readable lines for a list of (W, b): one line per array."""
    def short(a):
        return np.array2string(np.asarray(a), precision=4, separator=", ", suppress_small=True).replace("\n", "")
    return "\n".join(f"layer {i + 1}: W = {short(W)}, b = {short(b)}" for i, (W, b) in enumerate(layers))


def momentum_result(got, params):
    """Return (new_params, new_velocity), failing unless both are lists of (W, b) like params."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise CheckFailure(
            "`sgd_momentum_step` must return two things: (new_params, new_velocity).",
            got=got, hint="End with `return new_params, new_velocity`.",
        )
    for what, layers in zip(("new_params", "new_velocity"), got):
        if not isinstance(layers, (tuple, list)) or len(layers) != len(params):
            raise CheckFailure(
                f"`sgd_momentum_step`'s {what} is not a list with one (W, b) pair per layer.",
                expected=f"a list of {len(params)} (W, b) pairs", got=layers,
            )
        for i, ((W, b), layer) in enumerate(zip(params, layers)):
            ok = isinstance(layer, (tuple, list)) and len(layer) == 2
            if not ok or np.shape(layer[0]) != W.shape or np.shape(layer[1]) != b.shape:
                raise CheckFailure(
                    f"`sgd_momentum_step`'s {what}, layer {i + 1}, is not a (W, b) pair shaped like params.",
                    expected=f"W shape {W.shape}, b shape {b.shape}", got=layer,
                    hint="Build a list of tuples, one per layer: [(W_new, b_new), ...].",
                )
    return got


def expect_layers(got, expected, what, mistakes=()):
    """Fail unless the list of (W, b) `got` matches `expected`; `mistakes` lists (wrong layers, Mistake) to name."""
    if same(flat(got), flat(expected)):
        return
    for wrong, known in mistakes:
        if same(flat(got), flat(wrong)):
            raise known.failure(f"Its {what} are wrong.", expected=describe_layers(expected), got=describe_layers(got))
    for i, (g, e) in enumerate(zip(got, expected)):
        for name, a, b in (("W", g[0], e[0]), ("b", g[1], e[1])):
            if not same(a, b):
                raise CheckFailure(f"`sgd_momentum_step` returned a wrong {what}: layer {i + 1}'s {name}.",
                                   expected=b, got=np.asarray(a))


def expect_step(got, params, expected_params, expected_velocity, when):
    """Fail unless `got` is (new_params, new_velocity) with the expected values; `when` says which step it was."""
    new_params, new_velocity = momentum_result(got, params)
    expect_layers(new_params, expected_params, f"new_params {when}")
    expect_layers(new_velocity, expected_velocity, f"new_velocity {when}")
    return new_params, new_velocity


def dtypes_of(*layer_lists):
    return sorted({str(a.dtype) for layers in layer_lists for layer in layers for a in layer})


@graded("sgd_momentum_step", "first step from rest (velocity=None)", points=1, rules=("values", "shape"))
def test_sgd_momentum_step_from_rest(student):
    params, grads, _ = small_net()
    new_params, new_velocity = momentum_result(student.sgd_momentum_step(params, grads, None, 0.1), params)
    climbed = pairs([([[0.6, -1.2], [2.05, 0.0]], [0.12, -0.24]), ([[0.9], [-0.2]], [0.35])])
    expect_layers(new_params, FROM_REST_PARAMS, "new_params", [(climbed, mistake("sgd_momentum_step-climbs"))])
    expect_layers(new_velocity, FROM_REST_VELOCITY, "new_velocity",
                  [([(-W, -b) for W, b in FROM_REST_VELOCITY], mistake("sgd_momentum_step-velocity-sign"))])


@graded("sgd_momentum_step", "carries the velocity", points=1, rules=("values", "shape"))
def test_sgd_momentum_step_carries_velocity(student):
    params, grads, velocity = small_net()
    got = student.sgd_momentum_step(params, grads, velocity, 0.1, momentum=0.9)
    new_params, new_velocity = momentum_result(got, params)
    climbed = pairs([([[0.78, -1.2], [1.96, 0.36]], [0.12, -0.15]), ([[1.35], [-0.2]], [0.17])])
    expect_layers(new_params, CARRIED_PARAMS, "new_params",
                  [(FROM_REST_PARAMS, mistake("sgd_momentum_step-ignores-velocity")),
                   (climbed, mistake("sgd_momentum_step-climbs"))])
    expect_layers(new_velocity, CARRIED_VELOCITY, "new_velocity",
                  [([(-W, -b) for W, b in CARRIED_VELOCITY], mistake("sgd_momentum_step-velocity-sign"))])


@graded("sgd_momentum_step", "leaves its inputs unchanged", points=1, rules=("unchanged", "values"))
def test_sgd_momentum_step_leaves_inputs(student):
    params, grads, velocity = small_net()
    before = {name: [(W.copy(), b.copy()) for W, b in value]
              for name, value in (("params", params), ("grads", grads), ("velocity", velocity))}
    got = student.sgd_momentum_step(params, grads, velocity, 0.1, momentum=0.9)
    expect_step(got, before["params"], CARRIED_PARAMS, CARRIED_VELOCITY, "(momentum 0.9, small_net's velocity)")
    for name, value in (("params", params), ("grads", grads), ("velocity", velocity)):
        if not np.array_equal(flat(value), flat(before[name])):
            raise mistake("sgd_momentum_step-in-place").failure(
                f"It changed the {name} it was given.",
                expected=describe_layers(before[name]), got=describe_layers(value),
            )


@graded("sgd_momentum_step", "keeps float32 parameters float32", points=1, rules=("dtype", "values", "shape"))
def test_sgd_momentum_step_float32(student):
    params, grads, velocity = small_net(np.float32)
    from_rest = expect_step(student.sgd_momentum_step(params, grads, None, 0.1), params,
                            FROM_REST_PARAMS, FROM_REST_VELOCITY, "(float32 net, velocity None)")
    carried = expect_step(student.sgd_momentum_step(params, grads, velocity, 0.1, momentum=0.9), params,
                          CARRIED_PARAMS, CARRIED_VELOCITY, "(float32 net and velocity, momentum 0.9)")
    if dtypes_of(*from_rest) != ["float32"] and dtypes_of(*carried) == ["float32"]:
        raise mistake("sgd_momentum_step-float64-velocity").failure(
            input="float32 params and grads, velocity None", expected="float32 everywhere",
            got=", ".join(dtypes_of(*from_rest)))
    if dtypes_of(*from_rest, *carried) != ["float32"]:
        raise CheckFailure("`sgd_momentum_step` turned float32 parameters into another dtype.",
                           input="float32 params, grads and velocity", expected="float32 everywhere",
                           got=", ".join(dtypes_of(*from_rest, *carried)),
                           hint="A float32 array times a Python float stays float32; "
                           "np.array(..., dtype=float) and .astype(float) make float64.")


# ---------------------------------------------------------------- teacher_labels

def small_teacher():
    """Return a hand-made 2-3-3 teacher and six inputs, shape (6, 2)."""
    params = [(np.array([[0.0, 1.0, 2.0], [2.0, -2.0, 1.0]]), np.array([0.5, 0.0, 0.5])),
              (np.array([[0.0, 2.0, -1.0], [2.0, 0.0, 1.0], [-2.0, 2.0, 0.0]]), np.array([-0.5, -0.5, 0.0]))]
    x = np.array([[1.0, 1.0], [-1.0, 0.5], [0.5, -1.0], [-2.0, -1.0], [2.0, -0.5], [0.0, 0.0]])
    return params, x


def expect_labels(got, expected, input, wrong_activation=None):
    """Fail unless `got` is the integer label vector `expected`, naming logits and one-hot returns."""
    n = len(expected)
    if isinstance(got, np.ndarray) and got.ndim == 2 and got.shape[0] == n:
        is_one_hot = np.isin(got, (0, 1)).all() and np.array_equal(got.sum(axis=1), np.ones(n))
        known = mistake("teacher_labels-one-hot") if is_one_hot else mistake("teacher_labels-logits")
        raise known.failure(input=input, expected=np.array(expected), got=got)
    if not isinstance(got, np.ndarray) or got.shape != (n,):
        raise CheckFailure("`teacher_labels` should return a numpy array of shape (n,).",
                           input=input, expected=np.array(expected), got=got,
                           hint="np.argmax(logits, axis=1) gives one label per row.")
    if not np.array_equal(got, expected):
        if wrong_activation is not None and np.array_equal(got, wrong_activation):
            raise mistake("teacher_labels-ignores-activation").failure(input=input, expected=np.array(expected), got=got)
        raise CheckFailure("`teacher_labels` returned wrong labels.", input=input,
                           expected=np.array(expected), got=got,
                           hint="Run the teacher's forward pass and take the argmax of its logits over axis 1.")


@graded("teacher_labels", "argmax of the teacher's logits", points=1, rules=("values", "shape", "defaults"))
def test_teacher_labels_values(student):
    params, x = small_teacher()
    got = student.teacher_labels(params, x)
    expect_labels(got, [1, 1, 0, 2, 1, 1], {"x": x, "activation": "relu (default)"})


@graded("teacher_labels", "integer labels", points=1, rules=("values", "shape"))
def test_teacher_labels_integer_dtype(student):
    params, x = small_teacher()
    got = student.teacher_labels(params, x, activation="relu")
    expect_labels(got, [1, 1, 0, 2, 1, 1], {"x": x, "activation": "relu"})
    if got.dtype.kind not in "iu":
        raise mistake("teacher_labels-float-labels").failure(
            f"They have dtype {got.dtype}.", input=x, expected="an integer array such as int64", got=got)


@graded("teacher_labels", "uses the activation", points=1, rules=("values", "shape"))
def test_teacher_labels_uses_activation(student):
    params, x = small_teacher()
    got = student.teacher_labels(params, x, activation="tanh")
    expect_labels(got, [1, 1, 2, 0, 2, 1], {"x": x, "activation": "tanh"}, wrong_activation=[1, 1, 0, 2, 1, 1])


@graded("teacher_labels", "leaves the teacher and the inputs unchanged", points=1, rules=("unchanged", "values"))
def test_teacher_labels_leaves_inputs(student):
    params, x = small_teacher()
    got = student.teacher_labels(params, x, activation="tanh")
    expect_labels(got, [1, 1, 2, 0, 2, 1], {"x": x, "activation": "tanh"})
    kept_params, kept_x = small_teacher()
    if not (np.array_equal(x, kept_x) and np.array_equal(flat(params), flat(kept_params))):
        raise CheckFailure("`teacher_labels` changed the teacher's parameters or the inputs it was given.",
                           expected=describe_layers(kept_params) + f"\nx = {kept_x.tolist()}",
                           got=describe_layers(params) + f"\nx = {x.tolist()}",
                           hint="Only read them: run forward and take the argmax.")
