"""Public checks for 04_training: sgd_step, minibatches, train_epoch, predict."""

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


def small_network():
    return [(W1.copy(), B1.copy()), (W2.copy(), B2.copy())]


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


def same_layers(a, b, atol=1e-6):
    return all(np.allclose(x, y, atol=atol, rtol=0) for (Wa, ba), (Wb, bb) in zip(a, b) for x, y in ((Wa, Wb), (ba, bb)))


# ---------------------------------------------------------------- sgd_step

SGD_PARAMS = [(np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, -0.1]))]
SGD_GRADS = [(np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([1.0, -2.0]))]
SGD_EXPECTED = [(np.array([[0.95, -1.9], [0.3, 3.0]]), np.array([0.0, 0.1]))]  # learning rate 0.1
SGD_CLIMBS = [(np.array([[1.05, -2.1], [0.7, 3.0]]), np.array([0.2, -0.3]))]  # W + lr*dW
SGD_NO_RATE = [(np.array([[0.5, -1.0], [-1.5, 3.0]]), np.array([-0.9, 1.9]))]  # W - dW


def copy_layers(layers):
    return [(W.copy(), b.copy()) for W, b in layers]


@graded("sgd_step", "moves each parameter against its gradient", points=1)
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
    raise CheckFailure(
        "sgd_step returned the wrong parameters.", input=shown, expected=SGD_EXPECTED, got=got,
        hint="Each layer becomes (W - learning_rate * dW, b - learning_rate * db); the biases move too.",
    )


@graded("sgd_step", "returns a list of (W, b) tuples, one per layer", points=1)
def test_sgd_step_returns_list_of_layers(student):
    params = small_network()
    grads = [(np.ones_like(W), np.ones_like(b)) for W, b in params]
    got = student.sgd_step(params, grads, 0.5)
    require_layers(got, [((2, 3), (3,)), ((3, 2), (2,))], "sgd_step",
                   "Build a new list with one (W, b) tuple per layer, e.g. with a list comprehension over zip(params, grads).")
    expected = [
        (np.array([[0.0, -0.8, 0.3], [-1.1, -0.1, -0.3]]), np.array([-0.4, -0.45, -0.6])),
        (np.array([[0.2, -1.0], [-0.7, 0.1], [-0.2, -0.4]]), np.array([-0.5, -0.4])),
    ]
    if not same_layers(got, expected):
        raise CheckFailure(
            "sgd_step returns the wrong values for a 2-layer network.",
            input="a 2-layer network, every gradient 1, learning_rate 0.5", expected=expected, got=got,
            hint="Update both W and b of every layer: (W - learning_rate * dW, b - learning_rate * db).",
        )


@graded("sgd_step", "leaves the params it is given untouched", points=1)
def test_sgd_step_leaves_params_untouched(student):
    params = small_network()
    grads = [(np.ones_like(W), np.ones_like(b)) for W, b in params]
    student.sgd_step(params, grads, 0.5)
    before = [a for layer in small_network() for a in layer]
    if not all(np.array_equal(x, y) for x, y in zip(before, [a for layer in params for a in layer])):
        raise mistake("sgd_step-in-place").failure(
            "The params passed in have changed.", expected="the params left as they were")


# ---------------------------------------------------------------- minibatches

def numbered_samples(n):
    """Return x (n, 2) whose row i is [i, 100 + i] and y (n,) with y[i] = i, so each pair can be traced."""
    index = np.arange(n)
    return np.stack([index, 100 + index], axis=1).astype(np.float64), index.copy()


def batches_of(student, n, batch_size, seed):
    """Return the student's batches of numbered samples as a list of (x_batch, y_batch)."""
    x, y = numbered_samples(n)
    got = student.minibatches(x, y, batch_size, np.random.default_rng(seed))
    if not isinstance(got, list) or not all(isinstance(item, tuple) and len(item) == 2 for item in got):
        raise CheckFailure(
            "minibatches must yield (x_batch, y_batch) pairs.", got=got,
            hint="Use `yield x[batch], y[batch]` inside a loop over the batches.",
        )
    for x_batch, y_batch in got:
        if not (isinstance(x_batch, np.ndarray) and isinstance(y_batch, np.ndarray)) or x_batch.ndim != 2 or y_batch.ndim != 1:
            raise CheckFailure(
                "Each batch must be x_batch of shape (m, d) and y_batch of shape (m,).",
                input=f"x of shape ({n}, 2), y of shape ({n},)", got=(x_batch, y_batch),
                hint="Index rows of x and y with the same array of positions: x[batch], y[batch].",
            )
    return got


def sample_order(batches):
    return np.concatenate([y_batch for _, y_batch in batches]) if batches else np.array([], dtype=np.int64)


