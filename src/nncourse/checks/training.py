"""Public checks for 04_training: sgd_step, minibatches, train_epoch, predict.

Expected values are literals computed once offline on tiny networks. A check
that grades a property (dtype, inputs unchanged, use of `rng`, no warnings on
extreme input) passes only when the values on its input are right too.
"""

import numpy as np

from nncourse.checks.core import CheckFailure, graded
from nncourse.checks.mistakes import mistake

# A small 2-3-2 network and four labelled points, used by the sgd_step and train_epoch checks.
W1 = np.array([[0.5, -0.3, 0.8], [-0.6, 0.4, 0.2]])
B1 = np.array([0.1, 0.05, -0.1])
W2 = np.array([[0.7, -0.5], [-0.2, 0.6], [0.3, 0.1]])
B2 = np.array([0.0, 0.1])
X4 = np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0], [0.5, 1.5]])
Y4 = np.array([0, 1, 0, 1])
LOSS4 = 0.48780715177140055  # softmax cross-entropy of the network above on (X4, Y4)
SMALL_SHAPES = [((2, 3), (3,)), ((3, 2), (2,))]


def small_network(dtype=np.float64):
    return [(W1.astype(dtype), B1.astype(dtype)), (W2.astype(dtype), B2.astype(dtype))]


def copy_layers(layers):
    return [(W.copy(), b.copy()) for W, b in layers]


def flat(layers):
    return [a for layer in layers for a in layer]


def as_float32(layers):
    return [(W.astype(np.float32), b.astype(np.float32)) for W, b in layers]


def layer_structure_problem(got, shapes, name):
    """Return what is wrong with `got` as a list of (W, b) tuples of the given shapes, or None."""
    if not isinstance(got, list):
        return f"`{name}` returned a {type(got).__name__}, not a list of (W, b) tuples."
    if len(got) != len(shapes):
        return f"`{name}` returned {len(got)} layers; the network has {len(shapes)}."
    for i, (layer, (w_shape, b_shape)) in enumerate(zip(got, shapes)):
        if not (isinstance(layer, tuple) and len(layer) == 2):
            return f"Layer {i} of what `{name}` returned is a {type(layer).__name__}, not a (W, b) tuple."
        W, b = layer
        if not (isinstance(W, np.ndarray) and isinstance(b, np.ndarray)):
            return f"Layer {i} of what `{name}` returned does not hold two numpy arrays."
        if W.shape != w_shape or b.shape != b_shape:
            return f"Layer {i} of what `{name}` returned has W {W.shape} and b {b.shape}; expected W {w_shape} and b {b_shape}."
    return None


def require_layers(got, shapes, name, hint):
    problem = layer_structure_problem(got, shapes, name)
    if problem:
        raise CheckFailure(problem, expected=f"a list of {len(shapes)} (W, b) tuples", got=got, hint=hint)


def same_layers(a, b, atol=1e-6, rtol=1e-5):
    return all(np.allclose(x, y, atol=atol, rtol=rtol) for x, y in zip(flat(a), flat(b)))


def require_close_layers(got, expected, name, problem, input, hint=None, atol=1e-6, rtol=1e-5):
    """Fail unless `got` has the layers of `expected` with close values, showing the first array that is off."""
    structure = layer_structure_problem(got, [(W.shape, b.shape) for W, b in expected], name)
    if structure:
        raise CheckFailure(structure, input=input, expected=f"a list of {len(expected)} (W, b) tuples", got=got, hint=hint)
    for i, ((W, b), (W_expected, b_expected)) in enumerate(zip(got, expected)):
        for label, array, wanted in (("W", W, W_expected), ("b", b, b_expected)):
            if not np.allclose(array, wanted, atol=atol, rtol=rtol):
                raise CheckFailure(f"{problem} Layer {i}'s {label} is off.", input=input, expected=wanted, got=array, hint=hint)


def require_close_number(got, expected, problem, input, hint=None, atol=1e-8, rtol=1e-5):
    if not abs(got - expected) <= atol + rtol * abs(expected):
        raise CheckFailure(problem, input=input, expected=expected, got=got, hint=hint)


# ---------------------------------------------------------------- sgd_step

SGD_PARAMS = [(np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, -0.1]))]
SGD_GRADS = [(np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([1.0, -2.0]))]
SGD_EXPECTED = [(np.array([[0.95, -1.9], [0.3, 3.0]]), np.array([0.0, 0.1]))]  # learning rate 0.1
SGD_CLIMBS = [(np.array([[1.05, -2.1], [0.7, 3.0]]), np.array([0.2, -0.3]))]  # W + lr*dW
SGD_NO_RATE = [(np.array([[0.5, -1.0], [-1.5, 3.0]]), np.array([-0.9, 1.9]))]  # W - dW
SGD_HINT = "Each layer becomes (W - learning_rate * dW, b - learning_rate * db); the biases move too."

