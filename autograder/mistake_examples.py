"""Mistaken versions of graded functions, one per entry of nncourse.checks.mistakes (instructors only).

Each is an otherwise plausible implementation with exactly that mistake. The kit's tests paste one into
a finished notebook and make sure the checks name the mistake. They live here, beside the hidden
checks, because they are one step from a solution and must not ship with the package students install.
"""

EXAMPLES = {
    "standardize_columns-whole-array": """\
def standardize_columns(x):
    return (x - x.mean()) / x.std()
""",
    "standardize_columns-rows": """\
def standardize_columns(x):
    return (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
""",
    "standardize_columns-sample-std": """\
def standardize_columns(x):
    return (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
""",
    "standardize_columns-not-scaled": """\
def standardize_columns(x):
    return x - x.mean(axis=0)
""",
    "normalize_rows-columns": """\
def normalize_rows(x):
    return x / x.sum(axis=0)
""",
    "normalize_rows-total-sum": """\
def normalize_rows(x):
    return x / x.sum()
""",
    "normalize_rows-no-keepdims": """\
def normalize_rows(x):
    return x / x.sum(axis=1)
""",
    "row_argmax-no-axis": """\
def row_argmax(x):
    return np.argmax(x)
""",
    "row_argmax-columns": """\
def row_argmax(x):
    return np.argmax(x, axis=0)
""",
    "row_argmax-keepdims": """\
def row_argmax(x):
    return np.argmax(x, axis=1, keepdims=True)
""",
    "row_argmax-values": """\
def row_argmax(x):
    return np.max(x, axis=1)
""",
    "row_argmax-last-on-ties": """\
def row_argmax(x):
    best = np.zeros(len(x), dtype=int)
    for i, row in enumerate(x):
        for j, value in enumerate(row):
            if value >= row[best[i]]:
                best[i] = j
    return best
""",
    "row_argmax-float-indices": """\
def row_argmax(x):
    return np.argmax(x, axis=1).astype(float)
""",
    "pairwise_squared_distances-transposed": """\
def pairwise_squared_distances(a, b):
    difference = b[:, None, :] - a[None, :, :]
    return (difference ** 2).sum(axis=-1)
""",
    "pairwise_squared_distances-square-root": """\
def pairwise_squared_distances(a, b):
    difference = a[:, None, :] - b[None, :, :]
    return np.sqrt((difference ** 2).sum(axis=-1))
""",
    "pairwise_squared_distances-unclipped-shortcut": """\
def pairwise_squared_distances(a, b):
    return (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :] - 2 * a @ b.T
""",
    "sigmoid-overflow": """\
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
""",
    "sigmoid_prime-of-output": """\
def sigmoid_prime(z):
    return z * (1 - z)
""",
    "sigmoid_prime-overflow": """\
def sigmoid_prime(z):
    e = np.exp(-z)
    return e / (1 + e) ** 2
""",
    "tanh-overflow": """\
def tanh(z):
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
""",
    "tanh_prime-of-output": """\
def tanh_prime(z):
    return 1 - z ** 2
""",
    "tanh_prime-overflow": """\
def tanh_prime(z):
    return 1 / np.cosh(z) ** 2
""",
    "relu-in-place": """\
def relu(z):
    z[z < 0] = 0
    return z
""",
    "relu_prime-one-at-zero": """\
def relu_prime(z):
    return (z >= 0).astype(z.dtype)
""",
    "relu_prime-booleans": """\
def relu_prime(z):
    return z > 0
""",
    "relu_prime-float64": """\
def relu_prime(z):
    return (z > 0).astype(float)
""",
    "leaky_relu-ignores-alpha": """\
def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, 0.01 * z)
""",
    "leaky_relu_prime-one-at-zero": """\
def leaky_relu_prime(z, alpha=0.01):
    return np.where(z >= 0, 1, alpha).astype(z.dtype)
""",
    "leaky_relu_prime-zero-left": """\
def leaky_relu_prime(z, alpha=0.01):
    return (z > 0).astype(z.dtype)
""",
    "leaky_relu_prime-ignores-alpha": """\
def leaky_relu_prime(z, alpha=0.01):
    return np.where(z > 0, 1, 0.01).astype(z.dtype)
""",
    "leaky_relu_prime-float64": """\
def leaky_relu_prime(z, alpha=0.01):
    return np.where(z > 0, 1.0, alpha)
""",
    "softmax-wrong-axis": """\
def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
""",
    "softmax-no-max-shift": """\
def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
""",
    "softmax-no-keepdims": """\
def softmax(z):
    e = np.exp(z - z.max(axis=-1))
    return e / e.sum(axis=-1)
""",
    "softmax-in-place": """\
def softmax(z):
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
""",
    "dense_forward-samples-as-columns": """\
def dense_forward(x, W, b):
    return W.T @ x.T + b[:, None]
""",
    "dense_forward-no-bias": """\
def dense_forward(x, W, b):
    return x @ W
""",
    "dense_forward-transposed-W": """\
def dense_forward(x, W, b):
    return x @ W.T + b
""",
    "init_params-transposed-W": """\
def init_params(layer_sizes, rng):
    return [
        (rng.normal(0.0, np.sqrt(2.0 / d_in), size=(d_out, d_in)), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-random-biases": """\
def init_params(layer_sizes, rng):
    return [
        (rng.normal(0.0, np.sqrt(2.0 / d_in), size=(d_in, d_out)), rng.normal(0.0, 0.1, size=d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-unscaled": """\
def init_params(layer_sizes, rng):
    return [
        (rng.standard_normal((d_in, d_out)), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-lecun-scale": """\
def init_params(layer_sizes, rng):
    return [
        (rng.normal(0.0, np.sqrt(1.0 / d_in), size=(d_in, d_out)), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-glorot-scale": """\
def init_params(layer_sizes, rng):
    return [
        (rng.normal(0.0, np.sqrt(2.0 / (d_in + d_out)), size=(d_in, d_out)), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-d_out-scale": """\
def init_params(layer_sizes, rng):
    return [
        (rng.normal(0.0, np.sqrt(2.0 / d_out), size=(d_in, d_out)), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-variance-as-std": """\
def init_params(layer_sizes, rng):
    return [
        (rng.normal(0.0, 2.0 / d_in, size=(d_in, d_out)), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-global-random": """\
def init_params(layer_sizes, rng):
    return [
        (np.random.randn(d_in, d_out) * np.sqrt(2.0 / d_in), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-own-generator": """\
def init_params(layer_sizes, rng):
    rng = np.random.default_rng(0)
    return [
        (rng.normal(0.0, np.sqrt(2.0 / d_in), size=(d_in, d_out)), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "init_params-uniform": """\
def init_params(layer_sizes, rng):
    return [
        (rng.uniform(-np.sqrt(6.0 / d_in), np.sqrt(6.0 / d_in), size=(d_in, d_out)), np.zeros(d_out))
        for d_in, d_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
    "forward-activation-on-logits": """\
def forward(x, params, activation="relu"):
    f = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu}[activation]
    cache = []
    a = x
    for W, b in params:
        z = dense_forward(a, W, b)
        cache.append((a, z))
        a = f(z)
    return a, cache
""",
    "forward-no-hidden-activation": """\
def forward(x, params, activation="relu"):
    cache = []
    a = x
    for W, b in params:
        z = dense_forward(a, W, b)
        cache.append((a, z))
        a = z
    return a, cache
""",
    "forward-cache-order": """\
def forward(x, params, activation="relu"):
    f = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu}[activation]
    cache = []
    a = x
    for layer, (W, b) in enumerate(params):
        z = dense_forward(a, W, b)
        cache.append((z, a))
        a = f(z) if layer < len(params) - 1 else z
    return a, cache
""",
    "forward-cache-output": """\
def forward(x, params, activation="relu"):
    f = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu}[activation]
    cache = []
    a = x
    for layer, (W, b) in enumerate(params):
        z = dense_forward(a, W, b)
        a = f(z) if layer < len(params) - 1 else z
        cache.append((a, z))
    return a, cache
""",
    "forward-ignores-activation": """\
def forward(x, params, activation="relu"):
    cache = []
    a = x
    for layer, (W, b) in enumerate(params):
        z = dense_forward(a, W, b)
        cache.append((a, z))
        a = relu(z) if layer < len(params) - 1 else z
    return a, cache
""",
    "one_hot-transposed": """\
def one_hot(labels, num_classes):
    encoded = np.zeros((num_classes, len(labels)))
    encoded[labels, np.arange(len(labels))] = 1.0
    return encoded
""",
    "one_hot-ignores-num_classes": """\
def one_hot(labels, num_classes):
    encoded = np.zeros((len(labels), labels.max() + 1))
    encoded[np.arange(len(labels)), labels] = 1.0
    return encoded
""",
    "one_hot-integers": """\
def one_hot(labels, num_classes):
    encoded = np.zeros((len(labels), num_classes), dtype=int)
    encoded[np.arange(len(labels)), labels] = 1
    return encoded
""",
    "mse-sum": """\
def mse(y_pred, y_true):
    return float(np.sum((y_pred - y_true) ** 2))
""",
    "mse-divided-by-rows": """\
def mse(y_pred, y_true):
    return float(np.sum((y_pred - y_true) ** 2) / len(y_pred))
""",
    "mse-root": """\
def mse(y_pred, y_true):
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))
""",
    "mse_grad-no-factor-2": """\
def mse_grad(y_pred, y_true):
    return (y_pred - y_true) / y_pred.size
""",
    "mse_grad-not-averaged": """\
def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true)
""",
    "mse_grad-bare-error": """\
def mse_grad(y_pred, y_true):
    return y_pred - y_true
""",
    "mse_grad-divided-by-rows": """\
def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true) / len(y_pred)
""",
    "mse_grad-rows-no-factor-2": """\
def mse_grad(y_pred, y_true):
    return (y_pred - y_true) / len(y_pred)
""",
    "mse_grad-divided-by-columns": """\
def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true) / y_pred.shape[1]
""",
    "mse_grad-sign-flipped": """\
def mse_grad(y_pred, y_true):
    return 2 * (y_true - y_pred) / y_pred.size
""",
    "binary_cross_entropy-missing-term": """\
def binary_cross_entropy(p, y):
    return float(-np.mean(y * np.log(np.maximum(p, EPS))))
""",
    "binary_cross_entropy-sum": """\
def binary_cross_entropy(p, y):
    log_p = np.log(np.maximum(p, EPS))
    log_not_p = np.log(np.maximum(1 - p, EPS))
    return float(-np.sum(y * log_p + (1 - y) * log_not_p))
""",
    "binary_cross_entropy-no-minus": """\
def binary_cross_entropy(p, y):
    log_p = np.log(np.maximum(p, EPS))
    log_not_p = np.log(np.maximum(1 - p, EPS))
    return float(np.mean(y * log_p + (1 - y) * log_not_p))
""",
    "binary_cross_entropy-log-of-zero": """\
def binary_cross_entropy(p, y):
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
    "binary_cross_entropy-float32-clip": """\
def binary_cross_entropy(p, y):
    p = np.clip(p, EPS, 1 - EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
    "binary_cross_entropy-divided-by-rows": """\
def binary_cross_entropy(p, y):
    log_p = np.log(np.maximum(p, EPS))
    log_not_p = np.log(np.maximum(1 - p, EPS))
    return float(-np.sum(y * log_p + (1 - y) * log_not_p) / len(p))
""",
    "cross_entropy-block-indexing": """\
def cross_entropy(probs, labels):
    return float(-np.mean(np.log(np.maximum(probs[:, labels], EPS))))
""",
    "cross_entropy-sum": """\
def cross_entropy(probs, labels):
    picked = probs[np.arange(len(labels)), labels]
    return float(-np.sum(np.log(np.maximum(picked, EPS))))
""",
    "cross_entropy-no-minus": """\
def cross_entropy(probs, labels):
    picked = probs[np.arange(len(labels)), labels]
    return float(np.mean(np.log(np.maximum(picked, EPS))))
""",
    "cross_entropy-log-of-zero": """\
def cross_entropy(probs, labels):
    picked = probs[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(picked)))
""",
    "softmax_cross_entropy-naive-log-softmax": """\
def softmax_cross_entropy(logits, labels):
    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(probs[np.arange(len(labels)), labels])))
""",
    "softmax_cross_entropy-clipped-log": """\
def softmax_cross_entropy(logits, labels):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(np.maximum(probs[np.arange(len(labels)), labels], EPS))))
""",
    "softmax_cross_entropy_grad-not-divided": """\
def softmax_cross_entropy_grad(logits, labels):
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    grad = exp / exp.sum(axis=1, keepdims=True)
    grad[np.arange(len(labels)), labels] -= 1
    return grad
""",
    "softmax_cross_entropy_grad-sign-flipped": """\
def softmax_cross_entropy_grad(logits, labels):
    n = len(labels)
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)
    return (one_hot(labels, logits.shape[1]) - probs) / n
""",
    "softmax_cross_entropy_grad-no-one-hot": """\
def softmax_cross_entropy_grad(logits, labels):
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True) / len(labels)
""",
    "softmax_cross_entropy_grad-overflow": """\
def softmax_cross_entropy_grad(logits, labels):
    exp = np.exp(logits)
    grad = exp / exp.sum(axis=1, keepdims=True)
    grad[np.arange(len(labels)), labels] -= 1
    return grad / len(labels)
""",
    "softmax_cross_entropy_grad-float64-result": """\
def softmax_cross_entropy_grad(logits, labels):
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)
    return (probs - np.eye(logits.shape[1])[labels]) / len(labels)
""",
    "accuracy-count": """\
def accuracy(scores, labels):
    return int(np.sum(np.argmax(scores, axis=1) == labels))
""",
    "numerical_gradient-forward-difference": """\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    f_x = f(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        grad[i] = (f(x) - f_x) / eps
        x[i] = original
    return grad
""",
    "numerical_gradient-backward-difference": """\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    f_x = f(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original - eps
        grad[i] = (f_x - f(x)) / eps
        x[i] = original
    return grad
""",
    "numerical_gradient-ignores-eps": """\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + 1e-6
        f_plus = f(x)
        x[i] = original - 1e-6
        f_minus = f(x)
        x[i] = original
        grad[i] = (f_plus - f_minus) / 2e-6
    return grad
""",
    "numerical_gradient-no-half": """\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = f(x)
        x[i] = original - eps
        f_minus = f(x)
        x[i] = original
        grad[i] = (f_plus - f_minus) / eps
    return grad
""",
    "numerical_gradient-leaves-x-changed": """\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f(x)
        x[i] -= 2 * eps
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
""",
    "numerical_gradient-not-restored-between-entries": """\
def numerical_gradient(f, x, eps=1e-6):
    x = x.copy()
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f(x)
        x[i] -= 2 * eps
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
""",
    "numerical_gradient-nudges-copy": """\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[i] += eps
        x_minus[i] -= eps
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * eps)
    return grad
""",
    "relative_error-max-of-a": """\
def relative_error(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-12))
""",
    "relative_error-max-of-b": """\
def relative_error(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-12))
""",
    "relative_error-separate-maxima": """\
def relative_error(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)) + np.max(np.abs(b)), 1e-12))
""",
    "relative_error-elementwise-ratio": """\
