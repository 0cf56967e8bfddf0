"""Public checks of 03_backprop: numerical gradients and backpropagation.

Expected values are literals computed once offline, on tiny networks whose
numbers can be followed by hand. Where a usual mistake gives a predictable
wrong answer on the same input, the check names that mistake. A check that
grades a property (dtype, inputs unchanged, no warnings) passes only when the
values on its input are right too.
"""

import numpy as np

from nncourse.checks.core import CheckFailure, StudentError, graded
from nncourse.checks.functions import Argument, Expression
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
# Ignores the x it is given and reads the very array passed to numerical_gradient, as the
# notebook's loss reads the weights it closes over: nudging a copy of x changes nothing.
CUBE_OF_CLOSED_OVER = Expression("np.sum(w ** 3)", w=Argument(1))


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


@graded("numerical_gradient", "central difference of a cubic", points=1,
        rules=("values", "shape", "unchanged"))
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


@graded("numerical_gradient", "2-D input, x restored after every entry", points=1,
        rules=("values", "shape", "unchanged"))
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


@graded("numerical_gradient", "nudges the very array f reads, with the default eps", points=1,
        rules=("values", "defaults", "unchanged"))
def test_numerical_gradient_nudges_x_itself(student):
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    inputs = {"f": "f(_) = sum(w**3), where w is the very array passed as x (as a loss reads its weights)",
              "x": x, "eps": "the default"}
    got = student.numerical_gradient(CUBE_OF_CLOSED_OVER, x)
    require_array("numerical_gradient", got, (2, 2), inputs)
    require_unchanged("numerical_gradient", x, before, 1e-6)
    expected = 3 * before ** 2  # plus eps**2 = 1e-12 for the default eps = 1e-6
    if np.allclose(got, expected, rtol=1e-7, atol=1e-8):
        return
    if np.allclose(got, 0.0):
        raise mistake("numerical_gradient-nudges-copy").failure(
            "f reads the array you were handed, so every difference came out 0.",
            input=inputs, expected=expected, got=got)
    if np.allclose(got, expected, rtol=1e-4, atol=1e-4):
        raise CheckFailure("`numerical_gradient` with the default eps is not accurate enough.",
                           input=inputs, expected=expected, got=got,
                           hint="Keep the default of the signature, eps=1e-6: the error of a central difference is about eps^2.")
    raise CheckFailure("`numerical_gradient` is wrong when f reads the array it was handed.",
                       input=inputs, expected=expected, got=got,
                       hint="Nudge x itself, in place, one entry at a time: x[i] = original + eps, f(x), "
                       "x[i] = original - eps, f(x), then x[i] = original.")


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


@graded("relative_error", "max|a - b| / max(|a| + |b|); inputs unchanged", points=1,
        rules=("values", "shape", "unchanged"))
def test_relative_error_formula(student):
    a, b = RE_A.copy(), RE_B.copy()
    inputs = {"a": RE_A, "b": RE_B}
    got = require_number("relative_error", student.relative_error(a, b), inputs)
    if np.isclose(got, RE_VALUE):
        if not (np.array_equal(a, RE_A) and np.array_equal(b, RE_B)):
            raise CheckFailure("`relative_error` changed a or b.", input=inputs,
                               expected={"a": RE_A, "b": RE_B}, got={"a": a, "b": b},
                               hint="Compute new arrays (np.abs(a - b) is one); never write into a or b.")
        return
    raise_if_known(got, RE_MISTAKES, input=inputs, expected=RE_VALUE, got=got)
    raise CheckFailure(
        "`relative_error` does not follow the formula.", input=inputs, expected=RE_VALUE, got=got,
        hint="Largest entry of abs(a - b), divided by the largest entry of abs(a) + abs(b) "
        "(or by 1e-12 if that is smaller).",
    )


@graded("relative_error", "0.0, with no warning, when both arrays are zero; 1.0 when one is", points=1,
        rules=("values", "stability"))
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
    b = np.array([0.0, -3.0, 1.0])
    inputs = {"a": a, "b": b}
    got = require_number("relative_error", student.relative_error(a, b), inputs)
    if not np.isclose(got, 1.0):  # largest |a - b| and largest |a| + |b| are both 3
        raise CheckFailure("`relative_error` of a zero array and a nonzero one should be 1.0.",
                           input=inputs, expected=1.0, got=got,
                           hint="Largest entry of abs(a - b), divided by the largest entry of abs(a) + abs(b) "
                           "(or by 1e-12 if that is smaller).")