@graded("minibatches", "batch sizes: full batches, then one smaller last batch", points=1)
def test_minibatches_batch_sizes(student):
    sizes = [len(y_batch) for _, y_batch in batches_of(student, 10, 4, 0)]
    if sizes == [4, 4, 2]:
        return
    shown = "10 samples, batch_size 4"
    if sizes == [4, 4]:
        raise mistake("minibatches-drops-last").failure(
            "2 samples are never trained on.", input=shown, expected="batch sizes [4, 4, 2]", got=f"batch sizes {sizes}")
    if 0 in sizes:
        raise mistake("minibatches-empty-batch").failure(
            input=shown, expected="batch sizes [4, 4, 2]", got=f"batch sizes {sizes}")
    raise CheckFailure(
        "minibatches yields batches of the wrong sizes.", input=shown, expected="batch sizes [4, 4, 2]",
        got=f"batch sizes {sizes}", hint="Every batch holds batch_size samples except perhaps the last.",
    )


@graded("minibatches", "yields every sample exactly once", points=1)
def test_minibatches_every_sample_once(student):
    batches = batches_of(student, 10, 4, 0)
    for part, values in (("x", np.concatenate([b[0][:, 0] for b in batches]) if batches else np.array([])),
                         ("y", sample_order(batches))):
        counts = np.bincount(values.astype(np.int64), minlength=10) if values.size else np.zeros(10, np.int64)
        if values.size and (values.min() < 0 or values.max() > 9):
            raise CheckFailure(f"minibatches yields {part} values that are not in the data.", got=values)
        repeated, missing = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
        shown = {"input": "10 samples numbered 0..9, batch_size 4", "expected": "each of 0..9 exactly once",
                 "got": f"repeated {repeated.tolist()}, missing {missing.tolist()}"}
        if len(repeated) and len(missing):
            raise mistake("minibatches-with-replacement").failure(
                f"It repeats samples of {part} and misses others: each sample must appear exactly once per call.", **shown)
        if len(repeated) or len(missing):
            problem = "repeats samples" if len(repeated) else "misses samples"
            raise CheckFailure(
                f"minibatches {problem} of {part}: each sample must appear exactly once per call.",
                hint="Draw one permutation, order = rng.permutation(n), and slice all of it into batches.", **shown)


@graded("minibatches", "keeps each x with its own label", points=1)
def test_minibatches_keeps_pairs(student):
    for x_batch, y_batch in batches_of(student, 10, 4, 0):
        if x_batch.shape[1] != 2 or not np.array_equal(x_batch[:, 0], y_batch):
            raise mistake("minibatches-separate-shuffles").failure(
                input="x row i is [i, 100 + i] and y[i] = i", expected="x_batch[:, 0] equal to y_batch",
                got=(x_batch, y_batch))


@graded("minibatches", "shuffles the samples", points=1)
def test_minibatches_shuffles(student):
    order = sample_order(batches_of(student, 20, 5, 0))
    if order.shape == (20,) and np.array_equal(order, np.arange(20)):
        raise mistake("minibatches-no-shuffle").failure(
            "The samples come out in their original order.",
            input="20 samples numbered 0..19, batch_size 5", expected="a shuffled order", got=order)


@graded("minibatches", "uses the rng it is given: same seed, same batches", points=1)
def test_minibatches_uses_given_rng(student):
    first, again, other = (sample_order(batches_of(student, 20, 5, seed)) for seed in (7, 7, 8))
    if not np.array_equal(first, again):
        raise mistake("minibatches-global-random").failure(
            "Two calls with generators seeded alike gave different batches.",
            input="rng = np.random.default_rng(7), twice", expected="the same order both times", got=(first, again))
    if np.array_equal(first, np.arange(20)):
        raise mistake("minibatches-no-shuffle").failure(
            "Every seed gives the original order.", input="np.random.default_rng(7) and np.random.default_rng(8)",
            expected="two different shuffled orders", got=first)
    if np.array_equal(first, other):
        raise mistake("minibatches-own-generator").failure(
            "Generators with different seeds gave the same order.",
            input="np.random.default_rng(7) and np.random.default_rng(8)", expected="two different orders", got=first)


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
SMALL_SHAPES = [((2, 3), (3,)), ((3, 2), (2,))]


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


@graded("train_epoch", "one batch of all samples is one gradient step", points=2)
def test_train_epoch_full_batch_is_one_step(student):
    got = student.train_epoch(small_network(), X4.copy(), Y4.copy(), 0.5, 4, np.random.default_rng(0))
    params, loss = epoch_result(got)
    shown = "a 2-3-2 ReLU network, 4 samples, learning_rate 0.5, batch_size 4 (so one step on one batch)"
    if same_layers(params, small_network()):
        raise mistake("train_epoch-discards-step").failure(
            "It returned the params unchanged.", input=shown, expected=STEP_EXPECTED, got=params)
    if same_layers(params, STEP_CLIMBS, atol=1e-5):
        raise mistake("train_epoch-climbs").failure(input=shown, expected=STEP_EXPECTED, got=params)
    if not same_layers(params, STEP_EXPECTED, atol=1e-5):
        raise CheckFailure(
            "After one step on the whole data the params are wrong.", input=shown, expected=STEP_EXPECTED, got=params,
            hint="For each batch: logits, cache = forward(...); grads = backward(softmax_cross_entropy_grad(logits, y_batch), cache, params, activation); "
            "params = sgd_step(params, grads, learning_rate).",
        )
    if abs(loss - LOSS4_AFTER_STEP) < 1e-6:
        raise mistake("train_epoch-loss-after-step").failure(input=shown, expected=LOSS4, got=loss)
    if abs(loss - LOSS4) > 1e-6:
        raise CheckFailure("train_epoch returned the wrong mean loss.", input=shown, expected=LOSS4, got=loss,
                           hint="The loss of a batch is softmax_cross_entropy(logits, y_batch).")


