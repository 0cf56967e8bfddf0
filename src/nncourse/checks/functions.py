"""Functions a check can hand to a student's function, such as the `f` of `numerical_gradient`.

A lambda cannot travel to the sandbox where student code runs, so checks use
`Expression`: a numpy expression in `x` with named constant arrays, which
is sent as text and evaluated on the student's side.
"""

import numpy as np


class Expression:
    """A scalar function of `x` written as a numpy expression, e.g. Expression("np.sum(w * x**2)", w=w)."""

    def __init__(self, code, **names):
        self.code = code
        self.names = names
        self._compiled = compile(code, "<expression>", "eval")

    def __call__(self, x):
        return eval(self._compiled, {"np": np, "__builtins__": {}}, {**self.names, "x": x})  # noqa: S307

    def __repr__(self):
        return f"f(x) = {self.code}"
