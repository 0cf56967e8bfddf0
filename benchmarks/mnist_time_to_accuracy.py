"""Print the reference network's MNIST time-to-accuracy with one BLAS thread.

Runs the solution's own `train_mnist` (from solutions/05_mnist), with its
`train_epoch` wrapped so that test accuracy is measured after every epoch
while the clock is paused. Prints the seconds to reach the full-marks accuracy
of 05_mnist (nncourse.checks.mnist) and 0.98, and the final accuracy. If PyTorch is installed, trains the same network (the layer
sizes, batch size and per-epoch learning rates observed in the numpy run) on
the CPU with one thread in the same run, and prints the ratio.

    python benchmarks/mnist_time_to_accuracy.py
"""

import os
import time
from pathlib import Path

os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402 (after pinning threads)

from nncourse.checks.mnist import ACCURACY_POINTS  # noqa: E402
from nncourse.data import load_mnist  # noqa: E402
from nncourse.notebook import load_functions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGETS = tuple(sorted({max(ACCURACY_POINTS), 0.98}))


class Stopwatch:
    def __init__(self):
        self.elapsed, self.started = 0.0, None

    def start(self):
        self.started = time.perf_counter()

    def stop(self):
        self.elapsed += time.perf_counter() - self.started


def run_numpy(data):
    """Train the reference; return (per-epoch [(seconds, accuracy)], observed schedule)."""
    ns, errors = load_functions(ROOT / "solutions" / "05_mnist" / "05_mnist.ipynb")
    if errors:
        raise SystemExit(f"the 05_mnist solution did not load: {errors}")
    x_train, x_test = ns["preprocess"](data.x_train), ns["preprocess"](data.x_test)
    clock, history, schedule = Stopwatch(), [], []
    train_epoch = ns["train_epoch"]

    def timed_epoch(params, x, y, learning_rate, batch_size, rng, activation="relu"):
        out = train_epoch(params, x, y, learning_rate, batch_size, rng, activation)
        clock.stop()
        accuracy = float(np.mean(ns["predict"](out[0], x_test, activation) == data.y_test))
        history.append((clock.elapsed, accuracy))
        schedule.append((learning_rate, batch_size, activation, [W.shape for W, _ in params]))
        clock.start()
        return out

    ns["train_epoch"] = timed_epoch
    clock.start()
    ns["train_mnist"](x_train, data.y_train, 0)
    clock.stop()
    return history, schedule


def run_torch(torch, data, schedule):
    """Train the same network in PyTorch on the CPU; return per-epoch [(seconds, accuracy)]."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    shapes, activation = schedule[0][3], schedule[0][2]
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "leaky_relu": torch.nn.LeakyReLU}[activation]
    layers = []
    for i, (d_in, d_out) in enumerate(shapes):
        linear = torch.nn.Linear(d_in, d_out)
        torch.nn.init.normal_(linear.weight, std=(2 / d_in) ** 0.5)
        torch.nn.init.zeros_(linear.bias)
        layers += [linear] + ([act()] if i < len(shapes) - 1 else [])
    model = torch.nn.Sequential(*layers)
    x = torch.from_numpy(data.x_train.reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(data.y_train)
    x_test = torch.from_numpy(data.x_test.reshape(-1, 784).astype(np.float32) / 255)
    optimizer = torch.optim.SGD(model.parameters(), lr=schedule[0][0])
    clock, history, generator = Stopwatch(), [], torch.Generator().manual_seed(0)
    for learning_rate, batch_size, _, _ in schedule:
        clock.start()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
        clock.stop()
        with torch.no_grad():
            accuracy = float((model(x_test).argmax(1).numpy() == data.y_test).mean())
        history.append((clock.elapsed, accuracy))
    return history


def time_to(history, target):
    return next((seconds for seconds, accuracy in history if accuracy >= target), None)


def report(name, history):
    reached = "  ".join(
        f"to {t:.2f}: {time_to(history, t):6.1f} s" if time_to(history, t) is not None else f"to {t:.2f}: never"
        for t in TARGETS
    )
    print(f"{name:<8} {reached}  final accuracy {history[-1][1]:.4f} after {history[-1][0]:.1f} s ({len(history)} epochs)")


def main():
    data = load_mnist()
    history, schedule = run_numpy(data)
    print("MNIST time-to-accuracy, one BLAS thread, training time only")
    report("numpy", history)
    try:
        import torch
    except ImportError:
        print("torch    not installed: no comparison (pip install torch to add one)")
        return
    torch_history = run_torch(torch, data, schedule)
    report("pytorch", torch_history)
    for target in TARGETS:
        ours, theirs = time_to(history, target), time_to(torch_history, target)
        if ours and theirs:
            print(f"to {target:.2f}: numpy takes {ours / theirs:.2f}x PyTorch's time")
    print(f"whole run: numpy takes {history[-1][0] / torch_history[-1][0]:.2f}x PyTorch's time")


if __name__ == "__main__":
    main()
