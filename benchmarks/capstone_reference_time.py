"""Print the CPU time of the 05_mnist reference recipe, measured as the notebook and the grader measure it.

Loads the instructor's `train_mnist` from source/05_mnist, trains it on the
60,000 MNIST training images with `nncourse.capstone.timed_run` (one BLAS
thread, pinned with threadpoolctl: no launch variable needed), and prints each
run's summary, then the median. This is the figure the notebook's prose quotes.

    python benchmarks/capstone_reference_time.py [--runs 3]
"""

import argparse
import statistics
from pathlib import Path

from nncourse.capstone import timed_run
from nncourse.data import load_mnist
from nncourse.notebook import load_functions

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="how many times to train (default 3)")
    runs = parser.parse_args().runs
    ns, errors = load_functions(ROOT / "source" / "05_mnist" / "05_mnist.ipynb")
    if errors:
        raise SystemExit(f"the 05_mnist reference did not load: {errors}")
    data = load_mnist()
    x_train, x_test = ns["preprocess"](data.x_train), ns["preprocess"](data.x_test)
    seconds = []
    for _ in range(runs):
        report = timed_run(ns["train_mnist"], x_train, data.y_train, 0, x_test=x_test, y_test=data.y_test,
                           forward=ns["forward"])
        seconds.append(report.cpu_seconds)
    print(f"reference recipe, one BLAS thread: median {statistics.median(seconds):.1f} s of CPU time "
          f"over {runs} runs ({', '.join(f'{s:.1f}' for s in seconds)})")


if __name__ == "__main__":
    main()