# The small network after one step with every gradient 1 and learning rate 0.5.
SMALL_AFTER_UNIT_STEP = [
    (np.array([[0.0, -0.8, 0.3], [-1.1, -0.1, -0.3]]), np.array([-0.4, -0.45, -0.6])),
    (np.array([[0.2, -1.0], [-0.7, 0.1], [-0.2, -0.4]]), np.array([-0.5, -0.4])),
]


def unit_grads(params):
    return [(np.ones_like(W), np.ones_like(b)) for W, b in params]


@graded("sgd_step", "moves each parameter against its gradient", points=1, rules=("values", "shape"))
def test_sgd_step_moves_against_gradient(student):
    got = student.sgd_step(copy_layers(SGD_PARAMS), copy_layers(SGD_GRADS), 0.1)
    require_layers(got, [((2, 2), (2,))], "sgd_step", "Return [(W - learning_rate * dW, b - learning_rate * db), ...], one tuple per layer.")
    shown = {"params": SGD_PARAMS, "grads": SGD_GRADS, "learning_rate": 0.1}
    if same_layers(got, SGD_EXPECTED):
        return
    if same_layers(got, SGD_CLIMBS):
        raise mistake("sgd_step-climbs").failure(
            "It adds the gradient instead of subtracting it.", input=shown, expected=SGD_EXPECTED, got=got)
    if same_layers(got, SGD_NO_RATE):
        raise mistake("sgd_step-ignores-learning-rate").failure(input=shown, expected=SGD_EXPECTED, got=got)
    require_close_layers(got, SGD_EXPECTED, "sgd_step", "sgd_step returned the wrong parameters.", shown, SGD_HINT)


@graded("sgd_step", "returns a list of (W, b) tuples, one per layer", points=1, rules=("values", "shape"))
def test_sgd_step_returns_list_of_layers(student):
    params = small_network()
    got = student.sgd_step(params, unit_grads(params), 0.5)
    require_layers(got, SMALL_SHAPES, "sgd_step",
                   "Build a new list with one (W, b) tuple per layer, e.g. with a list comprehension over zip(params, grads).")
    require_close_layers(got, SMALL_AFTER_UNIT_STEP, "sgd_step", "sgd_step returns the wrong values for a 2-layer network.",
                         "a 2-layer network, every gradient 1, learning_rate 0.5",
                         "Update both W and b of every layer: (W - learning_rate * dW, b - learning_rate * db).")


@graded("sgd_step", "leaves the params and grads it is given untouched", points=1, rules=("unchanged", "values"))
def test_sgd_step_leaves_inputs_untouched(student):
    params = small_network()
    grads = unit_grads(params)
    got = student.sgd_step(params, grads, 0.5)
    if not all(np.array_equal(x, y) for x, y in zip(flat(params), flat(small_network()))):
        raise mistake("sgd_step-in-place").failure(
            "The params passed in have changed.", expected="the params left as they were")
    if not all(np.array_equal(g, np.ones_like(g)) for g in flat(grads)):
        raise CheckFailure("sgd_step modified the grads you passed in.", input="every gradient 1",
                           hint="Read the gradients; do not scale them in place.")
    shown = "a 2-layer network, every gradient 1, learning_rate 0.5"
    require_close_layers(got, SMALL_AFTER_UNIT_STEP, "sgd_step", "sgd_step returns the wrong values.", shown, SGD_HINT)


@graded("sgd_step", "float32 params and grads give float32 params", points=1, rules=("dtype", "values"))
def test_sgd_step_keeps_float32(student):
    params = [(W.astype(np.float32), b.astype(np.float32)) for W, b in SGD_PARAMS]
    grads = [(dW.astype(np.float32), db.astype(np.float32)) for dW, db in SGD_GRADS]
    got = student.sgd_step(params, grads, 0.1)
    shown = "float32 params and grads as in the first check, learning_rate 0.1 (a Python float)"
    require_layers(got, [((2, 2), (2,))], "sgd_step", SGD_HINT)
    dtypes = sorted({a.dtype.name for a in flat(got)})
    if dtypes != ["float32"]:
        raise CheckFailure(
            "sgd_step changes the dtype of float32 params.", input=shown, expected="float32 arrays", got=f"dtypes {dtypes}",
            hint="W - learning_rate * dW keeps float32; do not wrap the result in np.array(..., dtype=float).")
    require_close_layers(got, as_float32(SGD_EXPECTED), "sgd_step", "sgd_step returned the wrong parameters.", shown, SGD_HINT)


# ---------------------------------------------------------------- minibatches

def numbered_samples(n):
    """Return x (n, 2) whose row i is [i, 100 + i] and y (n,) with y[i] = i, so each pair can be traced."""
    index = np.arange(n)
    return np.stack([index, 100 + index], axis=1).astype(np.float64), index.copy()


def batches_of(student, n, batch_size, seed):
    """Return the student's batches of numbered samples as a list of (x_batch, y_batch)."""
    x, y = numbered_samples(n)
    got = student.minibatches(x, y, batch_size, np.random.default_rng(seed))
    return require_batch_pairs(got, f"x of shape ({n}, 2), y of shape ({n},)")


