"""Plotting helpers for the notebooks: each draws on a matplotlib Axes and returns it."""

import matplotlib.pyplot as plt
import numpy as np


def axes_or_new(ax, figsize=(5, 4)):
    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def plot_functions(functions, z=None, ax=None, title=None):
    """Plot each `name -> f(z)` curve of `functions` on one Axes."""
    z = np.linspace(-5, 5, 401) if z is None else z
    ax = axes_or_new(ax)
    for name, f in functions.items():
        ax.plot(z, f(z), label=name)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("z")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_activations(pairs, z=None):
    """Plot activations beside their derivatives: `pairs` maps name -> (f, f_prime)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    plot_functions({n: f for n, (f, _) in pairs.items()}, z, left, "activation a = f(z)")
    plot_functions({n + "'": fp for n, (_, fp) in pairs.items()}, z, right, "derivative f'(z)")
    fig.tight_layout()
    return fig


def plot_loss_curves(curves, ax=None, ylabel="loss"):
    """Plot one line per `label -> [value per epoch]`."""
    ax = axes_or_new(ax)
    for label, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=3, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def plot_decision_boundary(predict, x, y, ax=None, title=None, resolution=200):
    """Shade the class `predict` gives each point of the plane, with the data on top.

    predict: maps (m, 2) points to (m,) integer labels; x: (n, 2); y: (n,).
    """
    ax = axes_or_new(ax, (4.5, 4.5))
    pad = 0.25
    (x0, x1), (y0, y1) = [(x[:, i].min() - pad, x[:, i].max() + pad) for i in (0, 1)]
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    ax.contourf(gx, gy, predict(grid).reshape(gx.shape), alpha=0.3, cmap="coolwarm", levels=[-0.5, 0.5, 1.5])
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap="coolwarm", s=8, edgecolors="k", linewidths=0.2)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def show_digits(images, labels=None, predictions=None, columns=10, size=1.1):
    """Show a grid of 28x28 digits, titled with labels and (in red when wrong) predictions."""
    images = np.asarray(images).reshape(-1, 28, 28)
    rows = max(1, int(np.ceil(len(images) / columns)))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * size, rows * size * 1.15), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= len(images):
            continue
        ax.imshow(images[i], cmap="gray_r")
        if predictions is not None:
            wrong = labels is not None and predictions[i] != labels[i]
            text = f"{predictions[i]}" + (f" (true {labels[i]})" if wrong else "")
            ax.set_title(text, fontsize=8, color="red" if wrong else "black")
        elif labels is not None:
            ax.set_title(str(labels[i]), fontsize=8)
    fig.tight_layout()
    return fig


def confusion_matrix(labels, predictions, num_classes=10):
    """Return the (num_classes, num_classes) count matrix: row = true label, column = prediction."""
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels), np.asarray(predictions)), 1)
    return counts


def plot_confusion_matrix(labels, predictions, num_classes=10, ax=None):
    """Draw the confusion matrix with a count in every cell."""
    counts = confusion_matrix(labels, predictions, num_classes)
    ax = axes_or_new(ax, (6, 5.5))
    ax.imshow(np.log1p(counts), cmap="Blues")
    for (i, j), n in np.ndenumerate(counts):
        ax.text(j, i, str(n), ha="center", va="center", fontsize=7, color="white" if i == j else "black")
    ax.set_xticks(range(num_classes))
    ax.set_yticks(range(num_classes))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix")
    return ax