@graded("train_epoch", "returns the mean of the batch losses", points=1)
def test_train_epoch_mean_of_batch_losses(student):
    # With learning rate 0 the params never move, so whatever the shuffling, the batch losses average to LOSS4.
    got = student.train_epoch(small_network(), X4.copy(), Y4.copy(), 0.0, 2, np.random.default_rng(0))
    _, loss = epoch_result(got)
    shown = "4 samples, batch_size 2 (two batches), learning_rate 0 (the params never move)"
    if abs(loss - LOSS4) < 1e-6:
        return
    if abs(loss - 2 * LOSS4) < 1e-6:
        raise mistake("train_epoch-sum-of-losses").failure(input=shown, expected=LOSS4, got=loss)
    if abs(loss - LOSS4 / 2) < 1e-6:
        raise mistake("train_epoch-divides-by-samples").failure(input=shown, expected=LOSS4, got=loss)
    raise CheckFailure(
        "train_epoch's loss is not the mean of its batch losses.", input=shown, expected=LOSS4, got=loss,
        hint="Append every batch's loss to a list and return the mean of the list, not only the last batch's loss.",
    )


def blobs(rng, n=200):
    """Return two well-separated Gaussian blobs: x (n, 2) and labels y (n,)."""
    y = np.repeat([0, 1], n // 2)
    return rng.standard_normal((n, 2)) * 0.6 + np.where(y[:, None] == 1, 1.0, -1.0), y


@graded("train_epoch", "lowers the loss on an easy problem", points=1)
def test_train_epoch_lowers_loss(student):
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
            hint="Inside the loop over batches, pass the params from the previous sgd_step to the next forward pass, "
            "and return the final params.",
        )


# ---------------------------------------------------------------- predict

# A 2-3-3 network whose predictions differ between ReLU and tanh hidden units.
PREDICT_PARAMS = [
    (np.array([[0.9, 0.0, 1.0], [-0.8, 0.2, -0.2]]), np.array([0.3, -0.3, 0.4])),
    (np.array([[0.1, 0.8, 0.0], [-0.1, 0.6, 1.0], [-0.3, 0.9, 0.9]]), np.array([-0.3, 0.1, 0.2])),
]
PREDICT_X = np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0], [-0.5, -1.5]])
PREDICT_RELU = np.array([2, 2, 1, 1])  # logits [[-0.61, 1.06, 1.2], [-0.3, 0.1, 0.2], [-0.79, 4.76, 2.54], [-0.255, 1.12, 0.38]]
PREDICT_TANH = np.array([2, 0, 1, 1])


def predict_shape_mistake(got):
    """Return the mistake that a (4, 3) array from predict shows."""
    if np.allclose(got.sum(axis=1), 1.0) and np.all(got >= 0):
        if np.all((got == 0) | (got == 1)):
            return mistake("predict-one-hot")
        return mistake("predict-probabilities")
    return mistake("predict-logits")


@graded("predict", "returns one integer label per row, shape (n,)", points=1)
def test_predict_returns_integer_labels(student):
    got = student.predict([(W.copy(), b.copy()) for W, b in PREDICT_PARAMS], PREDICT_X.copy())
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
                           expected=f"shape (4,)", got=got, hint="Return np.argmax(logits, axis=1).")
    if not np.issubdtype(got.dtype, np.integer):
        raise mistake("predict-float-labels").failure(input=shown, expected=PREDICT_RELU, got=got)


@graded("predict", "picks the class with the largest score, with the given activation", points=1)
def test_predict_picks_largest_score(student):
    for activation, expected in (("relu", PREDICT_RELU), ("tanh", PREDICT_TANH)):
        got = student.predict([(W.copy(), b.copy()) for W, b in PREDICT_PARAMS], PREDICT_X.copy(), activation)
        if np.shape(got) != (4,) or not np.array_equal(got, expected):
            shown = {"input": f"x {PREDICT_X.tolist()}, a 2-3-3 network, activation={activation!r}",
                     "expected": expected, "got": got}
            if activation == "tanh" and np.array_equal(got, PREDICT_RELU):
                raise mistake("predict-ignores-activation").failure(**shown)
            raise CheckFailure("predict returns the wrong labels.",
                               hint="Run forward(x, params, activation) and take np.argmax(logits, axis=1).", **shown)