def require_batch_pairs(got, shown, y_ndim=1):
    """Return `got` if it is a list of (x_batch (m, d), y_batch) pairs of arrays, y_batch of `y_ndim` dimensions."""
    if not isinstance(got, list) or not all(isinstance(item, tuple) and len(item) == 2 for item in got):
        raise CheckFailure(
            "minibatches must yield (x_batch, y_batch) pairs.", input=shown, got=got,
            hint="Use `yield x[batch], y[batch]` inside a loop over the batches.",
        )
    y_shape = "(m,)" if y_ndim == 1 else "(m, k)"
    for x_batch, y_batch in got:
        if not (isinstance(x_batch, np.ndarray) and isinstance(y_batch, np.ndarray)) or x_batch.ndim != 2 or y_batch.ndim != y_ndim:
            raise CheckFailure(
                f"Each batch must be x_batch of shape (m, d) and y_batch of shape {y_shape}.",
                input=shown, got=(x_batch, y_batch),
                hint="Index rows of x and y with the same array of positions: x[batch], y[batch].",
            )
    return got


def sample_order(batches):
    return np.concatenate([y_batch for _, y_batch in batches]) if batches else np.array([], dtype=np.int64)


def require_every_sample_once(batches, n, shown):
    """Fail unless the batches hold each numbered sample 0..n-1 exactly once, each x row beside its own label."""
    order = sample_order(batches)
    if not (order.size and np.all(np.isin(order, np.arange(n)))):
        raise CheckFailure("minibatches yields no samples, or labels that are not in the data.", input=shown,
                           expected=f"each of 0..{n - 1} exactly once", got=order,
                           hint="Yield rows of the x and y you are given: x[batch], y[batch].")
    rows = np.concatenate([x_batch for x_batch, _ in batches])
    genuine_rows = rows.shape[1] == 2 and np.array_equal(rows[:, 1], 100 + rows[:, 0])
    pairs_kept = genuine_rows and np.array_equal(rows[:, 0], order)
    counts = np.bincount(order.astype(np.int64), minlength=n)
    repeated, missing = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
    if len(repeated) or len(missing):
        found = {"expected": f"each of 0..{n - 1} exactly once", "got": f"repeated {repeated.tolist()}, missing {missing.tolist()}"}
        if len(repeated) and len(missing) and pairs_kept:
            raise mistake("minibatches-with-replacement").failure(
                "It repeats samples and misses others: each sample must appear exactly once per call.", input=shown, **found)
        raise CheckFailure(
            f"minibatches {'repeats' if len(repeated) else 'misses'} samples: each sample must appear exactly once per call.",
            input=shown, hint="Draw one permutation, order = rng.permutation(n), and slice all of it into batches.", **found)
    if pairs_kept:
        return
    found = {"input": f"{shown}; x row i is [i, 100 + i] and y[i] = i",
             "expected": "each x_batch row [i, 100 + i] beside its label i",
             "got": {"labels": order, "first column of the x rows": rows[:, 0] if rows.ndim == 2 else rows}}
    if genuine_rows and sorted(rows[:, 0].tolist()) == list(range(n)):
        raise mistake("minibatches-separate-shuffles").failure(**found)
    raise CheckFailure("minibatches yields x rows that are not the rows of x beside their labels.",
                       hint="Yield rows of the x you are given, picked with the same positions as y: x[batch], y[batch].", **found)


@graded("minibatches", "batch sizes: full batches, then one smaller last batch", points=1, rules=("shape", "values"))
def test_minibatches_batch_sizes(student):
    batches = batches_of(student, 10, 4, 0)
    sizes = [len(y_batch) for _, y_batch in batches]
    shown = "10 samples, batch_size 4"
    if sizes == [4, 4]:
        raise mistake("minibatches-drops-last").failure(
            "2 samples are never trained on.", input=shown, expected="batch sizes [4, 4, 2]", got=f"batch sizes {sizes}")
    if 0 in sizes:
        raise mistake("minibatches-empty-batch").failure(
            input=shown, expected="batch sizes [4, 4, 2]", got=f"batch sizes {sizes}")
    if sizes != [4, 4, 2]:
        raise CheckFailure(
            "minibatches yields batches of the wrong sizes.", input=shown, expected="batch sizes [4, 4, 2]",
            got=f"batch sizes {sizes}", hint="Every batch holds batch_size samples except perhaps the last.",
        )
    require_every_sample_once(batches, 10, shown)


@graded("minibatches", "yields every sample exactly once", points=1, rules=("values",))
def test_minibatches_every_sample_once(student):
    require_every_sample_once(batches_of(student, 10, 4, 0), 10, "10 samples numbered 0..9, batch_size 4")


