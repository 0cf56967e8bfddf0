"""The catalogue of usual mistakes: what each one is, how the checks spot it, and the hint it earns.

A check that recognises a mistake (a wrong answer it knows the cause of, a
numpy warning on extreme input, ...) keeps the detection itself and reports
it through the catalogue, so every message and hint is written once:

    if matches(got, COLUMN_SOFTMAX):
        raise mistake("softmax-wrong-axis").failure("The columns sum to 1 instead of the rows.",
                                                    input=z, expected=expected, got=got)

A mistaken implementation of each entry (one step from a solution, so not
shipped in this package) lives in autograder/mistake_examples.py, beside the
hidden checks; the kit's tests paste each into an otherwise finished notebook
and make sure the checks name the mistake.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from nncourse.checks.core import CheckFailure, StudentError


@dataclass(frozen=True)
class Mistake:
    """One usual mistake in one graded function.

    key: a stable id, "<function>-<what>". name: the mistake in a beginner's
    words, as the failure message shows it. detect: how the checks spot it.
    hint: what the student is told. public: whether the public checks (and so
    `nncourse check`) catch it; False for the few that only hidden checks catch.
    """

    key: str
    function: str
    name: str
    detect: str
    hint: str
    public: bool = True

    @property
    def headline(self):
        return f"Usual mistake in `{self.function}`: {self.name}."

    def failure(self, detail=None, *, input=None, expected=None, got=None):
        """Return the CheckFailure that reports this mistake; `detail` says what was seen on this input."""
        problem = f"{self.headline} {detail}" if detail else self.headline
        return CheckFailure(problem, input=input, expected=expected, got=got, hint=self.hint, mistake=self.key)

    @contextlib.contextmanager
    def catches(self, marker, input=None, expected=None):
        """Report this mistake when student code inside raises a StudentError whose problem mentions `marker`.

        Markers are phrases of the framework's messages, such as "numpy warning" or "broadcast".
        """
        try:
            yield
        except StudentError as error:
            if marker not in error.problem:
                raise
            raise self.failure(error.problem, input=error.input if input is None else input,
                               expected=expected) from None


def raise_if_known(value, known, /, *, rtol=1e-5, atol=1e-8, **report):
    """Raise the failure of the first mistake whose output `value` (what the student returned) matches.

    known: (output, Mistake) pairs, or a dict of them: what each mistake returns
    on the check's input. report: input=, expected=, got= for the message.
    """
    for output, entry in known.items() if isinstance(known, dict) else known:
        if np.allclose(value, output, rtol=rtol, atol=atol):
            raise entry.failure(**report)


def mistake(key):
    """Return the catalogue entry with this key."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"no mistake {key!r} in the catalogue") from None


