"""``glyphic ocr --cluster``: a LocalCluster with 2 worker processes against the local run."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from app.cli import main

pytestmark = pytest.mark.timeout(300)

FORMATS = "txt,hocr,alto,json,pdf"


def text_image(lines: list[str]) -> np.ndarray:
    image = np.full((90 * len(lines) + 40, 760), 255, np.uint8)
    for i, line in enumerate(lines):
        cv2.putText(image, line, (30, 90 + 90 * i), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 5, cv2.LINE_AA)
    return image


def two_page_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(260, 110))
    pdf.set_font("helvetica", size=34)
    for words in ("Page one", "Second 42"):
        pdf.add_page()
        pdf.text(20, 65, words)
    pdf.output(str(path))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    cv2.imwrite(str(folder / "letter.png"), text_image(["Dear Anna", "thank you"]))
    (folder / "sub").mkdir()
    cv2.imwrite(str(folder / "sub" / "note.jpg"), text_image(["Meet at 10"]))
    two_page_pdf(folder / "minutes.pdf")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    return folder


@pytest.fixture(scope="module")
def local_out(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local")
    assert main(["ocr", str(inputs), "-o", str(out), "--format", FORMATS, "--quiet"]) == 1
    return out


@pytest.fixture(scope="module")
def cluster():
    from app.cluster import local_cluster

    with local_cluster(2) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def first_run(inputs: Path, cluster, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    out = tmp_path_factory.mktemp("cluster")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["ocr", str(inputs), "-o", str(out), "--format", FORMATS, "--quiet",
                     "--cluster", cluster.scheduler_address])
    return out, code, stderr.getvalue()


def outputs(folder: Path) -> dict[str, bytes]:
    """Exported files by their path below ``folder`` (not the resume state); every byte, PDFs too."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and ".glyphic" not in path.relative_to(folder).parts}


def run_cluster(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["ocr", *args, "--format", FORMATS, "--quiet"])
    return code, capsys.readouterr().err


def test_same_outputs_as_the_local_run(first_run: tuple[Path, int, str], local_out: Path) -> None:
    out, code, err = first_run
    assert code == 1
    assert "broken.png" in err and "1 failure(s)" in err
    assert "4 page(s) recognised" in err and "3 document(s) written" in err
    local = outputs(local_out)
    assert sorted(local) == sorted(outputs(out))
    assert {name.split(".")[0] for name in local} == {"letter", "sub/note", "minutes"}
    for name, data in local.items():
        assert outputs(out)[name] == data, name
    assert '"index": 1' in (out / "minutes.json").read_text()


def test_rerun_skips_finished_pages(first_run: tuple[Path, int, str], local_out: Path, inputs: Path, cluster,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = first_run[0]
    journal = {"run.json", "errors.log"}  # rewritten by every run
    stored = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name not in journal}
    code, err = run_cluster(capsys, str(inputs), "-o", str(out), "--cluster", cluster.scheduler_address)
    assert code == 1 and "broken.png" in err
    assert "0 page(s) recognised, 4 already done, 0 document(s) written" in err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name not in journal} == stored

    # an interrupted document: page 2 of the PDF and its outputs missing -> only that page is recognised
    page_files = [p for p in out.glob(".glyphic/pages/minutes-*/1.json")]
    assert len(page_files) == 1
    page_files[0].unlink()
    for path in [*out.glob(".glyphic/done/minutes-*.json"), *out.glob("minutes.*")]:
        path.unlink()
    code, err = run_cluster(capsys, str(inputs), "-o", str(out), "--cluster", cluster.scheduler_address)
    assert "1 page(s) recognised, 3 already done, 1 document(s) written" in err
    assert outputs(out) == outputs(local_out)