@graded("minibatches", "keeps each x with its own label", points=1, rules=("values",))
def test_minibatches_keeps_pairs(student):
    batches = batches_of(student, 10, 4, 0)
    for x_batch, y_batch in batches:
        if x_batch.shape[1] != 2 or not np.array_equal(x_batch[:, 0], y_batch):
            raise mistake("minibatches-separate-shuffles").failure(
                input="x row i is [i, 100 + i] and y[i] = i", expected="x_batch[:, 0] equal to y_batch",
                got=(x_batch, y_batch))
    require_every_sample_once(batches, 10, "10 samples numbered 0..9, batch_size 4")


@graded("minibatches", "shuffles the samples", points=1, rules=("values",))
def test_minibatches_shuffles(student):
    batches = batches_of(student, 20, 5, 0)
    order = sample_order(batches)
    shown = "20 samples numbered 0..19, batch_size 5"
    if order.shape == (20,) and np.array_equal(order, np.arange(20)):
        raise mistake("minibatches-no-shuffle").failure(
            "The samples come out in their original order.", input=shown, expected="a shuffled order", got=order)
    require_every_sample_once(batches, 20, shown)


@graded("minibatches", "uses the rng it is given: same seed, same batches", points=1, rules=("rng", "values"))
def test_minibatches_uses_given_rng(student):
    first, again, other = (batches_of(student, 20, 5, seed) for seed in (7, 7, 8))
    require_every_sample_once(first, 20, "20 samples numbered 0..19, batch_size 5, rng seeded 7")
    first_order, again_order, other_order = (sample_order(b) for b in (first, again, other))
    if not np.array_equal(first_order, again_order):
        raise mistake("minibatches-global-random").failure(
            "Two calls with generators seeded alike gave different batches.",
            input="rng = np.random.default_rng(7), twice", expected="the same order both times", got=(first_order, again_order))
    if np.array_equal(first_order, np.arange(20)):
        raise mistake("minibatches-no-shuffle").failure(
            "Every seed gives the original order.", input="np.random.default_rng(7) and np.random.default_rng(8)",
            expected="two different shuffled orders", got=first_order)
    if np.array_equal(first_order, other_order):
        raise mistake("minibatches-own-generator").failure(
            "Generators with different seeds gave the same order.",
            input="np.random.default_rng(7) and np.random.default_rng(8)", expected="two different orders", got=first_order)


def numbered_targets(n, k=3, dtype=np.float32):
    """Return x (n, 5) whose row i starts with i, and (n, k) targets whose row i is one-hot scaled by i + 1."""
    x = np.zeros((n, 5), dtype=dtype)
    x[:, 0], x[:, 1:] = np.arange(n), np.linspace(-1, 1, 4)
    y = np.eye(k)[np.arange(n) % k] * np.arange(1, n + 1)[:, None]
    return x, y


@graded("minibatches", "keeps dtypes, works for (n, k) targets, leaves x and y untouched", points=1,
        rules=("shape", "dtype", "values", "unchanged"))
def test_minibatches_dtypes_and_2d_targets(student):
    x, y = numbered_targets(11)
    got = student.minibatches(x, y, 4, np.random.default_rng(0))
    shown = "x float32 (11, 5) with row i starting with i, targets y (11, 3) with row i one-hot scaled by i + 1, batch_size 4"
    x_before, y_before = numbered_targets(11)
    if not (np.array_equal(x, x_before) and np.array_equal(y, y_before)):
        raise mistake("minibatches-in-place").failure("The x or y passed in has changed.", input=shown)
    batches = require_batch_pairs(got, shown, y_ndim=2)
    sizes = [len(x_batch) for x_batch, _ in batches]
    dtypes = sorted({x_batch.dtype.name for x_batch, _ in batches})
    if dtypes != ["float32"] or sizes != [4, 4, 3] or any(y_batch.shape != (m, 3) for m, (_, y_batch) in zip(sizes, batches)):
        raise CheckFailure(
            "minibatches should work for any x of shape (n, d) and targets of shape (n, k), keeping their dtypes.",
            input=shown, expected="3 batches: x_batch float32 (4, 5), (4, 5), (3, 5); y_batch (4, 3), (4, 3), (3, 3)",
            got=f"batch sizes {sizes}, x dtypes {dtypes}, y shapes {[b[1].shape for b in batches]}",
            hint="Index rows only: x[batch], y[batch]. Do not convert or reshape them.",
        )
    xs, ys = np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])
    order = ys.max(axis=1).round().astype(np.int64) - 1
    if sorted(order.tolist()) != list(range(11)) or not (np.array_equal(xs, x[order]) and np.array_equal(ys, y[order])):
        raise CheckFailure(
            "minibatches does not yield each (x row, target row) pair exactly once.", input=shown,
            expected="each of the 11 rows once, x row i beside target row i",
            got={"x rows starting with": xs[:, 0], "target rows scaled by": ys.max(axis=1)},
            hint="Index rows of x and y with the same permutation: x[batch], y[batch].",
        )


# ---------------------------------------------------------------- train_epoch

