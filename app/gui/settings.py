"""Persistent user settings (QSettings) with typed accessors."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

MAX_RECENT = 10
#: The recognition engines PipelineOptions.engine accepts (kept here so the GUI starts without the pipeline).
ENGINES = ("", "line", "glyph")


class Settings:
    """Typed view of the application's QSettings.

    Args:
        qsettings: the store; tests pass an INI file under ``tmp_path``.
    """

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.store = qsettings or QSettings()

    def _float(self, key: str, default: float) -> float:
        try:
            return float(self.store.value(key, default))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default

    def _bool(self, key: str, default: bool) -> bool:
        value = self.store.value(key, default)
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")

    @property
    def high_threshold(self) -> float:
        """Confidence from which a glyph is shown green."""
        return self._float("confidence/high", 0.9)

    @high_threshold.setter
    def high_threshold(self, value: float) -> None:
        self.store.setValue("confidence/high", float(value))

    @property
    def low_threshold(self) -> float:
        """Confidence from which a glyph is amber (below it: red, doubtful)."""
        return self._float("confidence/low", 0.7)

    @low_threshold.setter
    def low_threshold(self, value: float) -> None:
        self.store.setValue("confidence/low", float(value))

    @property
    def lexicon(self) -> bool:
        """Use word context (English word frequencies) when decoding."""
        return self._bool("recognition/lexicon", True)

    @lexicon.setter
    def lexicon(self, value: bool) -> None:
        self.store.setValue("recognition/lexicon", bool(value))

    @property
    def model_path(self) -> str:
        """Model config JSON; empty string for the shipped model."""
        return str(self.store.value("recognition/model", "") or "")

    @model_path.setter
    def model_path(self, value: str) -> None:
        self.store.setValue("recognition/model", value or "")

    @property
    def dpi(self) -> float:
        """Resolution PDF pages are rendered at."""
        return self._float("recognition/dpi", 300.0)

    @dpi.setter
    def dpi(self, value: float) -> None:
        self.store.setValue("recognition/dpi", float(value))

    @property
    def engine(self) -> str:
        """Recognition engine: ``"line"`` (whole lines), ``"glyph"`` (character by character), or ``""`` for
        the pipeline's default."""
        value = str(self.store.value("recognition/engine", "") or "")
        return value if value in ENGINES else ""

    @engine.setter
    def engine(self, value: str) -> None:
        self.store.setValue("recognition/engine", value if value in ENGINES else "")

    def flag(self, name: str, default: bool = True) -> bool:
        """A boolean view option such as ``view/glyph_boxes``."""
        return self._bool(name, default)

    def set_flag(self, name: str, value: bool) -> None:
        self.store.setValue(name, bool(value))

    @property
    def recent_files(self) -> list[str]:
        """Most recently opened files, newest first."""
        value = self.store.value("files/recent", [])
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else []

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        files = [path] + [f for f in self.recent_files if f != path]
        self.store.setValue("files/recent", files[:MAX_RECENT])

    @property
    def export_formats(self) -> list[str]:
        """Formats ticked the last time the export dialog was used."""
        return [f for f in str(self.store.value("export/formats", "txt") or "").split(",") if f]

    @export_formats.setter
    def export_formats(self, formats: list[str]) -> None:
        self.store.setValue("export/formats", ",".join(formats))

    def sync(self) -> None:
        self.store.sync()


def data_dir() -> Path:
    """The per-user data folder (AppDataLocation): recovery file, corrections, personal models."""
    path = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation) or ".")
    path.mkdir(parents=True, exist_ok=True)
    return path