def relative_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))
""",
    "relative_error-norms": """\
def relative_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))
""",
    "relative_error-mean-difference": """\
def relative_error(a, b):
    return float(np.mean(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-12))
""",
    "relative_error-zero-division": """\
def relative_error(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(a) + np.abs(b)))
""",
    "relative_error-floor-added": """\
def relative_error(a, b):
    return float(np.max(np.abs(a - b)) / (np.max(np.abs(a) + np.abs(b)) + 1e-12))
""",
    "dense_backward-wrong-order": """\
def dense_backward(dz, x, W):
    return x.T @ dz, dz @ W.T, dz.sum(axis=0)
""",
    "dense_backward-missing-dx": """\
def dense_backward(dz, x, W):
    return x.T @ dz, dz.sum(axis=0)
""",
    "dense_backward-transposed-dW": """\
def dense_backward(dz, x, W):
    return dz @ W.T, dz.T @ x, dz.sum(axis=0)
""",
    "dense_backward-db-keepdims": """\
def dense_backward(dz, x, W):
    return dz @ W.T, x.T @ dz, dz.sum(axis=0, keepdims=True)
""",
    "dense_backward-db-not-summed": """\
def dense_backward(dz, x, W):
    return dz @ W.T, x.T @ dz, dz
""",
    "dense_backward-db-averaged": """\
