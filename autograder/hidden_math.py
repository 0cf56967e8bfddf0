"""Reference math shared by hidden checks (instructors only: it is the answer to a graded function)."""

import numpy as np


def central_differences(f, x, eps=1e-6):
    """Return the central-difference gradient of the scalar f at a float64 array x, restoring x."""
    gradient = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        plus = f(x)
        x[index] = original - eps
        minus = f(x)
        x[index] = original
        gradient[index] = (plus - minus) / (2 * eps)
    return gradient