# One step of gradient descent with learning rate 0.5 on the whole of (X4, Y4).
STEP_EXPECTED = [
    (np.array([[0.529925, -0.374445, 0.814394], [-0.614963, 0.363464, 0.211243]]), np.array([0.114963, 0.069499, -0.093176])),
    (np.array([[0.721197, -0.521197], [-0.210867, 0.610867], [0.365407, 0.034593]]), np.array([-0.011905, 0.111905])),
]
STEP_CLIMBS = [
    (np.array([[0.470075, -0.225555, 0.785606], [-0.585037, 0.436536, 0.188757]]), np.array([0.085037, 0.030501, -0.106824])),
    (np.array([[0.678803, -0.478803], [-0.189133, 0.589133], [0.234593, 0.165407]]), np.array([0.011905, 0.088095])),
]
LOSS4_AFTER_STEP = 0.4523471941153907
STEP_SHOWN = "a 2-3-2 ReLU network, 4 samples, learning_rate 0.5, batch_size 4 (so one step on one batch)"
STEP_HINT = ("For each batch: logits, cache = forward(...); grads = backward(softmax_cross_entropy_grad(logits, y_batch), "
             "cache, params, activation); params = sgd_step(params, grads, learning_rate).")

# Six copies of the sample X4[0] (label 0) in batches of 2: every shuffle gives the same three
# batches, so the result is three chained steps of learning rate 0.5, and only one if the steps are not chained.
CHAIN_X, CHAIN_Y = np.tile(X4[:1], (6, 1)), np.zeros(6, dtype=np.int64)
CHAIN_EXPECTED = [
    (np.array([[0.5, -0.53173, 0.960205], [-0.6, -0.063459, 0.520409]]), np.array([0.1, -0.18173, 0.060205])),
    (np.array([[0.7, -0.5], [-0.040686, 0.440686], [0.795503, -0.395503]]), np.array([0.402411, -0.302411])),
]
CHAIN_LOSS = 0.369161167310269
CHAIN_ONE_STEP = [
    (np.array([[0.5, -0.53173, 0.857932], [-0.6, -0.063459, 0.315865]]), np.array([0.1, -0.18173, -0.042068])),
    (np.array([[0.7, -0.5], [-0.040686, 0.440686], [0.618628, -0.218628]]), np.array([0.289662, -0.189662])),
]

# Twelve samples in three batches of 4, learning rate 0.001. Steps this small barely depend on the
# order of the batches (any shuffle lands within 1e-6 of the values below, those of seed 11), while
# two seeds still give results that differ in their last digits.
X12 = np.array([[-1.7, -1.1], [1.2, 0.3], [-1.6, -0.3], [-0.1, -1.4], [0.9, -1.5], [-0.4, 0.1],
                [-0.3, 0.3], [1.0, 1.8], [-0.9, 0.6], [0.8, -0.8], [-2.0, 1.9], [-0.8, -0.7]])
Y12 = np.array([0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1])
SMALL_STEPS_EXPECTED = [
    (np.array([[0.500002, -0.299431, 0.799955], [-0.599776, 0.399766, 0.19993]]), np.array([0.099547, 0.049648, -0.100036])),
    (np.array([[0.699851, -0.499851], [-0.199648, 0.599648], [0.299766, 0.100234]]), np.array([0.00019, 0.09981])),
]
SMALL_STEPS_LOSS = 0.80037057  # within 1e-3 for any shuffle

# The small network on X4 * 5000 (|x| up to 1e4), one batch, learning rate 1e-6.
EXTREME_EXPECTED = {
    "relu": ([(np.array([[0.5, -0.301, 0.80025], [-0.6, 0.398, 0.2005]]), np.array([0.1, 0.0499998, -0.09999995])),
              (np.array([[0.7, -0.5], [-0.19937499, 0.59937499], [0.30149997, 0.09850003]]), np.array([2.5e-07, 0.09999975]))],
             200.04),
    "sigmoid": ([(np.array([[0.5, -0.3, 0.8], [-0.6, 0.4, 0.2]]), np.array([0.1, 0.05, -0.1])),
                 (np.array([[0.70000005, -0.50000005], [-0.19999999, 0.59999999], [0.30000014, 0.09999986]]),
                  np.array([6.53725160e-08, 9.99999346e-02]))],
                0.522133606583999),
}


def epoch_result(got, shapes=SMALL_SHAPES, name="train_epoch"):
    """Return (params, loss) from what train_epoch returned, or fail saying why not."""
    if not (isinstance(got, tuple) and len(got) == 2):
        raise CheckFailure(f"`{name}` must return a tuple (params, mean_loss).", got=got,
                           hint="End with `return params, mean_loss`.")
    params, loss = got
    require_layers(params, shapes, name, "Return the params from the last sgd_step, a list of (W, b) tuples.")
    if not isinstance(loss, float):
        raise CheckFailure(f"The mean loss `{name}` returns must be one number, a Python float.", got=loss,
                           hint="Return float(np.mean(batch_losses)).")
    return params, loss