def dense_backward(dz, x, W):
    return dz @ W.T, x.T @ dz, dz.mean(axis=0)
""",
    "dense_backward-dW-averaged": """\
def dense_backward(dz, x, W):
    return dz @ W.T, x.T @ dz / len(x), dz.sum(axis=0)
""",
    "activation_backward-no-derivative": """\
def activation_backward(da, z, activation):
    return da
""",
    "activation_backward-at-output": """\
def activation_backward(da, z, activation):
    functions = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu}
    derivatives = {"sigmoid": sigmoid_prime, "tanh": tanh_prime, "relu": relu_prime,
                   "leaky_relu": leaky_relu_prime}
    return da * derivatives[activation](functions[activation](z))
""",
    "activation_backward-times-activation": """\
def activation_backward(da, z, activation):
    functions = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu}
    return da * functions[activation](z)
""",
    "activation_backward-open-at-zero": """\
def activation_backward(da, z, activation):
    if activation in ("relu", "leaky_relu"):
        dz = da.copy()
        dz[z < 0] *= 0.0 if activation == "relu" else 0.01
        return dz
    derivatives = {"sigmoid": sigmoid_prime, "tanh": tanh_prime}
    return da * derivatives[activation](z)
""",
    "activation_backward-float64-slope": """\
def activation_backward(da, z, activation):
    if activation == "relu":
        return da * np.where(z > 0, 1.0, 0.0)
    if activation == "leaky_relu":
        return da * np.where(z > 0, 1.0, 0.01)
    derivatives = {"sigmoid": sigmoid_prime, "tanh": tanh_prime}
    return da * derivatives[activation](z)
