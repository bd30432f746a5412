"""Issue 20: batch runs that never lose or overwrite work (the plain run; --jobs and --cluster in test_cluster.py)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from app.cli import main


def text_image(words: str) -> np.ndarray:
    image = np.full((140, 640), 255, np.uint8)
    cv2.putText(image, words, (30, 95), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 5, cv2.LINE_AA)
    return image


def write_page(path: Path, words: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), text_image(words))
    return path


def ocr(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["ocr", *map(str, args), "--quiet"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".glyphic" not in p.relative_to(folder).parts}


def never_recognise(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a page was recognised")

    monkeypatch.setattr("app.pipeline.Pipeline.recognize_image", fail)


# 1. silent overwrite --------------------------------------------------------------------------------


def test_clashing_names_in_two_folders_all_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_page(tmp_path / "vol1" / "page001.png", "First 11")
    write_page(tmp_path / "vol2" / "page001.png", "Second 22")
    write_page(tmp_path / "vol1" / "scan.png", "Third 33")
    write_page(tmp_path / "vol1" / "scan.jpg", "Fourth 44")
    out = tmp_path / "out"
    code, _, err = ocr(capsys, tmp_path / "vol1", tmp_path / "vol2", "-o", out)
    assert code == 0, err
    written = outputs(out)
    assert sorted(written) == ["vol1/page001.txt", "vol1/scan.jpg.txt", "vol1/scan.png.txt", "vol2/page001.txt"]
    assert len(set(written.values())) == 4  # four different pages, none written over another


def test_names_that_would_still_clash_refuse_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    write_page(tmp_path / "in" / "Scan.png", "one")
    write_page(tmp_path / "in" / "scan.png", "two")  # the same name on a case-insensitive disk
    never_recognise(monkeypatch)
    code, _, err = ocr(capsys, tmp_path / "in", "-o", tmp_path / "out")
    assert code == 2
    assert "overwrite" in err and "Scan.png" in err and "scan.png" in err
    assert outputs(tmp_path / "out") == {}


# 2. huge scans ------------------------------------------------------------------------------------------


def test_one_pixel_limit_everywhere(tmp_path: Path) -> None:
    from app.cli import build_parser, pipeline_options
    from app.io import DEFAULT_MAX_PIXELS
    from segmentation import SegmentOptions

    assert SegmentOptions().max_pixels == DEFAULT_MAX_PIXELS >= 9921 * 14031  # A4 at 1200 dpi
    args = build_parser().parse_args(["ocr", "x.png", "--max-pixels", "12345"])
    assert pipeline_options(args).segment.max_pixels == 12345


@pytest.mark.slow
def test_a_1200_dpi_a4_scan_is_read_quietly_in_bounded_memory(tmp_path: Path) -> None:
    """A 9921 x 14031 page (139 Mpx): exit 0, no warning text, peak memory measured in a child process."""
    import resource
    import subprocess
    import sys

    from PIL import Image

    page = np.full((14031, 9921), 255, np.uint8)
    for row in range(4):
        cv2.putText(page, "Large page 1200", (800, 1500 + 700 * row), cv2.FONT_HERSHEY_SIMPLEX, 9.0, 0, 22)
    path = tmp_path / "a4-1200dpi.png"
    Image.fromarray(page).save(path, dpi=(1200, 1200), compress_level=1)
    del page
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "app.cli", "ocr", str(path), "-o", str(tmp_path / "out"),
                           "--quiet", "--format", "txt,pdf"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr.lower() and "error" not in done.stderr.lower(), done.stderr
    assert "large page 1200" in (tmp_path / "out" / "a4-1200dpi.txt").read_text().lower()
    if peak_kib > before:  # this child set the children's peak
        assert peak_kib < 3 * 1024 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB"


# 5. killed during export, journal, resume ------------------------------------------------------------


def test_a_killed_runs_temporary_files_are_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = write_page(tmp_path / "in" / "page.png", "Hello 12")
    out = tmp_path / "out"
    out.mkdir()
    dead_pid = 2**22 + 12345  # above any pid_max: no such process
    leftovers = [out / f".page.txt.{dead_pid}-0123abcd.tmp", out / ".page.pdf.89abcdef.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(b"half a file")
    old = time.time() - 3600
    os.utime(leftovers[1], (old, old))  # the old naming without a pid: removed by age
    code, _, err = ocr(capsys, page, "-o", out)
    assert code == 0, err
    assert not any(p.exists() for p in leftovers)
    assert [p.name for p in out.rglob("*.tmp")] == []


def test_an_interrupted_run_is_completed_by_the_next(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import app.batch

    folder = tmp_path / "in"
    for i in range(3):
        write_page(folder / f"p{i}.png", f"Page {i}")
    out = tmp_path / "out"
    real_export = app.batch.export_document
    exported: list[str] = []

    def export_then_die(document: Any, out_dir: Any, stem: str, *args: Any, **kwargs: Any) -> Any:
        if len(exported) == 1:
            raise KeyboardInterrupt  # the process is stopped in the middle of the run
        exported.append(stem)
        return real_export(document, out_dir, stem, *args, **kwargs)

    monkeypatch.setattr(app.batch, "export_document", export_then_die)
    with pytest.raises(KeyboardInterrupt):
        main(["ocr", str(folder), "-o", str(out), "--quiet"])
    assert sorted(outputs(out)) == ["p0.txt"]
    assert json.loads((out / ".glyphic" / "run.json").read_text())["status"] == "running"
    monkeypatch.setattr(app.batch, "export_document", real_export)
    capsys.readouterr()
    code = main(["ocr", str(folder), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    assert "interrupted" in err
    assert "1 page(s) recognised, 2 already done" in err  # p1's page was stored before the kill
    assert sorted(outputs(out)) == ["p0.txt", "p1.txt", "p2.txt"]
    journal = json.loads((out / ".glyphic" / "run.json").read_text())
    assert journal == {"status": "complete", "written": ["p0.txt", "p1.txt", "p2.txt"], "failed": []}
    # --redo reads everything again
    code = main(["ocr", str(folder), "-o", str(out), "--redo"])
    assert code == 0 and "3 page(s) recognised, 0 already done" in capsys.readouterr().err


# 6. nothing to read ----------------------------------------------------------------------------------------


def test_inputs_without_images_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    not_images = tmp_path / "notes"
    not_images.mkdir()
    (not_images / "readme.txt").write_text("no scans here")
    folder_named_png = tmp_path / "x.png"
    folder_named_png.mkdir()
    for folder in (empty, not_images, folder_named_png):
        code, out, err = ocr(capsys, folder)
        assert code == 2, folder
        assert f"{folder} holds no image or PDF files" in err
        assert out == ""


# 7. unusable output folders ---------------------------------------------------------------------------------


def test_a_bad_output_folder_is_refused_before_recognition(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    page = write_page(tmp_path / "page.png", "Hello")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    never_recognise(monkeypatch)
    for out in (a_file, a_file / "out"):
        code, _, err = ocr(capsys, page, "-o", out)
        assert code == 2, out
        assert str(out) in err
    if os.geteuid() != 0:  # root writes into read-only folders
        read_only = tmp_path / "read-only"
        read_only.mkdir(mode=0o555)
        code, _, err = ocr(capsys, page, "-o", read_only)
        assert code == 2 and "cannot write" in err


# 8. reproducible outputs --------------------------------------------------------------------------------


def test_two_runs_give_byte_identical_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    page = write_page(tmp_path / "page.png", "Same 42")
    first, second = tmp_path / "a", tmp_path / "b"
    assert ocr(capsys, page, "-o", first, "--format", "txt,hocr,alto,json,pdf")[0] == 0
    time.sleep(1.1)  # a date taken from the clock would differ
    assert ocr(capsys, page, "-o", second, "--format", "txt,hocr,alto,json,pdf")[0] == 0
    assert len(outputs(first)) == 5
    assert outputs(first) == outputs(second)


# 3, 9. failures: classified, one line each, the path once ------------------------------------------------


def test_a_bad_file_is_one_line_naming_it_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    code, _, err = ocr(capsys, bad, "-o", tmp_path / "out")
    assert code == 1
    lines = [line for line in err.splitlines() if str(bad) in line]
    assert len(lines) == 1 and lines[0].count(str(bad)) == 1, err
    assert "Traceback" not in err


def test_only_transient_failures_are_retried(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    over = write_page(tmp_path / "over-limit.png", "big")
    flaky = write_page(tmp_path / "flaky.png", "Flaky 7")
    attempts: dict[str, int] = {"over-limit": 0, "flaky": 0}
    real = __import__("app.pipeline", fromlist=["Pipeline"]).Pipeline.recognize_image

    def recognize_image(self: Any, image: Any, index: int = 0, source: str = "", dpi: Any = None) -> Any:
        name = Path(source).stem
        attempts[name] += 1
        if name == "over-limit":
            raise ValueError("image has 139201551 pixels, more than max_pixels=80000000")
        if attempts[name] < 3:
            raise OSError("storage hiccup")
        return real(self, image, index, source, dpi)

    monkeypatch.setattr("app.pipeline.Pipeline.recognize_image", recognize_image)
    code, _, err = ocr(capsys, over, flaky, "-o", tmp_path / "out")
    assert code == 1
    assert attempts == {"over-limit": 1, "flaky": 3}  # the limit once; the hiccup until it passed
    assert (tmp_path / "out" / "flaky.txt").read_text().strip() != ""
    assert "Traceback" not in err and err.count("over-limit.png") == 1


def test_a_failure_that_stays_prints_one_line_and_logs_the_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    page = write_page(tmp_path / "page.png", "Hello")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a native library crashed")

    monkeypatch.setattr("app.pipeline.Pipeline.recognize_image", broken)
    code, _, err = ocr(capsys, page, "-o", tmp_path / "out")
    assert code == 1
    failures = [line for line in err.splitlines() if "page.png" in line]
    assert len(failures) == 1 and "a native library crashed" in failures[0]
    log = tmp_path / "out" / ".glyphic" / "errors.log"
    assert str(log) in failures[0] and "Traceback" not in err
    assert "Traceback" in log.read_text() and "RuntimeError" in log.read_text()


def test_a_full_disk_fails_the_file_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """No space left while storing a page or writing an output: one line, no retry, no traceback."""
    import errno

    import app.cluster_store
    import app.export.text
    from app.atomic import ExportError

    def full(path: Any, *args: Any, **kwargs: Any) -> None:
        raise ExportError(path, os.strerror(errno.ENOSPC))

    page = write_page(tmp_path / "page.png", "Hello 5")
    monkeypatch.setattr(app.export.text, "write_bytes_atomic", full)
    code, _, err = ocr(capsys, page, "-o", tmp_path / "out")
    assert code == 1 and "Traceback" not in err
    assert [line for line in err.splitlines() if "page.png" in line and "No space left on device" in line]
    monkeypatch.setattr(app.cluster_store, "write_text_atomic", full)
    code, _, err = ocr(capsys, page, "-o", tmp_path / "out2")
    assert code == 1 and "Traceback" not in err
    assert "cannot store page 1" in err and "No space left on device" in err


def test_library_warnings_are_one_line_of_ours(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    from app.pipeline import Pipeline

    real = Pipeline.recognize_image

    def recognize_image(self: Any, *args: Any, **kwargs: Any) -> Any:
        warnings.warn("a library\n  talks too much", UserWarning, stacklevel=1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "recognize_image", recognize_image)
    code, _, err = ocr(capsys, write_page(tmp_path / "page.png", "Hi"), "-o", tmp_path / "out")
    assert code == 0
    assert "glyphic: warning: a library talks too much" in err.splitlines()
    assert "warnings.warn" not in err and "UserWarning" not in err


def test_the_journal_lists_each_page_xml_file_of_a_multi_page_document(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    tiff = tmp_path / "in" / "two.tif"
    tiff.parent.mkdir()
    frames = [Image.fromarray(text_image(w)) for w in ("one", "two")]
    frames[0].save(tiff, save_all=True, append_images=frames[1:])
    out = tmp_path / "out"
    for _ in range(2):  # the second run finds the document done and lists the same files
        code, _, _ = ocr(capsys, tiff, "-o", out, "--format", "page,txt")
        assert code == 0
        journal = json.loads((out / ".glyphic" / "run.json").read_text())
        assert journal["written"] == sorted(outputs(out)) == ["two.p001.page.xml", "two.p002.page.xml", "two.txt"]