def require_one_step(params, loss, shown, atol=1e-5):
    """Fail unless (params, loss) are one full-batch step of learning rate 0.5 on (X4, Y4)."""
    expected = as_float32(STEP_EXPECTED) if params[0][0].dtype == np.float32 else STEP_EXPECTED
    require_close_layers(params, expected, "train_epoch", "After one step on the whole data the params are wrong.",
                         shown, STEP_HINT, atol=atol)
    require_close_number(loss, LOSS4, "train_epoch returned the wrong mean loss.", shown,
                         "The loss of a batch is softmax_cross_entropy(logits, y_batch), measured before its step.")


@graded("train_epoch", "one batch of all samples is one gradient step", points=1, rules=("values", "shape"))
def test_train_epoch_full_batch_is_one_step(student):
    got = student.train_epoch(small_network(), X4.copy(), Y4.copy(), 0.5, 4, np.random.default_rng(0))
    params, loss = epoch_result(got)
    if same_layers(params, small_network()):
        raise mistake("train_epoch-discards-step").failure(
            "It returned the params unchanged.", input=STEP_SHOWN, expected=STEP_EXPECTED, got=params)
    if same_layers(params, STEP_CLIMBS, atol=1e-5):
        raise mistake("train_epoch-climbs").failure(input=STEP_SHOWN, expected=STEP_EXPECTED, got=params)
    if abs(loss - LOSS4_AFTER_STEP) < 1e-6:
        raise mistake("train_epoch-loss-after-step").failure(input=STEP_SHOWN, expected=LOSS4, got=loss)
    require_one_step(params, loss, STEP_SHOWN)


@graded("train_epoch", "returns the mean of the batch losses", points=1, rules=("values",))
def test_train_epoch_mean_of_batch_losses(student):
    # With learning rate 0 the params never move, so whatever the shuffling, the batch losses average to LOSS4.
    got = student.train_epoch(small_network(), X4.copy(), Y4.copy(), 0.0, 2, np.random.default_rng(0))
    _, loss = epoch_result(got)
    shown = "4 samples, batch_size 2 (two batches), learning_rate 0 (the params never move)"
    if abs(loss - 2 * LOSS4) < 1e-6:
        raise mistake("train_epoch-sum-of-losses").failure(input=shown, expected=LOSS4, got=loss)
    if abs(loss - LOSS4 / 2) < 1e-6:
        raise mistake("train_epoch-divides-by-samples").failure(input=shown, expected=LOSS4, got=loss)
    require_close_number(loss, LOSS4, "train_epoch's loss is not the mean of its batch losses.", shown,
                         "Append every batch's loss to a list and return the mean of the list, not only the last batch's loss.")


@graded("train_epoch", "each step starts from the params of the step before", points=1, rules=("values",))
def test_train_epoch_chains_steps(student):
    got = student.train_epoch(small_network(), CHAIN_X.copy(), CHAIN_Y.copy(), 0.5, 2, np.random.default_rng(0))
    params, loss = epoch_result(got)
    shown = "6 copies of the sample [1, 2] with label 0, batch_size 2 (three equal batches), learning_rate 0.5"
    if same_layers(params, small_network()):
        raise mistake("train_epoch-discards-step").failure(
            "It returned the params unchanged.", input=shown, expected=CHAIN_EXPECTED, got=params)
    if same_layers(params, CHAIN_ONE_STEP, atol=1e-5):
        raise mistake("train_epoch-steps-from-start").failure(
            "The params moved by one step, not three.", input=shown, expected=CHAIN_EXPECTED, got=params)
    require_close_layers(params, CHAIN_EXPECTED, "train_epoch", "After three steps the params are wrong.", shown, STEP_HINT, atol=1e-5)
    require_close_number(loss, CHAIN_LOSS, "train_epoch returned the wrong mean loss.", shown,
                         "Measure each batch's loss with the params it is about to step from.")


@graded("train_epoch", "float32 params and x give float32 params", points=1, rules=("dtype", "values"))
def test_train_epoch_keeps_float32(student):
    got = student.train_epoch(small_network(np.float32), X4.astype(np.float32), Y4.copy(), 0.5, 4, np.random.default_rng(0))
    params, loss = epoch_result(got)
    shown = "the first check's network and samples, in float32; learning_rate 0.5 (a Python float), batch_size 4"
    dtypes = sorted({a.dtype.name for a in flat(params)})
    if dtypes != ["float32"]:
        raise CheckFailure(
            "train_epoch turns float32 params into another dtype, which makes MNIST training about twice as slow.",
            input=shown, expected="float32 params", got=f"dtypes {dtypes}",
            hint="Look for float64 creeping in: one_hot, softmax_cross_entropy_grad and backward should keep float32, "
            "and the learning rate should be a Python float.",
        )
    require_one_step(params, loss, shown)