""",
    "backward-derivative-on-last-layer": """\
def backward(dlogits, cache, params, activation="relu"):
    grads = [None] * len(params)
    da = dlogits
    for layer in reversed(range(len(params))):
        a_prev, z = cache[layer]
        dz = activation_backward(da, z, activation)
        da, dW, db = dense_backward(dz, a_prev, params[layer][0])
        grads[layer] = (dW, db)
    return grads
""",
    "backward-no-derivative": """\
def backward(dlogits, cache, params, activation="relu"):
    grads = [None] * len(params)
    dz = dlogits
    for layer in reversed(range(len(params))):
        a_prev, _ = cache[layer]
        dz, dW, db = dense_backward(dz, a_prev, params[layer][0])
        grads[layer] = (dW, db)
    return grads
""",
    "backward-derivative-at-output": """\
def backward(dlogits, cache, params, activation="relu"):
    grads = [None] * len(params)
    dz = dlogits
    for layer in reversed(range(len(params))):
        a_prev, _ = cache[layer]
        dx, dW, db = dense_backward(dz, a_prev, params[layer][0])
        grads[layer] = (dW, db)
        dz = activation_backward(dx, a_prev, activation)
    return grads
""",
    "backward-reversed-grads": """\
def backward(dlogits, cache, params, activation="relu"):
    grads = []
    dz = dlogits
    for layer in reversed(range(len(params))):
        a_prev, _ = cache[layer]
        dx, dW, db = dense_backward(dz, a_prev, params[layer][0])
        grads.append((dW, db))
        if layer > 0:
            dz = activation_backward(dx, cache[layer - 1][1], activation)
    return grads
