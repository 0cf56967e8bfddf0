"""Progress as plain text lines: they read the same live, in a terminal, and in a saved notebook.

A progress bar redrawn in place (tqdm) is saved in a notebook as its first frame,
"0% 0/15", and fills a log file with control characters. `progress` prints one
short line instead, at most about `lines` times per loop, and always for the
last step:

    for epoch in (bar := progress(range(15), "training")):
        ...
        bar.set_postfix(loss=loss)

prints `training: 3/15  loss 0.2104  (4.1 s of CPU time)`. The clock is the CPU time, the one time
budgets are counted in, so the line and the budget agree however busy the machine is.
"""

from __future__ import annotations

import numbers
import sys
import time


class progress:  # noqa: N801 (used like a function, as tqdm is)
    """Iterate over `iterable`, printing `desc: k/total` and the latest postfix values now and then."""

    def __init__(self, iterable, desc="progress", total=None, lines=10, file=None):
        self.iterable = iterable
        self.desc = desc
        self.total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
        self.every = max(1, (self.total or lines) // lines)
        self.file = file
        self.postfix = {}
        self.done = 0
        self.start = None

    def set_postfix(self, **values):
        """Show these values (numbers get four decimals) on the next line printed."""
        self.postfix = values

    def __iter__(self):
        self.start = time.process_time()
        for item in self.iterable:
            yield item
            self.done += 1
            if self.done % self.every == 0 or self.done == self.total:
                self.print_line()

    def print_line(self):
        count = f"{self.done}/{self.total}" if self.total else str(self.done)
        values = "".join(f"  {k} {shown(v)}" for k, v in self.postfix.items())
        elapsed = time.process_time() - self.start
        print(f"{self.desc}: {count}{values}  ({elapsed:.1f} s of CPU time)", file=self.file or sys.stdout, flush=True)


def shown(value):
    """Return a postfix value as text: floats (numpy's too) with four decimals, anything else as it prints."""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return f"{value:.4f}"
    return str(value)
