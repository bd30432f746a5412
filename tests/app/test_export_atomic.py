"""Atomic writes: the target is either the complete new file or untouched, and no temp file is left."""

from __future__ import annotations

import errno
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app import atomic
from app.atomic import ExportError, write_bytes_atomic, write_text_atomic
from app.export import FORMATS
from tests.app.factories import PAGE_HEIGHT, PAGE_WIDTH, make_document

OLD = b"old contents\n"


def fail_with(code: int) -> Any:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


def test_writes_and_overwrites_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text_atomic(target, "first\n")
    write_bytes_atomic(target, bytearray(b"second \xc3\xa9\n"))
    assert target.read_text(encoding="utf-8") == "second é\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)
    target.chmod(0o640)
    write_text_atomic(target, "new\n")
    assert target.stat().st_mode & 0o777 == 0o640


def test_new_files_follow_the_umask(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "out.txt", "x")
    finally:
        os.umask(old_umask)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o644


def test_disk_full_on_replace_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)
    monkeypatch.setattr(atomic.os, "replace", fail_with(errno.ENOSPC))
    with pytest.raises(ExportError) as info:
        write_text_atomic(target, "new\n")
    assert str(target) in str(info.value) and "No space left" in str(info.value)
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["out.txt"]


def test_disk_full_while_writing_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)
    monkeypatch.setattr(atomic.os, "write", fail_with(errno.ENOSPC))
    with pytest.raises(ExportError, match="No space left"):
        write_bytes_atomic(target, b"x" * 100_000)
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["out.txt"]


def test_interrupt_removes_the_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(tmp_path / "out.txt", "x")
    assert os.listdir(tmp_path) == []


def test_target_that_is_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.mkdir()
    with pytest.raises(ExportError, match=r"out\.txt"):
        write_text_atomic(target, "x")
    assert target.is_dir() and os.listdir(tmp_path) == ["out.txt"]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="No such file"):
        write_text_atomic(tmp_path / "nope" / "out.txt", "x")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "out.txt").write_bytes(OLD)
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="Permission denied"):
            write_text_atomic(folder / "out.txt", "x")
        assert (folder / "out.txt").read_bytes() == OLD
    finally:
        folder.chmod(0o700)


def test_read_only_folder_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where chmod cannot stop us (root), simulate the OS refusing to create the temp file."""
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)
    monkeypatch.setattr(atomic.os, "open", fail_with(errno.EACCES))
    with pytest.raises(ExportError, match="Permission denied") as info:
        write_text_atomic(target, "x")
    assert info.value.path == str(target)
    assert target.read_bytes() == OLD and os.listdir(tmp_path) == ["out.txt"]


def test_export_error_pickles() -> None:
    error = ExportError("/out/x.pdf", "No space left on device")
    assert str(pickle.loads(pickle.dumps(error))) == str(error) == "cannot write /out/x.pdf: No space left on device"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_exporter_writes_atomically(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options: dict[str, Any] = {"images": [np.full((PAGE_HEIGHT, PAGE_WIDTH), 255, np.uint8)]} if name == "pdf" else {}
    target = tmp_path / f"out{FORMATS[name].suffix}"
    FORMATS[name](make_document(), target, **options)
    if name == "pdf":
        options["images"] *= 2
    good = target.read_bytes()
    assert good
    monkeypatch.setattr(atomic.os, "replace", fail_with(errno.ENOSPC))
    other = make_document(source="other.png") if name == "page" else make_document(pages=2)  # PAGE: a file a page
    with pytest.raises(ExportError, match=target.name):
        FORMATS[name](other, target, **options)
    assert target.read_bytes() == good
    assert os.listdir(tmp_path) == [target.name]
