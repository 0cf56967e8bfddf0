"""Public checks for 00_welcome: numpy warm-up functions.

Expected values are literals computed once offline; where a common beginner
mistake (wrong axis, missing keepdims, wrong ddof, ...) gives a different
literal, the check recognises it and names it.
"""

import numpy as np

from nncourse.checks.core import graded
from nncourse.checks.forward import (
    FLOAT32_ATOL, FLOAT32_RTOL, as_array, expect_float32, expect_float_dtype, expect_unchanged, expect_values, explain,
    matches,
)
from nncourse.checks.mistakes import mistake

# --- standardize_columns ---

STANDARDIZE_X = np.array([[1.0, 10.0], [2.0, 30.0], [6.0, 20.0]])
STANDARDIZED = np.array([
    [-0.9258200997725514, -1.224744871391589],
    [-0.4629100498862757, 1.224744871391589],
    [1.3887301496588271, 0.0],
])


@graded("standardize_columns", "matches hand-computed values", rules=("values",))
def test_standardize_columns_values(student):
    x = STANDARDIZE_X.copy()
    hint = "Columns are axis 0: x.mean(axis=0) has shape (d,) and broadcasts over the rows by itself."
    with explain(hint, when="broadcast"):
        got = student.standardize_columns(x)
    got = as_array("standardize_columns", got, x.shape, x)
    mistakes = [
        ([[-1.0107529973349678, -0.14439328533356685], [-0.91449080711259, 1.780850519113991],
          [-0.5294420462230784, 0.8182286168902121]], mistake("standardize_columns-whole-array")),
        ([[-1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]], mistake("standardize_columns-rows")),
        ([[-0.7559289460184544, -1.0], [-0.3779644730092272, 1.0], [1.1338934190276817, 0.0]],
         mistake("standardize_columns-sample-std")),
        ([[-2.0, -10.0], [-1.0, 10.0], [3.0, 0.0]], mistake("standardize_columns-not-scaled")),
    ]
    for values, known in mistakes:
        if matches(got, values):
            raise known.failure(input=x, expected=STANDARDIZED, got=got)
    expect_values(
        "standardize_columns", got, STANDARDIZED, x,
        hint="For each column: subtract its mean, then divide by its standard deviation (axis=0).",
    )


@graded("standardize_columns", "every column ends with mean 0 and std 1", rules=("values", "shape"))
def test_standardize_columns_moments(student):
    rng = np.random.default_rng(0)
    x = rng.normal(loc=[5.0, -2.0, 100.0], scale=[2.0, 0.5, 30.0], size=(40, 3))
    got = as_array("standardize_columns", student.standardize_columns(x), x.shape, "x: (40, 3) random numbers")
    moments = np.array([got.mean(axis=0), got.std(axis=0)])
    expect_values(
        "standardize_columns", moments, [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
        "x: (40, 3) random numbers with column means 5, -2, 100",
        problem="After standardizing, the columns do not all have mean 0 and standard deviation 1 "
        "(row 0: the column means, row 1: the column stds).",
        hint="Use axis=0 for both the mean and the standard deviation.", atol=1e-6,
    )


@graded("standardize_columns", "leaves its input unchanged", rules=("unchanged", "values"))
def test_standardize_columns_input_unchanged(student):
    x = STANDARDIZE_X.copy()
    got = student.standardize_columns(x)
    expect_unchanged("standardize_columns", STANDARDIZE_X, x, "x")
    expect_values("standardize_columns", got, STANDARDIZED, x)


@graded("standardize_columns", "float32 in gives float32 out", rules=("dtype", "unchanged", "values"))
def test_standardize_columns_float32(student):
    expect_float32(student, "standardize_columns", STANDARDIZE_X, STANDARDIZED, name="x")


# --- normalize_rows ---


@graded("normalize_rows", "matches hand-computed values", rules=("values",))
def test_normalize_rows_values(student):
    x = np.array([[1.0, 1.0, 2.0], [0.0, 3.0, 1.0]])
    expected = np.array([[0.25, 0.25, 0.5], [0.0, 0.75, 0.25]])
    with mistake("normalize_rows-no-keepdims").catches("broadcast", input=x, expected=expected):
        got = student.normalize_rows(x)
    got = as_array("normalize_rows", got, x.shape, x)
    if matches(got, [[1.0, 0.25, 2 / 3], [0.0, 0.75, 1 / 3]]):
        raise mistake("normalize_rows-columns").failure(
            "The columns sum to 1 instead of the rows.", input=x, expected=expected, got=got)
    if matches(got, [[0.125, 0.125, 0.25], [0.0, 0.375, 0.125]]):
        raise mistake("normalize_rows-total-sum").failure(
            "Only all rows together sum to 1.", input=x, expected=expected, got=got)
    expect_values("normalize_rows", got, expected, x, hint="Divide each row by its own sum, so every row sums to 1.")


@graded("normalize_rows", "divides each row by its own sum (square input)", rules=("values", "shape"))
def test_normalize_rows_square(student):
    x = np.array([[1.0, 2.0, 1.0], [4.0, 0.0, 4.0], [0.0, 1.0, 3.0]])
    expected = np.array([[0.25, 0.5, 0.25], [0.5, 0.0, 0.5], [0.0, 0.25, 0.75]])
    got = as_array("normalize_rows", student.normalize_rows(x), x.shape, x)
    if matches(got, [[0.25, 0.25, 0.25], [1.0, 0.0, 1.0], [0.0, 0.125, 0.75]]):
        raise mistake("normalize_rows-no-keepdims").failure(
            "Column j was divided by the sum of row j: with a square input the shapes happened to fit, "
            "so numpy did not complain.", input=x, expected=expected, got=got)
    expect_values("normalize_rows", got, expected, x, hint="Divide each row by its own sum.")


@graded("normalize_rows", "leaves its input unchanged", rules=("unchanged", "values"))
def test_normalize_rows_input_unchanged(student):
    x = np.array([[2.0, 2.0], [1.0, 3.0]])
    before = x.copy()
    got = student.normalize_rows(x)
    expect_unchanged("normalize_rows", before, x, "x")
    expect_values("normalize_rows", got, [[0.5, 0.5], [0.25, 0.75]], x)


@graded("normalize_rows", "float32 in gives float32 out", rules=("dtype", "unchanged", "values"))
def test_normalize_rows_float32(student):
    expect_float32(student, "normalize_rows", [[1.0, 1.0, 2.0], [0.0, 3.0, 1.0]], [[0.25, 0.25, 0.5], [0.0, 0.75, 0.25]],
                   name="x")


# --- row_argmax ---


@graded("row_argmax", "returns the column of each row's largest entry", rules=("values", "shape"))
def test_row_argmax_values(student):
    x = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0], [-1.0, -3.0, -2.0], [0.5, 0.25, 4.0]])
    expected = np.array([1, 0, 0, 2])
    got = student.row_argmax(x)
    if isinstance(got, (int, float)):
        raise mistake("row_argmax-no-axis").failure("It returned a single number.", input=x, expected=expected, got=got)
    if isinstance(got, np.ndarray) and got.shape == (3,):
        raise mistake("row_argmax-columns").failure(input=x, expected=expected, got=got)
    if isinstance(got, np.ndarray) and got.shape == (4, 1):
        raise mistake("row_argmax-keepdims").failure(input=x, expected=expected, got=got)
    got = as_array("row_argmax", got, (4,), x)
    if matches(got, [5.0, 7.0, -1.0, 4.0]):
        raise mistake("row_argmax-values").failure(input=x, expected=expected, got=got)
    expect_values("row_argmax", got, expected, x, hint="Return the index of the largest entry of each row: np.argmax(x, axis=1).")