# ---------------------------------------------------------------- dense_backward

DB_DZ = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
DB_X = np.array([[1.0, 2.0, 0.0, -1.0], [0.0, 1.0, 3.0, 1.0]])
DB_W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [1.0, 1.0, 0.0], [-2.0, 0.0, 1.0]])
DB_DX = np.array([[-1.0, 1.0, 1.0, -3.0], [2.0, 1.0, 3.0, -4.0]])
DB_DW = np.array([[1.0, 0.0, -1.0], [4.0, 1.0, -2.0], [6.0, 3.0, 0.0], [1.0, 1.0, 1.0]])
DB_DB = np.array([3.0, 1.0, -1.0])
DENSE_INPUTS = {"dz": DB_DZ, "x": DB_X, "W": DB_W}
DENSE_FORMULAS = {"dx": "dz @ W.T", "dW": "x.T @ dz", "db": "dz.sum(axis=0)"}


def require_dense_values(label, got, expected, inputs=DENSE_INPUTS):
    """Fail unless dense_backward's `label` ("dx", "dW" or "db") is `expected`, hinting at its formula."""
    if not np.allclose(got, expected, rtol=1e-5, atol=1e-8):
        raise CheckFailure(f"`dense_backward` returned a wrong {label}.", input=inputs,
                           expected=expected, got=got, hint=f"{label} = {DENSE_FORMULAS[label]}.")


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


@graded("dense_backward", "dx = dz W^T and dW = x^T dz, shaped like x and W; inputs unchanged", points=1,
        rules=("values", "shape", "unchanged"))
def test_dense_backward_dx_dW(student):
    dz, x, W = DB_DZ.copy(), DB_X.copy(), DB_W.copy()
    dx, dW, db = call_dense_backward(student, dz, x, W)
    if isinstance(dx, np.ndarray) and dx.shape == (4, 3) and isinstance(dW, np.ndarray) and dW.shape == (2, 4):
        raise mistake("dense_backward-wrong-order").failure(input=DENSE_INPUTS, got=(dx, dW, db))
    require_array("dense_backward", dx, (2, 4), DENSE_INPUTS, "dx")
    if isinstance(dW, np.ndarray) and dW.shape == (3, 4):
        raise mistake("dense_backward-transposed-dW").failure(
            "dW has shape (d_out, d_in) instead of (d_in, d_out).", input=DENSE_INPUTS, expected=DB_DW, got=dW)
    require_array("dense_backward", dW, (4, 3), DENSE_INPUTS, "dW")
    if same(dW, DB_DW / 2):
        raise mistake("dense_backward-dW-averaged").failure(input=DENSE_INPUTS, expected=DB_DW, got=dW)
    require_dense_values("dx", dx, DB_DX)
    require_dense_values("dW", dW, DB_DW)
    if not (np.array_equal(dz, DB_DZ) and np.array_equal(x, DB_X) and np.array_equal(W, DB_W)):
        raise CheckFailure("`dense_backward` changed one of its inputs.", input=DENSE_INPUTS,
                           got={"dz": dz, "x": x, "W": W},
                           hint="Compute new arrays; never write into dz, x or W.")


@graded("dense_backward", "db = dz summed over the batch, shaped like b", points=1, rules=("values", "shape"))
def test_dense_backward_db(student):
    _, _, db = call_dense_backward(student, DB_DZ.copy(), DB_X.copy(), DB_W.copy())
    for shape, key in (((1, 3), "dense_backward-db-keepdims"), ((2, 3), "dense_backward-db-not-summed")):
        if isinstance(db, np.ndarray) and db.shape == shape:
            raise mistake(key).failure(f"db has shape {shape}; it must have b's shape (3,).",
                                       input=DENSE_INPUTS, expected=DB_DB, got=db)
    require_array("dense_backward", db, (3,), DENSE_INPUTS, "db")
    if same(db, DB_DB / 2):
        raise mistake("dense_backward-db-averaged").failure(input=DENSE_INPUTS, expected=DB_DB, got=db)
    require_dense_values("db", db, DB_DB)


