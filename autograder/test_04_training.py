"""Hidden checks for 04_training: every public check, then stricter ones."""

import numpy as np

from nncourse.checks.training import *  # noqa: F403 (every public check grades too)
from nncourse.checks.training import (
    batches_of, copy_layers, epoch_result, layer_structure_problem, numbered_samples, same_layers,
)
from nncourse.checks import CheckFailure, graded
from nncourse.checks.mistakes import mistake
from nncourse.toy import make_quadrants

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"]


def random_network(sizes, rng, dtype=np.float64):
    return [((rng.standard_normal((i, o)) * np.sqrt(2 / i)).astype(dtype), (0.1 * rng.standard_normal(o)).astype(dtype))
            for i, o in zip(sizes[:-1], sizes[1:])]


def shapes_of(layers):
    return [(W.shape, b.shape) for W, b in layers]


def require_same_layers(got, expected, name, problem, input, atol=1e-6):
    structure = layer_structure_problem(got, shapes_of(expected), name)
    if structure:
        raise CheckFailure(structure, input=input, got=got)
    if not same_layers(got, expected, atol):
        raise CheckFailure(problem, input=input, expected=expected, got=got)


def flat(layers):
    return [a for layer in layers for a in layer]


# ---------------------------------------------------------------- sgd_step

@graded("sgd_step", "matches W - lr*dW on a 3-layer network", points=1)
def test_sgd_step_matches_reference(student, reference):
    rng = np.random.default_rng(1)
    params = random_network([5, 4, 3, 2], rng)
    grads = random_network([5, 4, 3, 2], rng)
    got = student.sgd_step(copy_layers(params), copy_layers(grads), 0.03)
    expected = reference.sgd_step(copy_layers(params), copy_layers(grads), 0.03)
    require_same_layers(got, expected, "sgd_step", "sgd_step returns the wrong values for a 3-layer network.",
                        "a 5-4-3-2 network, learning_rate 0.03", atol=1e-12)


@graded("sgd_step", "keeps float32 and float64", points=1)
def test_sgd_step_keeps_dtype(student):
    for dtype in (np.float32, np.float64):
        rng = np.random.default_rng(2)
        got = student.sgd_step(random_network([3, 4, 2], rng, dtype), random_network([3, 4, 2], rng, dtype), 0.1)
        dtypes = {a.dtype for a in flat(got)} if not layer_structure_problem(got, [((3, 4), (4,)), ((4, 2), (2,))], "sgd_step") else None
        if dtypes != {np.dtype(dtype)}:
            raise CheckFailure(
                f"sgd_step changes the dtype of {np.dtype(dtype).name} params.",
                input=f"{np.dtype(dtype).name} params and grads, learning_rate 0.1 (a Python float)",
                expected=f"{np.dtype(dtype).name} arrays", got=str(dtypes),
                hint="W - learning_rate * dW keeps the dtype; do not wrap the result in np.array(..., dtype=float).",
            )


@graded("sgd_step", "leaves the grads untouched", points=1)
def test_sgd_step_leaves_grads_untouched(student):
    rng = np.random.default_rng(3)
    params, grads = random_network([3, 4, 2], rng), random_network([3, 4, 2], rng)
    kept = copy_layers(grads)
    student.sgd_step(params, grads, 0.1)
    if not all(np.array_equal(a, b) for a, b in zip(flat(grads), flat(kept))):
        raise CheckFailure("sgd_step modified the grads you passed in.", hint="Read the gradients; do not scale them in place.")


# ---------------------------------------------------------------- minibatches

@graded("minibatches", "no empty batch when batch_size divides n", points=1)
def test_minibatches_exact_division(student):
    sizes = [len(y) for _, y in batches_of(student, 12, 4, 0)]
    if 0 in sizes:
        raise mistake("minibatches-empty-batch").failure(
            input="12 samples, batch_size 4", expected="batch sizes [4, 4, 4]", got=f"batch sizes {sizes}")
    if sizes != [4, 4, 4]:
        raise CheckFailure(
            "minibatches yields the wrong batches when batch_size divides the number of samples.",
            input="12 samples, batch_size 4", expected="batch sizes [4, 4, 4]", got=f"batch sizes {sizes}",
            hint="range(0, n, batch_size) gives exactly the starts you need, with no empty batch at the end.",
        )


@graded("minibatches", "a batch_size above n gives one batch of everything", points=1)
def test_minibatches_large_batch(student):
    batches = batches_of(student, 5, 8, 0)
    sizes = [len(y) for _, y in batches]
    if sizes != [5] or sorted(batches[0][1].tolist()) != [0, 1, 2, 3, 4]:
        raise CheckFailure(
            "With batch_size larger than the data, minibatches should yield one batch holding every sample.",
            input="5 samples, batch_size 8", expected="batch sizes [5]", got=f"batch sizes {sizes}",
        )


@graded("minibatches", "leaves x and y untouched", points=1)
def test_minibatches_leaves_inputs_untouched(student):
    x, y = numbered_samples(30)
    kept_x, kept_y = x.copy(), y.copy()
    student.minibatches(x, y, 7, np.random.default_rng(0))
    if not (np.array_equal(x, kept_x) and np.array_equal(y, kept_y)):
        raise mistake("minibatches-in-place").failure(input="x (30, 2) and y (30,), batch_size 7")


