"""Public checks for 00_welcome: numpy warm-up functions.

Expected values are literals computed once offline; where a common beginner
mistake (wrong axis, missing keepdims, wrong ddof, ...) gives a different
literal, the check recognises it and names it.
"""

import numpy as np

from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.forward import as_array, explain, expect_unchanged, expect_values, matches

KEEPDIMS_HINT = (
    "A sum or mean over axis=1 has shape (n,), one number per row, and numpy lines such an array up with "
    "the columns, not the rows. Pass keepdims=True to get shape (n, 1), which broadcasts along each row."
)

# --- standardize_columns ---

STANDARDIZE_X = np.array([[1.0, 10.0], [2.0, 30.0], [6.0, 20.0]])
STANDARDIZED = np.array([
    [-0.9258200997725514, -1.224744871391589],
    [-0.4629100498862757, 1.224744871391589],
    [1.3887301496588271, 0.0],
])


@graded("standardize_columns", "matches hand-computed values")
def test_standardize_columns_values(student):
    x = STANDARDIZE_X.copy()
    hint = "Columns are axis 0: x.mean(axis=0) has shape (d,) and broadcasts over the rows by itself."
    with explain(hint, when="broadcast"):
        got = student.standardize_columns(x)
    got = as_array("standardize_columns", got, x.shape, x)
    mistakes = [
        ([[-1.0107529973349678, -0.14439328533356685], [-0.91449080711259, 1.780850519113991],
          [-0.5294420462230784, 0.8182286168902121]],
         "used the mean and standard deviation of the whole array, not of each column",
         "Pass axis=0 to mean and std so you get one value per column."),
        ([[-1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]],
         "standardized each row (axis=1) instead of each column",
         "Each column is one feature; its values run down axis 0. Use axis=0."),
        ([[-0.7559289460184544, -1.0], [-0.3779644730092272, 1.0], [1.1338934190276817, 0.0]],
         "divided by the sample standard deviation (ddof=1)",
         "Use np.std's default, ddof=0: the square root of the mean squared deviation."),
        ([[-2.0, -10.0], [-1.0, 10.0], [3.0, 0.0]],
         "subtracted the column means but did not divide by the standard deviations",
         "After subtracting the mean, divide by x.std(axis=0)."),
    ]
    for values, what, mistake_hint in mistakes:
        if matches(got, values):
            raise CheckFailure(
                f"`standardize_columns` {what}.", input=x, expected=STANDARDIZED, got=got, hint=mistake_hint,
            )
    expect_values(
        "standardize_columns", got, STANDARDIZED, x,
        hint="For each column: subtract its mean, then divide by its standard deviation (axis=0).",
    )


@graded("standardize_columns", "every column ends with mean 0 and std 1")
def test_standardize_columns_moments(student):
    rng = np.random.default_rng(0)
    x = rng.normal(loc=[5.0, -2.0, 100.0], scale=[2.0, 0.5, 30.0], size=(40, 3))
    got = as_array("standardize_columns", student.standardize_columns(x), x.shape, "x: (40, 3) random numbers")
    means, stds = got.mean(axis=0), got.std(axis=0)
    if not (np.allclose(means, 0.0, atol=1e-9) and np.allclose(stds, 1.0, atol=1e-9)):
        raise CheckFailure(
            "After standardizing, the columns do not all have mean 0 and standard deviation 1.",
            input="x: (40, 3) random numbers with column means 5, -2, 100",
            expected="column means [0, 0, 0] and stds [1, 1, 1]",
            got=f"column means {np.round(means, 4)} and stds {np.round(stds, 4)}",
            hint="Use axis=0 for both the mean and the standard deviation.",
        )


@graded("standardize_columns", "leaves its input unchanged")
def test_standardize_columns_input_unchanged(student):
    x = STANDARDIZE_X.copy()
    student.standardize_columns(x)
    expect_unchanged("standardize_columns", STANDARDIZE_X, x, "x")


# --- normalize_rows ---


@graded("normalize_rows", "matches hand-computed values")
def test_normalize_rows_values(student):
    x = np.array([[1.0, 1.0, 2.0], [0.0, 3.0, 1.0]])
    expected = np.array([[0.25, 0.25, 0.5], [0.0, 0.75, 0.25]])
    with explain(KEEPDIMS_HINT, when="broadcast"):
        got = student.normalize_rows(x)
    got = as_array("normalize_rows", got, x.shape, x)
    if matches(got, [[1.0, 0.25, 2 / 3], [0.0, 0.75, 1 / 3]]):
        raise CheckFailure(
            "`normalize_rows` made the columns sum to 1 (axis=0) instead of the rows.",
            input=x, expected=expected, got=got, hint="Sum over axis=1, with keepdims=True.",
        )
    if matches(got, [[0.125, 0.125, 0.25], [0.0, 0.375, 0.125]]):
        raise CheckFailure(
            "`normalize_rows` divided by the sum of the whole array, so only all rows together sum to 1.",
            input=x, expected=expected, got=got, hint="Divide each row by its own sum: x.sum(axis=1, keepdims=True).",
        )
    expect_values("normalize_rows", got, expected, x, hint="Divide each row by its own sum, so every row sums to 1.")


