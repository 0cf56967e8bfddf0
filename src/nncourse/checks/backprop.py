"""Public checks of 03_backprop: numerical gradients and backpropagation.

Expected values are literals computed once offline, on tiny networks whose
numbers can be followed by hand. Where a usual mistake gives a predictable
wrong answer on the same input, the check names that mistake.
"""

import numpy as np

from nncourse.checks.core import CheckFailure, StudentError, graded
from nncourse.checks.functions import Expression
from nncourse.checks.mistakes import mistake, raise_if_known


def require_array(name, got, shape, input, what="the result"):
    """Fail unless `got` is a numpy array of the given shape."""
    if not isinstance(got, np.ndarray):
        raise CheckFailure(f"`{name}` returned {type(got).__name__} for {what}, not a numpy array.",
                           input=input, expected=f"an array of shape {shape}", got=got)
    if got.shape != shape:
        raise CheckFailure(f"`{name}` returned {what} with shape {got.shape}, expected {shape}.",
                           input=input, expected=f"shape {shape}", got=got)


def require_number(name, got, input):
    """Return `got` as a float, failing unless it is a single number."""
    if isinstance(got, np.ndarray) and got.shape == ():
        got = float(got)
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        raise CheckFailure(f"`{name}` returned {type(got).__name__}, not a single number.",
                           input=input, expected="one number (a Python float)", got=got,
                           hint="np.max(...) of an array is one number; return float(...) of the ratio.")
    return float(got)


def same(got, expected):
    return isinstance(got, np.ndarray) and got.shape == np.shape(expected) and np.allclose(got, expected)


# ---------------------------------------------------------------- numerical_gradient

CUBE = Expression("np.sum(x ** 3)")  # gradient 3 x**2; central differences add exactly eps**2
CUBE_SUM = Expression("np.sum(x) ** 3")  # every entry's gradient is 3 * sum(x)**2


def require_unchanged(name, array, before, eps):
    """Fail if the student left `array` different from `before`, saying how."""
    if np.array_equal(array, before):
        return
    change = np.max(np.abs(array - before))
    if np.isclose(change, eps, rtol=1e-3) or np.isclose(change, 2 * eps, rtol=1e-3):
        detail = "Some entries are still shifted by eps."
    else:
        detail = (f"It changed slightly (by {change:.1e}): adding and then subtracting eps "
                  "does not always give back exactly the same float.")
    raise mistake("numerical_gradient-leaves-x-changed").failure(detail, expected=before, got=array)


@graded("numerical_gradient", "central difference of a cubic", points=1)
def test_numerical_gradient_central_difference(student):
    x = np.array([1.0, 2.0])
    inputs = {"f": "f(x) = sum(x**3)", "x": x, "eps": 1e-3}
    got = student.numerical_gradient(CUBE, x, eps=1e-3)
    require_array("numerical_gradient", got, (2,), inputs)
    require_unchanged("numerical_gradient", x, np.array([1.0, 2.0]), 1e-3)
    expected = np.array([3.000001, 12.000001])  # 3x^2 + eps^2, exact for a cubic
    if np.allclose(got, expected, rtol=0, atol=1e-8):
        return
    mistakes = [
        ([3.003001, 12.006001], mistake("numerical_gradient-forward-difference")),
        ([2.997001, 11.994001], mistake("numerical_gradient-backward-difference")),
        ([3.0, 12.0], mistake("numerical_gradient-ignores-eps")),
        ([6.000002, 24.000002], mistake("numerical_gradient-no-half")),
    ]
    raise_if_known(got, mistakes, rtol=0, atol=1e-7, input=inputs, expected=expected, got=got)
    raise CheckFailure("`numerical_gradient` is wrong.", input=inputs, expected=expected, got=got,
                       hint="For each entry i: (f(x with x[i] + eps) - f(x with x[i] - eps)) / (2 eps).")


@graded("numerical_gradient", "2-D input, x restored after every entry", points=1)
def test_numerical_gradient_restores_x(student):
    x = np.array([[0.5, -1.0], [2.0, 1.5]])
    before = x.copy()
    inputs = {"f": "f(x) = sum(x)**3", "x": x, "eps": 1e-3}
    got = student.numerical_gradient(CUBE_SUM, x, eps=1e-3)
    require_array("numerical_gradient", got, (2, 2), inputs)
    require_unchanged("numerical_gradient", x, before, 1e-3)
    expected = np.full((2, 2), 27.000001)  # 3 * sum(x)^2 + eps^2 with sum(x) = 3, for every entry
    if np.allclose(got, expected, rtol=0, atol=1e-7):
        return
    if np.allclose(got, 27.0, rtol=0, atol=1e-8):
        raise mistake("numerical_gradient-ignores-eps").failure(
            "The result is too exact for eps = 1e-3.", input=inputs, expected=expected, got=got)
    if np.isclose(got.flat[0], 27.000001, rtol=0, atol=1e-7):
        raise mistake("numerical_gradient-not-restored-between-entries").failure(
            "The first entry is right and the later ones are wrong.", input=inputs, expected=expected, got=got)
    raise CheckFailure("`numerical_gradient` is wrong for a 2-D x.", input=inputs, expected=expected, got=got,
                       hint="Visit every index of x with np.ndindex(x.shape) and return an array shaped like x.")


