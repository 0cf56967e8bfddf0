"""Hidden checks for 04_training: every public check, then stricter ones."""

import numpy as np

from nncourse.checks.training import *  # noqa: F403 (every public check grades too)
from nncourse.checks.training import (
    batches_of, copy_layers, epoch_result, flat, numbered_samples, require_batch_pairs, require_close_layers,
    require_close_number, require_every_sample_once,
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


# ---------------------------------------------------------------- sgd_step

@graded("sgd_step", "matches W - lr*dW on a 3-layer network", points=1, rules=("values", "shape"))
def test_sgd_step_matches_reference(student, reference):
    rng = np.random.default_rng(1)
    params = random_network([5, 4, 3, 2], rng)
    grads = random_network([5, 4, 3, 2], rng)
    got = student.sgd_step(copy_layers(params), copy_layers(grads), 0.03)
    expected = reference.sgd_step(copy_layers(params), copy_layers(grads), 0.03)
    require_close_layers(got, expected, "sgd_step", "sgd_step returns the wrong values for a 3-layer network.",
                         "a 5-4-3-2 network, learning_rate 0.03")


@graded("sgd_step", "keeps float32 and float64 on a 3-layer network", points=1, rules=("dtype", "values"))
def test_sgd_step_keeps_dtype(student, reference):
    for dtype in (np.float32, np.float64):
        rng = np.random.default_rng(2)
        params, grads = random_network([3, 4, 2], rng, dtype), random_network([3, 4, 2], rng, dtype)
        got = student.sgd_step(copy_layers(params), copy_layers(grads), 0.1)
        shown = f"{np.dtype(dtype).name} params and grads of a 3-4-2 network, learning_rate 0.1 (a Python float)"
        expected = reference.sgd_step(params, grads, 0.1)
        require_close_layers(got, expected, "sgd_step", "sgd_step returns the wrong values.", shown)
        dtypes = sorted({a.dtype.name for a in flat(got)})
        if dtypes != [np.dtype(dtype).name]:
            raise CheckFailure(
                f"sgd_step changes the dtype of {np.dtype(dtype).name} params.", input=shown,
                expected=f"{np.dtype(dtype).name} arrays", got=f"dtypes {dtypes}",
                hint="W - learning_rate * dW keeps the dtype; do not wrap the result in np.array(..., dtype=float).",
            )


# ---------------------------------------------------------------- minibatches

@graded("minibatches", "no empty batch when batch_size divides n", points=1, rules=("shape", "values"))
def test_minibatches_exact_division(student):
    batches = batches_of(student, 12, 4, 0)
    sizes = [len(y) for _, y in batches]
    shown = "12 samples, batch_size 4"
    if 0 in sizes:
        raise mistake("minibatches-empty-batch").failure(
            input=shown, expected="batch sizes [4, 4, 4]", got=f"batch sizes {sizes}")
    if sizes != [4, 4, 4]:
        raise CheckFailure(
            "minibatches yields the wrong batches when batch_size divides the number of samples.",
            input=shown, expected="batch sizes [4, 4, 4]", got=f"batch sizes {sizes}",
            hint="range(0, n, batch_size) gives exactly the starts you need, with no empty batch at the end.",
        )
    require_every_sample_once(batches, 12, shown)


@graded("minibatches", "a batch_size above n gives one batch of everything", points=1, rules=("shape", "values"))
def test_minibatches_large_batch(student):
    batches = batches_of(student, 5, 8, 0)
    sizes = [len(y) for _, y in batches]
    shown = "5 samples, batch_size 8"
    if sizes != [5]:
        raise CheckFailure(
            "With batch_size larger than the data, minibatches should yield one batch holding every sample.",
            input=shown, expected="batch sizes [5]", got=f"batch sizes {sizes}",
        )
    require_every_sample_once(batches, 5, shown)


@graded("minibatches", "leaves x and y untouched", points=1, rules=("unchanged", "values"))
def test_minibatches_leaves_inputs_untouched(student):
    x, y = numbered_samples(30)
    kept_x, kept_y = x.copy(), y.copy()
    got = student.minibatches(x, y, 7, np.random.default_rng(0))
    shown = "x (30, 2) and y (30,), batch_size 7"
    if not (np.array_equal(x, kept_x) and np.array_equal(y, kept_y)):
        raise mistake("minibatches-in-place").failure(input=shown)
    require_every_sample_once(require_batch_pairs(got, shown), 30, shown)


@graded("minibatches", "mixes samples across batches, not only the batch order", points=1, rules=("values",))
def test_minibatches_mixes_across_batches(student):
    batches = batches_of(student, 100, 10, 0)
    blocks = [np.sort(y) for _, y in batches]
    contiguous = all(len(b) == 10 and b[0] % 10 == 0 and np.array_equal(b, np.arange(b[0], b[0] + 10)) for b in blocks)
    shown = "100 samples, batch_size 10"
    if contiguous:
        raise mistake("minibatches-batch-order-only").failure(
            "Each batch holds the same neighbouring samples every epoch.", input=shown, got=[b.tolist() for b in blocks[:3]])
    require_every_sample_once(batches, 100, shown)


# ---------------------------------------------------------------- train_epoch

def require_same_epoch(got, expected, shapes, shown, hint=None, atol=1e-6, rtol=1e-5):
    """Fail unless train_epoch's (params, loss) are close to the reference's."""
    params, loss = epoch_result(got, shapes)
    require_close_layers(params, expected[0], "train_epoch", "train_epoch takes a wrong step.", shown, hint, atol=atol, rtol=rtol)
    require_close_number(loss, expected[1], "train_epoch returns the wrong loss.", shown, hint, rtol=rtol)


@graded("train_epoch", "matches one reference step for every activation", points=1, rules=("values", "shape"))
def test_train_epoch_matches_reference(student, reference):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((6, 3)), np.array([0, 2, 1, 1, 0, 2])
    params = random_network([3, 5, 4, 3], rng)
    for activation in ACTIVATIONS:
        shown = f"a 3-5-4-3 network, 6 samples, one batch of 6, learning_rate 0.3, activation={activation!r}"
        got = student.train_epoch(copy_layers(params), x.copy(), y.copy(), 0.3, 6, np.random.default_rng(0), activation)
        expected = reference.train_epoch(copy_layers(params), x.copy(), y.copy(), 0.3, 6, np.random.default_rng(0), activation)
        require_same_epoch(got, expected, shapes_of(params), shown, "Pass `activation` on to forward and backward.")


@graded("train_epoch", "no warnings and right values for inputs up to 1e4, every activation", points=1,
        rules=("stability", "values"))
def test_train_epoch_extreme_inputs_every_activation(student, reference):
    rng = np.random.default_rng(14)
    x, y = rng.uniform(-1e4, 1e4, (20, 3)), rng.integers(0, 3, 20)
    params = random_network([3, 4, 3], rng)
    for activation in ACTIVATIONS:
        shown = f"a 3-4-3 network, 20 samples with |x| up to 1e4, one batch, learning_rate 1e-6, activation={activation!r}"
        got = student.train_epoch(copy_layers(params), x.copy(), y.copy(), 1e-6, 20, np.random.default_rng(0), activation)
        expected = reference.train_epoch(copy_layers(params), x.copy(), y.copy(), 1e-6, 20, np.random.default_rng(0), activation)
        require_same_epoch(got, expected, shapes_of(params), shown,
                           "Compute the loss from the logits with softmax_cross_entropy, which is stable.")


# ---------------------------------------------------------------- predict

@graded("predict", "matches the reference for every activation, also for inputs up to 1e4", points=1,
        rules=("values", "stability"))
def test_predict_matches_reference(student, reference):
    rng = np.random.default_rng(9)
    ordinary = rng.standard_normal((50, 6))
    params = random_network([6, 8, 7, 5], rng)
    extreme = rng.uniform(-1e4, 1e4, (50, 6))
    for x, which in ((ordinary, "50 standard normal samples"), (extreme, "50 samples with |x| up to 1e4")):
        for activation in ACTIVATIONS:
            got = student.predict(copy_layers(params), x.copy(), activation)
            expected = reference.predict(copy_layers(params), x.copy(), activation)
            if np.shape(got) != expected.shape or not np.array_equal(got, expected):
                raise CheckFailure("predict returns the wrong labels.",
                                   input=f"a 6-8-7-5 network, {which}, activation={activation!r}", expected=expected, got=got)


@graded("predict", "one sample gives shape (1,)", points=1, rules=("shape", "values"))
def test_predict_single_sample(student, reference):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((1, 4))
    params = random_network([4, 3, 6], rng)
    got, expected = student.predict(params, x), reference.predict(params, x)
    if np.shape(got) != (1,) or not np.array_equal(got, expected):
        raise CheckFailure("predict mishandles a batch of one sample.", input="x of shape (1, 4), a network with 6 classes",
                           expected=expected, got=got,
                           hint="Avoid np.squeeze: it removes the sample axis too. np.argmax(logits, axis=1) has shape (1,).")


@graded("predict", "works for float32 input", points=1, rules=("shape", "values"))
def test_predict_float32(student, reference):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((20, 4)).astype(np.float32)
    params = random_network([4, 5, 3], rng, np.float32)
    got, expected = student.predict(params, x), reference.predict(params, x)
    if np.shape(got) != (20,) or not np.issubdtype(np.asarray(got).dtype, np.integer) or not np.array_equal(got, expected):
        raise CheckFailure("predict gives wrong labels for float32 input.", input="float32 params and x", expected=expected, got=got)


# ---------------------------------------------------------------- 04_training: the whole pipeline

@graded("04_training", "learns XOR-style quadrants with your own functions in 20 epochs", points=1, rules=("values",))
def test_training_learns_quadrants(student, reference):
    rng = np.random.default_rng(17)
    x, y = make_quadrants(300, rng, noise=0.05)
    params = [(rng.standard_normal((2, 16)), np.zeros(16)), (rng.standard_normal((16, 2)) * 0.35, np.zeros(2))]
    for _ in range(20):
        params, loss = epoch_result(student.train_epoch(params, x, y, 0.5, 16, rng), [((2, 16), (16,)), ((16, 2), (2,))])
    accuracy = float(np.mean(reference.predict(params, x) == y))
    if accuracy < 0.85:
        raise CheckFailure(
            "After 20 epochs the network still misclassifies many quadrant points.",
            input="300 quadrant points, a 2-16-2 ReLU network, learning_rate 0.5, batch_size 16, "
            "trained with your own train_epoch, minibatches, forward, backward and sgd_step",
            expected="training accuracy of at least 0.85", got=f"accuracy {accuracy:.3f}, last mean loss {loss:.4f}",
            hint="Make each of those functions pass its own checks first; then look at how train_epoch chains them.",
        )
