"""The wire format between the grader and the sandboxed child: framed JSON, no pickle.

Values are plain data only: None, bools, numbers, strings, lists, tuples,
dicts with string keys, numpy arrays (as .npy bytes, loaded with
allow_pickle=False), numpy Generators (as their bit-generator state), and
`Expression`s. Nothing that arrives can run code in the receiver by being
decoded.
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct

import numpy as np

from nncourse.checks.functions import Argument, Expression

HEADER = struct.Struct(">Q")
MAX_MESSAGE = 1 << 29  # 512 MiB: the MNIST training set, base64-encoded, fits
BIT_GENERATORS = {"PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"}


class WireError(Exception):
    """A message could not be encoded, decoded or read."""


class TooLarge(WireError):
    """A message announced more bytes than the receiver accepts; nothing of it was read."""

    def __init__(self, size, limit):
        super().__init__(f"message of {size} bytes is too large (the limit is {limit})")
        self.size = size


def encode(value, depth=0):
    if depth > 50:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return {"__float__": repr(float(value))} if not math.isfinite(value) else float(value)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise WireError("arrays of Python objects cannot be sent")
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)  # keeps Fortran order, so a transposed input stays one
        return {"__ndarray__": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, np.generic):
        return encode(value.item(), depth)
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("dict keys must be strings")
        return {"__dict__": {k: encode(v, depth + 1) for k, v in value.items()}}
    if isinstance(value, np.random.Generator):
        return {"__generator__": encode(value.bit_generator.state, depth + 1)}
    if isinstance(value, Argument):
        return {"__argument__": value.index}
    if isinstance(value, Expression):
        return {"__expression__": value.code, "names": encode(dict(value.names), depth + 1)}
    raise WireError(f"cannot send a {type(value).__name__}")


def decode(data, from_child=False):
    """Rebuild a value; from_child refuses the part only the grader may send (expressions).

    A Generator travels as its bit generator's state, which is plain data, so the
    child may send one (to ask for a call that draws from it to be answered).
    """
    if isinstance(data, list):
        return [decode(v, from_child) for v in data]
    if not isinstance(data, dict):
        return data
    if from_child and ("__expression__" in data or "__argument__" in data):
        raise WireError("the sandbox may send back only plain data")
    if "__ndarray__" in data:
        return np.load(io.BytesIO(base64.b64decode(data["__ndarray__"])), allow_pickle=False)
    if "__float__" in data:
        return float(data["__float__"])
    if "__tuple__" in data:
        return tuple(decode(v, from_child) for v in data["__tuple__"])
    if "__dict__" in data:
        return {k: decode(v, from_child) for k, v in data["__dict__"].items()}
    if "__generator__" in data:
        state = decode(data["__generator__"], from_child)
        if not isinstance(state, dict) or state.get("bit_generator") not in BIT_GENERATORS:
            raise WireError("unknown bit generator")
        bit_generator = getattr(np.random, state["bit_generator"])()
        bit_generator.state = state
        return np.random.Generator(bit_generator)
    if "__argument__" in data:
        return Argument(data["__argument__"])
    if "__expression__" in data:
        return Expression(data["__expression__"], **decode(data["names"]))
    raise WireError(f"unknown message part with keys {sorted(data)[:3]}")


def send(stream, message):
    payload = json.dumps(encode(message)).encode()
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def receive(stream, from_child=False, max_size=MAX_MESSAGE):
    """Return the next message, or raise EOFError when the other side has gone."""
    header = read_exactly(stream, HEADER.size)
    (size,) = HEADER.unpack(header)
    if size > max_size:
        raise TooLarge(size, max_size)
    try:
        return decode(json.loads(read_exactly(stream, size)), from_child)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise WireError(f"malformed message: {error}") from None


def read_exactly(stream, size):
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