# ---------------------------------------------------------------- relative_error

RE_A = np.array([[10.0, 1.0, 1.0], [2.0, -3.0, 4.0]])
RE_B = np.array([[9.0, 5.0, 12.0], [2.0, -3.0, 1.0]])
RE_VALUE = 11 / 19  # largest |a - b| is 11; largest |a| + |b| is 19
RE_MISTAKES = {
    1.1: mistake("relative_error-max-of-a"),
    0.9166666666666666: mistake("relative_error-max-of-b"),
    0.5: mistake("relative_error-separate-maxima"),
    0.8461538461538461: mistake("relative_error-elementwise-ratio"),
    0.43780352407060885: mistake("relative_error-norms"),
    0.16666666666666666: mistake("relative_error-mean-difference"),
}


@graded("relative_error", "max|a - b| / max(|a| + |b|)", points=1)
def test_relative_error_formula(student):
    a, b = RE_A.copy(), RE_B.copy()
    inputs = {"a": a, "b": b}
    got = require_number("relative_error", student.relative_error(a, b), inputs)
    if np.isclose(got, RE_VALUE):
        return
    raise_if_known(got, RE_MISTAKES, input=inputs, expected=RE_VALUE, got=got)
    raise CheckFailure(
        "`relative_error` does not follow the formula.", input=inputs, expected=RE_VALUE, got=got,
        hint="Largest entry of abs(a - b), divided by the largest entry of abs(a) + abs(b) "
        "(or by 1e-12 if that is smaller).",
    )


@graded("relative_error", "0.0, with no warning, when both arrays are zero", points=1)
def test_relative_error_zeros(student):
    a, b = np.zeros(3), np.zeros(3)
    inputs = {"a": a, "b": b}
    no_floor = mistake("relative_error-zero-division")
    with no_floor.catches("numpy warning", input=inputs, expected=0.0):
        got = student.relative_error(a, b)
    got = require_number("relative_error", got, inputs)
    if got != 0.0:
        raise CheckFailure("`relative_error` of two zero arrays should be 0.0: they are equal.",
                           input=inputs, expected=0.0, got=got, hint=no_floor.hint)


# ---------------------------------------------------------------- dense_backward

DB_DZ = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
DB_X = np.array([[1.0, 2.0, 0.0, -1.0], [0.0, 1.0, 3.0, 1.0]])
DB_W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [1.0, 1.0, 0.0], [-2.0, 0.0, 1.0]])
DB_DX = np.array([[-1.0, 1.0, 1.0, -3.0], [2.0, 1.0, 3.0, -4.0]])
DB_DW = np.array([[1.0, 0.0, -1.0], [4.0, 1.0, -2.0], [6.0, 3.0, 0.0], [1.0, 1.0, 1.0]])
DB_DB = np.array([3.0, 1.0, -1.0])
DENSE_INPUTS = {"dz": DB_DZ, "x": DB_X, "W": DB_W}


def call_dense_backward(student, dz, x, W):
    """Return the student's (dx, dW, db), failing with a clear message if it is not a triple."""
    inputs = {"dz": dz, "x": x, "W": W}
    try:
        result = student.dense_backward(dz, x, W)
    except StudentError as failure:
        if "shapes" in failure.problem or "mismatch" in failure.problem or "aligned" in failure.problem:
            raise CheckFailure(
                "`dense_backward` tried a matrix product whose shapes do not fit.", input=inputs,
                got=failure.problem,
                hint="dx = dz @ W.T is (n, d_out) @ (d_out, d_in); dW = x.T @ dz is (d_in, n) @ (n, d_out).",
            ) from None
        raise
    if isinstance(result, (tuple, list)) and len(result) == 2 and np.shape(result[0]) == np.shape(W):
        raise mistake("dense_backward-missing-dx").failure(input=inputs, got=result)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        count = len(result) if isinstance(result, (tuple, list)) else 1
        raise CheckFailure(
            f"`dense_backward` returned {count} value(s); it must return three, (dx, dW, db).",
            input=inputs, got=result,
            hint="Return dx too: the layer before needs it as its incoming signal. return dx, dW, db",
        )
    if result[0] is None:
        raise CheckFailure("`dense_backward` returned None for dx.", input=inputs, got=result,
                           hint="dx = dz @ W.T is the signal the previous layer needs.")
    return result