""",
    "sgd_step-climbs": """\
def sgd_step(params, grads, learning_rate):
    return [(W + learning_rate * dW, b + learning_rate * db) for (W, b), (dW, db) in zip(params, grads)]
""",
    "sgd_step-ignores-learning-rate": """\
def sgd_step(params, grads, learning_rate):
    return [(W - dW, b - db) for (W, b), (dW, db) in zip(params, grads)]
""",
    "sgd_step-in-place": """\
def sgd_step(params, grads, learning_rate):
    for (W, b), (dW, db) in zip(params, grads):
        W -= learning_rate * dW
        b -= learning_rate * db
    return params
""",
    "minibatches-drops-last": """\
def minibatches(x, y, batch_size, rng):
    order = rng.permutation(len(x))
    for start in range(0, len(x) - batch_size + 1, batch_size):
        batch = order[start:start + batch_size]
        yield x[batch], y[batch]
""",
    "minibatches-empty-batch": """\
def minibatches(x, y, batch_size, rng):
    order = rng.permutation(len(x))
    for start in range(0, len(x) + batch_size, batch_size):
        batch = order[start:start + batch_size]
        yield x[batch], y[batch]
""",
    "minibatches-with-replacement": """\
def minibatches(x, y, batch_size, rng):
    for start in range(0, len(x), batch_size):
        batch = rng.integers(0, len(x), size=min(batch_size, len(x) - start))
        yield x[batch], y[batch]
