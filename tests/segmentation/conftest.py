"""Shared fixtures: EMNIST glyphs (skipped when the files are absent) and synthetic pages."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def emnist() -> tuple[np.ndarray, np.ndarray]:
    """A few thousand upright EMNIST train glyphs and labels (white on black)."""
    try:
        from recognizer.data import data_dir, read_idx_images, read_idx_labels
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"recognizer.data is not importable: {exc}")
    splits = data_dir() / "splits"
    images_path = splits / "train-images-idx3-ubyte.gz"
    labels_path = splits / "train-labels-idx1-ubyte.gz"
    if not images_path.exists() or not labels_path.exists():
        pytest.skip(f"EMNIST train split not found at {splits} (set GLYPHIC_EMNIST_DIR)")
    images = read_idx_images(images_path)[:4000]
    labels = read_idx_labels(labels_path)[:4000]
    return np.ascontiguousarray(images), np.asarray(labels)