@graded("dense_backward", "returns (dx, dW, db) with the shapes of x, W and b", points=1)
def test_dense_backward_shapes(student):
    dz, x, W = DB_DZ.copy(), DB_X.copy(), DB_W.copy()
    dx, dW, db = call_dense_backward(student, dz, x, W)
    if isinstance(dx, np.ndarray) and dx.shape == (4, 3) and isinstance(dW, np.ndarray) and dW.shape == (2, 4):
        raise mistake("dense_backward-wrong-order").failure(input=DENSE_INPUTS, got=(dx, dW, db))
    require_array("dense_backward", dx, (2, 4), DENSE_INPUTS, "dx")
    if isinstance(dW, np.ndarray) and dW.shape == (3, 4):
        raise mistake("dense_backward-transposed-dW").failure(
            "dW has shape (d_out, d_in) instead of (d_in, d_out).", input=DENSE_INPUTS, expected=DB_DW, got=dW)
    require_array("dense_backward", dW, (4, 3), DENSE_INPUTS, "dW")
    for shape, key in (((1, 3), "dense_backward-db-keepdims"), ((2, 3), "dense_backward-db-not-summed")):
        if isinstance(db, np.ndarray) and db.shape == shape:
            raise mistake(key).failure(f"db has shape {shape}; it must have b's shape (3,).",
                                       input=DENSE_INPUTS, expected=DB_DB, got=db)
    require_array("dense_backward", db, (3,), DENSE_INPUTS, "db")


@graded("dense_backward", "dx = dz W^T, dW = x^T dz, db = sum of dz over the batch", points=1)
def test_dense_backward_values(student):
    dz, x, W = DB_DZ.copy(), DB_X.copy(), DB_W.copy()
    dx, dW, db = call_dense_backward(student, dz, x, W)
    for label, got, expected in (("dx", dx, DB_DX), ("dW", dW, DB_DW), ("db", db, DB_DB)):
        require_array("dense_backward", got, expected.shape, DENSE_INPUTS, label)
    if same(db, DB_DB / 2):
        raise mistake("dense_backward-db-averaged").failure(input=DENSE_INPUTS, expected=DB_DB, got=db)
    if same(dW, DB_DW / 2):
        raise mistake("dense_backward-dW-averaged").failure(input=DENSE_INPUTS, expected=DB_DW, got=dW)
    for label, got, expected, formula in (("dx", dx, DB_DX, "dz @ W.T"), ("dW", dW, DB_DW, "x.T @ dz"),
                                          ("db", db, DB_DB, "dz.sum(axis=0)")):
        if not np.allclose(got, expected):
            raise CheckFailure(f"`dense_backward` returned a wrong {label}.", input=DENSE_INPUTS,
                               expected=expected, got=got, hint=f"{label} = {formula}.")
    if not (np.array_equal(dz, DB_DZ) and np.array_equal(x, DB_X) and np.array_equal(W, DB_W)):
        raise CheckFailure("`dense_backward` changed one of its inputs.",
                           hint="Compute new arrays; never write into dz, x or W.")


# ---------------------------------------------------------------- activation_backward

AB_Z = np.array([[-2.0, 0.5, 3.0], [1.0, -0.5, -1.5]])
AB_DA = np.array([[1.0, 2.0, -1.0], [0.5, 4.0, 2.0]])
AB_EXPECTED = {
    "relu": np.array([[0.0, 2.0, -1.0], [0.5, 0.0, 0.0]]),
    "leaky_relu": np.array([[0.01, 2.0, -1.0], [0.5, 0.04, 0.02]]),
    "sigmoid": np.array([[0.1049935854035065, 0.470007424403189, -0.045176659730912],
                         [0.09830596662074093, 0.9400148488063779, 0.29829290414066567]]),
    "tanh": np.array([[0.07065082485316443, 1.5728954659318548, -0.00986603716544021],
                      [0.20998717080701307, 3.1457909318637096, 0.3614132778472967]]),
}
AB_AT_OUTPUT = {  # da * f'(f(z)): the derivative taken at the activation's output instead of at z
    "sigmoid": np.array([[0.24911401541513817, 0.45453218350436847, -0.20087900792592797],
                         [0.10968093200490385, 0.9651955115586242, 0.49586308057099115]]),
    "tanh": np.array([[0.44338254169537683, 1.6270833903423056, -0.4231454032613243],
                      [0.29390837501591593, 3.2541667806846113, 0.9666663111743432]]),
}
AB_TIMES_F = {  # da * f(z): the activation itself instead of its derivative
    "sigmoid": np.array([[0.11920292202211755, 1.2449186624037092, -0.9525741268224334],
                         [0.36552928931500245, 1.5101626751925818, 0.36485104761271264]]),
    "tanh": np.array([[-0.9640275800758169, 0.9242343145200195, -0.9950547536867305],
                      [0.3807970779778824, -1.848468629040039, -1.810296507289733]]),
}


