import gzip
import struct

import numpy as np
import pytest

from recognizer.data import (
    EMNIST_CLASSES,
    IdxFormatError,
    load_split,
    read_idx_images,
    read_idx_labels,
    stratified_split,
)


def write_idx_images(path, images, compress=True):
    header = struct.pack(">IIII", 2051, len(images), images.shape[1], images.shape[2])
    data = header + images.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)


def write_idx_labels(path, labels, compress=True):
    data = struct.pack(">II", 2049, len(labels)) + np.asarray(labels, np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)


@pytest.mark.parametrize("compress", [True, False])
def test_reads_images_upright_and_labels(tmp_path, compress):
    upright = np.zeros((2, 28, 28), np.uint8)
    upright[0, 2:10, 5] = 255  # a vertical stroke
    upright[1, 20, 3:25] = 200  # a horizontal stroke
    stored = upright.transpose(0, 2, 1)  # EMNIST stores images transposed
    write_idx_images(tmp_path / "img.gz", stored, compress)
    write_idx_labels(tmp_path / "lab.gz", [3, 46], compress)
    images = read_idx_images(tmp_path / "img.gz")
    assert images.shape == (2, 28, 28)
    np.testing.assert_array_equal(images, upright)
    np.testing.assert_array_equal(read_idx_labels(tmp_path / "lab.gz"), [3, 46])


def test_truncated_file_is_reported(tmp_path):
    images = np.zeros((3, 28, 28), np.uint8)
    write_idx_images(tmp_path / "img", images, compress=False)
    raw = (tmp_path / "img").read_bytes()
    (tmp_path / "img").write_bytes(raw[:-100])
    with pytest.raises(IdxFormatError, match="truncated"):
        read_idx_images(tmp_path / "img")


def test_wrong_magic_is_reported(tmp_path):
    write_idx_labels(tmp_path / "labels.gz", list(range(20)))
    with pytest.raises(IdxFormatError, match="magic number 2049"):
        read_idx_images(tmp_path / "labels.gz")


def test_broken_gzip_and_short_header(tmp_path):
    (tmp_path / "bad.gz").write_bytes(b"\x1f\x8b" + b"junk" * 10)
    with pytest.raises(IdxFormatError, match="cannot read"):
        read_idx_images(tmp_path / "bad.gz")
    (tmp_path / "short").write_bytes(b"\x00\x00\x08")
    with pytest.raises(IdxFormatError, match="too short"):
        read_idx_labels(tmp_path / "short")


def test_load_split_from_folder_and_missing_folder(tmp_path, monkeypatch):
    write_idx_images(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((4, 28, 28), np.uint8))
    write_idx_labels(tmp_path / "train-labels-idx1-ubyte.gz", [0, 1, 2, 3])
    assert len(load_split("train", tmp_path)) == 4
    monkeypatch.setenv("GLYPHIC_EMNIST_DIR", str(tmp_path))
    assert len(load_split("train")) == 4
    with pytest.raises(FileNotFoundError, match="GLYPHIC_EMNIST_DIR"):
        load_split("eval", tmp_path)


def test_mismatched_counts(tmp_path):
    write_idx_images(tmp_path / "x-images-idx3-ubyte.gz", np.zeros((4, 28, 28), np.uint8))
    write_idx_labels(tmp_path / "x-labels-idx1-ubyte.gz", [0, 1])
    with pytest.raises(ValueError, match="4 images but 2 labels"):
        load_split("x", tmp_path)


def test_stratified_split_keeps_class_shares():
    labels = np.repeat(np.arange(5), [100, 50, 20, 10, 2])
    train, val = stratified_split(labels, 0.1, seed=3)
    assert len(np.intersect1d(train, val)) == 0
    assert len(train) + len(val) == len(labels)
    counts = np.bincount(labels[val], minlength=5)
    np.testing.assert_array_equal(counts, [10, 5, 2, 1, 1])
    _again_train, again_val = stratified_split(labels, 0.1, seed=3)
    np.testing.assert_array_equal(val, again_val)


def test_real_eval_split_is_balanced(emnist_eval):
    assert len(EMNIST_CLASSES) == 47
    counts = np.bincount(emnist_eval.labels, minlength=47)
    assert (counts == 400).all()
    # upright: ink of a digit '1' is mostly vertical (more rows than columns are inked)
    ones = emnist_eval.images[emnist_eval.labels == 1][:50] > 128
    rows = ones.any(axis=2).sum(axis=1).mean()
    cols = ones.any(axis=1).sum(axis=1).mean()
    assert rows > cols