@graded("dense_backward", "float32 in, float32 out", points=1, rules=("values", "dtype"))
def test_dense_backward_float32(student):
    dz, x, W = (a.astype(np.float32) for a in (DB_DZ, DB_X, DB_W))
    inputs = {"dz": dz, "x": x, "W": W}
    result = call_dense_backward(student, dz, x, W)
    for label, got, expected in zip(("dx", "dW", "db"), result, (DB_DX, DB_DW, DB_DB)):
        require_array("dense_backward", got, expected.shape, inputs, label)
        require_dense_values(label, got, expected, inputs)
        if got.dtype != np.float32:
            raise CheckFailure(f"`dense_backward` turned float32 input into a {got.dtype} {label}.",
                               input=inputs, expected=f"{label} with dtype float32", got=got,
                               hint="Build the results from dz, x and W alone (no float64 helper arrays "
                               "such as np.zeros(shape)), and they keep the input's dtype.")


# ---------------------------------------------------------------- activation_backward

# The last column puts z exactly on the kink: relu's slope there is 0, leaky_relu's is alpha.
# Only the relu check uses it, so a gate left open at z == 0 costs that check alone.
AB_Z = np.array([[-2.0, 0.5, 3.0, 0.0], [1.0, -0.5, -1.5, 0.0]])
AB_DA = np.array([[1.0, 2.0, -1.0, 3.0], [0.5, 4.0, 2.0, -2.0]])
AB_EXPECTED = {
    "relu": np.array([[0.0, 2.0, -1.0, 0.0], [0.5, 0.0, 0.0, 0.0]]),
    "leaky_relu": np.array([[0.01, 2.0, -1.0, 0.03], [0.5, 0.04, 0.02, -0.02]]),
    "sigmoid": np.array([[0.1049935854035065, 0.470007424403189, -0.045176659730912, 0.75],
                         [0.09830596662074093, 0.9400148488063779, 0.29829290414066567, -0.5]]),
    "tanh": np.array([[0.07065082485316443, 1.5728954659318548, -0.00986603716544021, 3.0],
                      [0.20998717080701307, 3.1457909318637096, 0.3614132778472967, -2.0]]),
}
AB_OPEN_AT_KINK = {  # slope 1 at z == 0: the gate `dz[z < 0] = 0` lets da through there
    "relu": np.array([[0.0, 2.0, -1.0, 3.0], [0.5, 0.0, 0.0, -2.0]]),
    "leaky_relu": np.array([[0.01, 2.0, -1.0, 3.0], [0.5, 0.04, 0.02, -2.0]]),
}
AB_AT_OUTPUT = {  # da * f'(f(z)): the derivative taken at the activation's output instead of at z
    "sigmoid": np.array([[0.24911401541513817, 0.45453218350436847, -0.20087900792592797, 0.7050111366047835],
                         [0.10968093200490385, 0.9651955115586242, 0.49586308057099115, -0.470007424403189]]),
    "tanh": np.array([[0.44338254169537683, 1.6270833903423056, -0.4231454032613243, 3.0],
                      [0.29390837501591593, 3.2541667806846113, 0.9666663111743432, -2.0]]),
}
AB_TIMES_F = {  # da * f(z): the activation itself instead of its derivative
    "sigmoid": np.array([[0.11920292202211755, 1.2449186624037092, -0.9525741268224334, 1.5],
                         [0.36552928931500245, 1.5101626751925818, 0.36485104761271264, -1.0]]),
    "tanh": np.array([[-0.9640275800758169, 0.9242343145200195, -0.9950547536867305, 0.0],
                      [0.3807970779778824, -1.848468629040039, -1.810296507289733, 0.0]]),
}
AB_EXTREME_Z = np.array([[-1e4, -50.0, 0.5, 50.0, 1e4]])
AB_EXTREME_EXPECTED = {  # f'(z) itself, since da is all ones
    "relu": np.array([[0.0, 0.0, 1.0, 1.0, 1.0]]),
    "leaky_relu": np.array([[0.01, 0.01, 1.0, 1.0, 1.0]]),
    "sigmoid": np.array([[0.0, 1.9287498479639178e-22, 0.2350037122015945, 1.9287498479639178e-22, 0.0]]),
    "tanh": np.array([[0.0, 0.0, 0.7864477329659274, 0.0, 0.0]]),
}


