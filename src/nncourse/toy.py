"""Small 2-D and 1-D datasets, made in code, for watching a network learn.

Every maker takes a `numpy.random.Generator` and returns `(x, y)` with
samples as rows: `x` has shape `(n, 2)` (or `(n, 1)` for curves).
"""

import numpy as np


def make_quadrants(n, rng, noise=0.1):
    """Return XOR-style quadrant data: label 1 where x0 and x1 have the same sign.

    x: (n, 2) float64 in about [-1, 1]; y: (n,) int64 in {0, 1}.
    """
    x = rng.uniform(-1, 1, size=(n, 2))
    y = (np.sign(x[:, 0]) == np.sign(x[:, 1])).astype(np.int64)
    return x + noise * rng.standard_normal(x.shape), y


def make_spirals(n, rng, turns=1.5, noise=0.08):
    """Return two interleaved spirals, n // 2 points each.

    x: (n, 2) float64 in about [-1, 1]; y: (n,) int64 in {0, 1}.
    """
    half = n // 2
    t = np.sqrt(rng.uniform(0, 1, size=half)) * turns * 2 * np.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (turns * 2 * np.pi)
    x = np.concatenate([arm, -arm]) + noise * rng.standard_normal((2 * half, 2))
    y = np.concatenate([np.zeros(half, np.int64), np.ones(half, np.int64)])
    order = rng.permutation(2 * half)
    return x[order], y[order]


def make_curve(n, rng, noise=0.05):
    """Return noisy samples of y = sin(3x) + 0.3x for a regression fit with MSE.

    x: (n, 1) float64 in [-2, 2]; y: (n, 1) float64.
    """
    x = np.sort(rng.uniform(-2, 2, size=(n, 1)), axis=0)
    return x, np.sin(3 * x) + 0.3 * x + noise * rng.standard_normal(x.shape)