@graded("train_epoch", "leaves params, x and y untouched", points=1, rules=("unchanged", "values"))
def test_train_epoch_leaves_inputs_untouched(student):
    params, x, y = small_network(), X4.copy(), Y4.copy()
    got = student.train_epoch(params, x, y, 0.5, 4, np.random.default_rng(0))
    if not all(np.array_equal(a, b) for a, b in zip(flat(params) + [x, y], flat(small_network()) + [X4, Y4])):
        raise CheckFailure(
            "train_epoch modified the params, x or y you passed in.", input=STEP_SHOWN,
            hint="Let sgd_step return new params and rebind the name: params = sgd_step(params, grads, learning_rate).",
        )
    require_one_step(*epoch_result(got), STEP_SHOWN)


@graded("train_epoch", "shuffles with the rng it is given: same seed, same result", points=1, rules=("rng", "values"))
def test_train_epoch_uses_given_rng(student):
    first, again, other = (
        epoch_result(student.train_epoch(small_network(), X12.copy(), Y12.copy(), 0.001, 4, np.random.default_rng(seed)))
        for seed in (11, 11, 12))
    shown = "12 samples, batch_size 4 (three batches), learning_rate 0.001, rng seeded 11 twice, then 12"
    require_close_layers(first[0], SMALL_STEPS_EXPECTED, "train_epoch", "After three small steps the params are wrong.",
                         shown, STEP_HINT, atol=2e-5, rtol=0)
    require_close_number(first[1], SMALL_STEPS_LOSS, "train_epoch returned the wrong mean loss.", shown, atol=1e-3, rtol=0)
    if not (same_layers(first[0], again[0], atol=0, rtol=0) and first[1] == again[1]):
        raise CheckFailure(
            "Two calls with generators seeded alike gave different results.", input=shown,
            expected=f"the same mean loss twice, {first[1]!r}", got=again[1],
            hint="Shuffle only with the rng you are given: minibatches(x, y, batch_size, rng).",
        )
    if same_layers(first[0], other[0], atol=0, rtol=0) and first[1] == other[1]:
        raise CheckFailure(
            "Generators with different seeds gave exactly the same result, so the batches are not shuffled by rng.",
            input=shown, expected="different results for seeds 11 and 12", got=f"the same mean loss, {first[1]!r}",
            hint="Pass the rng you are given on to minibatches; do not make a generator of your own.",
        )


@graded("train_epoch", "no warnings and right values for inputs up to 1e4", points=1, rules=("stability", "values"))
def test_train_epoch_extreme_inputs(student):
    for activation, (expected, expected_loss) in EXTREME_EXPECTED.items():
        got = student.train_epoch(small_network(), X4 * 5000, Y4.copy(), 1e-6, 4, np.random.default_rng(0), activation)
        params, loss = epoch_result(got)
        shown = f"the first check's network, x = X4 * 5000 (|x| up to 1e4), one batch, learning_rate 1e-6, activation={activation!r}"
        hint = "Compute the loss from the logits with softmax_cross_entropy, which is stable."
        if not (np.isfinite(loss) and all(np.all(np.isfinite(a)) for a in flat(params))):
            raise CheckFailure("train_epoch returns inf or nan for large inputs.", input=shown, expected=expected_loss, got=loss, hint=hint)
        require_close_layers(params, expected, "train_epoch", "The params are wrong for large inputs.", shown, STEP_HINT, atol=1e-6)
        require_close_number(loss, expected_loss, "train_epoch returns the wrong loss for large inputs.", shown, hint)


# ---------------------------------------------------------------- predict

# A 2-3-3 network whose predictions differ between ReLU and tanh hidden units.
PREDICT_PARAMS = [
    (np.array([[0.9, 0.0, 1.0], [-0.8, 0.2, -0.2]]), np.array([0.3, -0.3, 0.4])),
    (np.array([[0.1, 0.8, 0.0], [-0.1, 0.6, 1.0], [-0.3, 0.9, 0.9]]), np.array([-0.3, 0.1, 0.2])),
]
PREDICT_X = np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0], [-0.5, -1.5]])
PREDICT_RELU = np.array([2, 2, 1, 1])  # logits [[-0.61, 1.06, 1.2], [-0.3, 0.1, 0.2], [-0.79, 4.76, 2.54], [-0.255, 1.12, 0.38]]
PREDICT_TANH = np.array([2, 0, 1, 1])
# The same network on PREDICT_X * 5000 (|x| up to 1e4), where sigmoid and tanh saturate.
PREDICT_EXTREME = {"sigmoid": np.array([2, 2, 1, 1]), "tanh": np.array([2, 2, 1, 0])}


def predict_params():
    return [(W.copy(), b.copy()) for W, b in PREDICT_PARAMS]


def predict_shape_mistake(got):
    """Return the mistake that a (4, 3) array from predict shows."""
    if np.allclose(got.sum(axis=1), 1.0) and np.all(got >= 0):
        if np.all((got == 0) | (got == 1)):
            return mistake("predict-one-hot")
        return mistake("predict-probabilities")
    return mistake("predict-logits")