def check_activation_backward(student, activation, dtype=np.float64, kink=True):
    """Return activation_backward(AB_DA, AB_Z, activation), failing unless it is right and naming a usual mistake.

    kink: keep the column where z == 0 (else only the first three columns are used).
    """
    columns = slice(None) if kink else slice(0, 3)
    da, z = AB_DA[:, columns].astype(dtype), AB_Z[:, columns].astype(dtype)
    da_before, z_before = da.copy(), z.copy()
    inputs = {"da": da_before, "z": z_before, "activation": activation}
    got = student.activation_backward(da, z, activation)
    require_array("activation_backward", got, z.shape, inputs)
    expected = AB_EXPECTED[activation][:, columns]
    # float32 keeps about 7 digits, and 1 - tanh(z)**2 loses some of them
    close = {"rtol": 1e-5, "atol": 1e-6 if dtype == np.float32 else 1e-8}
    if np.allclose(got, expected, **close):
        if not (np.array_equal(da, da_before) and np.array_equal(z, z_before)):
            raise CheckFailure("`activation_backward` changed its input da or z.", input=inputs,
                               got={"da": da, "z": z},
                               hint="Return da * derivative(z) as a new array; do not write into da or z.")
        return got
    shown = {"input": inputs, "expected": expected, "got": got}
    if np.allclose(got, da_before):
        raise mistake("activation_backward-no-derivative").failure(f"With activation=\"{activation}\".", **shown)
    if kink and activation in AB_OPEN_AT_KINK and np.allclose(got, AB_OPEN_AT_KINK[activation]):
        raise mistake("activation_backward-open-at-zero").failure(
            f"With activation=\"{activation}\", dz equals da where z == 0 (the last column).", **shown)
    if activation in AB_AT_OUTPUT and np.allclose(got, AB_AT_OUTPUT[activation][:, columns]):
        raise mistake("activation_backward-at-output").failure(
            f"With activation=\"{activation}\" it computed da * {activation}_prime({activation}(z)).", **shown)
    if activation in AB_TIMES_F and np.allclose(got, AB_TIMES_F[activation][:, columns]):
        raise mistake("activation_backward-times-activation").failure(
            f"With activation=\"{activation}\" it computed da * {activation}(z).", **shown)
    raise CheckFailure(f"`activation_backward` with activation=\"{activation}\" is wrong.",
                       hint=f"dz = da * {activation}_prime(z), elementwise.", **shown)


@graded("activation_backward", "relu and leaky_relu: da times the slope at z (0 and alpha at z == 0)", points=1,
        rules=("values", "shape", "unchanged"))
def test_activation_backward_relu_family(student):
    for activation in ("relu", "leaky_relu"):
        check_activation_backward(student, activation)


@graded("activation_backward", "sigmoid and tanh: da times f'(z)", points=1, rules=("values", "shape", "unchanged"))
def test_activation_backward_smooth(student):
    for activation in ("sigmoid", "tanh"):
        check_activation_backward(student, activation)


@graded("activation_backward", "float32 in, float32 out, for every activation", points=1, rules=("values", "dtype"))
def test_activation_backward_float32(student):
    for activation in ("relu", "leaky_relu", "sigmoid", "tanh"):
        got = check_activation_backward(student, activation, np.float32, kink=False)
        if got.dtype != np.float32:
            raise mistake("activation_backward-float64-slope").failure(
                f"With activation=\"{activation}\", float32 da and z gave a {got.dtype} dz.",
                input={"da": AB_DA[:, :3].astype(np.float32), "z": AB_Z[:, :3].astype(np.float32),
                       "activation": activation},
                expected="dz with dtype float32", got=got)


@graded("activation_backward", "no warnings or nan for |z| up to 1e4", points=1, rules=("values", "stability"))
def test_activation_backward_extreme(student):
    for activation, expected in AB_EXTREME_EXPECTED.items():
        da = np.ones_like(AB_EXTREME_Z)
        inputs = {"da": da, "z": AB_EXTREME_Z, "activation": activation}
        got = student.activation_backward(da, AB_EXTREME_Z.copy(), activation)
        require_array("activation_backward", got, AB_EXTREME_Z.shape, inputs)
        if not np.all(np.isfinite(got)):
            raise CheckFailure("`activation_backward` returned inf or nan for large |z|.", input=inputs,
                               expected=expected, got=got,
                               hint="Use your stable sigmoid_prime and tanh_prime from 01: no exp of a large positive number.")
        if not np.allclose(got, expected, rtol=1e-5, atol=1e-12):
            raise CheckFailure(f"`activation_backward` with activation=\"{activation}\" is wrong for large |z|.",
                               input=inputs, expected=expected, got=got,
                               hint=f"dz = da * {activation}_prime(z), elementwise.")


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