def test_url_inputs(inputs: Path, local_out: Path, cluster, tmp_path: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    url = (inputs / "minutes.pdf").as_uri()
    code, err = run_cluster(capsys, url, "-o", str(tmp_path), "--cluster", cluster.scheduler_address)
    assert code == 0, err
    assert (tmp_path / "minutes.txt").read_text() == (local_out / "minutes.txt").read_text()
    assert (tmp_path / "minutes.pdf").stat().st_size > 0


def test_usage_errors(inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ocr", str(inputs), "--cluster", "local:2"]) == 2
    assert "-o OUTDIR" in capsys.readouterr().err
    assert main(["ocr", str(inputs), "-o", str(tmp_path), "--cluster", "local:0"]) == 2
    assert "cannot start or reach the cluster" in capsys.readouterr().err


@pytest.mark.slow
def test_a_killed_workers_page_is_retried(inputs: Path, local_out: Path, cluster, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from distributed import Client

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "crash-me.png").write_bytes((inputs / "letter.png").read_bytes())
    marker = tmp_path / "crashed"

    def crash_once() -> None:
        """On a worker: the first page of 'crash-me' kills the whole worker process."""
        import os

        import app.page_tasks as tasks

        original = tasks.load_page

        def load_page(path: Any, index: int, **kwargs: Any) -> Any:
            if "crash-me" in str(path):
                try:
                    os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
                except FileExistsError:
                    pass
                else:
                    os._exit(1)
            return original(path, index, **kwargs)

        tasks.load_page = load_page

    with Client(cluster.scheduler_address) as client:
        client.run(crash_once)
        code, err = run_cluster(capsys, str(folder), "-o", str(tmp_path / "out"),
                                "--cluster", cluster.scheduler_address)
        assert marker.exists(), "the worker did not crash"
        assert code == 0, err
        assert "1 page(s) recognised" in err
        assert (tmp_path / "out" / "crash-me.txt").read_text() == (local_out / "letter.txt").read_text()
        client.wait_for_workers(2, timeout=120)


def test_local_workers_keep_glibc_adaptive_malloc(cluster) -> None:
    """Dask's default MALLOC_TRIM_THRESHOLD_ made every page ~25% slower; local:N workers run without it."""
    import os

    from distributed import Client

    with Client(cluster.scheduler_address) as client:
        values = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert len(values) == 2 and set(values.values()) == {None}


def test_a_deterministic_failure_is_not_retried(inputs: Path, cluster, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 20 (3): a page over segmentation's limit fails once, in one line, without a traceback."""
    from distributed import Client

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "too-big.png").write_bytes((inputs / "letter.png").read_bytes())
    attempts = tmp_path / "attempts"
    attempts.mkdir()

    def refuse_too_big() -> None:
        import os

        from app.pipeline import Pipeline

        original = Pipeline.recognize_image

        def recognize_image(self: Any, image: Any, index: int = 0, source: str = "", dpi: Any = None) -> Any:
            if "too-big" in source:
                (attempts / f"{os.getpid()}-{len(list(attempts.iterdir()))}").touch()
                raise ValueError("image has 139201551 pixels, more than max_pixels=80000000")
            return original(self, image, index, source, dpi)

        Pipeline.recognize_image = recognize_image  # type: ignore[method-assign]

    with Client(cluster.scheduler_address) as client:
        client.run(refuse_too_big)
        code, err = run_cluster(capsys, str(folder), "-o", str(tmp_path / "out"), "--cluster",
                                cluster.scheduler_address)
    assert code == 1
    assert len(list(attempts.iterdir())) == 1
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if "too-big.png" in line]) == 1, err


@pytest.mark.slow
def test_jobs_survive_a_worker_killed_mid_page(inputs: Path, local_out: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20 (4): ``--jobs 2``, one worker process killed (SIGKILL, as the OOM killer does) while reading a page."""
    import app.cluster
    from app.pipeline import Pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("crash-me", "after-1", "after-2"):
        (folder / f"{name}.png").write_bytes((inputs / "letter.png").read_bytes())
    marker = tmp_path / "killed"

    def kill_once() -> None:
        """In a worker process: the first page of 'crash-me' kills the process in the middle of recognising it."""
        import os
        import signal

        from app.pipeline import Pipeline

        original = Pipeline.recognize_image

        def recognize_image(self: Any, image: Any, index: int = 0, source: str = "", dpi: Any = None) -> Any:
            if "crash-me" in source:
                try:
                    os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
                except FileExistsError:
                    pass
                else:
                    os.kill(os.getpid(), signal.SIGKILL)
            return original(self, image, index, source, dpi)

        Pipeline.recognize_image = recognize_image  # type: ignore[method-assign]

    real_connect = app.cluster.connect

    def connect(address: str) -> Any:
        client, local = real_connect(address)
        client.run(kill_once)
        return client, local

    monkeypatch.setattr(app.cluster, "connect", connect)
    original = Pipeline.recognize_image
    kill_once()  # worker processes forked from this one (a plain process pool) inherit the kill too
    try:
        code, err = run_cluster(capsys, str(folder), "-o", str(tmp_path / "out"), "--jobs", "2")
    finally:
        Pipeline.recognize_image = original  # type: ignore[method-assign]
    assert marker.exists(), "no worker was killed"
    assert code == 0, err
    letter = (local_out / "letter.txt").read_text()
    for name in ("crash-me", "after-1", "after-2"):
        assert (tmp_path / "out" / f"{name}.txt").read_text() == letter, name