""",
    "minibatches-separate-shuffles": """\
def minibatches(x, y, batch_size, rng):
    x_order, y_order = rng.permutation(len(x)), rng.permutation(len(x))
    for start in range(0, len(x), batch_size):
        yield x[x_order[start:start + batch_size]], y[y_order[start:start + batch_size]]
""",
    "minibatches-no-shuffle": """\
def minibatches(x, y, batch_size, rng):
    for start in range(0, len(x), batch_size):
        yield x[start:start + batch_size], y[start:start + batch_size]
""",
    "minibatches-global-random": """\
def minibatches(x, y, batch_size, rng):
    order = np.random.permutation(len(x))
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        yield x[batch], y[batch]
""",
    "minibatches-own-generator": """\
def minibatches(x, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(x))
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        yield x[batch], y[batch]
""",
    "minibatches-in-place": """\
def minibatches(x, y, batch_size, rng):
    order = rng.permutation(len(x))
    x[:], y[:] = x[order], y[order]
    for start in range(0, len(x), batch_size):
        yield x[start:start + batch_size], y[start:start + batch_size]
""",
    "minibatches-batch-order-only": """\
def minibatches(x, y, batch_size, rng):
    for start in rng.permutation(np.arange(0, len(x), batch_size)):
        yield x[start:start + batch_size], y[start:start + batch_size]
""",
    "train_epoch-discards-step": """\
def train_epoch(params, x, y, learning_rate, batch_size, rng, activation="relu"):
    batch_losses = []
    for x_batch, y_batch in minibatches(x, y, batch_size, rng):
        logits, cache = forward(x_batch, params, activation)
        batch_losses.append(softmax_cross_entropy(logits, y_batch))
        grads = backward(softmax_cross_entropy_grad(logits, y_batch), cache, params, activation)
        sgd_step(params, grads, learning_rate)
    return params, float(np.mean(batch_losses))
""",
    "train_epoch-steps-from-start": """\
def train_epoch(params, x, y, learning_rate, batch_size, rng, activation="relu"):
    batch_losses = []
    for x_batch, y_batch in minibatches(x, y, batch_size, rng):
        logits, cache = forward(x_batch, params, activation)
        batch_losses.append(softmax_cross_entropy(logits, y_batch))
        grads = backward(softmax_cross_entropy_grad(logits, y_batch), cache, params, activation)
        new_params = sgd_step(params, grads, learning_rate)
    return new_params, float(np.mean(batch_losses))
""",
    "train_epoch-climbs": """\
def train_epoch(params, x, y, learning_rate, batch_size, rng, activation="relu"):
    batch_losses = []
    for x_batch, y_batch in minibatches(x, y, batch_size, rng):
        logits, cache = forward(x_batch, params, activation)
        batch_losses.append(softmax_cross_entropy(logits, y_batch))
        grads = backward(softmax_cross_entropy_grad(logits, y_batch), cache, params, activation)
        params = sgd_step(params, grads, -learning_rate)
    return params, float(np.mean(batch_losses))
""",
    "train_epoch-loss-after-step": """\