def require_labels(got, expected, shown, activation):
    """Fail unless `got` equals the integer labels `expected`."""
    if np.shape(got) != expected.shape or not np.array_equal(got, expected):
        found = {"input": shown, "expected": expected, "got": got}
        if activation == "tanh" and np.array_equal(got, PREDICT_RELU):
            raise mistake("predict-ignores-activation").failure(**found)
        raise CheckFailure("predict returns the wrong labels.",
                           hint="Run forward(x, params, activation) and take np.argmax(logits, axis=1).", **found)


@graded("predict", "returns one integer label per row, shape (n,)", points=1, rules=("shape", "values"))
def test_predict_returns_integer_labels(student):
    got = student.predict(predict_params(), PREDICT_X.copy())
    shown = "4 samples, a network with 3 output classes"
    if not isinstance(got, np.ndarray):
        raise CheckFailure("predict must return a numpy array of labels.", input=shown, got=got,
                           hint="np.argmax(logits, axis=1) returns one.")
    if got.shape == (4, 3):
        raise predict_shape_mistake(got).failure(input=shown, expected=PREDICT_RELU, got=got)
    if got.shape == (3,):
        raise mistake("predict-columns").failure(input=shown, expected=PREDICT_RELU, got=got)
    if got.shape != (4,):
        raise CheckFailure("predict must return one label per sample: shape (n,).", input=shown,
                           expected="shape (4,)", got=got, hint="Return np.argmax(logits, axis=1).")
    if not np.issubdtype(got.dtype, np.integer):
        raise mistake("predict-float-labels").failure(input=shown, expected=PREDICT_RELU, got=got)
    require_labels(got, PREDICT_RELU, f"x {PREDICT_X.tolist()}, a 2-3-3 network", "relu")


@graded("predict", "picks the class with the largest score, with the given activation", points=1, rules=("values",))
def test_predict_picks_largest_score(student):
    for activation, expected in (("relu", PREDICT_RELU), ("tanh", PREDICT_TANH)):
        got = student.predict(predict_params(), PREDICT_X.copy(), activation)
        require_labels(got, expected, f"x {PREDICT_X.tolist()}, a 2-3-3 network, activation={activation!r}", activation)


@graded("predict", "no warnings and right labels for inputs up to 1e4", points=1, rules=("stability", "values"))
def test_predict_extreme_inputs(student):
    for activation, expected in PREDICT_EXTREME.items():
        got = student.predict(predict_params(), PREDICT_X * 5000, activation)
        require_labels(got, expected, f"x = {(PREDICT_X * 5000).tolist()}, a 2-3-3 network, activation={activation!r}", None)


@graded("predict", "leaves params and x untouched", points=1, rules=("unchanged", "values"))
def test_predict_leaves_inputs_untouched(student):
    params, x = predict_params(), PREDICT_X.copy()
    got = student.predict(params, x)
    if not all(np.array_equal(a, b) for a, b in zip(flat(params) + [x], flat(PREDICT_PARAMS) + [PREDICT_X])):
        raise CheckFailure("predict modified the params or x you passed in.", input="the network and x of the first check",
                           hint="Compute new arrays; never write into params or x.")
    require_labels(got, PREDICT_RELU, f"x {PREDICT_X.tolist()}, a 2-3-3 network", "relu")


# ---------------------------------------------------------------- 04_training: the whole pipeline

def blobs(rng, n=200):
    """Return two well-separated Gaussian blobs: x (n, 2) and labels y (n,)."""
    y = np.repeat([0, 1], n // 2)
    return rng.standard_normal((n, 2)) * 0.6 + np.where(y[:, None] == 1, 1.0, -1.0), y


@graded("04_training", "lowers the loss on two blobs with your own functions", points=1, rules=("values",))
def test_training_lowers_loss_on_blobs(student):
    rng = np.random.default_rng(0)
    x, y = blobs(rng)
    params = [(rng.standard_normal((2, 8)), np.zeros(8)), (rng.standard_normal((8, 2)) * 0.5, np.zeros(2))]
    losses = []
    for _ in range(5):
        params, loss = epoch_result(student.train_epoch(params, x, y, 0.5, 20, rng), [((2, 8), (8,)), ((8, 2), (2,))])
        losses.append(round(loss, 4))
    # A correct loop ends about 10 times lower than its first epoch, whatever the shuffling.
    if not losses[-1] < 0.3 * losses[0]:
        raise CheckFailure(
            "The loss did not go down over 5 epochs on two well-separated blobs.",
            input="200 points in two blobs, a 2-8-2 ReLU network, learning_rate 0.5, batch_size 20",
            expected="the mean loss of epoch 5 well below that of epoch 1", got=f"mean loss per epoch {losses}",
            hint="This runs your train_epoch with your own minibatches, forward, backward and sgd_step: "
            "make each of them pass its own checks first.",
        )