@graded("normalize_rows", "divides each row by its own sum (square input)")
def test_normalize_rows_square(student):
    x = np.array([[1.0, 2.0, 1.0], [4.0, 0.0, 4.0], [0.0, 1.0, 3.0]])
    expected = np.array([[0.25, 0.5, 0.25], [0.5, 0.0, 0.5], [0.0, 0.25, 0.75]])
    got = as_array("normalize_rows", student.normalize_rows(x), x.shape, x)
    if matches(got, [[0.25, 0.25, 0.25], [1.0, 0.0, 1.0], [0.0, 0.125, 0.75]]):
        raise CheckFailure(
            "`normalize_rows` divided column j by the sum of row j. With a square input the shapes happened "
            "to fit, so numpy did not complain.",
            input=x, expected=expected, got=got, hint=KEEPDIMS_HINT,
        )
    expect_values("normalize_rows", got, expected, x, hint="Divide each row by its own sum.")


@graded("normalize_rows", "leaves its input unchanged")
def test_normalize_rows_input_unchanged(student):
    x = np.array([[2.0, 2.0], [1.0, 3.0]])
    before = x.copy()
    student.normalize_rows(x)
    expect_unchanged("normalize_rows", before, x, "x")


# --- row_argmax ---


@graded("row_argmax", "returns the column of each row's largest entry")
def test_row_argmax_values(student):
    x = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0], [-1.0, -3.0, -2.0], [0.5, 0.25, 4.0]])
    expected = np.array([1, 0, 0, 2])
    got = student.row_argmax(x)
    if isinstance(got, (int, float)):
        raise CheckFailure(
            "`row_argmax` returned a single number: without an axis, np.argmax looks at the flattened array.",
            input=x, expected=expected, got=got, hint="Use np.argmax(x, axis=1): one index per row.",
        )
    if isinstance(got, np.ndarray) and got.shape == (3,):
        raise CheckFailure(
            "`row_argmax` returned one index per column (axis=0); it must return one per row.",
            input=x, expected=expected, got=got, hint="Rows run along axis 0, so look across each row with axis=1.",
        )
    if isinstance(got, np.ndarray) and got.shape == (4, 1):
        raise CheckFailure(
            "`row_argmax` returned shape (n, 1); it must return a flat array of shape (n,).",
            input=x, expected=expected, got=got, hint="Drop keepdims=True, or flatten the result with .ravel().",
        )
    got = as_array("row_argmax", got, (4,), x)
    if matches(got, [5.0, 7.0, -1.0, 4.0]):
        raise CheckFailure(
            "`row_argmax` returned the largest values, not their positions.",
            input=x, expected=expected, got=got, hint="np.max gives the value; np.argmax gives its index.",
        )
    expect_values("row_argmax", got, expected, x, hint="Return the index of the largest entry of each row: np.argmax(x, axis=1).")


@graded("row_argmax", "integer indices, first one on ties")
def test_row_argmax_ties(student):
    x = np.array([[2.0, 2.0, 1.0], [0.0, 3.0, 3.0], [4.0, 4.0, 4.0]])
    expected = np.array([0, 1, 0])
    got = as_array("row_argmax", student.row_argmax(x), (3,), x)
    if matches(got, [1, 2, 2]):
        raise CheckFailure(
            "On ties `row_argmax` returned the last position of the largest value; it must return the first.",
            input=x, expected=expected, got=got,
            hint="In a loop, replace the best index only when a value is strictly larger (>, not >=).",
        )
    expect_values("row_argmax", got, expected, x)
    if not np.issubdtype(got.dtype, np.integer):
        raise CheckFailure(
            f"`row_argmax` returned dtype {got.dtype}; indices must be integers.", input=x, got=got,
            hint="np.argmax returns integers. If you fill an array in a loop, make it with np.zeros(n, dtype=int).",
        )


# --- pairwise_squared_distances ---


@graded("pairwise_squared_distances", "matches hand-computed values")
def test_pairwise_squared_distances_values(student):
    a = np.array([[0.0, 0.0], [1.0, 2.0]])
    b = np.array([[1.0, 0.0], [3.0, 4.0], [0.0, -1.0]])
    shown = {"a": a, "b": b}
    expected = np.array([[1.0, 25.0, 1.0], [4.0, 8.0, 10.0]])
    hint = "a[:, None, :] has shape (n, 1, d) and b[None, :, :] has shape (1, m, d): their difference is (n, m, d)."
    with explain(hint, when="broadcast"):
        got = student.pairwise_squared_distances(a, b)
    if isinstance(got, np.ndarray) and got.shape == (3, 2):
        raise CheckFailure(
            "`pairwise_squared_distances` returned shape (m, n); entry [i, j] must compare a[i] with b[j], "
            "so the shape is (n, m).",
            input=shown, expected=expected, got=got, hint="Rows belong to a, columns to b.",
        )
    got = as_array("pairwise_squared_distances", got, (2, 3), shown)
    if matches(got, np.sqrt(expected)):
        raise CheckFailure(
            "`pairwise_squared_distances` returned the distances themselves; the task asks for their squares.",
            input=shown, expected=expected, got=got, hint="Leave out the square root.",
        )
    expect_values(
        "pairwise_squared_distances", got, expected, shown,
        hint="Entry [i, j] is the sum over k of (a[i, k] - b[j, k])**2.",
    )


@graded("pairwise_squared_distances", "a set of points against itself")
def test_pairwise_squared_distances_self(student):
    a = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]])
    before = a.copy()
    got = as_array("pairwise_squared_distances", student.pairwise_squared_distances(a, a), (3, 3), {"a": a, "b": a})
    expect_unchanged("pairwise_squared_distances", before, a, "a")
    expect_values(
        "pairwise_squared_distances", got, [[0.0, 25.0, 2.0], [25.0, 0.0, 13.0], [2.0, 13.0, 0.0]], {"a": a, "b": a},
        hint="Entry [i, j] is the squared distance between a[i] and a[j]: 0 on the diagonal, and symmetric.",
    )
