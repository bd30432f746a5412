"""Background work on QThreadPool: page recognition and small tasks (prediction, export, saving, training).

Workers never touch widgets: they emit signals that Qt queues to the GUI
thread. Each has a ``cancel`` :class:`threading.Event`.
"""

from __future__ import annotations

import dataclasses
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Signal

THUMBNAIL_SIZE = 160


class RecognitionService:
    """Owns the :class:`app.pipeline.Pipeline`, built lazily on a worker: the model loads once, off the GUI."""

    def __init__(self, model_path: str = "", lexicon: bool = True, dpi: float = 300.0, engine: str = "") -> None:
        self._lock = threading.Lock()
        self._pipeline: Any = None
        self.model_path = model_path
        self.lexicon = lexicon
        self.dpi = dpi
        self.engine = engine

    def configure(self, model_path: str, lexicon: bool, dpi: float, engine: str | None = None) -> None:
        """Change options (``engine`` None keeps the engine; "" is the pipeline's default); the pipeline
        (and model if it changed) is rebuilt on next use."""
        engine = self.engine if engine is None else engine
        with self._lock:
            if (model_path, lexicon, dpi, engine) != (self.model_path, self.lexicon, self.dpi, self.engine):
                self._pipeline = None
            self.model_path, self.lexicon, self.dpi, self.engine = model_path, lexicon, dpi, engine

    def pipeline(self) -> Any:
        """The pipeline (import and construction happen on the calling worker thread)."""
        with self._lock:
            if self._pipeline is None:
                from app.pipeline import Pipeline, PipelineOptions

                options = PipelineOptions(lexicon=self.lexicon, dpi=self.dpi, interactive=True,
                                          model_path=Path(self.model_path) if self.model_path else None)
                if self.engine:  # else the pipeline's default engine
                    options = dataclasses.replace(options, engine=self.engine)
                self._pipeline = Pipeline(options)
            return self._pipeline

    @property
    def loaded(self) -> bool:
        pipeline = self._pipeline
        return pipeline is not None and any(getattr(pipeline, name, None) is not None
                                            for name in ("_predictor", "_line_predictor"))


@dataclass
class LoadedPage:
    """A decoded page image on its way from a worker to the session."""

    index: int
    image: np.ndarray
    png: bytes
    thumbnail: np.ndarray
    dpi: float
    source: str


def encode_png(image: np.ndarray) -> bytes:
    """The lossless copy of a page image that projects store."""
    import cv2

    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("cannot encode the page image as PNG")
    return bytes(png.tobytes())


def make_loaded_page(index: int, image: np.ndarray, dpi: float, source: str, png: bool = True) -> LoadedPage:
    """Thumbnail (and PNG copy unless ``png`` is False) of a page image (runs on a worker)."""
    import cv2

    scale = THUMBNAIL_SIZE / max(image.shape)
    thumb = cv2.resize(image, (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale))),
                       interpolation=cv2.INTER_AREA)
    return LoadedPage(index, image, encode_png(image) if png else b"", thumb, dpi, source)


class WorkerSignals(QObject):
    """Signals of a worker (a QRunnable cannot have its own)."""

    progress = Signal(int, int)
    page_loaded = Signal(object)
    page_done = Signal(int, object)
    page_encoded = Signal(int, bytes)
    result = Signal(object)
    error = Signal(str)
    file_error = Signal(str, str)
    finished = Signal(bool)


class RecognitionWorker(QRunnable):
    """Load and recognise pages one at a time.

    Args:
        service: gives the pipeline (and its lazily loaded model).
        paths: files to load pages from (their pages are numbered on from ``first_index``).
        images: (session page index, grey image) pairs to recognise again, instead of ``paths``.
        first_index: session index of the first loaded page.
        recognize: False to only load the pages.
    """

    def __init__(self, service: RecognitionService, paths: list[Path] | None = None,
                 images: list[tuple[int, np.ndarray]] | None = None, first_index: int = 0,
                 recognize: bool = True) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = WorkerSignals()
        self.cancel = threading.Event()
        self.service = service
        self.paths = list(paths or [])
        self.images = images
        self.first_index = first_index
        self.recognize = recognize
        self._done = 0

    def run(self) -> None:
        try:
            if self.paths:
                self._run_files(self.paths)
            else:
                self._run_images(self.images or [])
        except Exception as exc:  # every failure reaches the user as an error dialog
            self.signals.error.emit(_message(exc))
        finally:
            self.signals.finished.emit(self.cancel.is_set())

    def _run_files(self, paths: list[Path]) -> None:
        """Load every file in turn; a file that fails is reported (``file_error``) and skipped."""
        from app.io import count_pages

        counts = []
        for path in paths:
            try:
                counts.append(count_pages(path))
            except Exception:  # reported when the file is loaded below
                counts.append(1)
        total = sum(counts)
        self.signals.progress.emit(0, total)
        self._done = 0
        for path, count in zip(paths, counts, strict=True):
            if self.cancel.is_set():
                return
            loaded_before = self._done
            try:
                self._run_file(path, total)
            except Exception as exc:  # one bad file never stops the others
                self.signals.file_error.emit(str(path), _message(exc))
                total -= count - (self._done - loaded_before)
                self.signals.progress.emit(self._done, total)

    def _run_file(self, path: Path, total: int) -> None:
        from app.io import load_pages

        for page_image in load_pages(path, dpi=self.service.dpi):
            if self.cancel.is_set():
                return
            index = self.first_index + self._done
            # the page is shown and recognised first; its PNG copy (for projects) is encoded afterwards
            loaded = make_loaded_page(index, page_image.image, page_image.dpi, page_image.source, png=False)
            self.signals.page_loaded.emit(loaded)
            self._done += 1
            if self.recognize:
                page = self.service.pipeline().recognize_image(page_image.image, page_image.index,
                                                               page_image.source, page_image.dpi)
                self.signals.page_done.emit(index, page)  # even when cancelled meanwhile: the work is done
            self.signals.page_encoded.emit(index, encode_png(page_image.image))
            self.signals.progress.emit(self._done, total)

    def _run_images(self, images: list[tuple[int, np.ndarray]]) -> None:
        self.signals.progress.emit(0, len(images))
        for done, (index, image) in enumerate(images):
            if self.cancel.is_set():
                return
            page = self.service.pipeline().recognize_image(image, index)
            self.signals.page_done.emit(index, page)
            self.signals.progress.emit(done + 1, len(images))


class FunctionTask(QRunnable):
    """Run ``function(*args, **kwargs)`` on the pool; emits ``result`` or ``error``, then ``finished``."""

    def __init__(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = WorkerSignals()
        self.cancel = threading.Event()
        self.function = function
        self.args = args
        self.kwargs = kwargs

    def run(self) -> None:
        try:
            value = self.function(*self.args, **self.kwargs)
        except Exception as exc:  # reported, never swallowed
            self.signals.error.emit(_message(exc))
        else:
            self.signals.result.emit(value)
        finally:
            self.signals.finished.emit(self.cancel.is_set())


def _message(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, (OSError, ValueError, RuntimeError)) and "PageLoadError" not in type(exc).__name__:
        text += "\n\n" + "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text


def predict_crops(service: RecognitionService, crops: np.ndarray, k: int = 5) -> tuple[list[str], Any]:
    """Top-k prediction of glyph crops with the session's model (call on a worker)."""
    predictor = service.pipeline().predictor
    return list(predictor.classes), predictor.predict(crops, k=k)