def check_activation_backward(student, activation):
    da, z = AB_DA.copy(), AB_Z.copy()
    inputs = {"da": da, "z": z, "activation": activation}
    got = student.activation_backward(da, z, activation)
    require_array("activation_backward", got, (2, 3), inputs)
    expected = AB_EXPECTED[activation]
    if np.allclose(got, expected):
        if not (np.array_equal(da, AB_DA) and np.array_equal(z, AB_Z)):
            raise CheckFailure("`activation_backward` changed its input da or z.",
                               hint="Return da * derivative(z) as a new array; do not write into da or z.")
        return
    shown = {"input": inputs, "expected": expected, "got": got}
    if np.allclose(got, AB_DA):
        raise mistake("activation_backward-no-derivative").failure(f"With activation=\"{activation}\".", **shown)
    if activation in AB_AT_OUTPUT and np.allclose(got, AB_AT_OUTPUT[activation]):
        raise mistake("activation_backward-at-output").failure(
            f"With activation=\"{activation}\" it computed da * {activation}_prime({activation}(z)).", **shown)
    if activation in AB_TIMES_F and np.allclose(got, AB_TIMES_F[activation]):
        raise mistake("activation_backward-times-activation").failure(
            f"With activation=\"{activation}\" it computed da * {activation}(z).", **shown)
    raise CheckFailure(f"`activation_backward` with activation=\"{activation}\" is wrong.",
                       hint=f"dz = da * {activation}_prime(z), elementwise.", **shown)


@graded("activation_backward", "relu and leaky_relu: da times the slope at z", points=1)
def test_activation_backward_relu_family(student):
    for activation in ("relu", "leaky_relu"):
        check_activation_backward(student, activation)


@graded("activation_backward", "sigmoid and tanh: da times f'(z)", points=1)
def test_activation_backward_smooth(student):
    for activation in ("sigmoid", "tanh"):
        check_activation_backward(student, activation)


# ---------------------------------------------------------------- backward

# A 2-3-2 network: params, the forward cache for x, and dlogits, all by hand.
NET_X = np.array([[1.0, -2.0], [0.5, 1.0]])
NET_PARAMS = [
    (np.array([[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]]), np.array([0.25, 0.5, -0.5])),
    (np.array([[1.0, -0.5], [-1.0, 2.0], [0.5, 1.0]]), np.array([-1.0, -1.0])),
]
NET_Z1 = np.array([[0.25, -2.5, 2.0], [1.25, 1.0, -1.25]])
NET_DLOGITS = np.array([[0.25, -0.25], [-0.5, 0.5]])
NET = {
    "relu": {
        "cache": [(NET_X, NET_Z1), (np.array([[0.25, 0.0, 2.0], [1.25, 1.0, 0.0]]),
                                    np.array([[0.25, 0.875], [-0.75, 0.375]]))],
        "grads": [(np.array([[0.0, 0.75, -0.125], [-1.5, 1.5, 0.25]]), np.array([-0.375, 1.5, -0.125])),
                  (np.array([[-0.5625, 0.5625], [-0.5, 0.5], [0.5, -0.5]]), np.array([-0.25, 0.25]))],
        "last_layer_db": np.array([0.25, 0.25]),
    },
    "tanh": {
        "cache": [(NET_X, NET_Z1),
                  (np.array([[0.24491866240370913, -0.9866142981514303, 0.9640275800758169],
                             [0.8482836399575129, 0.7615941559557649, -0.8482836399575129]]),
                   np.array([[0.713546750593048, -2.131660347428898], [-1.3374523359770083, -0.7492371480247397]]))],
        "grads": [(np.array([[0.24734999348472952, 0.2950365861981492, 0.02622050516590853],
                             [-0.915322286240108, 0.6698498524457799, 0.08776642275839927]]),
                   np.array([0.14219441866706728, 0.6100173424086688, 0.06127236343846261])),
                  (np.array([[-0.36291215437782914, 0.36291215437782914], [-0.62745065251574, 0.62745065251574],
                             [0.6651487149977107, -0.6651487149977107]]), np.array([-0.25, 0.25]))],
        "last_layer_db": np.array([0.03546145958020497, 0.28489454367039674]),
        "at_output_db1": np.array([-0.03937175339660215, 0.5602806807000033, 0.07549292463034891]),
    },
}
NET_NO_DERIVATIVE_DB1 = np.array([-0.375, 0.75, 0.125])  # any activation, when f'(z) is skipped