def train_epoch(params, x, y, learning_rate, batch_size, rng, activation="relu"):
    batch_losses = []
    for x_batch, y_batch in minibatches(x, y, batch_size, rng):
        logits, cache = forward(x_batch, params, activation)
        grads = backward(softmax_cross_entropy_grad(logits, y_batch), cache, params, activation)
        params = sgd_step(params, grads, learning_rate)
        batch_losses.append(softmax_cross_entropy(forward(x_batch, params, activation)[0], y_batch))
    return params, float(np.mean(batch_losses))
""",
    "train_epoch-sum-of-losses": """\
def train_epoch(params, x, y, learning_rate, batch_size, rng, activation="relu"):
    batch_losses = []
    for x_batch, y_batch in minibatches(x, y, batch_size, rng):
        logits, cache = forward(x_batch, params, activation)
        batch_losses.append(softmax_cross_entropy(logits, y_batch))
        grads = backward(softmax_cross_entropy_grad(logits, y_batch), cache, params, activation)
        params = sgd_step(params, grads, learning_rate)
    return params, float(np.sum(batch_losses))
""",
    "train_epoch-divides-by-samples": """\
def train_epoch(params, x, y, learning_rate, batch_size, rng, activation="relu"):
    batch_losses = []
    for x_batch, y_batch in minibatches(x, y, batch_size, rng):
        logits, cache = forward(x_batch, params, activation)
        batch_losses.append(softmax_cross_entropy(logits, y_batch))
        grads = backward(softmax_cross_entropy_grad(logits, y_batch), cache, params, activation)
        params = sgd_step(params, grads, learning_rate)
    return params, float(np.sum(batch_losses) / len(x))
""",
    "predict-logits": """\
def predict(params, x, activation="relu"):
    logits, _ = forward(x, params, activation)
    return logits
""",
    "predict-probabilities": """\
def predict(params, x, activation="relu"):
    logits, _ = forward(x, params, activation)
    return softmax(logits)
""",
    "predict-one-hot": """\
def predict(params, x, activation="relu"):
    logits, _ = forward(x, params, activation)
    return one_hot(np.argmax(logits, axis=1), logits.shape[1])
""",
    "predict-columns": """\
def predict(params, x, activation="relu"):
    logits, _ = forward(x, params, activation)
    return np.argmax(logits, axis=0)
""",
    "predict-float-labels": """\
def predict(params, x, activation="relu"):
    logits, _ = forward(x, params, activation)
    return np.argmax(logits, axis=1).astype(float)
""",
    "predict-ignores-activation": """\
def predict(params, x, activation="relu"):
    logits, _ = forward(x, params)
    return np.argmax(logits, axis=1)
""",
    "preprocess-square": """\
def preprocess(images):
    return images.astype(np.float32) / 255
""",
    "preprocess-unscaled": """\
def preprocess(images):
    return images.reshape(len(images), 784).astype(np.float32)
""",
    "preprocess-not-float32": """\
def preprocess(images):
    return images.reshape(len(images), 784) / 255
""",
    "preprocess-divides-by-256": """\
def preprocess(images):
    return images.reshape(len(images), 784).astype(np.float32) / 256
""",
    "elu-exp-for-positive": """\
def elu(z, alpha=1.0):
    return alpha * np.expm1(z)
""",
    "elu-zero-left": """\
def elu(z, alpha=1.0):
    return np.maximum(z, 0)
""",
    "elu-missing-minus-one": """\
def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0)))
""",
    "elu-ignores-alpha": """\
def elu(z, alpha=1.0):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
""",
    "elu-alpha-on-positive": """\
def elu(z, alpha=1.0):
    return alpha * np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
""",
    "elu-overflow": """\
def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * (np.exp(z) - 1))
""",
    "elu-in-place": """\
def elu(z, alpha=1.0):
    negative = z <= 0
    z[negative] = alpha * (np.exp(z[negative]) - 1)
    return z
""",
    "elu_prime-returns-elu": """\
def elu_prime(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha * np.expm1(np.minimum(z, 0)))
""",
    "elu_prime-zero-left": """\
def elu_prime(z, alpha=1.0):
    return np.where(z > 0, 1.0, 0.0)
""",
    "elu_prime-constant-alpha": """\
