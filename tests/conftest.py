"""Shared fixtures."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the int8 precision verdict is cached here, not in the user's cache folder
os.environ.setdefault("GLYPHIC_CACHE_DIR", tempfile.mkdtemp(prefix="glyphic-cache-"))


@pytest.fixture(scope="session")
def emnist_eval():
    """The eval split, or a skip when the EMNIST files are not on this machine."""
    from recognizer.data import load_split

    try:
        return load_split("eval")
    except FileNotFoundError as exc:
        pytest.skip(f"EMNIST files not available: {exc}")


@pytest.fixture(scope="session")
def shipped_predictor():
    from recognizer import Predictor

    return Predictor.from_resources(threads=2)