@graded("minibatches", "mixes samples across batches, not only the batch order", points=1)
def test_minibatches_mixes_across_batches(student):
    batches = batches_of(student, 100, 10, 0)
    blocks = [np.sort(y) for _, y in batches]
    contiguous = all(len(b) == 10 and b[0] % 10 == 0 and np.array_equal(b, np.arange(b[0], b[0] + 10)) for b in blocks)
    if contiguous:
        raise mistake("minibatches-batch-order-only").failure(
            "Each batch holds the same neighbouring samples every epoch.",
            input="100 samples, batch_size 10", got=[b.tolist() for b in blocks[:3]])


@graded("minibatches", "keeps dtypes and works for (n, k) targets", points=1)
def test_minibatches_dtypes_and_2d_targets(student):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((11, 5)).astype(np.float32)
    y = np.eye(3)[np.arange(11) % 3] * np.arange(1, 12)[:, None]  # row i is one-hot scaled by i + 1
    got = student.minibatches(x, y, 4, np.random.default_rng(0))
    ok = isinstance(got, list) and len(got) == 3 and all(isinstance(b, tuple) and len(b) == 2 for b in got)
    if ok:
        xs = np.concatenate([b[0] for b in got])
        ys = np.concatenate([b[1] for b in got])
        order = ys.max(axis=1).astype(int) - 1 if ys.ndim == 2 else None
        ok = (xs.dtype == np.float32 and ys.shape == (11, 3) and order is not None
              and sorted(order.tolist()) == list(range(11)) and np.array_equal(xs, x[order]))
    if not ok:
        raise CheckFailure(
            "minibatches should work for any x of shape (n, d) and targets of shape (n, k), keeping their dtypes.",
            input="x float32 (11, 5), one-hot targets y (11, 3), batch_size 4", got=got,
            hint="Index rows only: x[batch], y[batch]. Do not convert or reshape them.",
        )


# ---------------------------------------------------------------- train_epoch

@graded("train_epoch", "matches one reference step for every activation", points=2)
def test_train_epoch_matches_reference(student, reference):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((6, 3)), np.array([0, 2, 1, 1, 0, 2])
    params = random_network([3, 5, 4, 3], rng)
    for activation in ACTIVATIONS:
        shown = f"a 3-5-4-3 network, 6 samples, one batch of 6, learning_rate 0.3, activation={activation!r}"
        got = student.train_epoch(copy_layers(params), x.copy(), y.copy(), 0.3, 6, np.random.default_rng(0), activation)
        expected, expected_loss = reference.train_epoch(copy_layers(params), x.copy(), y.copy(), 0.3, 6, np.random.default_rng(0), activation)
        got_params, got_loss = epoch_result(got, shapes_of(params))
        require_same_layers(got_params, expected, "train_epoch", "train_epoch takes a wrong step.", shown)
        if abs(got_loss - expected_loss) > 1e-9:
            raise CheckFailure("train_epoch returns the wrong loss.", input=shown, expected=expected_loss, got=got_loss,
                               hint="Pass `activation` on to forward and backward.")


@graded("train_epoch", "keeps float32 params float32", points=1)
def test_train_epoch_keeps_float32(student):
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((40, 4)).astype(np.float32), rng.integers(0, 3, 40)
    params = random_network([4, 6, 3], rng, np.float32)
    got_params, _ = epoch_result(student.train_epoch(params, x, y, 0.1, 8, rng), shapes_of(params))
    dtypes = {a.dtype.name for a in flat(got_params)}
    if dtypes != {"float32"}:
        raise CheckFailure(
            "train_epoch turns float32 params into another dtype, which makes MNIST training about twice as slow.",
            input="float32 params and float32 x", expected="float32 params", got=str(dtypes),
            hint="Look for float64 creeping in: one_hot, softmax_cross_entropy_grad and backward should keep float32, "
            "and the learning rate should be a Python float.",
        )


@graded("train_epoch", "leaves params, x and y untouched", points=1)
def test_train_epoch_leaves_inputs_untouched(student):
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    params = random_network([3, 4, 2], rng)
    kept = [a.copy() for a in flat(params)] + [x.copy(), y.copy()]
    student.train_epoch(params, x, y, 0.2, 5, rng)
    if not all(np.array_equal(a, b) for a, b in zip(flat(params) + [x, y], kept)):
        raise CheckFailure(
            "train_epoch modified the params, x or y you passed in.",
            hint="Let sgd_step return new params and rebind the name: params = sgd_step(params, grads, learning_rate).",
        )


@graded("train_epoch", "the same rng seed gives the same result", points=1)
def test_train_epoch_reproducible(student):
    rng = np.random.default_rng(8)
    x, y = rng.standard_normal((30, 3)), rng.integers(0, 3, 30)
    params = random_network([3, 5, 3], rng)
    first, again = (epoch_result(student.train_epoch(copy_layers(params), x, y, 0.2, 4, np.random.default_rng(11)), shapes_of(params))
                    for _ in range(2))
    if not (same_layers(first[0], again[0], atol=1e-12) and first[1] == again[1]):
        raise CheckFailure(
            "Two calls with generators seeded alike gave different results.",
            hint="Shuffle only with the rng you are given (pass it to minibatches).",
        )