MISTAKES = (
    # ---------------------------------------------------------------- 00_welcome
    Mistake(
        "standardize_columns-whole-array", "standardize_columns",
        name="the mean and standard deviation of the whole array instead of each column",
        detect="On a 3x2 input, the result equals (x - x.mean()) / x.std().",
        hint="Pass axis=0 to mean and std so you get one value per column.",
    ),
    Mistake(
        "standardize_columns-rows", "standardize_columns",
        name="each row standardized (axis=1) instead of each column",
        detect="On a 3x2 input, the result equals standardizing along axis 1 (every row becomes [-1, 1]).",
        hint="Each column is one feature; its values run down axis 0. Use axis=0.",
    ),
    Mistake(
        "standardize_columns-sample-std", "standardize_columns",
        name="the sample standard deviation (ddof=1) instead of np.std's default",
        detect="On a 3x2 input, the result equals dividing by x.std(axis=0, ddof=1).",
        hint="Use np.std's default, ddof=0: the square root of the mean squared deviation.",
    ),
    Mistake(
        "standardize_columns-not-scaled", "standardize_columns",
        name="the column means subtracted without dividing by the standard deviations",
        detect="On a 3x2 input, the result equals x - x.mean(axis=0).",
        hint="After subtracting the mean, divide by x.std(axis=0).",
    ),
    Mistake(
        "normalize_rows-columns", "normalize_rows",
        name="dividing by the column sums (axis=0) instead of the row sums",
        detect="On a 2x3 input, the result equals x / x.sum(axis=0): the columns sum to 1.",
        hint="Sum over axis=1, with keepdims=True.",
    ),
    Mistake(
        "normalize_rows-total-sum", "normalize_rows",
        name="dividing by the sum of the whole array",
        detect="On a 2x3 input, the result equals x / x.sum(): only all rows together sum to 1.",
        hint="Divide each row by its own sum: x.sum(axis=1, keepdims=True).",
    ),
    Mistake(
        "normalize_rows-no-keepdims", "normalize_rows",
        name="a row sum without keepdims=True",
        detect="A 2x3 input makes numpy fail to broadcast, and on a 3x3 input column j is divided by the sum of row j.",
        hint="A sum or mean over axis=1 has shape (n,), one number per row, and numpy lines such an array up with "
        "the columns, not the rows. Pass keepdims=True to get shape (n, 1), which broadcasts along each row.",
    ),
    Mistake(
        "row_argmax-no-axis", "row_argmax",
        name="np.argmax without an axis, which looks at the flattened array",
        detect="On a 4x3 input, the result is a single number.",
        hint="Use np.argmax(x, axis=1): one index per row.",
    ),
    Mistake(
        "row_argmax-columns", "row_argmax",
        name="one index per column (axis=0) instead of one per row",
        detect="On a 4x3 input, the result has shape (3,).",
        hint="Rows run along axis 0, so look across each row with axis=1.",
    ),
    Mistake(
        "row_argmax-keepdims", "row_argmax",
        name="a result of shape (n, 1) instead of a flat (n,)",
        detect="On a 4x3 input, the result has shape (4, 1).",
        hint="Drop keepdims=True, or flatten the result with .ravel().",
    ),
    Mistake(
        "row_argmax-values", "row_argmax",
        name="the largest values instead of their positions",
        detect="On a 4x3 input, the result equals x.max(axis=1).",
        hint="np.max gives the value; np.argmax gives its index.",
    ),
    Mistake(
        "row_argmax-last-on-ties", "row_argmax",
        name="the last position of the largest value on ties instead of the first",
        detect="On rows with ties, the result picks the last of the tied positions.",
        hint="In a loop, replace the best index only when a value is strictly larger (>, not >=).",
    ),
    Mistake(
        "row_argmax-float-indices", "row_argmax",
        name="indices returned as floats",
        detect="The indices are right but their dtype is not an integer one.",
        hint="np.argmax returns integers. If you fill an array in a loop, make it with np.zeros(n, dtype=int).",
    ),
    Mistake(
        "pairwise_squared_distances-transposed", "pairwise_squared_distances",
        name="rows for b and columns for a (shape (m, n))",
        detect="For a of 2 points and b of 3 points, the result has shape (3, 2).",
        hint="Entry [i, j] compares a[i] with b[j]: rows belong to a, columns to b.",
    ),
    Mistake(
        "pairwise_squared_distances-square-root", "pairwise_squared_distances",
        name="the distances themselves instead of their squares",
        detect="On hand-made points, the result equals the square root of the expected one.",
        hint="Leave out the square root.",
    ),
    Mistake(
        "pairwise_squared_distances-unclipped-shortcut", "pairwise_squared_distances",
        name="the shortcut |a|^2 + |b|^2 - 2 a.b without clipping at 0",
        detect="Hidden check: points near 1000 compared with themselves give negative entries or a diagonal that is not 0.",
        hint="The shortcut suffers from rounding: clip it with np.maximum(d, 0), or compute the differences directly.",
        public=False,
    ),
    # ---------------------------------------------------------------- 01_forward
    Mistake(
        "sigmoid-overflow", "sigmoid",
        name="a sigmoid formula whose exp overflows for large |z|",
        detect="At z = -1e4 (or 1e4), np.exp overflows and numpy warns.",
        hint="np.exp(-z) overflows when z is very negative: exp(10000) is far beyond the largest float. "
        "Compute e = np.exp(-np.abs(z)), which is at most 1, and return 1 / (1 + e) where z >= 0 "
        "and e / (1 + e) where z < 0 (np.where picks between them).",
    ),
    Mistake(
        "sigmoid_prime-of-output", "sigmoid_prime",
        name="sigmoid_prime applied to the sigmoid's output instead of z",
        detect="On z = [-2, 0, 2], the result equals z * (1 - z).",
        hint="sigmoid_prime takes z, the pre-activation. Compute s = sigmoid(z) first, then return s * (1 - s).",
    ),
    Mistake(
        "sigmoid_prime-overflow", "sigmoid_prime",
        name="a sigmoid_prime that overflows for large |z| (an exp(-z) in it, or in the sigmoid it calls)",
        detect="At z = -1e4, np.exp overflows and numpy warns.",
        hint="Reuse your stable sigmoid: s = sigmoid(z), then s * (1 - s). A formula with exp(-z) overflows.",
    ),
    Mistake(
        "tanh-overflow", "tanh",
        name="tanh written with exp(z) and exp(-z), which overflow for large |z|",
        detect="At |z| = 1e4, np.exp overflows and numpy warns.",
        hint="A formula with exp(z) and exp(-z) overflows for large |z|. np.tanh is written to be stable: use it.",
    ),
    Mistake(
        "tanh_prime-of-output", "tanh_prime",
        name="tanh_prime applied to tanh's output instead of z",
        detect="On z = [-2, 0, 2], the result equals 1 - z**2.",
        hint="tanh_prime takes z. Compute a = np.tanh(z) first, then return 1 - a**2.",
    ),
    Mistake(
        "tanh_prime-overflow", "tanh_prime",
        name="a tanh_prime formula with cosh or exp, which overflows for large |z|",
        detect="At |z| = 1e4, numpy warns of an overflow.",
        hint="Use 1 - np.tanh(z)**2; a formula with exp(z) or cosh(z) overflows for large |z|.",
    ),
    Mistake(
        "relu-in-place", "relu",
        name="relu that writes into its input (z[z < 0] = 0)",
        detect="After the call, the array passed in has changed.",
        hint="Lines like `z[z < 0] = 0` modify the caller's array. Compute a new array instead: np.maximum(z, 0).",
    ),
    Mistake(
        "relu_prime-one-at-zero", "relu_prime",
        name="a derivative wrong at exactly 0: relu_prime(0) returned 1",
        detect="On z = [-2, -0.5, 0, 0.5, 2], the result is 1 at z = 0.",
        hint="This course defines relu's derivative at exactly 0 as 0: use the strict comparison z > 0, not z >= 0.",
    ),
    Mistake(
        "relu_prime-booleans", "relu_prime",
        name="booleans (True/False) returned instead of numbers",
        detect="The values are right but the result's dtype is bool.",
        hint="Comparisons like `z > 0` give booleans. Convert them with `.astype(z.dtype)`.",
    ),
    Mistake(
        "relu_prime-float64", "relu_prime",
        name="float64 returned for float32 input (.astype(float) or * 1.0 on the booleans)",
        detect="For float32 z, the values are right but the result's dtype is float64.",
        hint="`.astype(float)`, `* 1.0` and np.where(z > 0, 1.0, 0.0) all make float64. "
        "Convert the booleans with `.astype(z.dtype)`, so float32 in gives float32 out.",
    ),
    Mistake(
        "leaky_relu-ignores-alpha", "leaky_relu",
        name="the number 0.01 written in instead of the alpha argument",
        detect="leaky_relu(z, alpha=0.2) gives the same result as alpha=0.01.",
        hint="Multiply by the parameter `alpha`, not by the number 0.01.",
    ),
    Mistake(
        "leaky_relu_prime-one-at-zero", "leaky_relu_prime",
        name="a derivative wrong at exactly 0: leaky_relu_prime(0) returned 1 instead of alpha",
        detect="On z = [-2, 0, 2], the result is 1 at z = 0.",
        hint="At exactly 0 the derivative is alpha: use the strict comparison z > 0, not z >= 0.",
    ),
    Mistake(
        "leaky_relu_prime-zero-left", "leaky_relu_prime",
        name="0 for negative z, like relu_prime, instead of alpha",
        detect="On z = [-2, 0, 2], the result is [0, 0, 1].",
        hint="Return 1 where z > 0 and alpha elsewhere: np.where(z > 0, 1, alpha).",
    ),
    Mistake(
        "leaky_relu_prime-ignores-alpha", "leaky_relu_prime",
        name="the number 0.01 written in instead of the alpha argument",
        detect="leaky_relu_prime(z, alpha=0.2) gives the same result as alpha=0.01.",
        hint="Use the parameter `alpha`, not the number 0.01.",
    ),
    Mistake(
        "leaky_relu_prime-float64", "leaky_relu_prime",
        name="float64 returned for float32 input (np.where(z > 0, 1, alpha) without .astype)",
        detect="For float32 z, the values are right but the result's dtype is float64.",
        hint="np.where(z > 0, 1, alpha) builds its result from Python numbers, which numpy makes float64. "
        "Convert it with `.astype(z.dtype)`, so float32 in gives float32 out.",
    ),
    Mistake(
        "softmax-wrong-axis", "softmax",
        name="softmax normalised over the wrong axis",
        detect="On a 2x3 input, the result equals the softmax of each column.",
        hint="Each row is one sample. Take max and sum over the last axis: axis=-1, keepdims=True.",
    ),
    Mistake(
        "softmax-no-max-shift", "softmax",
        name="softmax without subtracting the max",
        detect="On logits near 1000, np.exp overflows and numpy warns.",
        hint="exp(1000) overflows. Subtract each row's maximum, z.max(axis=-1, keepdims=True), before np.exp: "
        "softmax(z - c) = softmax(z) for any c, and after the shift the largest exponent is exp(0) = 1.",
    ),
    Mistake(
        "softmax-no-keepdims", "softmax",
        name="a max or sum over the last axis without keepdims=True",
        detect="On a 2x3 input, numpy fails to broadcast the (2,) max or sum against the (2, 3) logits.",
        hint="z.max(axis=-1) and e.sum(axis=-1) have shape (n,), which cannot be combined with an (n, k) array. "
        "Pass keepdims=True so they have shape (n, 1) and broadcast along each row.",
    ),
    Mistake(
        "softmax-in-place", "softmax",
        name="softmax that shifts its input in place (z -= z.max(...))",
        detect="After the call, the logits passed in have changed.",
        hint="`z -= m` modifies the caller's array. Compute a new one: e = np.exp(z - m).",
    ),
    Mistake(
        "dense_forward-samples-as-columns", "dense_forward",
        name="samples as columns: a result of shape (d_out, n)",
        detect="For 2 samples and 4 outputs, the result has shape (4, 2).",
        hint="Samples are rows and W has shape (d_in, d_out): compute x @ W + b, which is (n, d_out).",
    ),
    Mistake(
        "dense_forward-no-bias", "dense_forward",
        name="the bias b left out (x @ W only)",
        detect="On a hand-made layer, the result equals x @ W.",
        hint="Add b: x @ W + b.",
    ),
    Mistake(
        "dense_forward-transposed-W", "dense_forward",
        name="W used transposed (x @ W.T + b)",
        detect="With a square W the shapes fit, and the result equals x @ W.T + b.",
        hint="W already has shape (d_in, d_out): row i of W holds the weights leaving input i. Use x @ W + b.",
    ),
    Mistake(
        "init_params-transposed-W", "init_params",
        name="weight matrices of shape (d_out, d_in)",
        detect="For layer sizes [4, 3, 2], the first W has shape (3, 4).",
        hint="Samples are rows and a layer computes x @ W + b, so W needs shape (d_in, d_out).",
    ),
    Mistake(
        "init_params-random-biases", "init_params",
        name="random biases instead of zeros",
        detect="Some bias is not exactly 0.",
        hint="Use np.zeros(d_out). Random weights already make the units differ; biases need no randomness.",
    ),
    Mistake(
        "init_params-unscaled", "init_params",
        name="unscaled initialisation (weights with std 1)",
        detect="For a 500 -> 100 layer, the weights' standard deviation is about 1.",
        hint="Multiply the standard normal draws by np.sqrt(2 / d_in).",
    ),
    Mistake(
        "init_params-lecun-scale", "init_params",
        name="std sqrt(1 / d_in) (LeCun or Xavier scaling) instead of He's sqrt(2 / d_in)",
        detect="For a 500 -> 100 layer, the weights' standard deviation is about sqrt(1 / 500).",
        hint="This course uses He scaling for ReLU networks: std = np.sqrt(2 / d_in).",
    ),
    Mistake(
        "init_params-glorot-scale", "init_params",
        name="std sqrt(2 / (d_in + d_out)) (Glorot scaling) instead of He's sqrt(2 / d_in)",
        detect="For a 500 -> 100 layer, the weights' standard deviation is about sqrt(2 / 600).",
        hint="This course uses He scaling: std = np.sqrt(2 / d_in), which depends on d_in only.",
    ),
    Mistake(
        "init_params-d_out-scale", "init_params",
        name="std sqrt(2 / d_out): scaled by the wrong layer size",
        detect="For a 500 -> 100 layer, the weights' standard deviation is about sqrt(2 / 100).",
        hint="Divide by d_in, the number of inputs of the layer, not d_out.",
    ),
    Mistake(
        "init_params-variance-as-std", "init_params",
        name="2 / d_in used as the standard deviation (that is the variance)",
        detect="For a 500 -> 100 layer, the weights' standard deviation is about 2 / 500.",
        hint="Take the square root: std = np.sqrt(2 / d_in).",
    ),
    Mistake(
        "init_params-global-random", "init_params",
        name="weights drawn from np.random instead of the rng argument",
        detect="Two calls with generators made from the same seed give different weights.",
        hint="Draw from the `rng` argument (rng.normal(...)), not from np.random.randn or np.random.normal.",
    ),
    Mistake(
        "init_params-own-generator", "init_params",
        name="a new generator made inside init_params, ignoring rng",
        detect="Generators with different seeds give the same weights.",
        hint="Do not make a new generator inside the function; draw from the `rng` you are given.",
    ),
    Mistake(
        "init_params-uniform", "init_params",
        name="weights drawn from a uniform distribution instead of a normal one",
        detect="Hidden check: about 58% of the weights lie within one standard deviation of 0, not 68%.",
        hint="Draw the weights with rng.normal(0.0, np.sqrt(2 / d_in), size=(d_in, d_out)), not rng.uniform.",
        public=False,
    ),
    Mistake(
        "forward-activation-on-logits", "forward",
        name="logits passed through the hidden activation",
        detect="On a small 3-4-2 network, the logits equal relu of the last layer's z.",
        hint="Apply the activation to every layer except the last one: the logits are the last layer's raw z.",
    ),
    Mistake(
        "forward-no-hidden-activation", "forward",
        name="no activation on the hidden layers (a purely linear network)",
        detect="On a small 3-4-2 network, the logits equal those of the same network without any activation.",
        hint="After each hidden layer's z = a_prev @ W + b, set a = relu(z) (or the named activation).",
    ),
    Mistake(
        "forward-cache-order", "forward",
        name="cache entries stored as (z, a_prev) instead of (a_prev, z)",
        detect="The first cache entry holds the first layer's z, then x.",
        hint="Append (a_prev, z): the layer's input first, then its pre-activation.",
    ),
    Mistake(
        "forward-cache-output", "forward",
        name="the layer's output stored in the cache instead of its input a_prev",
        detect="The first cache entry holds relu of the first layer's z instead of x.",
        hint="Append (a_prev, z) before you overwrite a with the activation.",
    ),
    Mistake(
        "forward-ignores-activation", "forward",
        name="the activation argument ignored (always relu)",
        detect="forward(x, params, activation=\"tanh\") gives the ReLU network's logits.",
        hint="Pick the function by name, e.g. {\"sigmoid\": sigmoid, \"tanh\": tanh, ...}[activation].",
    ),
    # ---------------------------------------------------------------- 02_loss
    Mistake(
        "one_hot-transposed", "one_hot",
        name="one column per sample instead of one row (the transpose)",
        detect="For 3 labels and 4 classes, the result has shape (4, 3).",
        hint="Samples are rows: make an (n, num_classes) array and set row i, column labels[i] to 1.",
    ),
    Mistake(
        "one_hot-ignores-num_classes", "one_hot",
        name="one column per label seen instead of num_classes columns",
        detect="For labels [2, 0, 2] and num_classes 4, the result has 3 columns.",
        hint="Use num_classes for the width: a batch need not contain every class.",
    ),
    Mistake(
        "one_hot-integers", "one_hot",
        name="an integer array instead of floats",
        detect="The ones are in the right places but the dtype is an integer one.",
        hint="Targets are compared with probabilities and subtracted from them: "
        "create the array with np.zeros((n, num_classes)), whose default dtype is float64.",
    ),
    Mistake(
        "mse-sum", "mse",
        name="the squared errors summed instead of averaged",
        detect="On a 3x4 input, the result is 12 times the mean.",
        hint="Average the squared difference over every element: np.mean((y_pred - y_true) ** 2).",
    ),
    Mistake(
        "mse-divided-by-rows", "mse",
        name="the sum divided by the number of rows instead of the number of elements",
        detect="On a 3x4 input, the result is 4 times the mean.",
        hint="The mean runs over every element, not over rows: np.mean((y_pred - y_true) ** 2).",
    ),
    Mistake(
        "mse-root", "mse",
        name="a square root taken: that is the RMSE, not the MSE",
        detect="On a 3x4 input, the result is the square root of the mean.",
        hint="Leave out the square root: np.mean((y_pred - y_true) ** 2).",
    ),
    Mistake(
        "mse_grad-no-factor-2", "mse_grad",
        name="the factor 2 from the derivative of the square left out",
        detect="On a 3x4 input, the result is half the expected gradient.",
        hint="The derivative of (y_pred - y_true)**2 is 2 * (y_pred - y_true): the gradient is 2 * (y_pred - y_true) / N.",
    ),
    Mistake(
        "mse_grad-not-averaged", "mse_grad",
        name="the gradient not divided by the number of elements",
        detect="On a 3x4 input, the result is 12 times the expected gradient.",
        hint="mse is a mean over all N elements, so each entry of its gradient carries a factor 1/N, with N = y_pred.size.",
    ),
    Mistake(
        "mse_grad-bare-error", "mse_grad",
        name="the plain error y_pred - y_true, with no factor 2 and no division",
        detect="On a 3x4 input, the result is 6 times the expected gradient.",
        hint="mse = mean((y_pred - y_true)**2) over all N elements, so its derivative in each "
        "y_pred entry is 2 * (y_pred - y_true) / N, with N = y_pred.size.",
    ),
    Mistake(
        "mse_grad-divided-by-rows", "mse_grad",
        name="the gradient divided by the number of rows instead of the number of elements",
        detect="On a 3x4 input, the result is 4 times the expected gradient.",
        hint="The mean runs over all N = y_pred.size elements: 2 * (y_pred - y_true) / y_pred.size.",
    ),
    Mistake(
        "mse_grad-rows-no-factor-2", "mse_grad",
        name="no factor 2, and divided by the number of rows instead of the number of elements",
        detect="On a 3x4 input, the result is 2 times the expected gradient.",
        hint="mse = mean((y_pred - y_true)**2) over all N elements, so its derivative in each "
        "y_pred entry is 2 * (y_pred - y_true) / N, with N = y_pred.size.",
    ),
    Mistake(
        "mse_grad-divided-by-columns", "mse_grad",
        name="the gradient divided by the number of columns instead of the number of elements",
        detect="On a 3x4 input, the result is 3 times the expected gradient.",
        hint="The mean runs over all N = y_pred.size elements: 2 * (y_pred - y_true) / y_pred.size.",
    ),
    Mistake(
        "mse_grad-sign-flipped", "mse_grad",
        name="the sign flipped: y_true - y_pred instead of y_pred - y_true",
        detect="On a 3x4 input, the result is minus the expected gradient.",
        hint="Raising y_pred above y_true raises the loss, so the gradient there is positive: 2 * (y_pred - y_true) / N.",
    ),
    Mistake(
        "binary_cross_entropy-missing-term", "binary_cross_entropy",
        name="the (1 - y) log(1 - p) term left out, so samples with y = 0 cost nothing",
        detect="On four hand-made predictions, the result equals the mean of -y log p alone.",
        hint="Average -(y * log(p) + (1 - y) * log(1 - p)) over every element.",
    ),
    Mistake(
        "binary_cross_entropy-sum", "binary_cross_entropy",
        name="the losses summed over the samples instead of averaged",
        detect="On four hand-made predictions, the result is 4 times the mean.",
        hint="Average over every element with np.mean, not np.sum.",
    ),
    Mistake(
        "binary_cross_entropy-no-minus", "binary_cross_entropy",
        name="the minus sign left out (a loss is never negative)",
        detect="On four hand-made predictions, the result is minus the expected loss.",
        hint="The logs of probabilities are negative; the loss is minus their mean.",
    ),
    Mistake(
        "binary_cross_entropy-log-of-zero", "binary_cross_entropy",
        name="binary cross-entropy that takes log(0) when p is exactly 0 or 1",
        detect="For p in {0, 1}, numpy warns of a log of 0 or the loss is not finite.",
        hint="log(0) is -inf. Keep the argument of every log at least EPS (1e-12), e.g. "
        "np.log(np.maximum(p, EPS)) and np.log(np.maximum(1 - p, EPS)).",
    ),
    Mistake(
        "binary_cross_entropy-float32-clip", "binary_cross_entropy",
        name="p clipped to at most 1 - 1e-12, which is exactly 1 in float32",
        detect="float32 p of exactly 1 gives log(0), while the same input in float64 does not.",
        hint="In float32, 1 - 1e-12 rounds to exactly 1, so clipping p to [EPS, 1 - EPS] does not keep log(1 - p) "
        "finite. Clamp the argument of each log instead: np.log(np.maximum(1 - p, EPS)).",
    ),
    Mistake(
        "binary_cross_entropy-divided-by-rows", "binary_cross_entropy",
        name="the sum divided by len(p), the number of rows, instead of p.size, the number of elements",
        detect="On a (2, 2) input, the result is twice the mean of the 4 elements.",
        hint="p may have several columns: average over every element with np.mean, or divide the sum by p.size.",
    ),
    Mistake(
        "cross_entropy-block-indexing", "cross_entropy",
        name="probs[:, labels], which picks an (n, n) block instead of one entry per row",
        detect="On a 3x3 input, the result equals the mean of -log over the block probs[:, labels].",
        hint="Pick one probability per row with probs[np.arange(n), labels], then average -log of them.",
    ),
    Mistake(
        "cross_entropy-sum", "cross_entropy",
        name="the losses summed over the samples instead of averaged",
        detect="On a 3x3 input, the result is 3 times the mean.",
        hint="Average over the rows with np.mean, not np.sum.",
    ),
    Mistake(
        "cross_entropy-no-minus", "cross_entropy",
        name="the minus sign left out (a loss is never negative)",
        detect="On a 3x3 input, the result is minus the expected loss.",
        hint="The logs of probabilities are negative; the loss is minus their mean.",
    ),
    Mistake(
        "cross_entropy-log-of-zero", "cross_entropy",
        name="cross-entropy that takes log(0)",
        detect="When the true class has probability 0, numpy warns of a log of 0 or the loss is not finite.",
        hint="log(0) is -inf. Clamp the picked probabilities to at least EPS (1e-12) before the log: "
        "np.log(np.maximum(picked, EPS)).",
    ),
    Mistake(
        "softmax_cross_entropy-naive-log-softmax", "softmax_cross_entropy",
        name="log(softmax(z)) computed naively, which overflows or takes log(0) for large logits",
        detect="On logits of 1000, numpy warns or the loss is not finite.",
        hint="Use the log-sum-exp trick: with m = max of the row, "
        "log softmax(z)_j = (z_j - m) - log(sum_k exp(z_k - m)), which never overflows.",
    ),
    Mistake(
        "softmax_cross_entropy-clipped-log", "softmax_cross_entropy",
        name="the log of a clipped softmax probability instead of log-sum-exp",
        detect="On logits [1000, 0] with label 1, the loss comes out as -log(EPS) / 2 instead of about 500.",
        hint="A probability of e^-1000 rounds to 0, and clipping it loses the loss. Use the log-sum-exp trick: "
        "log softmax(z)_j = (z_j - m) - log(sum_k exp(z_k - m)) with m = max of the row.",
    ),
    Mistake(
        "softmax_cross_entropy_grad-not-divided", "softmax_cross_entropy_grad",
        name="a loss gradient not divided by the batch size",
        detect="On 3 rows of logits, the result is 3 times the expected gradient.",
        hint="The loss is a mean over the n rows, so every row's gradient carries a factor 1/n.",
    ),
    Mistake(
        "softmax_cross_entropy_grad-sign-flipped", "softmax_cross_entropy_grad",
        name="one_hot - softmax instead of softmax - one_hot",
        detect="On 3 rows of logits, the result is minus the expected gradient.",
        hint="Increasing the true class's logit lowers the loss, so that entry of the gradient is negative.",
    ),
    Mistake(
        "softmax_cross_entropy_grad-no-one-hot", "softmax_cross_entropy_grad",
        name="the softmax alone, without subtracting the one-hot targets",
        detect="On 3 rows of logits, every row of the result sums to 1 (or 1/n) instead of 0.",
        hint="Subtract 1 from the true class's entry of each row: (softmax(z) - one_hot(labels)) / n.",
    ),
    Mistake(
        "softmax_cross_entropy_grad-overflow", "softmax_cross_entropy_grad",
        name="a softmax without subtracting the max, which overflows for large logits",
        detect="On logits of 1000, np.exp overflows and numpy warns, or the result is not finite.",
        hint="Subtract each row's max before np.exp; the softmax does not change.",
    ),
    Mistake(
        "softmax_cross_entropy_grad-float64-result", "softmax_cross_entropy_grad",
        name="a float64 helper array (such as np.eye(k)[labels]) subtracted, which turns a float32 gradient into float64",
        detect="On float32 logits, the values are right but the result is float64.",
        hint="float32 in gives float32 out. Subtract 1 at the true classes in place on the softmax "
        "(grad[np.arange(n), labels] -= 1), or cast the one-hot rows with .astype(logits.dtype).",
    ),
    Mistake(
        "accuracy-count", "accuracy",
        name="accuracy returned as a count",
        detect="When 3 of 4 rows are right, the result is 3 instead of 0.75.",
        hint="Divide by the number of rows, or take np.mean of the boolean matches.",
    ),
    # ---------------------------------------------------------------- 03_backprop
    Mistake(
        "numerical_gradient-forward-difference", "numerical_gradient",
        name="the forward difference (f(x + eps) - f(x)) / eps",
        detect="For f(x) = sum(x**3) with eps = 1e-3, the result is off by about 3 x eps, not eps^2.",
        hint="Use the central difference (f(x + eps) - f(x - eps)) / (2 eps): its error shrinks like eps^2, not eps.",
    ),
    Mistake(
        "numerical_gradient-backward-difference", "numerical_gradient",
        name="the backward difference (f(x) - f(x - eps)) / eps",
        detect="For f(x) = sum(x**3) with eps = 1e-3, the result is off by about -3 x eps, not eps^2.",
        hint="Use the central difference (f(x + eps) - f(x - eps)) / (2 eps): its error shrinks like eps^2, not eps.",
    ),
    Mistake(
        "numerical_gradient-ignores-eps", "numerical_gradient",
        name="a step written into the function instead of the eps argument",
        detect="With eps = 1e-3, the result is too exact: it lacks the eps^2 error a cubic must show.",
        hint="Step by the `eps` argument, not by a number written into the function.",
    ),
    Mistake(
        "numerical_gradient-no-half", "numerical_gradient",
        name="f(x + eps) - f(x - eps) divided by eps instead of 2 eps",
        detect="For f(x) = sum(x**3), the result is twice the expected gradient.",
        hint="Divide f(x + eps) - f(x - eps) by 2 * eps: the two points are 2 eps apart.",
    ),
    Mistake(
        "numerical_gradient-leaves-x-changed", "numerical_gradient",
        name="numerical_gradient that leaves x changed",
        detect="After the call, the array x passed in differs from before (shifted by eps, or by rounding).",
        hint="Save each entry first (original = x[i]), and after the two evaluations "
        "assign it back exactly: x[i] = original.",
    ),
    Mistake(
        "numerical_gradient-not-restored-between-entries", "numerical_gradient",
        name="x not put back after each entry, so later entries are measured at a shifted point",
        detect="For f(x) = sum(x)**3, the first entry is right and the later ones are not.",
        hint="After evaluating f at x[i] + eps and x[i] - eps, restore x[i] = original before moving on.",
    ),
    Mistake(
        "numerical_gradient-nudges-copy", "numerical_gradient",
        name="a copy of x nudged, so a function that reads the original array sees no change",
        detect="For an f that reads the very array passed as x (as a loss reads its weights), the result is all zeros.",
        hint="Nudge x itself, in place: x[i] = original + eps, then original - eps, then x[i] = original. "
        "A loss reads the weights it closes over, not its argument, so in a gradient check a nudged copy "
        "(x.copy(), x + 0, x.astype(float)) gives 0 everywhere and relative errors of 1.0.",
    ),
    Mistake(
        "relative_error-max-of-a", "relative_error",
        name="divided by max(abs(a)) only",
        detect="On two hand-made 2x3 arrays, the result equals max|a - b| / max|a|.",
        hint="Largest entry of abs(a - b), divided by the largest entry of abs(a) + abs(b) "
        "(or by 1e-12 if that is smaller).",
    ),
    Mistake(
        "relative_error-max-of-b", "relative_error",
        name="divided by max(abs(b)) only",
        detect="On two hand-made 2x3 arrays, the result equals max|a - b| / max|b|.",
        hint="Largest entry of abs(a - b), divided by the largest entry of abs(a) + abs(b) "
        "(or by 1e-12 if that is smaller).",
    ),
    Mistake(
        "relative_error-separate-maxima", "relative_error",
        name="divided by max(abs(a)) + max(abs(b)), two maxima taken separately",
        detect="On two hand-made 2x3 arrays, the result equals max|a - b| / (max|a| + max|b|).",
        hint="Add first, then take one maximum: np.max(np.abs(a) + np.abs(b)).",
    ),
    Mistake(
        "relative_error-elementwise-ratio", "relative_error",
        name="the largest elementwise ratio |a - b| / (|a| + |b|)",
        detect="On two hand-made 2x3 arrays, the result equals max(|a - b| / (|a| + |b|)).",
        hint="Take the two maxima first, then divide: np.max(abs(a - b)) / np.max(abs(a) + abs(b)).",
    ),
    Mistake(
        "relative_error-norms", "relative_error",
        name="norms, ||a - b|| / (||a|| + ||b||), instead of maxima",
        detect="On two hand-made 2x3 arrays, the result equals ||a - b|| / (||a|| + ||b||).",
        hint="Use the largest entries, np.max, as the formula says, not np.linalg.norm.",
    ),
    Mistake(
        "relative_error-mean-difference", "relative_error",
        name="the mean of |a - b| instead of its max",
        detect="On two hand-made 2x3 arrays, the result equals mean|a - b| / max(|a| + |b|).",
        hint="The numerator is the largest entry of abs(a - b): np.max, not np.mean.",
    ),
    Mistake(
        "relative_error-zero-division", "relative_error",
        name="no 1e-12 floor, so two zero arrays give 0 / 0",
        detect="For a = b = 0, numpy warns of 0 / 0 or the result is not 0.",
        hint="Divide by max(np.max(abs(a) + abs(b)), 1e-12): the floor keeps the denominator positive.",
    ),
    Mistake(
        "relative_error-floor-added", "relative_error",
        name="1e-12 added to the denominator instead of used as a floor",
        detect="Hidden check: for a = [1e-13, 0] and b = 0, the result is 1/11 instead of 0.1.",
        hint="The denominator is max(np.max(abs(a) + abs(b)), 1e-12): a maximum with the floor, not a sum.",
        public=False,
    ),
    Mistake(
        "dense_backward-wrong-order", "dense_backward",
        name="(dW, dx, db) returned instead of (dx, dW, db)",
        detect="The first returned array has W's shape and the second x's shape.",
        hint="Return the three in the order the docstring gives: return dx, dW, db.",
    ),
    Mistake(
        "dense_backward-missing-dx", "dense_backward",
        name="only (dW, db) returned, without dx",
        detect="The function returns two values instead of three.",
        hint="Return dx too: the layer before needs it as its incoming signal. return dx, dW, db",
    ),
    Mistake(
        "dense_backward-transposed-dW", "dense_backward",
        name="a transposed dW (dz.T @ x)",
        detect="For a 4 -> 3 layer, dW has shape (3, 4) instead of W's (4, 3).",
        hint="dW must have W's shape (d_in, d_out): x.T @ dz, not dz.T @ x.",
    ),
    Mistake(
        "dense_backward-db-keepdims", "dense_backward",
        name="db summed with keepdims=True, shape (1, d_out) instead of b's (d_out,)",
        detect="db has shape (1, 3) instead of (3,).",
        hint="Sum dz over the batch axis, without keepdims: dz.sum(axis=0).",
    ),
    Mistake(
        "dense_backward-db-not-summed", "dense_backward",
        name="db = dz, not summed over the batch",
        detect="db has dz's shape (n, d_out) instead of b's (d_out,).",
        hint="b is added to every sample, so its gradient sums dz over the batch: dz.sum(axis=0).",
    ),
    Mistake(
        "dense_backward-db-averaged", "dense_backward",
        name="db averaged over the batch instead of summed",
        detect="On a batch of 2, db is half the sum of dz over the batch.",
        hint="dz already carries the 1/n of the mean loss (from softmax_cross_entropy_grad), "
        "so db = dz.sum(axis=0), like dW = x.T @ dz, which also sums over the batch.",
    ),
    Mistake(
        "dense_backward-dW-averaged", "dense_backward",
        name="dW divided by the batch size",
        detect="On a batch of 2, dW is half of x.T @ dz.",
        hint="dz already carries the 1/n of the mean loss, so x.T @ dz is already right.",
    ),
    Mistake(
        "activation_backward-no-derivative", "activation_backward",
        name="backprop that skips the activation derivative: da returned unchanged",
        detect="For every activation, the result equals da.",
        hint="dz = da * f'(z): multiply by the derivative, e.g. relu_prime(z) for relu.",
    ),
    Mistake(
        "activation_backward-at-output", "activation_backward",
        name="the derivative taken at the activation's output a = f(z) instead of at z",
        detect="For sigmoid and tanh, the result equals da * f'(f(z)).",
        hint="Pass z itself to the derivative (sigmoid_prime, tanh_prime, ...): it computes the activation inside.",
    ),
    Mistake(
        "activation_backward-times-activation", "activation_backward",
        name="da multiplied by the activation f(z) instead of its derivative f'(z)",
        detect="For sigmoid and tanh, the result equals da * f(z).",
        hint="dz = da * f'(z): use the derivative, e.g. sigmoid_prime(z), not sigmoid(z).",
    ),
    Mistake(
        "activation_backward-open-at-zero", "activation_backward",
        name="the ReLU gate left open at z == 0 (dz[z < 0] = 0 keeps da there)",
        detect="Where z == 0, relu gives da instead of 0, or leaky_relu da instead of alpha * da.",
        hint="The course's slope at z == 0 is relu's 0 and leaky_relu's alpha (as relu_prime and "
        "leaky_relu_prime in 01): the gate is open only where z > 0, e.g. da * relu_prime(z).",
    ),
    Mistake(
        "activation_backward-float64-slope", "activation_backward",
        name="a float64 slope that turns float32 input into a float64 dz",
        detect="For float32 da and z, the values are right but dz is float64.",
        hint="np.where(z > 0, 1.0, alpha) is float64 whatever z is, and da * it is float64 too. "
        "Convert it, np.where(z > 0, 1.0, alpha).astype(z.dtype), or use your *_prime functions from 01, "
        "which keep the dtype.",
    ),
    Mistake(
        "backward-derivative-on-last-layer", "backward",
        name="the activation's derivative applied to the last layer too",
        detect="On a 2-3-2 network, the last layer's db equals the sum of dlogits * f'(z) of that layer.",
        hint="The logits are raw (no activation), so dlogits is already dL/dz of the last layer. "
        "Start with dz = dlogits; apply activation_backward only when passing to an earlier layer.",
    ),
    Mistake(
        "backward-no-derivative", "backward",
        name="backprop that skips the activation derivative between the layers",
        detect="On a 2-3-2 network, the first layer's db equals the sum of the second layer's dx.",
        hint="Between layers: dz = activation_backward(dx, z, activation), with z from the earlier layer's cache.",
    ),
    Mistake(
        "backward-derivative-at-output", "backward",
        name="the activation's derivative taken at a (the layer's output) instead of at z",
        detect="On a 2-3-2 tanh network, the first layer's db equals what tanh_prime(tanh(z)) gives.",
        hint="Use the z stored in the cache: cache[layer] = (a_prev, z).",
    ),
    Mistake(
        "backward-reversed-grads", "backward",
        name="the gradients returned last layer first",
        detect="On a 2-3-2 network, the returned shapes are those of params in reverse.",
        hint="Store each layer's pair at its own index, grads[layer] = (dW, db), or reverse the list at the end.",
    ),
    # ---------------------------------------------------------------- 04_training
    Mistake(
        "sgd_step-climbs", "sgd_step",
        name="SGD that climbs instead of descending",
        detect="With learning rate 0.1, the result equals W + 0.1 dW and b + 0.1 db.",
        hint="The gradient points uphill, so step against it: W - learning_rate * dW.",
    ),
    Mistake(
        "sgd_step-ignores-learning-rate", "sgd_step",
        name="the whole gradient subtracted, ignoring the learning rate",
        detect="With learning rate 0.1, the result equals W - dW and b - db.",
        hint="Scale the step: W - learning_rate * dW.",
    ),
    Mistake(
        "sgd_step-in-place", "sgd_step",
        name="the params updated in place (W -= learning_rate * dW)",
        detect="After the call, the arrays of the params passed in have changed.",
        hint="Return new arrays: `W - learning_rate * dW` makes a new one, `W -= learning_rate * dW` overwrites the caller's.",
    ),
    Mistake(
        "minibatches-drops-last", "minibatches",
        name="minibatches that drop the last partial batch",
        detect="For 10 samples and batch_size 4, the batch sizes are [4, 4] instead of [4, 4, 2].",
        hint="Loop `for start in range(0, n, batch_size)`; the slice [start:start + batch_size] is simply shorter at the end.",
    ),
    Mistake(
        "minibatches-empty-batch", "minibatches",
        name="an empty batch at the end",
        detect="Some yielded batch holds no samples.",
        hint="Stop when start reaches n: range(0, n, batch_size) gives exactly the starts you need.",
    ),
    Mistake(
        "minibatches-with-replacement", "minibatches",
        name="samples drawn at random with replacement, so some repeat and others are missed",
        detect="For 10 numbered samples, some number appears twice and another never.",
        hint="Draw one permutation, order = rng.permutation(n), and slice it into batches. "
        "Drawing indices at random (rng.integers, rng.choice with replacement) repeats some and misses others.",
    ),
    Mistake(
        "minibatches-separate-shuffles", "minibatches",
        name="x and y shuffled in different orders, separating samples from their labels",
        detect="With x row i = [i, 100 + i] and y[i] = i, a batch's x[:, 0] differs from its y.",
        hint="Draw ONE permutation and use it for both: x[order], y[order]. "
        "Shuffling x and y separately (or drawing two permutations) breaks the pairs.",
    ),
    Mistake(
        "minibatches-no-shuffle", "minibatches",
        name="minibatches that never shuffle",
        detect="For 20 numbered samples, the batches come out in the original order 0..19.",
        hint="Shuffle with the generator you are given: order = rng.permutation(len(x)).",
    ),
    Mistake(
        "minibatches-global-random", "minibatches",
        name="shuffled with np.random instead of the rng argument",
        detect="Two calls with generators seeded alike give different batches.",
        hint="Use the rng argument (rng.permutation), not np.random.shuffle or np.random.permutation.",
    ),
    Mistake(
        "minibatches-own-generator", "minibatches",
        name="a new generator made inside minibatches, ignoring rng",
        detect="Generators with different seeds give the same order.",
        hint="Do not make a generator of your own inside minibatches: shuffle with the rng argument.",
    ),
    Mistake(
        "minibatches-in-place", "minibatches",
        name="the caller's x and y shuffled in place",
        detect="After the batches are drawn, the x or y passed in has changed.",
        hint="rng.shuffle(x) and x[:] = x[order] reorder the caller's array. "
        "Index with a permutation instead: x[order] is a new array.",
    ),
    Mistake(
        "minibatches-batch-order-only", "minibatches",
        name="only the order of the batches shuffled, not the samples",
        detect="Hidden check: for 100 samples and batch_size 10, every batch holds 10 neighbouring samples.",
        hint="Shuffle the samples themselves (order = rng.permutation(n)), then cut the shuffled order into batches.",
        public=False,
    ),
    Mistake(
        "train_epoch-discards-step", "train_epoch",
        name="what sgd_step returns not kept, so the params never change",
        detect="After one epoch with learning rate 0.5, the params are the ones passed in.",
        hint="Keep what sgd_step returns: params = sgd_step(params, grads, learning_rate).",
    ),
    Mistake(
        "train_epoch-steps-from-start", "train_epoch",
        name="every step taken from the starting params, so only the last batch's step is kept",
        detect="On 6 copies of one sample in 3 batches, the params returned are one step from the start, not three.",
        hint="Rebind the name, params = sgd_step(params, grads, learning_rate), so the next batch starts where this one ended.",
    ),
    Mistake(
        "train_epoch-climbs", "train_epoch",
        name="a step along the gradient instead of against it",
        detect="One full-batch step lands where W + lr dW would, not W - lr dW.",
        hint="Subtract: the new W is W - learning_rate * dW (check sgd_step and the sign of the loss gradient).",
    ),
    Mistake(
        "train_epoch-loss-after-step", "train_epoch",
        name="each batch's loss measured after its step instead of before",
        detect="After one full-batch step, the loss returned is that of the updated params.",
        hint="Compute softmax_cross_entropy(logits, y_batch) from the same forward pass you take the gradient of.",
    ),
    Mistake(
        "train_epoch-sum-of-losses", "train_epoch",
        name="the batch losses summed instead of averaged",
        detect="With learning rate 0 and two batches, the loss is twice every batch's loss.",
        hint="Divide by the number of batches: np.mean(batch_losses).",
    ),
    Mistake(
        "train_epoch-divides-by-samples", "train_epoch",
        name="the sum of the batch losses divided by the number of samples",
        detect="With learning rate 0, 4 samples and two batches, the loss is half of every batch's loss.",
        hint="Each batch loss is already a mean over its samples: average over batches, np.mean(batch_losses).",
    ),
    Mistake(
        "predict-logits", "predict",
        name="the scores (logits) returned instead of labels",
        detect="For 4 samples and 3 classes, the result is a (4, 3) array of scores.",
        hint="Return np.argmax(logits, axis=1): the class with the largest score.",
    ),
    Mistake(
        "predict-probabilities", "predict",
        name="probabilities returned instead of labels",
        detect="For 4 samples and 3 classes, the result is a (4, 3) array whose rows sum to 1.",
        hint="Return np.argmax(logits, axis=1): the class with the largest score.",
    ),
    Mistake(
        "predict-one-hot", "predict",
        name="one-hot rows returned instead of labels",
        detect="For 4 samples and 3 classes, the result is a (4, 3) array of 0s and 1s.",
        hint="Turn them into labels with np.argmax(..., axis=1).",
    ),
    Mistake(
        "predict-columns", "predict",
        name="the argmax taken down the columns (over samples) instead of along each row",
        detect="For 4 samples and 3 classes, the result has shape (3,).",
        hint="Use axis=1: one label per row (sample).",
    ),
    Mistake(
        "predict-float-labels", "predict",
        name="labels returned as floats",
        detect="The labels have the right shape but a floating dtype.",
        hint="np.argmax already returns integers; do not convert them to float.",
    ),
    Mistake(
        "predict-ignores-activation", "predict",
        name="the activation argument not passed on to forward",
        detect="predict(..., \"tanh\") gives the ReLU network's labels.",
        hint="Pass the activation on: logits, _ = forward(x, params, activation).",
    ),
    # ---------------------------------------------------------------- 05_mnist
    Mistake(
        "preprocess-square", "preprocess",
        name="the images kept square (n, 28, 28) instead of rows of 784",
        detect="For 2 images of 28x28, the result has shape (2, 28, 28).",
        hint="Flatten each image: images.reshape(len(images), 784).",
    ),
    Mistake(
        "preprocess-unscaled", "preprocess",
        name="pixels left in 0..255 instead of scaled to [0, 1]",
        detect="The result's largest value is 255.",
        hint="Divide by 255. Large inputs make the first layer's pre-activations huge and training unstable.",
    ),
    Mistake(
        "preprocess-not-float32", "preprocess",
        name="float64 (or another dtype) instead of float32",
        detect="The values are in [0, 1] but the dtype is not float32.",
        hint="float32 halves the memory and makes every matrix product about twice as fast: "
        "images.astype(np.float32) / 255 stays float32.",
    ),
    Mistake(
        "preprocess-divides-by-256", "preprocess",
        name="pixels divided by 256, so the brightest (255) becomes 0.996, not 1",
        detect="The result equals the expected one times 255/256.",
        hint="Divide by 255, the largest pixel value.",
    ),
    # ---------------------------------------------------------------- 06_extensions
    Mistake(
        "elu-exp-for-positive", "elu",
        name="alpha * (exp(z) - 1) used for positive z too",
        detect="On hand-made z, the positive entries come out as exp(z) - 1 instead of z.",
        hint="ELU is z itself for z > 0; the exponential part is only for z <= 0.",
    ),
    Mistake(
        "elu-zero-left", "elu",
        name="0 for negative z, like relu",
        detect="On hand-made z, every negative entry comes out as 0.",
        hint="For z <= 0, ELU is alpha * (exp(z) - 1), which slides smoothly down to -alpha.",
    ),
    Mistake(
        "elu-missing-minus-one", "elu",
        name="the `- 1` of alpha * (exp(z) - 1) left out",
        detect="On hand-made z, the negative entries come out as exp(z), which is positive.",
        hint="Without `- 1`, ELU jumps at z = 0; with it, elu(0) = 0 and the curve is continuous.",
    ),
    Mistake(
        "elu-ignores-alpha", "elu",
        name="the alpha argument ignored (always ELU with alpha = 1)",
        detect="elu(z, alpha=0.5) gives the same result as alpha = 1.",
        hint="Multiply the negative branch by alpha: alpha * (exp(z) - 1).",
    ),
    Mistake(
        "elu-alpha-on-positive", "elu",
        name="alpha multiplying the positive side too",
        detect="elu(z, alpha=0.5) halves the positive entries.",
        hint="Only the negative branch is scaled: z for z > 0, alpha * (exp(z) - 1) otherwise.",
    ),
    Mistake(
        "elu-overflow", "elu",
        name="np.exp applied to large positive z, which overflows",
        detect="At z = 1e4, np.exp overflows and numpy warns (np.where evaluates both branches, then discards one).",
        hint="np.where(z > 0, z, np.exp(z) - 1) still computes np.exp(z) for every element, including "
        "the large positive ones it then throws away. Take the exponential of np.minimum(z, 0) instead.",
    ),
    Mistake(
        "elu-in-place", "elu",
        name="elu that writes into its input (z[z <= 0] = ...)",
        detect="After elu(z) on a hand-made 2x3 z, the caller's z holds elu's result.",
        hint="Assigning to z[mask] changes the caller's array: a network would lose its pre-activations. "
        "Build a new array: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))), or work on z.copy().",
    ),
    Mistake(
        "elu_prime-returns-elu", "elu_prime",
        name="elu(z) itself returned for z <= 0 instead of its derivative",
        detect="On hand-made z, the negative entries come out as alpha * (exp(z) - 1).",
        hint="The derivative of alpha * (exp(z) - 1) is alpha * exp(z): the `- 1` is a constant and disappears.",
    ),
    Mistake(
        "elu_prime-zero-left", "elu_prime",
        name="0 for z <= 0, like relu_prime",
        detect="On hand-made z, every entry with z <= 0 comes out as 0.",
        hint="ELU is not flat on the left: its slope there is alpha * exp(z).",
    ),
    Mistake(
        "elu_prime-constant-alpha", "elu_prime",
        name="the constant alpha for z <= 0, like leaky_relu_prime",
        detect="On hand-made z, every entry with z <= 0 comes out as alpha.",
        hint="ELU's left side is curved, so its slope changes: alpha * exp(z).",
    ),
    Mistake(
        "elu_prime-ignores-alpha", "elu_prime",
        name="the alpha argument ignored: exp(z) for z <= 0",
        detect="elu_prime(z, alpha=0.5) gives the same result as alpha = 1.",
        hint="The slope of alpha * (exp(z) - 1) is alpha * exp(z).",
    ),
    Mistake(
        "elu_prime-one-at-zero", "elu_prime",
        name="a derivative wrong at exactly 0: elu_prime(0) returned 1 instead of alpha",
        detect="elu_prime(0, alpha=0.5) is 1.",
        hint="This course uses the left-hand slope at z == 0: alpha * exp(0) = alpha. "
        "Use `z > 0` (not `z >= 0`) for the branch that returns 1.",
    ),
    Mistake(
        "elu_prime-overflow", "elu_prime",
        name="np.exp applied to large positive z, which overflows",
        detect="At z = 1e4, np.exp overflows and numpy warns (np.where evaluates both branches, then discards one).",
        hint="np.where(z > 0, 1, alpha * np.exp(z)) still computes np.exp(z) for every element, including "
        "the large positive ones it then throws away. Take the exponential of np.minimum(z, 0) instead.",
    ),
    Mistake(
        "arctan-tanh", "arctan",
        name="np.tanh instead of np.arctan",
        detect="On hand-made z, the result equals np.tanh(z).",
        hint="Use np.arctan, the inverse tangent; np.tanh is a different squashing function.",
    ),
    Mistake(
        "arctan_prime-no-square", "arctan_prime",
        name="1 / (1 + z) instead of 1 / (1 + z**2)",
        detect="On hand-made z, the result equals 1 / (1 + z).",
        hint="The derivative of arctan(z) is 1 / (1 + z**2): square z. Without the square it blows up at z = -1.",
    ),
    Mistake(
        "arctan_prime-square-outside", "arctan_prime",
        name="1 / (1 + z)**2 instead of 1 / (1 + z**2)",
        detect="On hand-made z, the result equals 1 / (1 + z)**2.",
        hint="Square z before adding 1: 1 / (1 + z**2).",
    ),
    Mistake(
        "sgd_momentum_step-climbs", "sgd_momentum_step",
        name="learning_rate * grad added instead of subtracted, so the parameters climb the loss",
        detect="On a hand-made net, the new params equal a step up the gradient.",
        hint="The velocity moves *against* the gradient: v = momentum * v - learning_rate * grad, then param = param + v.",
    ),
    Mistake(
        "sgd_momentum_step-ignores-velocity", "sgd_momentum_step",
        name="the velocity it is given ignored: a plain SGD step",
        detect="With a non-zero velocity passed in, the new params equal a plain SGD step.",
        hint="Start from the old velocity: v = momentum * v - learning_rate * grad, then param = param + v.",
    ),
    Mistake(
        "sgd_momentum_step-velocity-sign", "sgd_momentum_step",
        name="a velocity with the opposite sign to this notebook's convention",
        detect="The new velocity is minus the expected one.",
        hint="The velocity moves *against* the gradient: v = momentum * v - learning_rate * grad, then param = param + v.",
    ),
    Mistake(
        "sgd_momentum_step-in-place", "sgd_momentum_step",
        name="the caller's arrays updated in place (W += V_W, V_W *= momentum, ...)",
        detect="After a step on a hand-made net, the params, grads or velocity passed in hold new values.",
        hint="`W += ...`, `W -= ...` and `V *= momentum` overwrite the caller's arrays. "
        "Build new arrays instead: `W + V_W`, `momentum * V_W - learning_rate * dW`.",
    ),
    Mistake(
        "sgd_momentum_step-float64-velocity", "sgd_momentum_step",
        name="a starting velocity of float64 zeros (np.zeros(W.shape)) that turns float32 parameters into float64",
        detect="With float32 params and velocity None the result is float64; with a float32 velocity it stays float32.",
        hint="np.zeros(shape) makes float64; np.zeros_like(W) keeps W's dtype.",
    ),
    Mistake(
        "teacher_labels-one-hot", "teacher_labels",
        name="one-hot rows returned instead of class numbers",
        detect="For 6 inputs, the result is a (6, k) array of 0s and 1s.",
        hint="Return one integer per sample: np.argmax(logits, axis=1).",
    ),
    Mistake(
        "teacher_labels-logits", "teacher_labels",
        name="the logits returned instead of labels",
        detect="For 6 inputs, the result is a (6, k) array of scores.",
        hint="Take the class with the largest logit: np.argmax(logits, axis=1).",
    ),
    Mistake(
        "teacher_labels-ignores-activation", "teacher_labels",
        name="the activation argument not passed on to forward",
        detect="teacher_labels(..., activation=\"tanh\") gives the ReLU teacher's labels.",
        hint="Pass it on: forward(x, teacher_params, activation).",
    ),
    Mistake(
        "teacher_labels-float-labels", "teacher_labels",
        name="labels returned as floats",
        detect="The labels are right but their dtype is a floating one.",
        hint="np.argmax already returns integers; do not convert them to float.",
    ),
)

BY_KEY = {m.key: m for m in MISTAKES}
