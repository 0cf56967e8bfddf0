"""Functions a check can hand to a student's function, such as the `f` of `numerical_gradient`.

A lambda cannot travel to the sandbox where student code runs, so checks use
`Expression`: a numpy expression in `x` with named constant arrays, which
is sent as text and evaluated on the student's side.

A name may also stand for one of the call's own arguments, `Argument(1)`, bound
where the student's function runs: Expression("np.sum(w ** 3)", w=Argument(1))
ignores the x it is given and reads the very array passed as argument 1, as a
loss reads the weights it closes over. A numerical gradient that nudges a copy
of x then sees no change, exactly as in the notebook's gradient check.
"""

import numpy as np


class Argument:
    """Stands for the call's argument at `index` until the call binds it."""

    def __init__(self, index):
        self.index = int(index)

    def __repr__(self):
        return f"Argument({self.index})"


class Expression:
    """A scalar function of `x` written as a numpy expression, e.g. Expression("np.sum(w * x**2)", w=w)."""

    def __init__(self, code, **names):
        self.code = code
        self.names = names
        self._compiled = compile(code, "<expression>", "eval")

    def __call__(self, x):
        return eval(self._compiled, {"np": np, "__builtins__": {}}, {**self.names, "x": x})  # noqa: S307

    def bound_to(self, args):
        """Return this expression with every Argument name bound to the object in `args`."""
        names = {k: args[v.index] if isinstance(v, Argument) and v.index < len(args) else v for k, v in self.names.items()}
        return Expression(self.code, **names)

    def __repr__(self):
        return f"f(x) = {self.code}"


def bind_arguments(args):
    """Return `args` with each Expression's Argument names bound to the other arguments."""
    return tuple(a.bound_to(args) if isinstance(a, Expression) else a for a in args)


def argument_slots(args, kwargs):
    """Return a call's arguments by slot: positional ones as "0", "1", ..., keyword ones by name.

    Both sides of the sandbox name arguments this way when they report what a call did to them.
    """
    return {**{str(i): a for i, a in enumerate(args)}, **kwargs}