@graded("train_epoch", "no warnings for inputs up to 1e4", points=1)
def test_train_epoch_extreme_inputs(student):
    rng = np.random.default_rng(14)
    x, y = rng.uniform(-1e4, 1e4, (20, 3)), rng.integers(0, 3, 20)
    params = random_network([3, 4, 3], rng)
    for activation in ACTIVATIONS:
        got_params, loss = epoch_result(student.train_epoch(copy_layers(params), x, y, 1e-6, 5, np.random.default_rng(0), activation),
                                        shapes_of(params))
        if not (np.isfinite(loss) and all(np.all(np.isfinite(a)) for a in flat(got_params))):
            raise CheckFailure("train_epoch returns inf or nan for large inputs.", input=f"|x| up to 1e4, activation={activation!r}",
                               got=loss, hint="Compute the loss from the logits with softmax_cross_entropy, which is stable.")


@graded("train_epoch", "learns XOR-style quadrants in 20 epochs", points=1)
def test_train_epoch_learns_quadrants(student, reference):
    rng = np.random.default_rng(17)
    x, y = make_quadrants(300, rng, noise=0.05)
    params = [(rng.standard_normal((2, 16)), np.zeros(16)), (rng.standard_normal((16, 2)) * 0.35, np.zeros(2))]
    for _ in range(20):
        params, loss = epoch_result(student.train_epoch(params, x, y, 0.5, 16, rng), [((2, 16), (16,)), ((16, 2), (2,))])
    accuracy = float(np.mean(reference.predict(params, x) == y))
    if accuracy < 0.85:
        raise CheckFailure(
            "After 20 epochs the network still misclassifies many quadrant points.",
            input="300 quadrant points, a 2-16-2 ReLU network, learning_rate 0.5, batch_size 16",
            expected="training accuracy of at least 0.85", got=f"accuracy {accuracy:.3f}, last mean loss {loss:.4f}",
        )


# ---------------------------------------------------------------- predict

@graded("predict", "matches the reference for every activation", points=1)
def test_predict_matches_reference(student, reference):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((50, 6))
    params = random_network([6, 8, 7, 5], rng)
    for activation in ACTIVATIONS:
        got = student.predict(copy_layers(params), x.copy(), activation)
        expected = reference.predict(copy_layers(params), x.copy(), activation)
        if np.shape(got) != expected.shape or not np.array_equal(got, expected):
            raise CheckFailure("predict returns the wrong labels.", input=f"a 6-8-7-5 network, 50 samples, activation={activation!r}",
                               expected=expected, got=got)


@graded("predict", "one sample gives shape (1,)", points=1)
def test_predict_single_sample(student, reference):
    rng = np.random.default_rng(10)
    x = rng.standard_normal((1, 4))
    params = random_network([4, 3, 6], rng)
    got, expected = student.predict(params, x), reference.predict(params, x)
    if np.shape(got) != (1,) or not np.array_equal(got, expected):
        raise CheckFailure("predict mishandles a batch of one sample.", input="x of shape (1, 4)", expected=expected, got=got,
                           hint="Avoid np.squeeze: it removes the sample axis too. np.argmax(logits, axis=1) has shape (1,).")


@graded("predict", "works for float32 input", points=1)
def test_predict_float32(student, reference):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((20, 4)).astype(np.float32)
    params = random_network([4, 5, 3], rng, np.float32)
    got, expected = student.predict(params, x), reference.predict(params, x)
    if np.shape(got) != (20,) or not np.issubdtype(np.asarray(got).dtype, np.integer) or not np.array_equal(got, expected):
        raise CheckFailure("predict gives wrong labels for float32 input.", input="float32 params and x", expected=expected, got=got)


@graded("predict", "no warnings for inputs up to 1e4", points=1)
def test_predict_extreme_inputs(student, reference):
    rng = np.random.default_rng(12)
    x = rng.uniform(-1e4, 1e4, (30, 3))
    params = random_network([3, 4, 3], rng)
    for activation in ("relu", "sigmoid"):
        got, expected = student.predict(params, x, activation), reference.predict(params, x, activation)
        if not np.array_equal(got, expected):
            raise CheckFailure("predict gives wrong labels for large inputs.", input=f"|x| up to 1e4, activation={activation!r}",
                               expected=expected, got=got)


@graded("predict", "leaves params and x untouched", points=1)
def test_predict_leaves_inputs_untouched(student):
    rng = np.random.default_rng(13)
    x = rng.standard_normal((10, 3))
    params = random_network([3, 4, 2], rng)
    kept = [a.copy() for a in flat(params)] + [x.copy()]
    student.predict(params, x)
    if not all(np.array_equal(a, b) for a, b in zip(flat(params) + [x], kept)):
        raise CheckFailure("predict modified the params or x you passed in.")
