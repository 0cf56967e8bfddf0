import numpy as np
from nncourse.checks.core import CheckFailure, graded

@graded("softmax", "rows sum to one")
def test_softmax_rows_sum_to_one(student):
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    got = student.softmax(z)
    if not np.allclose(got.sum(axis=1), 1.0):
        raise CheckFailure("rows do not sum to 1", input=z, got=got, hint="normalise over the last axis")