def copied_network(activation, dtype=np.float64):
    """Return fresh copies of (dlogits, cache, params) of the hand-worked network, as `dtype`."""
    cache = [(a.astype(dtype), z.astype(dtype)) for a, z in NET[activation]["cache"]]
    return NET_DLOGITS.astype(dtype), cache, [(W.astype(dtype), b.astype(dtype)) for W, b in NET_PARAMS]


def close(got, expected):
    return np.allclose(got, expected, rtol=1e-5, atol=1e-8)


def first_wrong(pair, expected_pair):
    """Return (label, got, expected) for the first of dW, db that is wrong."""
    for label, got, expected in zip(("dW", "db"), pair, expected_pair):
        if not close(got, expected):
            return label, got, expected
    return None


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


def check_backward(student, activation, dtype=np.float64, pass_activation=True):
    """Return the student's grads for the hand-worked network, failing unless they are right and the inputs unchanged."""
    dlogits, cache, params = copied_network(activation, dtype)
    inputs = {"activation": activation if pass_activation else "not passed (the default)", "dlogits": dlogits,
              "x": cache[0][0], "layer sizes": "[2, 3, 2]"}
    got = student.backward(dlogits, cache, params, *([activation] if pass_activation else []))
    require_grads_layout(got, inputs)
    net = NET[activation]
    (dW1, db1), last = got
    wrong = first_wrong(last, net["grads"][1])
    if wrong:
        label, wrong_got, expected = wrong
        if close(last[1], net["last_layer_db"]):
            raise mistake("backward-derivative-on-last-layer").failure(input=inputs, expected=expected, got=wrong_got)
        raise CheckFailure(f"`backward` got the last layer's {label} wrong.", input=inputs, expected=expected, got=wrong_got,
                           hint="The last layer's (dW, db) come from dense_backward(dlogits, a_prev, W) with its own cache entry.")
    wrong = first_wrong((dW1, db1), net["grads"][0])
    if wrong:
        label, wrong_got, expected = wrong
        shown = {"input": inputs, "expected": expected, "got": wrong_got}
        if close(db1, NET_NO_DERIVATIVE_DB1):
            raise mistake("backward-no-derivative").failure(
                f"dx of layer 2 went straight into layer 1 as its dz (shown: layer 1's {label}).", **shown)
        if "at_output_db1" in net and close(db1, net["at_output_db1"]):
            raise mistake("backward-derivative-at-output").failure(f"Shown: layer 1's {label}.", **shown)
        raise CheckFailure(f"`backward` got the first layer's {label} wrong (the last layer's are right).",
                           hint="Pass dx of layer 2 back through the activation with layer 1's z, then use "
                           "dense_backward with layer 1's input x.", **shown)
    originals = copied_network(activation, dtype)
    if not all(np.array_equal(a, b) for a, b in zip(flat_arrays(dlogits, cache, params), flat_arrays(*originals))):
        raise CheckFailure("`backward` changed dlogits, the cache or params.", input=inputs,
                           hint="Compute new arrays; never write into the inputs (no `dz *= ...` on dlogits).")
    return got


def flat_arrays(dlogits, cache, params):
    return [dlogits, *[a for pair in cache + params for a in pair]]


@graded("backward", "a 2-3-2 relu network, worked by hand", points=1, rules=("values", "shape", "unchanged"))
def test_backward_relu_network(student):
    check_backward(student, "relu")


@graded("backward", "a 2-3-2 tanh network", points=1, rules=("values", "shape", "unchanged"))
def test_backward_tanh_network(student):
    check_backward(student, "tanh")


@graded("backward", "relu by default; float32 in, float32 out", points=1, rules=("values", "defaults", "dtype"))
def test_backward_default_and_float32(student):
    try:
        got = check_backward(student, "relu", np.float32, pass_activation=False)
    except CheckFailure as failure:
        check_backward(student, "relu", np.float32)  # raises its own message when relu itself is wrong
        raise CheckFailure("`backward` called without an activation gave no relu gradients, "
                           "although activation=\"relu\" gives the right ones.", got=failure.problem,
                           hint="Keep the default of the signature: activation=\"relu\".") from None
    for layer, pair in enumerate(got, start=1):
        for label, array in zip(("dW", "db"), pair):
            if array.dtype != np.float32:
                raise CheckFailure(f"`backward` turned float32 input into a {array.dtype} {label} of layer {layer}.",
                                   input="the 2-3-2 relu network in float32", expected=f"{label} with dtype float32",
                                   got=array, hint="Keep the input's dtype: no float64 helper arrays such as "
                                   "np.zeros(shape); dense_backward and activation_backward keep float32 too.")