def copied_network(activation):
    cache = [(a.copy(), z.copy()) for a, z in NET[activation]["cache"]]
    return NET_DLOGITS.copy(), cache, [(W.copy(), b.copy()) for W, b in NET_PARAMS]


def require_grads_layout(got, inputs):
    """Fail unless `got` is a list of two (dW, db) pairs shaped like NET_PARAMS, in order."""
    if not isinstance(got, (list, tuple)) or len(got) != 2 or not all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 for pair in got):
        raise CheckFailure("`backward` must return a list with one (dW, db) pair per layer: here 2 pairs.",
                           input=inputs, got=got,
                           hint="Fill grads = [None] * len(params) from the last layer back, then return grads.")
    shapes = [tuple(np.shape(a) for a in pair) for pair in got]
    wanted = [((2, 3), (3,)), ((3, 2), (2,))]
    if shapes == wanted[::-1]:
        raise mistake("backward-reversed-grads").failure(
            "They must match params, input side first.", input=inputs, got=f"shapes {shapes}", expected=f"shapes {wanted}")
    if shapes != wanted:
        raise CheckFailure("`backward` returned gradients whose shapes do not match params.",
                           input=inputs, expected=f"shapes {wanted}", got=f"shapes {shapes}",
                           hint="Each dW has its W's shape (d_in, d_out), each db its b's shape (d_out,).")


def check_backward(student, activation):
    dlogits, cache, params = copied_network(activation)
    inputs = {"activation": activation, "dlogits": dlogits, "x": NET_X, "layer sizes": "[2, 3, 2]"}
    got = student.backward(dlogits, cache, params, activation)
    require_grads_layout(got, inputs)
    net = NET[activation]
    (dW1, db1), (dW2, db2) = got
    (eW1, eb1), (eW2, eb2) = net["grads"]
    if not (np.allclose(dW2, eW2) and np.allclose(db2, eb2)):
        if np.allclose(db2, net["last_layer_db"]):
            raise mistake("backward-derivative-on-last-layer").failure(input=inputs, expected=eW2, got=dW2)
        raise CheckFailure("`backward` got the last layer's gradients wrong.", input=inputs,
                           expected=f"dW = {eW2.tolist()}, db = {eb2.tolist()}", got=f"dW = {dW2.tolist()}, db = {db2.tolist()}",
                           hint="The last layer's (dW, db) come from dense_backward(dlogits, a_prev, W) with its own cache entry.")
    if np.allclose(dW1, eW1) and np.allclose(db1, eb1):
        if not all(np.array_equal(a, b) for a, b in zip([dlogits, *[v for pair in cache for v in pair]],
                                                        [NET_DLOGITS, *[v for pair in net["cache"] for v in pair]])):
            raise CheckFailure("`backward` changed dlogits or the cache.",
                               hint="Compute new arrays; never write into the inputs.")
        return
    shown = {"input": inputs, "expected": f"dW = {eW1.tolist()}, db = {eb1.tolist()}",
             "got": f"dW = {np.round(dW1, 6).tolist()}, db = {np.round(db1, 6).tolist()}"}
    if np.allclose(db1, NET_NO_DERIVATIVE_DB1):
        raise mistake("backward-no-derivative").failure(
            "dx of layer 2 went straight into layer 1 as its dz.", **shown)
    if "at_output_db1" in net and np.allclose(db1, net["at_output_db1"]):
        raise mistake("backward-derivative-at-output").failure(**shown)
    raise CheckFailure("`backward` got the first layer's gradients wrong (the last layer's are right).",
                       hint="Pass dx of layer 2 back through the activation with layer 1's z, then use "
                       "dense_backward with layer 1's input x.", **shown)


@graded("backward", "a 2-3-2 relu network, worked by hand", points=1)
def test_backward_relu_network(student):
    check_backward(student, "relu")


@graded("backward", "a 2-3-2 tanh network", points=1)
def test_backward_tanh_network(student):
    check_backward(student, "tanh")
