"""Hidden checks for 00_welcome: every public check, plus stricter ones."""

import numpy as np

from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.forward import RTOL, as_array, expect_unchanged, expect_values
from nncourse.checks.mistakes import mistake
from nncourse.checks.welcome import *  # noqa: F403 (every public check also grades)


# --- standardize_columns ---


@graded("standardize_columns", "accurate for data far from zero", rules=("values",))
def test_standardize_columns_large_offset(student):
    x = 1e8 + np.array([[1.0, -2.0], [2.0, 0.0], [3.0, 2.0]])
    expect_values(
        "standardize_columns", student.standardize_columns(x),
        np.array([[-1.224744871391589, -1.224744871391589], [0.0, 0.0], [1.224744871391589, 1.224744871391589]]),
        x, atol=1e-6,
        hint="Compute the std from the deviations x - mean (as np.std does), not as mean(x**2) - mean(x)**2, "
        "which loses all precision for large numbers.",
    )


@graded("standardize_columns", "any number of rows and columns, input unchanged", rules=("values", "shape", "unchanged"))
def test_standardize_columns_shapes(student, reference):
    rng = np.random.default_rng(2)
    for shape in [(2, 1), (7, 5), (30, 2)]:
        x = rng.normal(-4.0, 10.0, size=shape)
        before = x.copy()
        got = student.standardize_columns(x)
        expect_unchanged("standardize_columns", before, x, "x")
        expect_values("standardize_columns", got, reference.standardize_columns(before), before)


# --- normalize_rows ---


@graded("normalize_rows", "a single row and a single column", rules=("values", "shape"))
def test_normalize_rows_thin(student):
    row = np.array([[1.0, 3.0, 4.0]])
    expect_values("normalize_rows", student.normalize_rows(row), np.array([[0.125, 0.375, 0.5]]), row)
    column = np.array([[2.0], [0.5], [7.0]])
    expect_values(
        "normalize_rows", student.normalize_rows(column), np.ones((3, 1)), column,
        hint="A row with one entry divided by its own sum is 1.",
    )


@graded("normalize_rows", "matches the reference on random rows", rules=("values",))
def test_normalize_rows_random(student, reference):
    x = np.random.default_rng(4).uniform(0.0, 10.0, size=(25, 7))
    expect_values("normalize_rows", student.normalize_rows(x), reference.normalize_rows(x), x)


# --- row_argmax ---


@graded("row_argmax", "works for float32 and integer input", rules=("values", "shape"))
def test_row_argmax_dtypes(student):
    for x in (np.array([[1, 9, 3], [8, 2, 8]], dtype=np.int64), np.array([[0.5, -1.0, 2.5], [3.0, 2.0, 1.0]], dtype=np.float32)):
        got = as_array("row_argmax", student.row_argmax(x), (2,), x)
        want = np.array([1, 0]) if x.dtype == np.int64 else np.array([2, 0])
        if not (np.issubdtype(got.dtype, np.integer) and np.array_equal(got, want)):
            raise CheckFailure("`row_argmax` gave wrong indices.", input=x, expected=want, got=got)


@graded("row_argmax", "a single column, and rows of negative numbers", rules=("values", "shape"))
def test_row_argmax_edges(student):
    column = np.array([[3.0], [-1.0], [0.0]])
    expect_values("row_argmax", student.row_argmax(column), np.array([0, 0, 0]), column,
                  hint="With one column, every row's largest entry is at index 0.")
    negative = np.array([[-5.0, -0.5, -2.0], [-1e9, -3e9, -2e9]])
    expect_values("row_argmax", student.row_argmax(negative), np.array([1, 0]), negative,
                  hint="Do not start the search from 0 as the 'best so far': start from the row's first entry.")


@graded("row_argmax", "matches the reference on a large random array", rules=("values",))
def test_row_argmax_random(student, reference):
    x = np.random.default_rng(5).integers(0, 6, size=(200, 9)).astype(np.float64)  # many ties
    expect_values("row_argmax", student.row_argmax(x), reference.row_argmax(x), x)


# --- pairwise_squared_distances ---


@graded("pairwise_squared_distances", "never negative, 0 for identical points", rules=("values",))
def test_pairwise_squared_distances_nonnegative(student, reference):
    rng = np.random.default_rng(7)
    a = 1000.0 + 100.0 * rng.normal(size=(20, 5))
    shown = "a: (20, 5) points near 1000, compared with themselves"
    got = as_array("pairwise_squared_distances", student.pairwise_squared_distances(a, a), (20, 20), shown)
    if got.min() < 0 or np.abs(np.diag(got)).max() > 1e-6:
        raise mistake("pairwise_squared_distances-unclipped-shortcut").failure(
            "Comparing points with themselves gave negative numbers or a diagonal that is not 0.",
            input=shown, expected="all entries >= 0, diagonal 0",
            got=f"smallest entry {got.min():.3g}, largest diagonal entry {np.abs(np.diag(got)).max():.3g}",
        )
    # The shortcut |a|^2 + |b|^2 - 2 a.b, clipped, is off by rounding of |a|^2 ~ 5e6: allow that near 0.
    expect_values("pairwise_squared_distances", got, reference.pairwise_squared_distances(a, a), shown, rtol=RTOL, atol=1e-6)


@graded("pairwise_squared_distances", "any sizes n, m and d", rules=("values", "shape"))
def test_pairwise_squared_distances_shapes(student, reference):
    rng = np.random.default_rng(8)
    for n, m, d in [(1, 1, 1), (1, 6, 2), (9, 1, 4), (30, 17, 8)]:
        a, b = rng.normal(size=(n, d)), rng.normal(size=(m, d))
        expect_values(
            "pairwise_squared_distances", student.pairwise_squared_distances(a, b),
            reference.pairwise_squared_distances(a, b), {"a": a, "b": b},
        )


@graded("pairwise_squared_distances", "leaves a and b unchanged", rules=("unchanged", "values"))
def test_pairwise_squared_distances_inputs_unchanged(student, reference):
    rng = np.random.default_rng(9)
    a, b = rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    a0, b0 = a.copy(), b.copy()
    got = student.pairwise_squared_distances(a, b)
    expect_unchanged("pairwise_squared_distances", a0, a, "a")
    expect_unchanged("pairwise_squared_distances", b0, b, "b")
    expect_values("pairwise_squared_distances", got, reference.pairwise_squared_distances(a0, b0), {"a": a0, "b": b0})