def elu_prime(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha)
""",
    "elu_prime-ignores-alpha": """\
def elu_prime(z, alpha=1.0):
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))
""",
    "elu_prime-one-at-zero": """\
def elu_prime(z, alpha=1.0):
    return np.where(z >= 0, 1.0, alpha * np.exp(np.minimum(z, 0)))
""",
    "elu_prime-overflow": """\
def elu_prime(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha * np.exp(z))
""",
    "arctan-tanh": """\
def arctan(z):
    return np.tanh(z)
""",
    "arctan_prime-no-square": """\
def arctan_prime(z):
    return 1.0 / (1.0 + z)
""",
    "arctan_prime-square-outside": """\
def arctan_prime(z):
    return 1.0 / (1.0 + z) ** 2
""",
    "sgd_momentum_step-climbs": """\
def sgd_momentum_step(params, grads, velocity, learning_rate, momentum=0.9):
    if velocity is None:
        velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    new_velocity = [(momentum * V_W + learning_rate * dW, momentum * V_b + learning_rate * db)
                    for (V_W, V_b), (dW, db) in zip(velocity, grads)]
    new_params = [(W + V_W, b + V_b) for (W, b), (V_W, V_b) in zip(params, new_velocity)]
    return new_params, new_velocity
""",
    "sgd_momentum_step-ignores-velocity": """\
def sgd_momentum_step(params, grads, velocity, learning_rate, momentum=0.9):
    new_velocity = [(-learning_rate * dW, -learning_rate * db) for dW, db in grads]
    new_params = [(W + V_W, b + V_b) for (W, b), (V_W, V_b) in zip(params, new_velocity)]
    return new_params, new_velocity
""",
    "sgd_momentum_step-velocity-sign": """\
def sgd_momentum_step(params, grads, velocity, learning_rate, momentum=0.9):
    if velocity is None:
        velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    new_velocity = [(momentum * V_W + learning_rate * dW, momentum * V_b + learning_rate * db)
                    for (V_W, V_b), (dW, db) in zip(velocity, grads)]
    new_params = [(W - V_W, b - V_b) for (W, b), (V_W, V_b) in zip(params, new_velocity)]
    return new_params, new_velocity
""",
    "sgd_momentum_step-in-place": """\
def sgd_momentum_step(params, grads, velocity, learning_rate, momentum=0.9):
    if velocity is None:
        velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    for (W, b), (dW, db), (V_W, V_b) in zip(params, grads, velocity):
        V_W *= momentum
        V_W -= learning_rate * dW
        V_b *= momentum
        V_b -= learning_rate * db
        W += V_W
        b += V_b
    return params, velocity
""",
    "sgd_momentum_step-float64-velocity": """\
def sgd_momentum_step(params, grads, velocity, learning_rate, momentum=0.9):
    if velocity is None:
        velocity = [(np.zeros(W.shape), np.zeros(b.shape)) for W, b in params]
    new_velocity = [(momentum * V_W - learning_rate * dW, momentum * V_b - learning_rate * db)
                    for (V_W, V_b), (dW, db) in zip(velocity, grads)]
    new_params = [(W + V_W, b + V_b) for (W, b), (V_W, V_b) in zip(params, new_velocity)]
    return new_params, new_velocity
""",
    "teacher_labels-one-hot": """\
def teacher_labels(teacher_params, x, activation="relu"):
    logits, _ = forward(x, teacher_params, activation)
    return one_hot(np.argmax(logits, axis=1), logits.shape[1])
""",
    "teacher_labels-logits": """\
def teacher_labels(teacher_params, x, activation="relu"):
    logits, _ = forward(x, teacher_params, activation)
    return logits
""",
    "teacher_labels-ignores-activation": """\
def teacher_labels(teacher_params, x, activation="relu"):
    logits, _ = forward(x, teacher_params)
    return np.argmax(logits, axis=1)
""",
    "teacher_labels-float-labels": """\
def teacher_labels(teacher_params, x, activation="relu"):
    logits, _ = forward(x, teacher_params, activation)
    return np.argmax(logits, axis=1).astype(float)
""",
}
