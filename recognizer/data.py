"""EMNIST data: the official idx reader, datasets and a stratified validation split.

The idx format (http://yann.lecun.com/exdb/mnist/) is a big-endian header
``magic, dim_0 .. dim_n`` followed by raw ``uint8`` values. EMNIST stores every
28 x 28 image transposed; :func:`read_idx_images` returns them upright.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IDX_IMAGES_MAGIC = 2051
IDX_LABELS_MAGIC = 2049
DATA_ENV_VAR = "GLYPHIC_EMNIST_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "emnist"

#: The 47 EMNIST Balanced classes in label order.
EMNIST_CLASSES: tuple[str, ...] = tuple(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "abdefghnqrt"
)


class IdxFormatError(ValueError):
    """Raised when a file is not a valid idx file of the expected kind."""


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            head = handle.read(2)
            handle.seek(0)
            if head == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=handle) as gz:
                    return gz.read()
            return handle.read()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise IdxFormatError(f"{path}: cannot read idx data ({exc})") from exc


def _parse_idx(path: Path, expected_magic: int, ndim: int) -> np.ndarray:
    raw = _read_bytes(path)
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise IdxFormatError(f"{path}: file is too short for an idx header ({len(raw)} bytes)")
    magic = int.from_bytes(raw[0:4], "big")
    if magic != expected_magic:
        raise IdxFormatError(
            f"{path}: magic number {magic} is not {expected_magic} "
            f"({'images' if expected_magic == IDX_IMAGES_MAGIC else 'labels'} file expected)"
        )
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    expected = int(np.prod(dims, dtype=np.int64))
    body = len(raw) - header_len
    if body != expected:
        raise IdxFormatError(
            f"{path}: header declares {dims} = {expected} values but the file holds {body} "
            "(truncated or corrupt file)"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(dims)


def read_idx_images(path: str | os.PathLike[str], upright: bool = True) -> np.ndarray:
    """Read an idx3 image file (gzip or plain).

    Args:
        path: ``*-images-idx3-ubyte[.gz]``.
        upright: transpose each image so the glyph is upright (EMNIST stores it transposed).

    Returns:
        ``uint8`` array of shape (N, rows, cols), white ink on black.

    Raises:
        IdxFormatError: wrong magic number, bad dimensions or truncated data.
    """
    images = _parse_idx(Path(path), IDX_IMAGES_MAGIC, 3)
    if images.shape[1] == 0 or images.shape[2] == 0:
        raise IdxFormatError(f"{path}: image dimensions {images.shape[1:]} are empty")
    if upright:
        images = images.transpose(0, 2, 1)
    return np.ascontiguousarray(images)


def read_idx_labels(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an idx1 label file (gzip or plain) as a ``uint8`` vector."""
    return _parse_idx(Path(path), IDX_LABELS_MAGIC, 1).copy()


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the EMNIST folder: explicit path, then ``$GLYPHIC_EMNIST_DIR``, then the default."""
    if path is not None:
        return Path(path)
    env = os.environ.get(DATA_ENV_VAR)
    return Path(env) if env else DEFAULT_DATA_DIR


@dataclass(frozen=True)
class GlyphSet:
    """Images (N, 28, 28) uint8 upright and their integer labels (N,)."""

    images: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        if len(self.images) != len(self.labels):
            raise ValueError(
                f"{len(self.images)} images but {len(self.labels)} labels: the files do not match"
            )

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: np.ndarray) -> GlyphSet:
        """The glyphs at ``index``."""
        return GlyphSet(self.images[index], self.labels[index])


SPLIT_FILES = {
    "train": "train",
    "eval": "eval",
    "test-tail": "balanced-test-tail",
}


def load_split(name: str, root: str | os.PathLike[str] | None = None) -> GlyphSet:
    """Load one of the fixed splits (``train``, ``eval``, ``test-tail``).

    ``root`` is the EMNIST folder (holding ``splits/``) or the ``splits`` folder itself.
    A complete official set can be used by naming its prefix, e.g. ``emnist-balanced-test``.
    """
    base = data_dir(root)
    if (base / "splits").is_dir():
        base = base / "splits"
    prefix = SPLIT_FILES.get(name, name)
    images_path = base / f"{prefix}-images-idx3-ubyte.gz"
    labels_path = base / f"{prefix}-labels-idx1-ubyte.gz"
    for candidate in (images_path, labels_path):
        if not candidate.exists() and not candidate.with_suffix("").exists():
            raise FileNotFoundError(
                f"EMNIST file {candidate} not found; pass --data or set {DATA_ENV_VAR}"
            )
    if not images_path.exists():
        images_path = images_path.with_suffix("")
    if not labels_path.exists():
        labels_path = labels_path.with_suffix("")
    return GlyphSet(read_idx_images(images_path), read_idx_labels(labels_path))


def stratified_split(
    labels: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split indices into (train, validation) keeping each class's share.

    Every class puts ``round(fraction * count)`` (at least one, when it has two or
    more samples) of its samples into validation.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation fraction must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    val_parts = []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        rng.shuffle(members)
        n_val = round(fraction * len(members))
        if len(members) >= 2:
            n_val = min(max(n_val, 1), len(members) - 1)
        val_parts.append(members[:n_val])
    val = np.sort(np.concatenate(val_parts)) if val_parts else np.array([], dtype=np.int64)
    mask = np.ones(len(labels), dtype=bool)
    mask[val] = False
    return np.flatnonzero(mask), val


def class_counts(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Samples per class as an int64 vector of length ``num_classes``."""
    return np.bincount(labels.astype(np.int64), minlength=num_classes)