@graded("row_argmax", "integer indices, first one on ties", rules=("values", "shape"))
def test_row_argmax_ties(student):
    x = np.array([[2.0, 2.0, 1.0], [0.0, 3.0, 3.0], [4.0, 4.0, 4.0]])
    expected = np.array([0, 1, 0])
    got = as_array("row_argmax", student.row_argmax(x), (3,), x)
    if matches(got, [1, 2, 2]):
        raise mistake("row_argmax-last-on-ties").failure(input=x, expected=expected, got=got)
    expect_values("row_argmax", got, expected, x)
    if not np.issubdtype(got.dtype, np.integer):
        raise mistake("row_argmax-float-indices").failure(f"They have dtype {got.dtype}.", input=x, got=got)


# --- pairwise_squared_distances ---


@graded("pairwise_squared_distances", "matches hand-computed values", rules=("values", "shape"))
def test_pairwise_squared_distances_values(student):
    a = np.array([[0.0, 0.0], [1.0, 2.0]])
    b = np.array([[1.0, 0.0], [3.0, 4.0], [0.0, -1.0]])
    shown = {"a": a, "b": b}
    expected = np.array([[1.0, 25.0, 1.0], [4.0, 8.0, 10.0]])
    hint = "a[:, None, :] has shape (n, 1, d) and b[None, :, :] has shape (1, m, d): their difference is (n, m, d)."
    with explain(hint, when="broadcast"):
        got = student.pairwise_squared_distances(a, b)
    if isinstance(got, np.ndarray) and got.shape == (3, 2):
        raise mistake("pairwise_squared_distances-transposed").failure(
            "The shape must be (n, m) = (2, 3).", input=shown, expected=expected, got=got)
    got = as_array("pairwise_squared_distances", got, (2, 3), shown)
    if matches(got, np.sqrt(expected)):
        raise mistake("pairwise_squared_distances-square-root").failure(input=shown, expected=expected, got=got)
    expect_values(
        "pairwise_squared_distances", got, expected, shown,
        hint="Entry [i, j] is the sum over k of (a[i, k] - b[j, k])**2.",
    )


@graded("pairwise_squared_distances", "a set of points against itself", rules=("values", "unchanged"))
def test_pairwise_squared_distances_self(student):
    a = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]])
    before = a.copy()
    got = as_array("pairwise_squared_distances", student.pairwise_squared_distances(a, a), (3, 3), {"a": a, "b": a})
    expect_unchanged("pairwise_squared_distances", before, a, "a")
    expect_values(
        "pairwise_squared_distances", got, [[0.0, 25.0, 2.0], [25.0, 0.0, 13.0], [2.0, 13.0, 0.0]], {"a": a, "b": a},
        hint="Entry [i, j] is the squared distance between a[i] and a[j]: 0 on the diagonal, and symmetric.",
    )


@graded("pairwise_squared_distances", "float32 in gives float32 out", rules=("dtype", "values"))
def test_pairwise_squared_distances_float32(student):
    a = np.array([[0.0, 0.0], [1.0, 2.0]], dtype=np.float32)
    b = np.array([[1.0, 0.0], [3.0, 4.0], [0.0, -1.0]], dtype=np.float32)
    shown = {"a": a, "b": b}
    got = student.pairwise_squared_distances(a, b)
    expect_values("pairwise_squared_distances", got, [[1.0, 25.0, 1.0], [4.0, 8.0, 10.0]], shown,
                  rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)
    expect_float_dtype("pairwise_squared_distances", got, np.float32, shown, name="a")
